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
import { type PoolState, readUniswapV3Pool } from "./onchain.js";

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
}

const LOG_TICK_BASE = Math.log(1.0001);

export async function readPoolLiquidity(
  runner: ContractRunner,
  pool: string,
  options: ReadPoolLiquidityOptions = {},
): Promise<PoolLiquidity> {
  const c = new Contract(pool, TICKS_ABI, runner);
  const call = <T>(name: string, ...args: unknown[]) => c.getFunction(name).staticCall(...args) as Promise<T>;
  // The spacing does not depend on the state: both are read together (one batch).
  const [state, spacing] = await Promise.all([
    readUniswapV3Pool(runner, pool),
    call<bigint>("tickSpacing").then(
      (value) => ({ value }),
      (cause: unknown) => ({ cause }),
    ),
  ]);
  try {
    if ("cause" in spacing) throw spacing.cause;
    const tickSpacing = Number(spacing.value);
    const horizonTicks = Math.ceil(Math.log(1 + (options.horizon ?? 0.05)) / LOG_TICK_BASE);
    const scan = (direction: -1 | 1) =>
      scanDepth({
        liquidity: state.liquidity,
        tick: state.tick,
        tickSpacing,
        direction,
        limitTick: state.tick + direction * horizonTicks,
        maxReads: options.maxTickReads ?? 32,
        bitmap: (word) => call<bigint>("tickBitmap", word),
        liquidityNet: async (t) => (await call<[bigint, bigint]>("ticks", t))[1],
      });
    const [down, up] = await Promise.all([scan(-1), scan(1)]);
    return { ...state, down, up };
  } catch (cause) {
    throw new ProviderError(`uniswap-v3: reading the ticks of pool ${state.pool} failed`, {
      cause,
      details: { pool: state.pool },
    });
  }
}

/**
 * Issues the reads of `readPoolLiquidity` that do not depend on the pool's state (state and
 * tick spacing) and ignores their outcome: a warm-up for an RPC session's read memo, so that
 * they ride in an earlier batch.
 */
export async function prefetchPoolState(runner: ContractRunner, pool: string): Promise<void> {
  const c = new Contract(pool, TICKS_ABI, runner);
  await Promise.allSettled([readUniswapV3Pool(runner, pool), c.getFunction("tickSpacing").staticCall()]);
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
