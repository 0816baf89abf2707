/**
 * Chainlink on chain, for every basket asset, every cycle: the latest answer of each feed
 * (the keeper's cross-check of the provider's newest close), and daily closes from the feeds'
 * past rounds (`getRoundData`), so a keeper configured with only an RPC URL still has a price
 * history. A round id is `phaseId << 64 | aggregatorRoundId`; rounds within a phase are
 * contiguous and their `updatedAt` grows with the id, which is what the bisection relies on.
 * History therefore reaches back to the first round of the current phase, no further.
 */
import { Contract, type ContractRunner } from "ethers";
import { ProviderError } from "../../core/errors.js";
import { toNumber } from "../../core/fixed.js";
import { type FeedAnswer, readChainlinkFeed } from "../onchain.js";
import { type Bar, type BarSource, type BarsBySymbol, DAY } from "./bars.js";

const ROUND_ABI = [
  "function decimals() view returns (uint8)",
  "function latestRoundData() view returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)",
  "function getRoundData(uint80 roundId) view returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)",
];

const PHASE_SHIFT = 64n;
const AGGREGATOR_MASK = (1n << PHASE_SHIFT) - 1n;

/** Feed address by symbol (the vault's registered oracles, or the address book's). */
export type FeedBook = Readonly<Record<string, string>>;

interface Round {
  readonly answer: bigint;
  readonly updatedAt: number;
}

/** Latest answer of every feed in the book; one failed feed fails the read (ProviderError). */
export async function readLatestPrices(runner: ContractRunner, feeds: FeedBook): Promise<Record<string, FeedAnswer>> {
  const entries = await Promise.all(
    Object.entries(feeds).map(async ([symbol, feed]) => [symbol, await readChainlinkFeed(runner, feed)] as const),
  );
  return Object.fromEntries(entries);
}

export class ChainlinkBarSource implements BarSource {
  readonly name = "chainlink";

  constructor(
    private readonly runner: ContractRunner,
    private readonly feeds: FeedBook,
  ) {}

  async bars(symbols: readonly string[], from: number, to: number): Promise<BarsBySymbol> {
    // Every feed at once: their reads share batches step by step of the searches. A failure is
    // reported for the first failing symbol in order, as a one-at-a-time read would.
    const settled = await Promise.allSettled(
      symbols.map((symbol) => {
        const feed = this.feeds[symbol];
        return feed ? this.feedBars(feed, from, to) : Promise.resolve([]);
      }),
    );
    const out: Record<string, Bar[]> = {};
    for (const [i, symbol] of symbols.entries()) {
      const result = settled[i] as PromiseSettledResult<Bar[]>;
      if (result.status === "rejected") throw result.reason;
      out[symbol] = result.value;
    }
    return out;
  }

  private async feedBars(feed: string, from: number, to: number): Promise<Bar[]> {
    const c = new Contract(feed, ROUND_ABI, this.runner);
    const memo = new Map<bigint, Round | null>();
    let decimals: number;
    let latestId: bigint;
    try {
      const [dec, latest] = await Promise.all([
        c.getFunction("decimals").staticCall() as Promise<bigint>,
        c.getFunction("latestRoundData").staticCall() as Promise<[bigint, bigint, bigint, bigint, bigint]>,
      ]);
      decimals = Number(dec);
      latestId = latest[0];
    } catch (cause) {
      throw new ProviderError(`chainlink: reading feed ${feed} failed`, { cause, details: { feed } });
    }
    const phase = latestId >> PHASE_SHIFT;
    const round = async (agg: bigint): Promise<Round | null> => {
      if (memo.has(agg)) return memo.get(agg) ?? null;
      let r: Round | null = null;
      try {
        const got = (await c.getFunction("getRoundData").staticCall((phase << PHASE_SHIFT) | agg)) as [
          bigint,
          bigint,
          bigint,
          bigint,
          bigint,
        ];
        // updatedAt 0 is Chainlink's "round not complete"; such a round has no answer to use.
        r = got[3] > 0n ? { answer: got[1], updatedAt: Number(got[3]) } : null;
      } catch {
        // A round that reverts does not exist in this phase.
        r = null;
      }
      memo.set(agg, r);
      return r;
    };
    const usable = async (agg: bigint, close: number): Promise<boolean> => {
      const r = await round(agg);
      return r !== null && r.updatedAt <= close;
    };
    const bars: Bar[] = [];
    let hi = latestId & AGGREGATOR_MASK;
    // Newest bar first: each bar's round is at or below the next bar's, which bounds the search.
    for (let close = to; close >= from; close -= DAY) {
      let pick: bigint;
      if (await usable(hi, close)) pick = hi;
      else {
        if (!(await usable(1n, close))) break;
        // Invariant: round lo is usable, round hi is not.
        let lo = 1n;
        while (hi - lo > 1n) {
          const mid = (lo + hi) / 2n;
          if (await usable(mid, close)) lo = mid;
          else hi = mid;
        }
        pick = lo;
      }
      const r = (await round(pick)) as Round;
      bars.push({ t: close, close: toNumber(r.answer < 0n ? 0n : r.answer, decimals), volume: Number.NaN });
      hi = pick;
    }
    return bars.reverse();
  }
}
