/**
 * Ranked mode of the classifier: the filters have run (a `false` check excludes a token); this
 * drops duplicate exposures and orders the rest by a return-and-trend score.
 *
 * - Duplicates: tokens with the same underlying (../data/underlying.ts) are one exposure; the
 *   one kept is the most liquid on Arbitrum when pool data is given, else the most traded in
 *   dollars over the volume base window (cheapest to enter and leave), ties by symbol.
 * - Score: w_return * z(return) + w_trend * z(MA_short / MA_long - 1), z-scores taken across
 *   the tokens still in (a constant metric scores 0). Cross-sectional z-scores make the two
 *   rules comparable whatever the market's level; a token missing either metric ranks after
 *   every scored token (ties by symbol), so it is selected only when nothing better exists.
 */
import { underlyingOf } from "../data/underlying.js";
import type { RuleName, TokenMetrics } from "./classify.js";
import type { ClassifierConfig } from "./config.js";

export interface Evaluated {
  readonly symbol: string;
  readonly checks: Readonly<Record<RuleName, boolean | null>>;
  readonly metrics: TokenMetrics;
}

export interface RankedOrder {
  /** Symbols that pass, best first. */
  readonly ranked: string[];
  readonly scores: Map<string, number | null>;
  /** Symbol dropped as a duplicate -> the symbol kept for its underlying. */
  readonly duplicateOf: Map<string, string>;
}

export function rankByScore(evaluated: readonly Evaluated[], cfg: ClassifierConfig): RankedOrder {
  const passing = evaluated.filter((e) => Object.values(e.checks).every((c) => c !== false));
  const kept = new Map<string, Evaluated>();
  const duplicateOf = new Map<string, string>();
  for (const e of [...passing].sort(preferForExposure)) {
    const key = underlyingOf(e.symbol);
    const first = kept.get(key);
    if (first) duplicateOf.set(e.symbol, first.symbol);
    else kept.set(key, e);
  }
  const pool = [...kept.values()];
  const trend = (m: TokenMetrics) => (m.maShort !== null && m.maLong !== null ? m.maShort / m.maLong - 1 : null);
  const zRet = zScores(pool.map((e) => e.metrics.ret));
  const zTrend = zScores(pool.map((e) => trend(e.metrics)));
  const scores = new Map<string, number | null>();
  pool.forEach((e, k) => {
    const a = zRet[k] ?? null;
    const b = zTrend[k] ?? null;
    scores.set(e.symbol, a === null || b === null ? null : cfg.scoreWeights.return * a + cfg.scoreWeights.trend * b);
  });
  const ranked = pool
    .map((e) => e.symbol)
    .sort((x, y) => {
      const a = scores.get(x) ?? null;
      const b = scores.get(y) ?? null;
      if (a !== null && b !== null && a !== b) return b - a;
      if (a === null && b !== null) return 1;
      if (b === null && a !== null) return -1;
      return compareSymbols(x, y);
    });
  return { ranked, scores, duplicateOf };
}

/** Most liquid first (pool data), else most traded in dollars, ties by symbol. */
function preferForExposure(a: Evaluated, b: Evaluated): number {
  const la = a.metrics.liquidityUsd ?? Number.NEGATIVE_INFINITY;
  const lb = b.metrics.liquidityUsd ?? Number.NEGATIVE_INFINITY;
  if (la !== lb) return lb - la;
  const da = a.metrics.dollarVolume ?? Number.NEGATIVE_INFINITY;
  const db = b.metrics.dollarVolume ?? Number.NEGATIVE_INFINITY;
  if (da !== db) return db > da ? 1 : -1;
  return compareSymbols(a.symbol, b.symbol);
}

/** Cross-sectional z-scores of the present values (null stays null; zero spread scores 0). */
function zScores(values: readonly (number | null)[]): (number | null)[] {
  const xs = values.filter((v): v is number => v !== null);
  if (xs.length === 0) return values.map(() => null);
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  return values.map((v) => (v === null ? null : sd > 0 ? (v - mean) / sd : 0));
}

function compareSymbols(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The selection from a ranked list: held tokens within `maxAssets + holdBuffer` first (best
 * ranked first), then the best newcomers up to `maxAssets`; returned in rank order.
 */
export function selectWithHysteresis(
  ranked: readonly string[],
  held: ReadonlySet<string>,
  cfg: ClassifierConfig,
): string[] {
  const kept = ranked.filter((s, k) => held.has(s) && k < cfg.maxAssets + cfg.holdBuffer).slice(0, cfg.maxAssets);
  const room = cfg.maxAssets - kept.length;
  const fresh = ranked.filter((s) => !kept.includes(s)).slice(0, room);
  const chosen = new Set([...kept, ...fresh]);
  return ranked.filter((s) => chosen.has(s));
}
