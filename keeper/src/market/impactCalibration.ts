/**
 * Recalibration of the analytic cost model from realised fills, per pool (pure).
 *
 * For each route key (the keeper keys by route id, `sell:<path>` / `buy:<path>`: one side of
 * one Uniswap path, so two routes of a token pair are fitted apart) the fills give pairs (x, y) in bps: x = the analytic model's predicted cost less the route's
 * fees (its impact), y = the realised cost less the same fees (impact plus anything the model
 * does not see, such as the pool's price standing off the oracle the vault checks against).
 * The fit is y = offset + scale * x, by least squares with a prior at the analytic model
 * (scale 1, offset 0) worth `priorFills` pseudo-fills: with few fills the fit stays near the
 * analytic model, with many it follows the fills. The penalty on the scale is measured in the
 * fills' own impact units (mean x^2), so one pseudo-fill weighs like one real fill.
 */
import { InvalidInputError } from "../core/errors.js";
import type { HopLiquidity } from "./costs.js";

export interface FillObservation {
  /** The route the leg traded (the keeper's route id, `sell:<path>` or `buy:<path>`). */
  readonly poolKey: string;
  /** Fees of the route in bps (sum over hops), taken out of both costs. */
  readonly feeBps: number;
  readonly predictedCostBps: number;
  readonly realisedCostBps: number;
}

export interface ImpactFit {
  readonly poolKey: string;
  readonly fills: number;
  /** Multiplier on the analytic impact (1 = the analytic model). */
  readonly scale: number;
  /** Cost the analytic model misses at every size, bps (0 = the analytic model). */
  readonly offsetBps: number;
  /** Weight of the fills against the prior, fills / (fills + priorFills). */
  readonly weight: number;
  /** Mean |predicted - realised| over the fills, before and after the refit, bps. */
  readonly maeBeforeBps: number;
  readonly maeAfterBps: number;
}

export interface FitOptions {
  /** Strength of the prior at the analytic model, in fills (default 5). */
  readonly priorFills?: number;
  /** Bounds on the fitted scale (default 0.2 .. 5): a refit never turns the model upside down. */
  readonly minScale?: number;
  readonly maxScale?: number;
}

/** The key of a leg's token pair: "tokenin->tokenout", lower-cased (one pair may have many routes). */
export function routeKey(tokenIn: string, tokenOut: string): string {
  return `${tokenIn.toLowerCase()}->${tokenOut.toLowerCase()}`;
}

/** One fit per pool key, from every usable observation (non-finite ones are skipped). */
export function fitImpactModels(
  observations: readonly FillObservation[],
  opts: FitOptions = {},
): Map<string, ImpactFit> {
  const byPool = new Map<string, FillObservation[]>();
  for (const o of observations) {
    if (![o.feeBps, o.predictedCostBps, o.realisedCostBps].every(Number.isFinite)) continue;
    const list = byPool.get(o.poolKey) ?? [];
    list.push(o);
    byPool.set(o.poolKey, list);
  }
  const out = new Map<string, ImpactFit>();
  for (const [poolKey, list] of byPool) out.set(poolKey, fitOne(poolKey, list, opts));
  return out;
}

function fitOne(poolKey: string, list: readonly FillObservation[], opts: FitOptions): ImpactFit {
  const k = opts.priorFills ?? 5;
  if (!(k >= 0)) throw new InvalidInputError("fitImpactModels: priorFills must be >= 0", { k });
  const minScale = opts.minScale ?? 0.2;
  const maxScale = opts.maxScale ?? 5;
  const n = list.length;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (const o of list) {
    const x = o.predictedCostBps - o.feeBps;
    const y = o.realisedCostBps - o.feeBps;
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  // Prior: k pseudo-fills at offset 0 (weight k) and at scale 1 (weight k * mean x^2).
  const m2 = n > 0 ? Math.max(sxx / n, 1e-6) : 1;
  const a11 = n + k;
  const a12 = sx;
  const a22 = sxx + k * m2;
  const b1 = sy;
  const b2 = sxy + k * m2;
  const det = a11 * a22 - a12 * a12;
  let offset = 0;
  let scale = 1;
  if (n > 0 && det > 1e-12) {
    offset = (b1 * a22 - a12 * b2) / det;
    scale = (a11 * b2 - a12 * b1) / det;
  }
  if (scale < minScale || scale > maxScale) {
    // Out of bounds: hold the scale at the bound and refit the offset alone.
    scale = Math.min(maxScale, Math.max(minScale, scale));
    offset = (sy - scale * sx) / (n + k);
  }
  let before = 0;
  let after = 0;
  for (const o of list) {
    before += Math.abs(o.predictedCostBps - o.realisedCostBps);
    after += Math.abs(
      calibratedCostBps({ poolKey, fills: n, scale, offsetBps: offset }, o.feeBps, o.predictedCostBps) -
        o.realisedCostBps,
    );
  }
  return {
    poolKey,
    fills: n,
    scale,
    offsetBps: offset,
    weight: n / (n + k),
    maeBeforeBps: n > 0 ? before / n : Number.NaN,
    maeAfterBps: n > 0 ? after / n : Number.NaN,
  };
}

/** The refitted model's cost for a leg the analytic model prices at `predictedCostBps`. */
export function calibratedCostBps(
  fit: Pick<ImpactFit, "scale" | "offsetBps"> & Partial<ImpactFit>,
  feeBps: number,
  predictedCostBps: number,
): number {
  return feeBps + fit.offsetBps + fit.scale * (predictedCostBps - feeBps);
}

/**
 * A hop's liquidity under the refit: impact scales with 1/depth in a constant-product range
 * (for trades small against it) and with k in the square-root model, so dividing the depths by
 * the scale and multiplying k by it scales the modelled impact.
 */
export function calibratedHop(liq: HopLiquidity, fit: Pick<ImpactFit, "scale">): HopLiquidity {
  const s = fit.scale;
  return {
    ...liq,
    depthUsd: liq.depthUsd / s,
    sqrtImpactK: liq.sqrtImpactK * s,
    ...(liq.beyondDepthUsd !== undefined ? { beyondDepthUsd: liq.beyondDepthUsd / s } : {}),
  };
}

/**
 * A hop's fee with the refit's offset added (a fraction). A negative offset (the pool paying
 * above the oracle) is not credited: sizing never counts on a price gap in its favour.
 */
export function calibratedFee(fee: number, fit: Pick<ImpactFit, "offsetBps">): number {
  return fee + Math.max(0, fit.offsetBps) / 10_000;
}
