/**
 * Reads, for every asset of the vault, the pools along its sell and buy routes (found through
 * the Uniswap V3 factory) and turns them into cost models for `sizeLegs`. This is the I/O half
 * of the sizing; each pool is read once per cycle. A pool that cannot be found or read leaves
 * that route without a model, and the sizing falls back to fixed haircuts for it.
 */
import { AbiCoder, Contract, type ContractRunner, getAddress, getCreate2Address, keccak256, ZeroAddress } from "ethers";
import { type PoolLiquidity, type PoolReadHint, readPoolLiquidity } from "../../data/poolLiquidity.js";
import type { FailoverRpc } from "../failoverRpc.js";
import type { PortfolioSnapshot, Routes } from "./planLegs.js";
import { decodePath } from "./rebalanceOrder.js";
import { type RouteHop, routeModel } from "./routeModel.js";
import type { RouteModels } from "./sizeLegs.js";

const FACTORY_ABI = ["function getPool(address, address, uint24) view returns (address)"];
const ERC20_ABI = ["function decimals() view returns (uint8)"];

export interface RouteLiquidityInput {
  readonly rpc: FailoverRpc;
  readonly factory: string;
  readonly snapshot: PortfolioSnapshot;
  readonly routes: Routes;
  /** Decimals the caller already knows (config tokens), by lower-case address. */
  readonly knownDecimals: ReadonlyMap<string, number>;
  readonly labels: readonly string[];
  /** Relative price move each pool is scanned over (see `readPoolLiquidity`). */
  readonly horizon: number;
  /**
   * Where each pool (by lower-case address) was last seen: its reads are issued with the state
   * (see PoolReadHint), and each read pool's entry is replaced by what this read saw.
   */
  readonly hints?: Map<string, PoolReadHint>;
}

/**
 * The hops of a route from the base asset outward, as `readRouteModels` reads them (a sell path
 * runs asset -> base, so it is reversed). Throws on a malformed path.
 */
export function routeHops(path: string, selling: boolean): { tokens: string[]; fees: number[] } {
  const decoded = decodePath(path);
  return selling ? { tokens: [...decoded.tokens].reverse(), fees: [...decoded.fees].reverse() } : decoded;
}

/**
 * keccak256 of the Uniswap V3 pool's creation code, as published by Uniswap (PoolAddress.sol)
 * and as the local chain's real bytecode gives. A factory whose pools are made from other code
 * only makes `predictPool` miss, which costs a round trip, never a wrong answer: the pool the
 * keeper reads is always the one `getPool` returns.
 */
const POOL_INIT_CODE_HASH = "0xe34f199b19b2b4f47f68442619d555527d244f78a3297ea89325f843f87b8b54";

/** The address `getPool(a, b, fee)` returns when the pool exists (CREATE2 of the factory). */
export function predictPool(factory: string, a: string, b: string, fee: number): string {
  const [token0, token1] = a.toLowerCase() < b.toLowerCase() ? [a, b] : [b, a];
  const salt = keccak256(AbiCoder.defaultAbiCoder().encode(["address", "address", "uint24"], [token0, token1, fee]));
  return getCreate2Address(getAddress(factory), salt, POOL_INIT_CODE_HASH);
}

/** The factory's `getPool` call for one hop, as `readRouteModels` makes it. */
export function getPoolCall(
  factory: string,
  runner: ContractRunner,
  near: string,
  far: string,
  fee: number,
): Promise<string> {
  return new Contract(factory, FACTORY_ABI, runner)
    .getFunction("getPool")
    .staticCall(near, far, fee) as Promise<string>;
}

export async function readRouteModels(input: RouteLiquidityInput): Promise<RouteModels> {
  const { rpc, snapshot } = input;
  // A pool, or why it is missing (not deployed, or unreadable).
  const pools = new Map<string, Promise<PoolLiquidity | string>>();
  const decimals = new Map(input.knownDecimals);
  const poolFor = (a: string, b: string, fee: number): Promise<PoolLiquidity | string> => {
    const key = `${[a.toLowerCase(), b.toLowerCase()].sort().join("/")}/${fee}`;
    let found = pools.get(key);
    if (!found) {
      found = (async () => {
        const address = await rpc.read("getPool", (p) => getPoolCall(input.factory, p, a, b, fee));
        if (address === ZeroAddress) return `no ${fee} pool for ${a}/${b}`;
        const hint = input.hints?.get(address.toLowerCase());
        const read = await rpc.read("pool liquidity", (p) =>
          readPoolLiquidity(p, address, { horizon: input.horizon, ...(hint ? { hint } : {}) }),
        );
        input.hints?.set(address.toLowerCase(), read.report.next);
        return read;
      })().catch((error: unknown) => `pool ${a}/${b}/${fee} unreadable: ${(error as Error).message}`);
      pools.set(key, found);
    }
    return found;
  };
  const decimalsOf = async (token: string): Promise<void> => {
    if (decimals.has(token.toLowerCase())) return;
    const value = await rpc
      .read(
        "decimals",
        (p) => new Contract(token, ERC20_ABI, p).getFunction("decimals").staticCall() as Promise<bigint>,
      )
      .catch(() => null);
    if (value !== null) decimals.set(token.toLowerCase(), Number(value));
  };
  const baseUsd = Number(snapshot.pricesUsd[0] ?? 100_000_000n) / 1e8;

  const model = async (path: string | undefined, selling: boolean) => {
    if (!path || path === "0x") return { route: null, reason: "no route configured" } as const;
    let tokens: string[];
    let fees: number[];
    try {
      ({ tokens, fees } = routeHops(path, selling));
    } catch {
      return { route: null, reason: "malformed route" } as const;
    }
    // Decimals and pools are read together: neither depends on the other.
    const [, hops] = await Promise.all([
      Promise.all(tokens.map(decimalsOf)),
      Promise.all(
        fees.map(async (fee, k): Promise<RouteHop> => {
          const near = tokens[k] as string;
          const far = tokens[k + 1] as string;
          const pool = await poolFor(near, far, fee);
          return typeof pool === "string" ? { near, far, fee, pool: null, missing: pool } : { near, far, fee, pool };
        }),
      ),
    ]);
    return routeModel({ hops, baseUsd, decimalsOf: (t) => decimals.get(t.toLowerCase()), selling });
  };

  const n = snapshot.assets.length;
  // Every route at once: the pools they share are read once (`pools` holds the promise).
  const [sell, buy] = await Promise.all([
    Promise.all(Array.from({ length: n }, (_, i) => (i === 0 ? null : model(input.routes.sell[i], true)))),
    Promise.all(Array.from({ length: n }, (_, i) => (i === 0 ? null : model(input.routes.buy[i], false)))),
  ]);
  return {
    sell: sell.map((m) => m?.route ?? null),
    buy: buy.map((m) => m?.route ?? null),
    unknown: sell.map((s, i) => {
      const b = buy[i];
      const reasons = [s && !s.route ? `sell: ${s.reason}` : null, b && !b.route ? `buy: ${b.reason}` : null];
      const text = reasons.filter((r) => r !== null).join("; ");
      return text === "" ? null : text;
    }),
    labels: input.labels,
  };
}
