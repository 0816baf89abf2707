/**
 * Scores to weights, the way a meta-model's predictions are traded: check the snapshot is fit
 * to use (fresh enough, covers enough of the universe, only finite scores), rank the scores
 * cross-sectionally (so their scale does not matter), centre the ranks (neutralise: the book
 * is market-neutral before any long-only step), then either go long/short (weights
 * proportional to the centred rank) or long only (the positive half), cap each weight and
 * scale to the wanted gross exposure. Pure.
 */
import type { ScoreSnapshot } from "../../core/signals.js";

export interface ScorePolicy {
  readonly mode: "long-short" | "long-only";
  /** Sum of |weight| of the result (1 for long-only: fully invested; e.g. 1 or 2 for long/short). */
  readonly gross: number;
  /** Largest |weight| of one asset. */
  readonly maxWeight: number;
  /** Oldest usable snapshot, seconds before the decision. */
  readonly maxAgeSeconds: number;
  /** Smallest fraction of the universe that must have a score. */
  readonly minCoverage: number;
}

export type ScoreCheck =
  | { readonly ok: true; readonly scores: ReadonlyMap<string, number>; readonly notes: readonly string[] }
  | { readonly ok: false; readonly reason: string };

/** Is `snapshot` usable at `now` for `universe`? Unknown assets are dropped with a note. */
export function checkScores(
  snapshot: ScoreSnapshot | null,
  universe: readonly string[],
  now: number,
  policy: Pick<ScorePolicy, "maxAgeSeconds" | "minCoverage">,
): ScoreCheck {
  if (!snapshot) return { ok: false, reason: "no score snapshot published at or before the decision time" };
  const age = now - snapshot.asOf;
  if (age > policy.maxAgeSeconds) {
    return { ok: false, reason: `scores are stale: published ${age} s ago (limit ${policy.maxAgeSeconds} s)` };
  }
  const known = new Set(universe);
  const unknown = Object.keys(snapshot.scores).filter((s) => !known.has(s));
  const scores = new Map<string, number>();
  const invalid: string[] = [];
  for (const symbol of universe) {
    const score = snapshot.scores[symbol];
    if (score === undefined) continue;
    if (!Number.isFinite(score)) invalid.push(symbol);
    else scores.set(symbol, score);
  }
  if (invalid.length > 0) return { ok: false, reason: `scores are not finite for ${invalid.join(", ")}` };
  const coverage = universe.length > 0 ? scores.size / universe.length : 0;
  if (coverage < policy.minCoverage) {
    const missing = universe.filter((s) => !scores.has(s));
    return {
      ok: false,
      reason: `scores cover ${scores.size} of ${universe.length} assets (minimum ${Math.round(policy.minCoverage * 100)}%); missing ${missing.join(", ")}`,
    };
  }
  const notes = unknown.length > 0 ? [`scores for assets outside the universe ignored: ${unknown.join(", ")}`] : [];
  if (scores.size < universe.length) {
    notes.push(`no score for ${universe.filter((s) => !scores.has(s)).join(", ")}: weight 0`);
  }
  return { ok: true, scores, notes };
}

/** Average ranks in [0, 1] (ties share their mean rank); one asset gets 0.5. */
export function rankScores(scores: ReadonlyMap<string, number>): Map<string, number> {
  const sorted = [...scores].sort((a, b) => a[1] - b[1]);
  const out = new Map<string, number>();
  const last = Math.max(1, sorted.length - 1);
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1]?.[1] === sorted[i]?.[1]) j++;
    const rank = sorted.length === 1 ? 0.5 : (i + j) / 2 / last;
    for (let k = i; k <= j; k++) out.set(sorted[k]?.[0] as string, rank);
    i = j + 1;
  }
  return out;
}

/** Weights by symbol from checked scores; an empty record when nothing can be held. */
export function weightsFromScores(
  scores: ReadonlyMap<string, number>,
  policy: Pick<ScorePolicy, "mode" | "gross" | "maxWeight">,
): Record<string, number> {
  const ranks = rankScores(scores);
  const mean = [...ranks.values()].reduce((s, r) => s + r, 0) / Math.max(1, ranks.size);
  const raw = new Map<string, number>();
  for (const [symbol, rank] of ranks) {
    const centred = rank - mean;
    raw.set(symbol, policy.mode === "long-only" ? Math.max(0, centred) : centred);
  }
  return capAndScale(raw, policy.gross, policy.maxWeight);
}

/**
 * Scales to `gross`, then caps at `maxWeight`, handing each side's excess to the uncapped names
 * of the same side in proportion (so a neutral book stays neutral), until nothing is above the
 * cap; when a whole side is capped its gross is smaller than asked, never larger.
 */
function capAndScale(raw: ReadonlyMap<string, number>, gross: number, maxWeight: number): Record<string, number> {
  const total = [...raw.values()].reduce((s, w) => s + Math.abs(w), 0);
  if (!(total > 0)) return {};
  const out: Record<string, number> = {};
  for (const sign of [1, -1]) {
    const side = [...raw].filter(([, x]) => Math.sign(x) === sign);
    const sideGross = (side.reduce((s, [, x]) => s + Math.abs(x), 0) / total) * gross;
    for (const [symbol, x] of waterFill(
      side.map(([sym, x]) => [sym, Math.abs(x)]),
      sideGross,
      maxWeight,
    )) {
      out[symbol] = sign * x;
    }
  }
  return out;
}

/** Non-negative sizes scaled to sum to `target`, none above `cap`, the excess spread pro rata. */
function waterFill(items: readonly (readonly [string, number])[], target: number, cap: number): Map<string, number> {
  const out = new Map<string, number>();
  let free = items.filter(([, x]) => x > 0);
  let remaining = target;
  while (free.length > 0 && remaining > 1e-15) {
    const sum = free.reduce((s, [, x]) => s + x, 0);
    const over = free.filter(([, x]) => (x / sum) * remaining > cap);
    if (over.length === 0) {
      for (const [symbol, x] of free) out.set(symbol, (x / sum) * remaining);
      break;
    }
    for (const [symbol] of over) out.set(symbol, cap);
    remaining -= over.length * cap;
    free = free.filter(([symbol]) => !out.has(symbol));
  }
  return out;
}
