/**
 * Turns point observations (a price at some second) into bar closes: each point belongs to
 * the bar that closes at or after it, and the last point of a bar stands for its close. A
 * bar whose close is still in the future is incomplete and dropped, so a live run never
 * treats a half-finished day as a close.
 */
export interface Point {
  /** Unix seconds. */
  readonly t: number;
  readonly value: number;
}

/** Last point per bar, keyed by bar close (unix seconds), ascending; bars closing after `now` dropped. */
export function lastPerBar(points: readonly Point[], stepSeconds: number, nowSeconds: number): Point[] {
  const sorted = [...points].sort((a, b) => a.t - b.t);
  const out: Point[] = [];
  for (const p of sorted) {
    const close = Math.ceil(p.t / stepSeconds) * stepSeconds;
    if (close > nowSeconds) continue;
    const last = out[out.length - 1];
    if (last && last.t === close) out[out.length - 1] = { t: close, value: p.value };
    else out.push({ t: close, value: p.value });
  }
  return out;
}
