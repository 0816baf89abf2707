/**
 * CSV import, so users can bring their own history.
 *
 * Schema (header row required, column order free, extra columns ignored):
 * - `date`: `YYYY-MM-DD` for daily files (the row is the close at the end of that UTC day);
 *   for hourly files (`freq: "1h"`) a UTC datetime `YYYY-MM-DD HH:MM[:SS]` that is the bar
 *   close. `timestamp_utc` is accepted as an alias of `date`.
 * - `symbol`: ticker, case-insensitive (metadata comes from the registry in assets.ts).
 * - `close_usd`: close price in USD, > 0.
 * - `volume_usd` (optional column, empty cells allowed): USD volume of the bar.
 * - `volume_basis` or else `source` (optional): where the volume comes from. Volumes from
 *   different venues are not comparable, so this becomes the panel's `volumeSource`.
 *
 * Rows are validated through `buildPanel` (invalid prices dropped, duplicates keep the last
 * row, gaps reported, spikes repaired, depegs flagged) and the report is returned.
 */
import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import { DataError } from "../core/errors.js";
import type { Frequency, MarketPanel } from "../core/types.js";
import { parseCsv } from "./csvParse.js";
import { type BuildPanelOptions, buildPanel, type RawSeries } from "./panel.js";
import { dailyBarClose, parseUtcSeconds } from "./time.js";
import type { ValidationReport } from "./validation.js";

export type { ValidationReport } from "./validation.js";

export interface LoadCsvOptions {
  readonly freq?: Frequency;
  /** Keep only these symbols (case-insensitive). */
  readonly symbols?: string[];
  /** First and last date (daily) or datetime (hourly) to keep, inclusive. */
  readonly from?: string;
  readonly to?: string;
  /** Passed through to `buildPanel` (fill limit, reject mode, ...). */
  readonly build?: Omit<BuildPanelOptions, "freq" | "start" | "end">;
}

/** Reads a market CSV file into a validated panel. */
export function loadMarketCsv(
  path: string,
  opts: LoadCsvOptions = {},
): { panel: MarketPanel; report: ValidationReport } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new DataError(`cannot read CSV ${path}`, { cause });
  }
  return parseMarketCsv(text, opts, path);
}

/**
 * The bar length a market CSV is written in, from its first data row: a date (`YYYY-MM-DD`)
 * is a daily file, a datetime an hourly one. Reads only the first few kilobytes.
 */
export function inferCsvFrequency(path: string): Frequency {
  let head: string;
  let whole: boolean;
  try {
    const fd = openSync(path, "r");
    try {
      const buf = Buffer.alloc(4096);
      const n = readSync(fd, buf, 0, buf.length, 0);
      whole = n < buf.length;
      head = buf.subarray(0, n).toString("utf8");
    } finally {
      closeSync(fd);
    }
  } catch (cause) {
    throw new DataError(`cannot read CSV ${path}`, { cause });
  }
  // A cut file ends mid-row: keep whole lines only.
  const rows = parseCsv(whole ? head : head.slice(0, Math.max(0, head.lastIndexOf("\n"))));
  const header = rows[0];
  const iDate = header ? header.findIndex((h) => ["date", "timestamp_utc"].includes(h.trim().toLowerCase())) : -1;
  const cell = rows[1]?.[iDate]?.trim();
  if (iDate < 0 || cell === undefined) throw new DataError(`${path}: no date column or no data row`);
  if (/^\d{4}-\d{2}-\d{2}$/.test(cell)) return "24h";
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(cell)) return "1h";
  throw new DataError(`${path}: cannot tell daily from hourly by the first date "${cell}"`);
}

/** Parses market CSV text (see the schema above) into a validated panel. */
export function parseMarketCsv(
  text: string,
  opts: LoadCsvOptions = {},
  label = "CSV",
): { panel: MarketPanel; report: ValidationReport } {
  const freq = opts.freq ?? "24h";
  const toClose = (v: string): number => (freq === "24h" ? dailyBarClose(v) : parseUtcSeconds(v));
  const rows = parseCsv(text);
  const header = rows[0];
  if (!header) throw new DataError(`${label}: empty file`);
  const col = (...names: string[]): number => {
    for (const name of names) {
      const i = header.findIndex((h) => h.trim().toLowerCase() === name);
      if (i >= 0) return i;
    }
    return -1;
  };
  const iDate = col("date", "timestamp_utc");
  const iSymbol = col("symbol");
  const iClose = col("close_usd");
  const iVolume = col("volume_usd");
  const iSource = col("volume_basis", "source");
  if (iDate < 0 || iSymbol < 0 || iClose < 0) {
    throw new DataError(`${label}: header must contain date, symbol and close_usd`, { details: { header } });
  }
  const wanted = opts.symbols ? new Set(opts.symbols.map((s) => s.toUpperCase())) : null;
  const from = opts.from !== undefined ? toClose(opts.from) : undefined;
  const to = opts.to !== undefined ? toClose(opts.to) : undefined;

  const bySymbol = new Map<string, { ts: number[]; close: number[]; volume: number[]; source: string[] }>();
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r] as string[];
    const symbol = (row[iSymbol] ?? "").trim().toUpperCase();
    if (symbol === "") throw new DataError(`${label}: row ${r + 1} has no symbol`);
    if (wanted && !wanted.has(symbol)) continue;
    let ts: number;
    try {
      ts = toClose(row[iDate] ?? "");
    } catch (cause) {
      throw new DataError(`${label}: row ${r + 1}: bad ${freq === "24h" ? "date" : "datetime"} ${row[iDate]}`, {
        cause,
      });
    }
    if ((from !== undefined && ts < from) || (to !== undefined && ts > to)) continue;
    let s = bySymbol.get(symbol);
    if (!s) {
      s = { ts: [], close: [], volume: [], source: [] };
      bySymbol.set(symbol, s);
    }
    s.ts.push(ts);
    s.close.push(parseNumber(row[iClose]));
    s.volume.push(iVolume >= 0 ? parseNumber(row[iVolume]) : Number.NaN);
    s.source.push(iSource >= 0 ? (row[iSource] ?? "").trim() || "unknown" : "csv");
  }
  if (bySymbol.size === 0) throw new DataError(`${label}: no rows match`, { details: { symbols: opts.symbols } });
  const series: RawSeries[] = [...bySymbol].map(([symbol, s]) => ({
    symbol,
    timestamps: s.ts,
    close: s.close,
    volume: s.volume,
    volumeSource: s.source,
  }));
  return buildPanel(series, {
    ...opts.build,
    freq,
    ...(from !== undefined ? { start: from } : {}),
    ...(to !== undefined ? { end: to } : {}),
  });
}

/** Empty cells are missing (NaN); text that is not a number becomes NaN and fails validation. */
function parseNumber(cell: string | undefined): number {
  const t = (cell ?? "").trim();
  return t === "" ? Number.NaN : Number(t);
}
