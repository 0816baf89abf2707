/**
 * Ledoit-Wolf (2004) shrinkage covariance towards a scaled identity. With a few dozen assets and
 * a few months of daily returns the sample covariance is badly conditioned (or singular when
 * there are fewer bars than assets); shrinking with the data-driven intensity keeps the
 * optimizer from betting on estimation noise.
 */
import { InvalidInputError } from "../../core/errors.js";
import { type Matrix, matrix } from "../math/linalg.js";

export interface ShrunkCovariance {
  readonly cov: Matrix;
  /** Weight on the identity target in [0, 1]. */
  readonly shrinkage: number;
  readonly sample: Matrix;
}

/**
 * `returns[t][i]`: T observations (rows) of n assets (columns), no NaN. Uses the 1/T (maximum
 * likelihood) sample covariance as in the paper.
 */
export function ledoitWolf(returns: readonly Float64Array[]): ShrunkCovariance {
  const T = returns.length;
  if (T < 2) throw new InvalidInputError("ledoitWolf: need at least 2 observations", { T });
  const n = returns[0]!.length;
  const mean = new Float64Array(n);
  for (const row of returns) {
    if (row.length !== n) throw new InvalidInputError("ledoitWolf: ragged returns");
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(row[i]!)) throw new InvalidInputError("ledoitWolf: non-finite return", { i });
      mean[i] = mean[i]! + row[i]! / T;
    }
  }
  const X = returns.map((row) => row.map((v, i) => v - mean[i]!));
  const S = matrix(n, n);
  for (const x of X) {
    for (let i = 0; i < n; i++) {
      const xi = x[i]!;
      for (let j = 0; j < n; j++) S.data[i * n + j] = S.data[i * n + j]! + (xi * x[j]!) / T;
    }
  }
  let mu = 0;
  for (let i = 0; i < n; i++) mu += S.data[i * n + i]! / n;
  // d2 = ||S - mu I||^2 / n ; b2 = (1/T^2) sum_t ||x x' - S||^2 / n   (Frobenius norms)
  let d2 = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = S.data[i * n + j]! - (i === j ? mu : 0);
      d2 += (v * v) / n;
    }
  }
  let b2 = 0;
  for (const x of X) {
    let norm = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const v = x[i]! * x[j]! - S.data[i * n + j]!;
        norm += v * v;
      }
    }
    b2 += norm / n / (T * T);
  }
  const shrinkage = d2 > 0 ? Math.min(b2, d2) / d2 : 1;
  const cov = matrix(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      cov.data[i * n + j] = (1 - shrinkage) * S.data[i * n + j]! + (i === j ? shrinkage * mu : 0);
    }
  }
  return { cov, shrinkage, sample: S };
}
