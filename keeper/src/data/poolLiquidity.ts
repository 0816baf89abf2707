/**
 * Reads what the leg-sizing cost model needs from a Uniswap V3 pool: the current price and
 * in-range liquidity L, and in each direction where L first falls (the edge of the range the
 * constant-product maths is exact in) and the smallest L met after that edge up to `horizon`
 * (a relative price move), by walking the initialised ticks and applying their liquidityNet
 * as a swap would. Ticks where L rises before the first fall are passed over: pricing on the
 * smaller current L there only overstates impact. Beyond the horizon nothing is known.
 */
import { Contract, type ContractRunner } from "ethers";
import { ProviderError } from "../core/errors.js";
import { type PoolImmutables, type PoolState, readUniswapV3Pool } from "./onchain.js";

/** What `readUniswapV3Pool` does not read: the tick layout the depth scan walks. */
const TICKS_ABI = [
  "function tickSpacing() view returns (int24)",
  "function tickBitmap(int16 wordPosition) view returns (uint256)",
  "function ticks(int24 tick) view returns (uint128 liquidityGross, int128 liquidityNet, int56 tickCumulativeOutside, uint160 secondsPerLiquidityOutsideX128, uint32 secondsOutside, bool initialized)",
];

/** The pool as a trade moving the price one way sees it, up to the scan horizon. */
export interface DirectionDepth {
  /** First tick where the in-range liquidity falls below the current one; null: none before the horizon. */
  readonly edgeTick: number | null;
  /** Smallest liquidity between `edgeTick` and `horizonTick` (0 when there is no edge). */
  readonly beyondLiquidity: bigint;
  /** Where the scan stopped: the horizon, or the last tick read when `maxTickReads` ran out. */
  readonly horizonTick: number;
}

/** The pool's state (`readUniswapV3Pool`) and its depth in each direction. */
export interface PoolLiquidity extends PoolState {
  /** Depth seen when the price of token0 (in token1) falls / rises. */
  readonly down: DirectionDepth;
  readonly up: DirectionDepth;
}

export interface ReadPoolLiquidityOptions {
  /** Relative price move scanned in each direction (0.05 = 5%). */
  readonly horizon?: number;
  /** Most `ticks()` reads per direction (real pools have many initialised ticks). */
  readonly maxTickReads?: number;
  /** Which bitmap words and ticks to read with the state (from an earlier read of the pool). */
  readonly hint?: PoolReadHint;
}

/**
 * Where to look in a pool before its current tick is known: bitmap words around the tick an
 * earlier read saw and the initialised ticks it saw in them. A hint only chooses reads to issue
 * up front, in the batch that reads the state; no changing value is taken from it. The scan
 * uses those answers only where the fresh state and bitmap ask for exactly those reads, and
 * reads what else they ask for in another round (the tick left the words, a tick was
 * initialised). A wrong or stale hint costs round trips, never a wrong depth. `immutables` is
 * the exception: what a pool fixes at construction cannot differ at the same address.
 */
export interface PoolReadHint {
  readonly words: readonly number[];
  readonly ticks: readonly number[];
  readonly immutables?: PoolImmutables & { readonly tickSpacing: number };
}

/** What a read made and how much of it the hint covered (the hint for the next read is `next`). */
export interface PoolReadReport {
  /** Bitmap words and initialised ticks the scan needed that the hint had not issued. */
  readonly missedWords: number;
  readonly missedTicks: number;
  readonly next: PoolReadHint;
}

const LOG_TICK_BASE = Math.log(1.0001);

const horizonTicksOf = (horizon: number | undefined) => Math.ceil(Math.log(1 + (horizon ?? 0.05)) / LOG_TICK_BASE);

/** How far from the hinted tick the next read looks: the horizon, and as much again for the price to move. */
const reachOf = (horizon: number | undefined) => 2 * horizonTicksOf(horizon);

/**
 * The hint for a pool whose tick is `tick`: every bitmap word the scan of either direction
 * needs while the tick stays within one horizon of `tick` (a price that moved less than the
 * scanned range between two cycles), and the initialised ticks among `ticks` in those words
 * (nearest first, at most `maxTicks`).
 */
export function poolReadHint(
  tick: number,
  tickSpacing: number,
  horizon: number | undefined,
  ticks: readonly number[] = [],
  immutables?: PoolImmutables,
  maxTicks = 64,
): PoolReadHint {
  const reach = reachOf(horizon);
  const first = Math.floor((tick - reach) / tickSpacing) >> 8;
  const last = Math.floor((tick + reach) / tickSpacing) >> 8;
  const words: number[] = [];
  for (let word = first; word <= last; word++) words.push(word);
  const near = [...new Set(ticks)]
    .filter((t) => {
      const word = Math.floor(t / tickSpacing) >> 8;
      return word >= first && word <= last;
    })
    .sort((x, y) => Math.abs(x - tick) - Math.abs(y - tick))
    .slice(0, maxTicks);
  if (!immutables) return { words, ticks: near };
  const { token0, token1, fee } = immutables;
  return { words, ticks: near, immutables: { token0, token1, fee, tickSpacing } };
}

export async function readPoolLiquidity(
  runner: ContractRunner,
  pool: string,
  options: ReadPoolLiquidityOptions = {},
): Promise<PoolLiquidity & { readonly report: PoolReadReport }> {
  const reads = poolReads(runner, pool);
  const hinted = issueHinted(reads, options.hint);
  const known = options.hint?.immutables;
  // The spacing does not depend on the state: both are read together (one batch), with the hint.
  const [state, spacing] = await Promise.all([
    readUniswapV3Pool(runner, pool, known),
    (known ? Promise.resolve(BigInt(known.tickSpacing)) : reads.spacing()).then(
      (value) => ({ value }),
      (cause: unknown) => ({ cause }),
    ),
  ]);
  try {
    if ("cause" in spacing) throw spacing.cause;
    const tickSpacing = Number(spacing.value);
    const horizonTicks = horizonTicksOf(options.horizon);
    let missedWords = 0;
    let missedTicks = 0;
    const words = new Map(hinted.words);
    const scan = (direction: -1 | 1) =>
      scanDepth({
        liquidity: state.liquidity,
        tick: state.tick,
        tickSpacing,
        direction,
        limitTick: state.tick + direction * horizonTicks,
        maxReads: options.maxTickReads ?? 32,
        bitmap: (word) => {
          const known = words.get(word);
          if (known) return known;
          missedWords++;
          const read = reads.bitmap(word);
          words.set(word, read);
          return read;
        },
        liquidityNet: (t) => {
          const known = hinted.ticks.get(t);
          if (known) return known;
          missedTicks++;
          return reads.liquidityNet(t);
        },
      });
    const [down, up] = await Promise.all([scan(-1), scan(1)]);
    // The next hint: every initialised tick in the words answered now (the hinted ones too).
    const answered = await Promise.allSettled([...words].map(async ([w, bits]) => initialisedIn(await bits, w, 1)));
    const seen = answered.flatMap((r) => (r.status === "fulfilled" ? r.value.map((c) => c * tickSpacing) : []));
    const next = poolReadHint(state.tick, tickSpacing, options.horizon, seen, state);
    return {
      ...state,
      down,
      up,
      report: { missedWords, missedTicks, next },
    };
  } catch (cause) {
    throw new ProviderError(`uniswap-v3: reading the ticks of pool ${state.pool} failed`, {
      cause,
      details: { pool: state.pool },
    });
  } finally {
    // Hinted reads nobody asked for must not fail unobserved.
    await Promise.allSettled([...hinted.words.values(), ...hinted.ticks.values()]);
  }
}

/**
 * Issues the reads of `readPoolLiquidity` with the same hint that do not depend on the pool's
 * state (state, tick spacing, the hint's words and ticks) and ignores their outcome: a warm-up
 * for an RPC session's read memo, so that they ride in an earlier batch.
 */
export async function prefetchPoolState(runner: ContractRunner, pool: string, hint?: PoolReadHint): Promise<void> {
  const reads = poolReads(runner, pool);
  const hinted = issueHinted(reads, hint);
  await Promise.allSettled([
    readUniswapV3Pool(runner, pool, hint?.immutables),
    hint?.immutables ? Promise.resolve() : reads.spacing(),
    ...hinted.words.values(),
    ...hinted.ticks.values(),
  ]);
}

/** A first hint for a pool (its tick and immutables), or null if it cannot be read. */
export async function readPoolHint(
  runner: ContractRunner,
  pool: string,
  horizon: number | undefined,
): Promise<PoolReadHint | null> {
  try {
    const [state, spacing] = await Promise.all([readUniswapV3Pool(runner, pool), poolReads(runner, pool).spacing()]);
    return poolReadHint(state.tick, Number(spacing), horizon, [], state);
  } catch {
    return null;
  }
}

function poolReads(runner: ContractRunner, pool: string) {
  const c = new Contract(pool, TICKS_ABI, runner);
  const call = <T>(name: string, ...args: unknown[]) => c.getFunction(name).staticCall(...args) as Promise<T>;
  return {
    spacing: () => call<bigint>("tickSpacing"),
    bitmap: (word: number) => call<bigint>("tickBitmap", word),
    liquidityNet: async (tick: number) => (await call<[bigint, bigint]>("ticks", tick))[1],
  };
}

function issueHinted(reads: ReturnType<typeof poolReads>, hint: PoolReadHint | undefined) {
  return {
    words: new Map((hint?.words ?? []).map((w) => [w, reads.bitmap(w)] as const)),
    ticks: new Map((hint?.ticks ?? []).map((t) => [t, reads.liquidityNet(t)] as const)),
  };
}

interface DepthScan {
  readonly liquidity: bigint;
  readonly tick: number;
  readonly tickSpacing: number;
  readonly direction: -1 | 1;
  readonly limitTick: number;
  readonly maxReads: number;
  readonly bitmap: (word: number) => Promise<bigint>;
  readonly liquidityNet: (tick: number) => Promise<bigint>;
}

/**
 * Walks initialised ticks from the current one in one direction, in the pool's own order
 * (downward the current range's lower tick is crossed first), applying liquidityNet as a swap
 * crossing them would: minus going down, plus going up. The reads are issued in two rounds,
 * each all at once: every bitmap word up to the limit, then the first `maxReads` initialised
 * ticks they show. The walk over them is the same as reading one tick at a time.
 */
async function scanDepth(s: DepthScan): Promise<DirectionDepth> {
  const compressed = Math.floor(s.tick / s.tickSpacing);
  const limit = Math.floor(s.limitTick / s.tickSpacing);
  // Downward the search includes the current compressed tick; upward it starts above it.
  const firstWord = (s.direction < 0 ? compressed : compressed + 1) >> 8;
  const lastWord = limit >> 8;
  const words: number[] = [];
  for (let word = firstWord; s.direction < 0 ? word >= lastWord : word <= lastWord; word += s.direction) {
    words.push(word);
  }
  const bitmaps = await Promise.all(words.map((word) => s.bitmap(word)));
  // Initialised compressed ticks strictly between the current one and the limit, in walking order.
  const initialised = words
    .flatMap((word, k) => initialisedIn(bitmaps[k] as bigint, word, s.direction))
    .filter((c) => (s.direction < 0 ? c <= compressed && c >= limit : c > compressed && c <= limit));
  const read = initialised.slice(0, s.maxReads);
  const nets = await Promise.all(read.map((c) => s.liquidityNet(c * s.tickSpacing)));
  let liquidity = s.liquidity;
  let edgeTick: number | null = null;
  let beyondLiquidity = 0n;
  const result = (horizonTick: number): DirectionDepth => ({ edgeTick, beyondLiquidity, horizonTick });
  for (const [k, c] of initialised.entries()) {
    const t = c * s.tickSpacing;
    // The read budget ran out: the scan ends at the first tick it could not read.
    if (k >= s.maxReads) return result(t);
    const net = nets[k] as bigint;
    liquidity = s.direction < 0 ? liquidity - net : liquidity + net;
    if (liquidity < 0n) liquidity = 0n;
    if (edgeTick === null) {
      if (liquidity < s.liquidity) {
        edgeTick = t;
        beyondLiquidity = liquidity;
      }
    } else if (liquidity < beyondLiquidity) {
      beyondLiquidity = liquidity;
    }
  }
  return result(s.limitTick);
}

/** Compressed ticks set in one bitmap word, in the walking direction. */
function initialisedIn(bits: bigint, word: number, direction: -1 | 1): number[] {
  const out: number[] = [];
  if (bits === 0n) return out;
  for (let bit = 0; bit < 256; bit++) if ((bits >> BigInt(bit)) & 1n) out.push(word * 256 + bit);
  return direction < 0 ? out.reverse() : out;
}
