/**
 * Replay servers for the live market tests: the CoinGecko-style endpoint the demo also uses
 * (keeper/src/devchain/coinGeckoReplay.ts) on a deterministic price path; and a JSON-RPC endpoint that serves a Chainlink AggregatorV3 feed's rounds (eth_call on
 * decimals / latestRoundData / getRoundData), batches included.
 */
import { Interface } from "ethers";
import {
  type CoinGeckoReplay,
  coinGeckoReplay as devchainCoinGeckoReplay,
} from "../../../../keeper/src/devchain/coinGeckoReplay.js";
import type { ReplayHandler } from "../../../../keeper/src/devchain/replayServer.js";

export const DAY = 86_400;

/** Deterministic USD price of a symbol at unix time t. */
export function pricePath(symbol: string, t: number): number {
  const base: Record<string, number> = { USDC: 1, WETH: 2_000, WBTC: 30_000, ARB: 1.2 };
  const level = base[symbol] ?? 10;
  if (symbol === "USDC") return 1;
  const k = symbol.length;
  return level * (1 + 0.05 * Math.sin(t / (7 * DAY) + k) + 0.02 * Math.sin(t / (1.3 * DAY)));
}

export const IDS: Readonly<Record<string, string>> = {
  "usd-coin": "USDC",
  weth: "WETH",
  "wrapped-bitcoin": "WBTC",
  arbitrum: "ARB",
};

/** The CoinGecko replay (keeper/src/devchain/coinGeckoReplay.ts) over the test's coins and price path. */
export function coinGeckoReplay(price: (symbol: string, t: number) => number = pricePath): CoinGeckoReplay {
  return devchainCoinGeckoReplay({ price, ids: IDS });
}

const AGG = new Interface([
  "function decimals() view returns (uint8)",
  "function description() view returns (string)",
  "function latestRoundData() view returns (uint80, int256, uint256, uint256, uint80)",
  "function getRoundData(uint80) view returns (uint80, int256, uint256, uint256, uint80)",
]);

export interface FeedRound {
  readonly answer: bigint;
  readonly updatedAt: number;
}

/**
 * JSON-RPC replay of Chainlink feeds by address: rounds numbered from 1 in phase `phase`
 * (round id = phase << 64 | n); a round id outside the table reverts, as a real aggregator does.
 */
export function feedRpcReplay(feeds: Record<string, { phase: bigint; rounds: FeedRound[] }>): {
  handler: ReplayHandler;
  calls: number;
} {
  const state = { calls: 0, handler: ((): ReplayHandler => () => ({ body: {} }))() };
  const one = (msg: { id: number; method: string; params?: unknown[] }): object => {
    if (msg.method === "eth_chainId") return { jsonrpc: "2.0", id: msg.id, result: "0xa4b1" };
    if (msg.method !== "eth_call")
      return { jsonrpc: "2.0", id: msg.id, error: { code: -32601, message: "method not found" } };
    state.calls++;
    const call = msg.params?.[0] as { to: string; data: string };
    const feed = feeds[call.to.toLowerCase()];
    if (!feed) return { jsonrpc: "2.0", id: msg.id, result: "0x" };
    const tx = AGG.parseTransaction({ data: call.data });
    const revert = { jsonrpc: "2.0", id: msg.id, error: { code: 3, message: "execution reverted", data: "0x" } };
    const encode = (fn: string, values: unknown[]) => ({
      jsonrpc: "2.0",
      id: msg.id,
      result: AGG.encodeFunctionResult(fn, values),
    });
    const shift = 1n << 64n;
    const roundValues = (n: number) => {
      const r = feed.rounds[n - 1] as FeedRound;
      const id = feed.phase * shift + BigInt(n);
      return [id, r.answer, r.updatedAt, r.updatedAt, id];
    };
    switch (tx?.name) {
      case "decimals":
        return encode("decimals", [8]);
      case "description":
        return encode("description", ["X / USD"]);
      case "latestRoundData":
        return encode("latestRoundData", roundValues(feed.rounds.length));
      case "getRoundData": {
        const id = tx.args[0] as bigint;
        const n = Number(id % shift);
        if (id / shift !== feed.phase || n < 1 || n > feed.rounds.length) return revert;
        return encode("getRoundData", roundValues(n));
      }
      default:
        return revert;
    }
  };
  state.handler = (req) => {
    const body: unknown = JSON.parse(req.body);
    return { body: Array.isArray(body) ? body.map(one) : one(body as { id: number; method: string }) };
  };
  return state;
}
