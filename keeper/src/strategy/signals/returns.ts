/** Log-return windows and simple per-asset statistics read from a point-in-time view. */
import type { PointInTimeView } from "../../core/types.js";

/** Rows of log returns over the last `lookback` bars (oldest first) for `assets`; callers ensure history exists. */
export function logReturnRows(view: PointInTimeView, assets: readonly number[], lookback: number): Float64Array[] {
  const rows: Float64Array[] = [];
  for (let k = view.t - lookback + 1; k <= view.t; k++) {
    const row = new Float64Array(assets.length);
    for (let j = 0; j < assets.length; j++) {
      const close = view.panel.close[assets[j]!]!;
      row[j] = Math.log(close[k]! / close[k - 1]!);
    }
    rows.push(row);
  }
  return rows;
}

/** Per-bar standard deviation of log returns of one asset over the last `lookback` bars. */
export function realisedVol(close: Float64Array, t: number, lookback: number): number {
  let sum = 0;
  let sumSq = 0;
  for (let k = t - lookback + 1; k <= t; k++) {
    const r = Math.log(close[k]! / close[k - 1]!);
    sum += r;
    sumSq += r * r;
  }
  const mean = sum / lookback;
  return Math.sqrt(Math.max(0, sumSq / lookback - mean * mean) * (lookback / Math.max(1, lookback - 1)));
}

/** Log return from bar t-lookback to bar t-skip (skip > 0 leaves out the most recent bars). */
export function trailingLogReturn(close: Float64Array, t: number, lookback: number, skip = 0): number {
  return Math.log(close[t - skip]! / close[t - lookback]!);
}
