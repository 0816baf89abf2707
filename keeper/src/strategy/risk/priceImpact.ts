/**
 * Price-impact model for sizing trades. The Uniswap maths (fee on input, constant-product
 * impact inside the active range, square-root impact beyond it, multi-hop chaining) lives in
 * the backtester's pure cost functions; this module only asks them how much a trade of a given
 * size loses and searches for the largest trade that stays under a target.
 */

import { InvalidInputError } from "../../core/errors.js";
import { type HopLiquidity, legOutFraction } from "../../market/costs.js";

export interface ImpactQuote {
  readonly sizeUsd: number;
  /** Everything lost versus the mid price (fees + impact), as a fraction of the input. */
  readonly totalCost: number;
  /** Price impact alone (fees removed), as a fraction of the input. */
  readonly impact: number;
}

export interface PoolRoute {
  /** Fee tier of every hop (fractions, 0.0005 = 5 bp). */
  readonly feeTiers: readonly number[];
  readonly liquidity: HopLiquidity;
  /** Direction: selling the asset for the base asset, or buying it. */
  readonly sellingAsset: boolean;
}

/** Predicted slippage of a trade of `sizeUsd`; NaN fields when the liquidity is unknown. */
export function quoteImpact(route: PoolRoute, sizeUsd: number): ImpactQuote {
  if (!(sizeUsd >= 0)) throw new InvalidInputError("quoteImpact: size must be >= 0", { sizeUsd });
  const out = legOutFraction(sizeUsd, route.feeTiers, route.sellingAsset, route.liquidity);
  const feeOnly = route.feeTiers.reduce((f, fee) => f * (1 - fee), 1);
  return { sizeUsd, totalCost: 1 - out, impact: 1 - out / feeOnly };
}

/**
 * Largest trade size (USD, within `maxSizeUsd`) whose impact — or total cost when
 * `includeFees` — is at most `target`, by bisection. Impact grows with size, so the feasible
 * sizes form an interval [0, s*]; the search narrows s* to `toleranceUsd`. Returns 0 when even
 * a tiny trade exceeds the target (e.g. fees alone above it) or the liquidity is unknown.
 */
export function maxSizeUnderImpact(
  route: PoolRoute,
  target: number,
  opts: { maxSizeUsd?: number; toleranceUsd?: number; includeFees?: boolean } = {},
): number {
  if (!(target > 0)) throw new InvalidInputError("maxSizeUnderImpact: target must be > 0", { target });
  const maxSize = opts.maxSizeUsd ?? 1e12;
  const tolerance = opts.toleranceUsd ?? 1;
  const measure = (size: number): number => {
    const q = quoteImpact(route, size);
    return opts.includeFees ? q.totalCost : q.impact;
  };
  const ok = (size: number): boolean => {
    const m = measure(size);
    return Number.isFinite(m) && m <= target;
  };
  return largestSizeWhere(ok, maxSize, tolerance);
}

/**
 * Largest size in [0, maxSize] for which `ok` holds, to within `tolerance`, assuming the sizes
 * where it holds form an interval [0, s*] (cost grows with size). 0 when even `tolerance` fails.
 */
export function largestSizeWhere(ok: (size: number) => boolean, maxSize: number, tolerance: number): number {
  if (ok(maxSize)) return maxSize;
  let hi = maxSize;
  if (!ok(Math.min(tolerance, maxSize))) return 0;
  let lo = Math.min(tolerance, maxSize);
  while (hi - lo > tolerance) {
    const mid = 0.5 * (lo + hi);
    if (ok(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}
