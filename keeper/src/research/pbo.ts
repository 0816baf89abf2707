/**
 * Probability of backtest overfitting by combinatorially symmetric cross-validation (Bailey,
 * Borwein, Lopez de Prado & Zhu, 2015). The bars are cut into S blocks; for every way of
 * choosing S/2 blocks as in-sample, the configuration with the best in-sample Sharpe ratio
 * is ranked out of sample. PBO is the share of splits where that choice lands in the bottom
 * half out of sample (logit <= 0): near 0 means selection carries over, near 0.5 or above
 * means it is noise.
 */
import { InvalidInputError } from "../core/errors.js";

export interface PboResult {
  readonly pbo: number;
  readonly splits: number;
  /** Logit of the relative out-of-sample rank of the in-sample winner, per split. */
  readonly logits: number[];
}

/** `returns[c]`: per-bar returns of configuration c (all the same length, no NaN). */
export function probabilityOfOverfitting(returns: readonly Float64Array[], blocks = 16): PboResult {
  const N = returns.length;
  if (N < 2) throw new InvalidInputError("pbo: need at least 2 configurations", { N });
  if (blocks < 2 || blocks % 2 !== 0) throw new InvalidInputError("pbo: blocks must be even and >= 2", { blocks });
  const T = returns[0]!.length;
  if (T < blocks * 2) throw new InvalidInputError("pbo: too few bars for the number of blocks", { T, blocks });
  // Per configuration and block: count, sum, sum of squares (Sharpe of any union from these).
  const size = Math.floor(T / blocks);
  const sums = returns.map((r) => {
    if (r.length !== T) throw new InvalidInputError("pbo: series lengths differ");
    const s = new Float64Array(blocks * 2);
    for (let b = 0; b < blocks; b++) {
      const end = b === blocks - 1 ? T : (b + 1) * size;
      for (let t = b * size; t < end; t++) {
        s[2 * b] = s[2 * b]! + r[t]!;
        s[2 * b + 1] = s[2 * b + 1]! + r[t]! * r[t]!;
      }
    }
    return s;
  });
  const counts = Array.from({ length: blocks }, (_, b) => (b === blocks - 1 ? T - b * size : size));
  const logits: number[] = [];
  const half = blocks / 2;
  const chosen: number[] = [];
  const sharpe = (c: number, inSample: boolean, mask: boolean[]): number => {
    let n = 0;
    let s = 0;
    let s2 = 0;
    for (let b = 0; b < blocks; b++) {
      if (mask[b] !== inSample) continue;
      n += counts[b]!;
      s += sums[c]![2 * b]!;
      s2 += sums[c]![2 * b + 1]!;
    }
    const mean = s / n;
    const sd = Math.sqrt(Math.max(0, s2 / n - mean * mean));
    return sd > 0 ? mean / sd : 0;
  };
  const visit = (start: number): void => {
    if (chosen.length === half) {
      const mask = Array.from({ length: blocks }, (_, b) => chosen.includes(b));
      let best = 0;
      let bestIs = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < N; c++) {
        const v = sharpe(c, true, mask);
        if (v > bestIs) {
          bestIs = v;
          best = c;
        }
      }
      const oos = Array.from({ length: N }, (_, c) => sharpe(c, false, mask));
      const target = oos[best]!;
      // Relative rank in (0, 1): share of configurations the winner beats out of sample (ties half).
      let below = 0;
      for (let c = 0; c < N; c++) below += oos[c]! < target ? 1 : oos[c] === target ? 0.5 : 0;
      const omega = below / (N + 1) + 0.5 / (N + 1);
      logits.push(Math.log(omega / (1 - omega)));
      return;
    }
    for (let b = start; b <= blocks - (half - chosen.length); b++) {
      chosen.push(b);
      visit(b + 1);
      chosen.pop();
    }
  };
  visit(0);
  const overfit = logits.filter((l) => l <= 0).length;
  return { pbo: overfit / logits.length, splits: logits.length, logits };
}
