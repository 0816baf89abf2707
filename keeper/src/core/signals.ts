/**
 * External signals (a Numerai-style meta-model): one score per asset per date, higher meaning
 * "expected to do better than the others". The data layer reads them (file or HTTP), the
 * strategy layer turns them into weights, and both speak these types.
 */

/** The scores published for one date. */
export interface ScoreSnapshot {
  /** When the scores became known, unix seconds: a decision at time T may use them iff asOf <= T. */
  readonly asOf: number;
  readonly scores: Readonly<Record<string, number>>;
}

/** Every snapshot of a source, `asOf` strictly ascending. */
export type ScoreHistory = readonly ScoreSnapshot[];

/** The newest snapshot known at `now` (point in time), or null when none is. */
export function snapshotAt(history: ScoreHistory, now: number): ScoreSnapshot | null {
  let lo = 0;
  let hi = history.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((history[mid]?.asOf as number) <= now) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? (history[lo - 1] ?? null) : null;
}
