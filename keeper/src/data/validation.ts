/**
 * Data validation of aligned price rows. Every check either repairs the row and records what
 * it did, or only flags; nothing is changed silently. `buildPanel` runs these checks on every
 * source, so a CSV, a provider and the synthetic market are held to the same rules.
 */
import type { Frequency } from "../core/types.js";

export type ValidationIssueKind =
  | "invalid_price" // NaN, infinite, zero or negative close: dropped (bar becomes missing)
  | "invalid_volume" // NaN-looking text, infinite or negative volume: dropped
  | "duplicate_timestamp" // two rows for the same bar: the last one is kept
  | "misaligned_timestamp" // not on a bar close: snapped to the nearest close, or rejected
  | "spike" // one bar far from both neighbours, which agree: a likely bad tick
  | "gap" // missing bars between an asset's first and last observation
  | "series_start" // the asset's first close comes after the range starts (a listing, a late source)
  | "series_end" // the asset's last close comes before the range ends (a delisting, a migration, a source that stops)
  | "depeg"; // a stablecoin away from $1: flagged, never repaired

export type ValidationAction =
  | "dropped"
  | "kept_last"
  | "snapped"
  | "set_missing"
  | "flagged"
  | "filled"
  | "left_missing";

export interface ValidationIssue {
  readonly kind: ValidationIssueKind;
  readonly symbol: string;
  /** Bar close (unix seconds) where the issue starts. */
  readonly timestamp: number;
  /** Last bar of a multi-bar issue (gaps, depegs). */
  readonly endTimestamp?: number;
  readonly bars?: number;
  readonly value?: number;
  readonly action: ValidationAction;
  readonly detail: string;
}

export interface ValidationReport {
  readonly issues: readonly ValidationIssue[];
  /** Cells filled forward (each within the configured limit). */
  readonly filledBars: number;
  readonly counts: Readonly<Record<ValidationIssueKind, number>>;
}

/** Issue kinds that `onInvalid: "reject"` refuses; gaps, series bounds and depegs are facts, not errors. */
export const REJECTABLE_KINDS: ReadonlySet<ValidationIssueKind> = new Set([
  "invalid_price",
  "invalid_volume",
  "duplicate_timestamp",
  "misaligned_timestamp",
  "spike",
]);

export function summarize(issues: readonly ValidationIssue[], filledBars: number): ValidationReport {
  const counts: Record<ValidationIssueKind, number> = {
    invalid_price: 0,
    invalid_volume: 0,
    duplicate_timestamp: 0,
    misaligned_timestamp: 0,
    spike: 0,
    gap: 0,
    series_start: 0,
    series_end: 0,
    depeg: 0,
  };
  for (const issue of issues) counts[issue.kind] += 1;
  return { issues, filledBars, counts };
}

export interface SpikeRule {
  /** Smallest |log move| of each leg that can be a spike (0.3 = about +35% / -26%). */
  readonly minLogMove: number;
  /** Each leg must also exceed this many robust per-bar sigmas of the asset. */
  readonly sigmas: number;
  /** The two legs must cancel to within this fraction of the first leg. */
  readonly revertFraction: number;
}

export const DEFAULT_SPIKE_RULE: Readonly<Record<Frequency, SpikeRule>> = {
  "24h": { minLogMove: 0.3, sigmas: 8, revertFraction: 0.25 },
  "1h": { minLogMove: 0.15, sigmas: 10, revertFraction: 0.25 },
};

/**
 * Indices of one-bar spikes in `close` (NaN = missing): bar i moves by more than the rule
 * from bar i-1 and comes back at bar i+1. The last bar is never a spike, because nothing
 * after it says whether it reverts: a live keeper sees exactly what a backtest sees here.
 */
export function findSpikes(close: Float64Array, rule: SpikeRule): number[] {
  const sigma = robustLogSigma(close);
  const threshold = Math.max(rule.minLogMove, rule.sigmas * sigma);
  const out: number[] = [];
  for (let i = 1; i + 1 < close.length; i++) {
    const a = close[i - 1] as number;
    const b = close[i] as number;
    const c = close[i + 1] as number;
    if (!(a > 0 && b > 0 && c > 0)) continue;
    const leg1 = Math.log(b / a);
    const leg2 = Math.log(c / b);
    if (Math.abs(leg1) < threshold || Math.abs(leg2) < threshold) continue;
    if (Math.sign(leg1) === Math.sign(leg2)) continue;
    if (Math.abs(leg1 + leg2) <= rule.revertFraction * Math.abs(leg1)) out.push(i);
  }
  return out;
}

/** 1.4826 x median |log return|: a per-bar sigma that a few bad ticks cannot inflate. */
export function robustLogSigma(close: Float64Array): number {
  const moves = new Float64Array(close.length);
  let m = 0;
  for (let i = 1; i < close.length; i++) {
    const a = close[i - 1] as number;
    const b = close[i] as number;
    if (a > 0 && b > 0) moves[m++] = Math.abs(Math.log(b / a));
  }
  if (m === 0) return 0;
  // Typed-array sort is numeric and much faster than Array#sort with a comparator.
  const sorted = moves.subarray(0, m).sort();
  const mid = m >> 1;
  const median = m % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return 1.4826 * median;
}

/** Runs of consecutive bars where a stablecoin trades more than `threshold` away from $1. */
export function findDepegs(close: Float64Array, threshold: number): { start: number; end: number; worst: number }[] {
  const out: { start: number; end: number; worst: number }[] = [];
  let start = -1;
  let worst = 1;
  for (let i = 0; i <= close.length; i++) {
    const p = i < close.length ? (close[i] as number) : Number.NaN;
    const off = p > 0 && Math.abs(p - 1) > threshold;
    if (off) {
      if (start < 0) {
        start = i;
        worst = p;
      } else if (Math.abs(p - 1) > Math.abs(worst - 1)) {
        worst = p;
      }
    } else if (start >= 0) {
      out.push({ start, end: i - 1, worst });
      start = -1;
    }
  }
  return out;
}

/** Readable one-line-per-issue text, for the CLI and logs. */
export function formatReport(report: ValidationReport, label: (ts: number) => string, limit = 20): string {
  const lines = [
    `validation: ${report.issues.length} issue(s), ${report.filledBars} bar(s) forward-filled; ` +
      Object.entries(report.counts)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${k}=${n}`)
        .join(" "),
  ];
  for (const issue of report.issues.slice(0, limit)) {
    const span =
      issue.endTimestamp !== undefined
        ? `${label(issue.timestamp)}..${label(issue.endTimestamp)}`
        : label(issue.timestamp);
    lines.push(`  ${issue.kind} ${issue.symbol} ${span} ${issue.action}: ${issue.detail}`);
  }
  if (report.issues.length > limit) lines.push(`  ... ${report.issues.length - limit} more`);
  return lines.join("\n");
}
