/** Turning per-asset scores into a full, valid `WeightVector`. */
import { InvalidInputError } from "../../core/errors.js";
import type { WeightVector } from "../../core/types.js";

/**
 * Scales non-negative raw weights to sum `total`, then caps each at `cap` and redistributes
 * the excess pro rata to uncapped assets (water-filling). Returns weights that may sum to less
 * than `total` when every asset is capped; callers put the remainder in the base asset.
 */
export function normaliseCapped(raw: ArrayLike<number>, total: number, cap = 1): Float64Array {
  const n = raw.length;
  const w = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = raw[i]!;
    if (!(v >= 0) || !Number.isFinite(v))
      throw new InvalidInputError("normaliseCapped: weights must be finite and >= 0", { i });
    sum += v;
  }
  if (sum <= 0) return w;
  for (let i = 0; i < n; i++) w[i] = (raw[i]! / sum) * total;
  const capped = new Uint8Array(n);
  for (let round = 0; round < n; round++) {
    let excess = 0;
    let freeMass = 0;
    for (let i = 0; i < n; i++) {
      if (!capped[i] && w[i]! > cap) {
        excess += w[i]! - cap;
        w[i] = cap;
        capped[i] = 1;
      }
    }
    if (excess <= 0) break;
    for (let i = 0; i < n; i++) if (!capped[i]) freeMass += w[i]!;
    if (freeMass <= 0) break;
    for (let i = 0; i < n; i++) if (!capped[i]) w[i] = w[i]! + (excess * w[i]!) / freeMass;
  }
  return w;
}

/**
 * Places `weights` (aligned with `assets`) into an n-vector and gives what is left of 1 to the
 * base asset. With no base asset the invested part is rescaled to sum to 1 instead.
 */
export function assemble(n: number, assets: readonly number[], weights: ArrayLike<number>, base: number): WeightVector {
  const out = new Float64Array(n);
  let invested = 0;
  for (let j = 0; j < assets.length; j++) {
    out[assets[j]!] = weights[j]!;
    invested += weights[j]!;
  }
  if (base >= 0) {
    out[base] = out[base]! + Math.max(0, 1 - invested);
  } else if (invested > 0) {
    for (let i = 0; i < n; i++) out[i] = out[i]! / invested;
  }
  return out;
}

/** All weight in the base asset, or null ("hold") when there is no base asset to flee to. */
export function allInBase(n: number, base: number): WeightVector | null {
  if (base < 0) return null;
  const out = new Float64Array(n);
  out[base] = 1;
  return out;
}
