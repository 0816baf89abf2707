/**
 * The one path from raw series to a `MarketPanel`: CSV files, HTTP providers and the
 * synthetic market all go through `buildPanel`, so alignment, validation and the forward-fill
 * limit are the same whatever the source.
 */
import { z } from "zod";
import { ConfigError, DataError } from "../core/errors.js";
import { type AssetMeta, type Frequency, type MarketPanel, SECONDS_PER_BAR } from "../core/types.js";
import { assetMeta } from "./assets.js";
import {
  DEFAULT_SPIKE_RULE,
  findDepegs,
  findSpikes,
  REJECTABLE_KINDS,
  summarize,
  type ValidationIssue,
  type ValidationReport,
} from "./validation.js";

/** One asset's observations as a source delivered them. */
export interface RawSeries {
  readonly symbol: string;
  /** Bar close times, unix seconds. Need not be sorted or unique: validation handles both. */
  readonly timestamps: ArrayLike<number>;
  readonly close: ArrayLike<number>;
  /** USD volume per observation; NaN or absent where the source had none. */
  readonly volume?: ArrayLike<number>;
  /** Volume venue, for the whole series or per observation (e.g. "coingecko", "bybit-perp"). */
  readonly volumeSource?: string | readonly string[];
  /** Overrides of the registry metadata (e.g. a CSV that knows the address). */
  readonly meta?: Partial<Omit<AssetMeta, "symbol">>;
}

const optionsSchema = z.object({
  freq: z.enum(["1h", "24h"]),
  /** First and last bar close to include (unix seconds); default: the data's span. */
  start: z.number().int().optional(),
  end: z.number().int().optional(),
  /** Bars a missing close may be filled forward; default 0 daily, 2 hourly. Volume is never filled. */
  ffillLimit: z.number().int().min(0).optional(),
  /** "exact" rejects timestamps off the bar grid; "nearest" snaps them (HTTP APIs stamp by the minute). */
  align: z.enum(["exact", "nearest"]).default("exact"),
  /** "repair" drops invalid values and sets spikes missing; "reject" throws on any of them. */
  onInvalid: z.enum(["repair", "reject"]).default("repair"),
  /** Spikes are set missing when "repair", only reported when "flag". */
  spikes: z.enum(["repair", "flag"]).default("repair"),
  /** A stablecoin further than this from $1 is flagged as depegged. */
  depegThreshold: z.number().positive().default(0.02),
});

export type BuildPanelOptions = z.input<typeof optionsSchema>;

export interface BuiltPanel {
  readonly panel: MarketPanel;
  readonly report: ValidationReport;
}

const DEFAULT_FFILL: Readonly<Record<Frequency, number>> = { "24h": 0, "1h": 2 };

/** Aligns, validates and (within the limit) fills `series` onto one evenly spaced grid. */
export function buildPanel(series: readonly RawSeries[], options: BuildPanelOptions): BuiltPanel {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw new ConfigError(`buildPanel options: ${z.prettifyError(parsed.error)}`);
  const opts = parsed.data;
  const step = SECONDS_PER_BAR[opts.freq];
  const ffillLimit = opts.ffillLimit ?? DEFAULT_FFILL[opts.freq];
  const issues: ValidationIssue[] = [];

  const symbols = new Set<string>();
  for (const s of series) {
    const key = s.symbol.toUpperCase();
    if (symbols.has(key)) throw new DataError(`buildPanel: symbol ${key} appears in two series`);
    symbols.add(key);
  }

  // Clean observations per series: invalid values dropped, off-grid times snapped or rejected.
  const cleaned = series.map((s) => cleanSeries(s, step, opts.align, issues));
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const c of cleaned) {
    if (c.ts.length === 0) continue;
    first = Math.min(first, c.ts[0] as number);
    last = Math.max(last, c.ts[c.ts.length - 1] as number);
  }
  if (opts.start !== undefined) first = opts.start;
  if (opts.end !== undefined) last = opts.end;
  if (!Number.isFinite(first) || !Number.isFinite(last) || last < first) {
    throw new DataError("buildPanel: no observations in the requested range", {
      details: { start: opts.start, end: opts.end },
    });
  }
  if (first % step !== 0 || last % step !== 0) {
    throw new ConfigError(`buildPanel: start/end must be bar closes (multiples of ${step}s)`, { first, last });
  }
  const n = (last - first) / step + 1;
  const timestamps = new Float64Array(n);
  for (let i = 0; i < n; i++) timestamps[i] = first + i * step;

  const assets: AssetMeta[] = [];
  const close: Float64Array[] = [];
  const volume: Float64Array[] = [];
  const volumeSource: string[][] = [];
  let filledBars = 0;
  for (const c of cleaned) {
    const meta = { ...assetMeta(c.symbol), ...c.meta, symbol: c.symbol };
    const px = new Float64Array(n).fill(Number.NaN);
    const vol = new Float64Array(n).fill(Number.NaN);
    const src = new Array<string>(n).fill("");
    for (let k = 0; k < c.ts.length; k++) {
      const ts = c.ts[k] as number;
      if (ts < first || ts > last) continue;
      const i = (ts - first) / step;
      px[i] = c.close[k] as number;
      vol[i] = c.volume[k] as number;
      src[i] = c.source(k);
    }

    // Spikes: stablecoins are exempt, so a depeg that reverts is reported as a depeg, not hidden.
    if (meta.category !== "stablecoin") {
      for (const i of findSpikes(px, DEFAULT_SPIKE_RULE[opts.freq])) {
        issues.push({
          kind: "spike",
          symbol: c.symbol,
          timestamp: timestamps[i] as number,
          value: px[i] as number,
          action: opts.spikes === "repair" ? "set_missing" : "flagged",
          detail: `close ${fmt(px[i] as number)} between ${fmt(px[i - 1] as number)} and ${fmt(px[i + 1] as number)}`,
        });
        if (opts.spikes === "repair") px[i] = Number.NaN;
      }
    } else {
      for (const d of findDepegs(px, opts.depegThreshold)) {
        issues.push({
          kind: "depeg",
          symbol: c.symbol,
          timestamp: timestamps[d.start] as number,
          endTimestamp: timestamps[d.end] as number,
          bars: d.end - d.start + 1,
          value: d.worst,
          action: "flagged",
          detail: `traded more than ${opts.depegThreshold * 100}% from $1 for ${d.end - d.start + 1} bar(s), worst ${fmt(d.worst)}`,
        });
      }
    }
    reportSeriesBounds(c.symbol, px, timestamps, issues);
    filledBars += fillGaps(c.symbol, px, timestamps, ffillLimit, issues);
    assets.push(meta);
    close.push(px);
    volume.push(vol);
    volumeSource.push(src);
  }

  const report = summarize(issues, filledBars);
  if (opts.onInvalid === "reject") {
    const bad = issues.filter((i) => REJECTABLE_KINDS.has(i.kind));
    if (bad.length > 0) {
      throw new DataError(`buildPanel: ${bad.length} invalid observation(s) rejected`, {
        details: { first: bad.slice(0, 5) },
      });
    }
  }
  return { panel: { freq: opts.freq, timestamps, assets, close, volume, volumeSource }, report };
}

/** A series' valid observations, ascending and unique by timestamp. */
interface CleanSeries {
  readonly symbol: string;
  readonly meta: Partial<Omit<AssetMeta, "symbol">>;
  readonly ts: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  /** Volume source per observation. */
  readonly source: (k: number) => string;
}

function cleanSeries(s: RawSeries, step: number, align: "exact" | "nearest", issues: ValidationIssue[]): CleanSeries {
  const symbol = s.symbol.toUpperCase();
  const len = s.timestamps.length;
  if (s.close.length !== len || (s.volume && s.volume.length !== len)) {
    throw new DataError(`buildPanel: ${symbol} has arrays of different lengths`);
  }
  const perObs = typeof s.volumeSource === "string" || s.volumeSource === undefined ? null : s.volumeSource;
  const seriesSource = typeof s.volumeSource === "string" ? s.volumeSource : "unknown";
  // Usable observations, in input order, with their (possibly snapped) bar close.
  const ts = new Float64Array(len);
  const close = new Float64Array(len);
  const volume = new Float64Array(len);
  const origin = new Int32Array(len);
  let m = 0;
  let sorted = true;
  for (let k = 0; k < len; k++) {
    const raw = s.timestamps[k] as number;
    if (!Number.isFinite(raw)) throw new DataError(`buildPanel: ${symbol} has a non-finite timestamp`);
    let t = raw;
    if (raw % step !== 0) {
      t = Math.round(raw / step) * step;
      issues.push({
        kind: "misaligned_timestamp",
        symbol,
        timestamp: t,
        value: raw,
        action: align === "nearest" ? "snapped" : "dropped",
        detail: `observed at ${raw}, ${raw - t}s from the bar close`,
      });
      if (align === "exact") continue;
    }
    const price = s.close[k] as number;
    if (!(Number.isFinite(price) && price > 0)) {
      issues.push({
        kind: "invalid_price",
        symbol,
        timestamp: t,
        value: price,
        action: "dropped",
        detail: `close ${price}`,
      });
      continue;
    }
    let vol = s.volume ? (s.volume[k] as number) : Number.NaN;
    if (!Number.isNaN(vol) && !(Number.isFinite(vol) && vol >= 0)) {
      issues.push({
        kind: "invalid_volume",
        symbol,
        timestamp: t,
        value: vol,
        action: "dropped",
        detail: `volume ${vol}`,
      });
      vol = Number.NaN;
    }
    if (m > 0 && t <= (ts[m - 1] as number)) sorted = false;
    ts[m] = t;
    close[m] = price;
    volume[m] = vol;
    origin[m] = k;
    m++;
  }
  const sourceAt = (k: number): string => (perObs ? (perObs[k] ?? "unknown") : seriesSource);
  if (sorted) {
    const o = origin.subarray(0, m);
    return {
      symbol,
      meta: s.meta ?? {},
      ts: ts.subarray(0, m),
      close: close.subarray(0, m),
      volume: volume.subarray(0, m),
      source: (j) => sourceAt(o[j] as number),
    };
  }
  // Unsorted or duplicated input: a stable sort keeps input order among equal timestamps,
  // so "the last row wins" holds.
  const order = Array.from({ length: m }, (_, j) => j).sort((a, b) => (ts[a] as number) - (ts[b] as number) || a - b);
  const outTs: number[] = [];
  const outClose: number[] = [];
  const outVol: number[] = [];
  const outOrigin: number[] = [];
  for (const j of order) {
    const t = ts[j] as number;
    const price = close[j] as number;
    const last = outTs.length - 1;
    if (last >= 0 && outTs[last] === t) {
      issues.push({
        kind: "duplicate_timestamp",
        symbol,
        timestamp: t,
        value: price,
        action: "kept_last",
        detail: `close ${fmt(outClose[last] as number)} replaced by ${fmt(price)}`,
      });
      outClose[last] = price;
      outVol[last] = volume[j] as number;
      outOrigin[last] = origin[j] as number;
      continue;
    }
    outTs.push(t);
    outClose.push(price);
    outVol.push(volume[j] as number);
    outOrigin.push(origin[j] as number);
  }
  return {
    symbol,
    meta: s.meta ?? {},
    ts: Float64Array.from(outTs),
    close: Float64Array.from(outClose),
    volume: Float64Array.from(outVol),
    source: (j) => sourceAt(outOrigin[j] as number),
  };
}

/**
 * Reports a series that starts after the range's first bar or ends before its last one: a
 * backtest must know that a position could not be marked after the end (see the backtester's
 * frozen-position policy) and that a late start is a listing, not a loss of history.
 */
function reportSeriesBounds(
  symbol: string,
  px: Float64Array,
  timestamps: Float64Array,
  issues: ValidationIssue[],
): void {
  const n = px.length;
  let firstValid = 0;
  while (firstValid < n && Number.isNaN(px[firstValid] as number)) firstValid++;
  if (firstValid === n) {
    issues.push({
      kind: "series_end",
      symbol,
      timestamp: timestamps[0] as number,
      endTimestamp: timestamps[n - 1] as number,
      bars: n,
      action: "flagged",
      detail: "no valid close in the range",
    });
    return;
  }
  let lastValid = n - 1;
  while (Number.isNaN(px[lastValid] as number)) lastValid--;
  if (firstValid > 0) {
    issues.push({
      kind: "series_start",
      symbol,
      timestamp: timestamps[firstValid] as number,
      bars: firstValid,
      action: "flagged",
      detail: `first close ${firstValid} bar(s) after the range starts`,
    });
  }
  if (lastValid < n - 1) {
    issues.push({
      kind: "series_end",
      symbol,
      timestamp: timestamps[lastValid] as number,
      bars: n - 1 - lastValid,
      action: "flagged",
      detail: `last close ${n - 1 - lastValid} bar(s) before the range ends`,
    });
  }
}

/** Reports every interior gap and fills at most `limit` bars of each forward, in place. */
function fillGaps(
  symbol: string,
  px: Float64Array,
  timestamps: Float64Array,
  limit: number,
  issues: ValidationIssue[],
): number {
  let firstValid = -1;
  let lastValid = -1;
  for (let i = 0; i < px.length; i++) {
    if (!Number.isNaN(px[i] as number)) {
      if (firstValid < 0) firstValid = i;
      lastValid = i;
    }
  }
  let filled = 0;
  let i = firstValid + 1;
  while (firstValid >= 0 && i < lastValid) {
    if (!Number.isNaN(px[i] as number)) {
      i++;
      continue;
    }
    let j = i;
    while (Number.isNaN(px[j] as number)) j++;
    const bars = j - i;
    const fill = Math.min(bars, limit);
    const prev = px[i - 1] as number;
    for (let k = i; k < i + fill; k++) px[k] = prev;
    filled += fill;
    issues.push({
      kind: "gap",
      symbol,
      timestamp: timestamps[i] as number,
      endTimestamp: timestamps[j - 1] as number,
      bars,
      action: fill === bars ? "filled" : "left_missing",
      detail: fill > 0 ? `${bars} missing bar(s), ${fill} filled forward` : `${bars} missing bar(s)`,
    });
    i = j;
  }
  return filled;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toPrecision(6) : String(x);
}
