/** The environment contract the PPO trainer needs (portfolio simulator or a toy for tests). */
import type { Prng } from "../math/prng.js";

export interface StepResult {
  readonly observation: Float64Array;
  readonly reward: number;
  readonly done: boolean;
}

export interface Environment {
  readonly observationSize: number;
  readonly actionSize: number;
  /** Starts an episode (random start drawn from `rng`) and returns the first observation. */
  reset(rng: Prng): Float64Array;
  /** Applies an action (unnormalised logits; the environment maps them to weights). */
  step(action: Float64Array): StepResult;
}

/** Softmax over the entries with mask[i] true; masked-out entries get exactly 0. */
export function maskedSoftmax(logits: ArrayLike<number>, mask?: ArrayLike<boolean>): Float64Array {
  const n = logits.length;
  const out = new Float64Array(n);
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) if (!mask || mask[i]) max = Math.max(max, logits[i]!);
  if (max === Number.NEGATIVE_INFINITY) return out;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if (mask && !mask[i]) continue;
    const e = Math.exp(logits[i]! - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < n; i++) out[i] = out[i]! / sum;
  return out;
}
