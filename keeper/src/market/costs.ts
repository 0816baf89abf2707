/**
 * Trading-cost models for one swap leg, as pure functions.
 *
 * - `v3SwapStepExactIn`: the exact integer maths of one Uniswap V3 swap step within an active
 *   liquidity range (SwapMath.computeSwapStep with SqrtPriceMath, same rounding), so the
 *   output for an input matches the pool to the wei while no initialised tick is crossed.
 * - `constantProductOut` / `legOutFraction`: the float version used on the simulator's hot
 *   path. Within the active range the pool is x*y = L^2 on virtual reserves; beyond the range
 *   (or when depth is unknown) the square-root impact model prices what is left.
 * - Multi-hop legs chain the hop model: every hop pays its fee tier and its own impact.
 *
 * Fractions everywhere: 0.003 = 0.3% = 30 bp.
 */
import { InvalidInputError } from "../core/errors.js";

export const Q96 = 2n ** 96n;
const MAX_UINT256 = 2n ** 256n - 1n;
const MAX_UINT160 = 2n ** 160n - 1n;
/** Uniswap fee tiers are in hundredths of a bip: 3000 = 0.3%. */
export const FEE_PIPS_DENOMINATOR = 1_000_000n;

function mulDivFloor(a: bigint, b: bigint, d: bigint): bigint {
  return (a * b) / d;
}

function mulDivCeil(a: bigint, b: bigint, d: bigint): bigint {
  const p = a * b;
  const q = p / d;
  return q * d === p ? q : q + 1n;
}

function divCeil(a: bigint, d: bigint): bigint {
  const q = a / d;
  return q * d === a ? q : q + 1n;
}

/** SqrtPriceMath.getAmount0Delta: token0 between two prices for liquidity L. */
export function getAmount0Delta(sqrtA: bigint, sqrtB: bigint, liquidity: bigint, roundUp: boolean): bigint {
  const [lo, hi] = sqrtA < sqrtB ? [sqrtA, sqrtB] : [sqrtB, sqrtA];
  if (lo <= 0n) throw new InvalidInputError("getAmount0Delta: sqrt price must be positive");
  const numerator1 = liquidity << 96n;
  const numerator2 = hi - lo;
  return roundUp ? divCeil(mulDivCeil(numerator1, numerator2, hi), lo) : mulDivFloor(numerator1, numerator2, hi) / lo;
}

/** SqrtPriceMath.getAmount1Delta: token1 between two prices for liquidity L. */
export function getAmount1Delta(sqrtA: bigint, sqrtB: bigint, liquidity: bigint, roundUp: boolean): bigint {
  const diff = sqrtA < sqrtB ? sqrtB - sqrtA : sqrtA - sqrtB;
  return roundUp ? mulDivCeil(liquidity, diff, Q96) : mulDivFloor(liquidity, diff, Q96);
}

/** SqrtPriceMath.getNextSqrtPriceFromInput, including the uint256 overflow branches. */
export function getNextSqrtPriceFromInput(
  sqrtP: bigint,
  liquidity: bigint,
  amountIn: bigint,
  zeroForOne: boolean,
): bigint {
  if (sqrtP <= 0n || liquidity <= 0n) throw new InvalidInputError("getNextSqrtPriceFromInput: empty pool");
  if (amountIn === 0n) return sqrtP;
  if (zeroForOne) {
    // getNextSqrtPriceFromAmount0RoundingUp(add = true): price moves down, rounded up.
    const numerator1 = liquidity << 96n;
    const product = amountIn * sqrtP;
    if (product <= MAX_UINT256) {
      const denominator = numerator1 + product;
      // In Solidity the addition wraps; a wrapped denominator falls through to the other branch.
      if (denominator <= MAX_UINT256) return mulDivCeil(numerator1, sqrtP, denominator);
    }
    return divCeil(numerator1, numerator1 / sqrtP + amountIn);
  }
  // getNextSqrtPriceFromAmount1RoundingDown(add = true): price moves up, rounded down.
  const quotient = amountIn <= MAX_UINT160 ? (amountIn << 96n) / liquidity : mulDivFloor(amountIn, Q96, liquidity);
  return sqrtP + quotient;
}

export interface V3StepResult {
  /** Input actually consumed, fee included (less than requested when the range ends first). */
  readonly amountIn: bigint;
  readonly amountOut: bigint;
  readonly feeAmount: bigint;
  readonly sqrtPriceNextX96: bigint;
  /** True when the price reached the range edge before the input was used up. */
  readonly reachedEdge: boolean;
}

/**
 * One exact-input swap step inside a range of constant liquidity (SwapMath.computeSwapStep
 * with a positive amountRemaining): the fee is taken on the input, as the pool does.
 * `sqrtPriceEdgeX96` is where the range ends in the swap's direction (the next initialised
 * tick's price, or the caller's price limit).
 */
export function v3SwapStepExactIn(args: {
  readonly sqrtPriceX96: bigint;
  readonly sqrtPriceEdgeX96: bigint;
  readonly liquidity: bigint;
  readonly amountIn: bigint;
  /** Fee in hundredths of a bip (500 = 0.05%). */
  readonly feePips: number;
}): V3StepResult {
  const { sqrtPriceX96: current, sqrtPriceEdgeX96: target, liquidity, amountIn: amountRemaining } = args;
  const fee = BigInt(args.feePips);
  if (amountRemaining < 0n || fee < 0n || fee >= FEE_PIPS_DENOMINATOR) {
    throw new InvalidInputError("v3SwapStepExactIn: bad amount or fee", { amountIn: amountRemaining, fee });
  }
  const zeroForOne = current >= target;
  const lessFee = mulDivFloor(amountRemaining, FEE_PIPS_DENOMINATOR - fee, FEE_PIPS_DENOMINATOR);
  const inToEdge = zeroForOne
    ? getAmount0Delta(target, current, liquidity, true)
    : getAmount1Delta(current, target, liquidity, true);
  const next = lessFee >= inToEdge ? target : getNextSqrtPriceFromInput(current, liquidity, lessFee, zeroForOne);
  const reachedEdge = next === target;
  let amountIn: bigint;
  let amountOut: bigint;
  if (zeroForOne) {
    amountIn = reachedEdge ? inToEdge : getAmount0Delta(next, current, liquidity, true);
    amountOut = getAmount1Delta(next, current, liquidity, false);
  } else {
    amountIn = reachedEdge ? inToEdge : getAmount1Delta(current, next, liquidity, true);
    amountOut = getAmount0Delta(current, next, liquidity, false);
  }
  // Exact input that stops inside the range keeps the whole remainder as fee (pool rounding).
  const feeAmount = reachedEdge ? mulDivCeil(amountIn, fee, FEE_PIPS_DENOMINATOR - fee) : amountRemaining - amountIn;
  return { amountIn: amountIn + feeAmount, amountOut, feeAmount, sqrtPriceNextX96: next, reachedEdge };
}

/**
 * Value out of a constant-product pool for `inUsd` of input after the fee, both valued at the
 * pre-trade mid price. `reserveUsd` is the value of ONE side's virtual reserves (half the
 * in-range depth), so the relative price impact is x / (R + x).
 */
export function constantProductOut(inAfterFeeUsd: number, reserveUsd: number): number {
  if (reserveUsd === Number.POSITIVE_INFINITY) return inAfterFeeUsd;
  return (reserveUsd * inAfterFeeUsd) / (reserveUsd + inAfterFeeUsd);
}

/**
 * Input (after fee, USD at mid) that moves the price to the edge of a range of half-width
 * `halfWidth` (fraction of price): selling the asset pushes its price down to P(1-w),
 * buying pushes it up to P(1+w). Infinity when the range is unbounded.
 */
export function rangeCapacityUsd(reserveUsd: number, halfWidth: number, sellingAsset: boolean): number {
  if (!(halfWidth > 0) || !Number.isFinite(halfWidth)) return Number.POSITIVE_INFINITY;
  if (sellingAsset) return halfWidth >= 1 ? Number.POSITIVE_INFINITY : reserveUsd * (1 / Math.sqrt(1 - halfWidth) - 1);
  return reserveUsd * (Math.sqrt(1 + halfWidth) - 1);
}

/** Square-root impact as a fraction of the trade: k * sigma_daily * sqrt(tradeUsd / dailyVolumeUsd). */
export function sqrtImpact(tradeUsd: number, k: number, sigmaDaily: number, dailyVolumeUsd: number): number {
  if (tradeUsd <= 0) return 0;
  return k * sigmaDaily * Math.sqrt(tradeUsd / dailyVolumeUsd);
}

/** Liquidity known for one hop; NaN fields mean "unknown". */
export interface HopLiquidity {
  /** In-range depth in USD (virtual reserves of both sides at the current price). */
  readonly depthUsd: number;
  /** Half-width of the active range as a fraction of price; NaN or <= 0 = unbounded. */
  readonly rangeHalfWidth: number;
  readonly sqrtImpactK: number;
  readonly sigmaDaily: number;
  readonly dailyVolumeUsd: number;
  /**
   * Depth beyond the range edge (USD, virtual reserves of both sides valued at the current
   * price as if that liquidity were active here), when known from the pool's ticks: the part
   * of a trade past the edge then trades constant-product on it instead of the square-root
   * model. Omitted or NaN: unknown.
   */
  readonly beyondDepthUsd?: number;
}

/**
 * Fraction of the input's mid value received from one hop of `inUsd`: fee on input, then
 * constant-product impact within the range, then the square-root model for the part beyond
 * the range (priced from the range edge). NaN when neither depth nor volume is known: the
 * cost cannot be modelled and the caller must not trade.
 */
export function hopOutFraction(inUsd: number, fee: number, sellingAsset: boolean, liq: HopLiquidity): number {
  if (inUsd <= 0) return 1 - fee;
  const afterFee = inUsd * (1 - fee);
  const depth = liq.depthUsd;
  const sqrtKnown = liq.sigmaDaily >= 0 && liq.dailyVolumeUsd > 0;
  if (depth > 0) {
    const reserve = depth / 2;
    const cap = rangeCapacityUsd(reserve, liq.rangeHalfWidth, sellingAsset);
    if (afterFee <= cap) return constantProductOut(afterFee, reserve) / inUsd;
    const inRange = constantProductOut(cap, reserve);
    const rest = afterFee - cap;
    const w = liq.rangeHalfWidth;
    const beyond = liq.beyondDepthUsd ?? Number.NaN;
    if (beyond > 0) {
      // The next range is constant-product too: its near-side reserve at the edge price is
      // sqrt(price ratio) times its value at the current price. A sold asset's remainder is
      // worth (1 - w) there; a bought asset's output is worth 1 / (1 + w) of its edge value.
      const r2 = (beyond / 2) * Math.sqrt(sellingAsset ? 1 - w : 1 + w);
      const out2 = sellingAsset ? constantProductOut(rest * (1 - w), r2) : constantProductOut(rest, r2) / (1 + w);
      return (inRange + out2) / inUsd;
    }
    if (!sqrtKnown) return Number.NaN;
    // The remainder trades from the range edge, where the asset's price has moved by w.
    const edge = sellingAsset ? 1 - liq.rangeHalfWidth : 1 / (1 + liq.rangeHalfWidth);
    const impact = Math.min(1, sqrtImpact(rest, liq.sqrtImpactK, liq.sigmaDaily, liq.dailyVolumeUsd));
    return (inRange + rest * edge * (1 - impact)) / inUsd;
  }
  if (!sqrtKnown) return Number.NaN;
  return (1 - fee) * (1 - Math.min(1, sqrtImpact(afterFee, liq.sqrtImpactK, liq.sigmaDaily, liq.dailyVolumeUsd)));
}

/**
 * Fraction of the input's mid value received from a multi-hop leg. `feeTiers` lists the hops
 * from the base asset to the asset (e.g. [USDC->WETH, WETH->token]); a sell walks them in
 * reverse. Each hop's output is the next hop's input, and every hop pays its own fee and
 * impact: the hop that trades the asset itself (the last from the base) uses `liq`, the hub
 * hops before it use `hubLiq` (by default the same, which overstates a deep hub's impact).
 */
export function legOutFraction(
  inUsd: number,
  feeTiers: readonly number[],
  sellingAsset: boolean,
  liq: HopLiquidity,
  hubLiq: HopLiquidity = liq,
): number {
  const hops = feeTiers.length;
  let value = inUsd;
  let fraction = 1;
  for (let k = 0; k < hops; k++) {
    const h = sellingAsset ? hops - 1 - k : k;
    const f = hopOutFraction(value, feeTiers[h]!, sellingAsset, h === hops - 1 ? liq : hubLiq);
    fraction *= f;
    value *= f;
  }
  return fraction;
}
