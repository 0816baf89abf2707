/**
 * No-trade bands with a turnover penalty: the one implementation the backtester (through
 * `withNoTradeBand`) and the keeper's planning path share.
 *
 * With a proportional cost c_i per unit traded, the weight that minimises
 *   (w_i - target_i)^2 + penalty * c_i * |w_i - current_i|
 * is the current weight while |target_i - current_i| <= h_i, and otherwise the edge of the band
 * target_i -/+ h_i nearest the current weight, with h_i = penalty * c_i / 2. So the band IS the
 * L1 turnover penalty's solution: the penalty is the one knob, and each asset's band widens
 * with its route's fee tiers (a 1% pool gets a band twenty times a 5 bp pool's). `minBand`
 * floors every band (drift noise of a few bp is never worth a leg's gas), and a rebalance whose
 * whole basket turnover is under `minTurnover` is skipped ("hold").
 *
 * Stances: a target of zero is an exit and is always traded in full (an asset leaving the
 * universe must leave the vault, and dust is not worth a band); a band never moves a weight
 * past its cap; the base asset takes the remainder. A weight held inside its band can stay
 * above its target, so rises are scaled down to the room the other weights leave: the basket
 * never sums above 1 and the base asset's weight stays >= 0.
 */
import { z } from "zod";
import { ConfigError, InvalidInputError } from "../core/errors.js";

export const noTradeBandSchema = z.object({
  /** Turnover penalty in units of the asset's one-way route cost (0 = bands at `minBand` only). */
  penalty: z.number().min(0).max(1_000).default(0),
  /** Smallest half-width of any band, as a weight fraction (0.0025 = 25 bp of NAV). */
  minBand: z.number().min(0).max(0.5).default(0.0025),
  /** A rebalance moving less than this much basket weight in total is skipped. */
  minTurnover: z.number().min(0).max(1).default(0),
});
export type NoTradeBandInput = z.input<typeof noTradeBandSchema>;
export type NoTradeBand = z.output<typeof noTradeBandSchema>;

export function parseNoTradeBand(input: NoTradeBandInput = {}): NoTradeBand {
  const parsed = noTradeBandSchema.safeParse(input);
  if (!parsed.success) throw new ConfigError(`no-trade band: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/**
 * Half-width of each asset's band from the fee tiers of its route from the base asset (one
 * entry per hop, fractions: 0.0005 = 5 bp). The base asset's entry is unused (0).
 */
export function bandHalfWidths(routeFeeTiers: readonly (readonly number[])[], band: NoTradeBand): Float64Array {
  return Float64Array.from(routeFeeTiers, (fees) => {
    const oneWayCost = fees.reduce((a, b) => a + b, 0);
    return Math.max(band.minBand, (band.penalty * oneWayCost) / 2);
  });
}

export interface BandInput {
  readonly current: ArrayLike<number>;
  readonly target: ArrayLike<number>;
  readonly halfWidths: ArrayLike<number>;
  readonly baseIndex: number;
  /** Per-asset weight caps (fractions); absent = 1. */
  readonly caps?: ArrayLike<number>;
  readonly minTurnover: number;
}

/** The weights to trade to, or null when the band says "hold" (no leg worth trading). */
export function applyNoTradeBand(input: BandInput): Float64Array | null {
  const { current, target, halfWidths, baseIndex } = input;
  const n = target.length;
  if (current.length !== n || halfWidths.length !== n || baseIndex < 0 || baseIndex >= n) {
    throw new InvalidInputError("applyNoTradeBand: current, target and bands must align", { n });
  }
  const out = new Float64Array(n);
  // Weights that stay or fall are fixed; rises (buys) share the room they leave, because a
  // weight held inside its band can keep more than its target and the total must stay 1.
  let fixed = 0;
  let rises = 0;
  for (let i = 0; i < n; i++) {
    if (i === baseIndex) continue;
    const c = current[i] as number;
    const t = target[i] as number;
    const h = halfWidths[i] as number;
    const gap = t - c;
    let w: number;
    if (t === 0) w = 0;
    else if (Math.abs(gap) <= h) w = c;
    else w = gap > 0 ? t - h : t + h;
    w = Math.min(w, input.caps ? (input.caps[i] as number) : 1);
    out[i] = w;
    if (w > c) {
      fixed += c;
      rises += w - c;
    } else fixed += w;
  }
  const scale = rises > 1 - fixed ? Math.max(0, 1 - fixed) / rises : 1;
  let basket = 0;
  let turnover = 0;
  for (let i = 0; i < n; i++) {
    if (i === baseIndex) continue;
    const c = current[i] as number;
    if ((out[i] as number) > c) out[i] = c + ((out[i] as number) - c) * scale;
    basket += out[i] as number;
    turnover += Math.abs((out[i] as number) - c);
  }
  if (turnover === 0 || turnover < input.minTurnover) return null;
  // Clamp: rounding in `basket` must not leave a negative cash weight of -1e-17.
  out[baseIndex] = Math.max(0, 1 - basket);
  return out;
}
