/**
 * Hourly perpetual-futures history in HyperLiquid's shape: one row per (hour, coin) with the
 * mark price and the funding rate of that hour. HyperLiquid settles funding every hour on the
 * position held at the hour, at a rate quoted per hour: a positive rate means longs pay
 * shorts `size * mark * rate`. Columns are documented in keeper/src/data/README.md
 * ("Perpetuals CSV"). Prices go through `buildPanel` like every other source (hourly grid,
 * gaps, spikes flagged, never repaired, so the backtest stays point in time); funding is
 * aligned to the same grid, and an hour without a funding value is NaN and counted.
 */
import { readFileSync } from "node:fs";
import { DataError } from "../core/errors.js";
import type { MarketPanel } from "../core/types.js";
import { parseCsv } from "./csvParse.js";
import { buildPanel, type RawSeries } from "./panel.js";
import { barLabel, parseUtcSeconds } from "./time.js";
import type { ValidationReport } from "./validation.js";

export interface PerpHistory {
  readonly panel: MarketPanel;
  /** Hourly funding rate per asset (rows of `panel.assets`) and bar; NaN where missing. */
  readonly funding: readonly Float64Array[];
  readonly report: ValidationReport;
  /** Bars (asset x hour) with a price but no funding value. */
  readonly missingFunding: number;
  /** Distinct `source` values per column, for the report ("synthetic" must show). */
  readonly sources: { readonly price: readonly string[]; readonly funding: readonly string[] };
}

export interface PerpCsvOptions {
  readonly symbols?: readonly string[];
  /** First and last bar close to keep, `YYYY-MM-DD HH:MM[:SS]` UTC, inclusive. */
  readonly from?: string;
  readonly to?: string;
}

/** HyperLiquid caps the hourly funding rate at 4%; a larger value is a unit mistake. */
const MAX_ABS_HOURLY_FUNDING = 0.04;

export function loadPerpCsv(path: string, opts: PerpCsvOptions = {}): PerpHistory {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new DataError(`cannot read perpetuals CSV ${path}`, { cause });
  }
  return parsePerpCsv(text, opts, path);
}

export function parsePerpCsv(text: string, opts: PerpCsvOptions = {}, label = "perpetuals CSV"): PerpHistory {
  const rows = parseCsv(text);
  const header = (rows[0] ?? []).map((h) => h.trim().toLowerCase());
  const col = (...names: string[]) => names.map((n) => header.indexOf(n)).find((i) => i >= 0) ?? -1;
  const iTime = col("timestamp_utc");
  const iCoin = col("coin", "symbol");
  const iMark = col("mark_px");
  const iFunding = col("funding_rate");
  const iPriceSource = col("price_source");
  const iFundingSource = col("funding_source");
  if (iTime < 0 || iCoin < 0 || iMark < 0 || iFunding < 0) {
    throw new DataError(`${label}: header must contain timestamp_utc, coin, mark_px and funding_rate`, {
      details: { header },
    });
  }
  const wanted = opts.symbols ? new Set(opts.symbols.map((s) => s.toUpperCase())) : null;
  const from = opts.from !== undefined ? parseUtcSeconds(opts.from) : Number.NEGATIVE_INFINITY;
  const to = opts.to !== undefined ? parseUtcSeconds(opts.to) : Number.POSITIVE_INFINITY;
  const bySymbol = new Map<string, { ts: number[]; mark: number[]; funding: Map<number, number> }>();
  const priceSources = new Set<string>();
  const fundingSources = new Set<string>();
  const problems: string[] = [];
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r] as string[];
    if (row.length === 1 && (row[0] ?? "").trim() === "") continue;
    const coin = (row[iCoin] ?? "").trim().toUpperCase();
    if (coin === "") {
      problems.push(`row ${r + 1}: no coin`);
      continue;
    }
    if (wanted && !wanted.has(coin)) continue;
    let ts: number;
    try {
      ts = parseUtcSeconds(row[iTime] ?? "");
    } catch {
      problems.push(`row ${r + 1}: bad timestamp_utc ${JSON.stringify(row[iTime])}`);
      continue;
    }
    if (ts < from || ts > to) continue;
    const fundingCell = (row[iFunding] ?? "").trim();
    const rate = fundingCell === "" ? Number.NaN : Number(fundingCell);
    if (fundingCell !== "" && !(Math.abs(rate) <= MAX_ABS_HOURLY_FUNDING)) {
      problems.push(`row ${r + 1}: funding_rate ${fundingCell} is not an hourly rate within ±4%`);
      continue;
    }
    let s = bySymbol.get(coin);
    if (!s) {
      s = { ts: [], mark: [], funding: new Map() };
      bySymbol.set(coin, s);
    }
    s.ts.push(ts);
    const markCell = (row[iMark] ?? "").trim();
    s.mark.push(markCell === "" ? Number.NaN : Number(markCell));
    if (Number.isFinite(rate)) s.funding.set(ts, rate);
    if (iPriceSource >= 0) priceSources.add((row[iPriceSource] ?? "").trim() || "unknown");
    if (iFundingSource >= 0) fundingSources.add((row[iFundingSource] ?? "").trim() || "unknown");
  }
  if (problems.length > 0) {
    throw new DataError(`${label}: ${problems.length} bad row(s): ${problems.slice(0, 5).join("; ")}`, {
      details: { problems },
    });
  }
  if (bySymbol.size === 0) throw new DataError(`${label}: no rows match`, { details: { symbols: opts.symbols } });
  const series: RawSeries[] = [...bySymbol].map(([symbol, s]) => ({ symbol, timestamps: s.ts, close: s.mark }));
  const { panel, report } = buildPanel(series, { freq: "1h", spikes: "flag" });
  let missingFunding = 0;
  const funding = panel.assets.map((asset, i) => {
    const known = bySymbol.get(asset.symbol)?.funding ?? new Map<number, number>();
    const close = panel.close[i] as Float64Array;
    return Float64Array.from(panel.timestamps, (ts, t) => {
      const rate = known.get(ts);
      if (rate === undefined && Number.isFinite(close[t] as number)) missingFunding++;
      return rate ?? Number.NaN;
    });
  });
  return {
    panel,
    funding,
    report,
    missingFunding,
    sources: { price: [...priceSources].sort(), funding: [...fundingSources].sort() },
  };
}

/** Writes a panel and its funding back as a perpetuals CSV (the documented columns). */
export function perpCsvText(
  panel: MarketPanel,
  funding: readonly Float64Array[],
  sources: { readonly price: string; readonly funding: string },
): string {
  const lines = ["timestamp_utc,coin,mark_px,funding_rate,price_source,funding_source"];
  panel.timestamps.forEach((ts, t) => {
    panel.assets.forEach((asset, i) => {
      const mark = panel.close[i]?.[t] ?? Number.NaN;
      if (!Number.isFinite(mark)) return;
      const rate = funding[i]?.[t] ?? Number.NaN;
      const rateText = Number.isFinite(rate) ? rate.toPrecision(8) : "";
      lines.push(`${barLabel(ts, "1h")},${asset.symbol},${mark},${rateText},${sources.price},${sources.funding}`);
    });
  });
  return `${lines.join("\n")}\n`;
}
