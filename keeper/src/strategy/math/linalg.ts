/**
 * Small dense linear algebra on row-major Float64Arrays. The problems in the strategy layer are
 * tiny (tens of assets), so plain loops beat any library call overhead.
 */
import { InvalidInputError } from "../../core/errors.js";

/** A square or rectangular matrix stored row-major. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

export function matrix(rows: number, cols: number, data?: Float64Array): Matrix {
  if (data && data.length !== rows * cols) throw new InvalidInputError("matrix: data size mismatch", { rows, cols });
  return { rows, cols, data: data ?? new Float64Array(rows * cols) };
}

/**
 * Solves A x = b in place on copies (Gaussian elimination with partial pivoting). Returns null
 * when A is numerically singular so callers can decide what that means for them.
 */
export function solveLinear(a: Float64Array, b: Float64Array, n: number): Float64Array | null {
  const m = Float64Array.from(a);
  const x = Float64Array.from(b);
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale = Math.max(scale, Math.abs(m[i]!));
  const tiny = Math.max(scale, 1) * 1e-14;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    let best = Math.abs(m[col * n + col]!);
    for (let r = col + 1; r < n; r++) {
      const v = Math.abs(m[r * n + col]!);
      if (v > best) {
        best = v;
        pivot = r;
      }
    }
    if (best <= tiny) return null;
    if (pivot !== col) {
      for (let k = 0; k < n; k++) {
        const tmp = m[col * n + k]!;
        m[col * n + k] = m[pivot * n + k]!;
        m[pivot * n + k] = tmp;
      }
      const tmp = x[col]!;
      x[col] = x[pivot]!;
      x[pivot] = tmp;
    }
    const d = m[col * n + col]!;
    for (let r = col + 1; r < n; r++) {
      const f = m[r * n + col]! / d;
      if (f === 0) continue;
      for (let k = col; k < n; k++) m[r * n + k] = m[r * n + k]! - f * m[col * n + k]!;
      x[r] = x[r]! - f * x[col]!;
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = x[r]!;
    for (let k = r + 1; k < n; k++) s -= m[r * n + k]! * x[k]!;
    x[r] = s / m[r * n + r]!;
  }
  return x;
}
