/**
 * APY used against realised yield, per yield-earning asset over one backtest's bars (pure).
 *
 * - APY used: the mean of the panel's APY over the run's bars (what the optimizer was told).
 * - Realised: measured independently of that APY, from an exchange-rate series when one is
 *   given (rETH/ETH from Rocket Pool's contract, or wstETH's price over stETH's): the
 *   annualised log growth of the rate between the run's first and last bar. A rate moved by
 *   market prices (a price ratio) carries their noise, and the row says which kind it is.
 * The yield the backtester credited to "balance" holdings is the run's `yieldUsd`.
 */
import type { BacktestResult } from "../backtest/backtester.js";
import type { MarketPanel, YieldAccrual } from "../core/types.js";

/** A rate series: value of one token in its underlying (e.g. rETH in ETH), by unix second. */
export interface RateSeries {
  readonly timestamps: Float64Array;
  readonly rate: Float64Array;
  /** "on-chain rate" or "price ratio": how far the rate is from the yield itself. */
  readonly kind: string;
}

export interface YieldReportRow {
  readonly symbol: string;
  readonly accrual: YieldAccrual;
  readonly source: string;
  /** Mean APY over the bars where it was known (annual fraction); NaN when none. */
  readonly apyUsed: number;
  /** Share of the run's bars with an APY. */
  readonly coverage: number;
  /** Annualised log growth of the rate over the run; null without a rate covering it. */
  readonly realised: number | null;
  readonly realisedKind: string | null;
}

/** Annualised log growth of `rate` between the last values at or before `from` and `to` (unix s). */
export function realisedYield(rate: RateSeries, from: number, to: number): number | null {
  const at = (t: number): number => {
    let v = Number.NaN;
    for (let k = 0; k < rate.timestamps.length && (rate.timestamps[k] as number) <= t; k++) {
      const x = rate.rate[k] as number;
      if (x > 0) v = x;
    }
    return v;
  };
  const a = at(from);
  const b = at(to);
  if (!(a > 0) || !(b > 0) || !(to > from)) return null;
  // No extrapolation: the rate must start by the run's first bar (checked above) and reach its last.
  if ((rate.timestamps[rate.timestamps.length - 1] as number) < to - 3 * 86_400) return null;
  return Math.expm1((Math.log(b / a) * (365 * 86_400)) / (to - from));
}

export function yieldReportRows(
  panel: MarketPanel,
  run: Pick<BacktestResult, "from" | "to">,
  rates: ReadonlyMap<string, RateSeries> = new Map(),
): YieldReportRow[] {
  const y = panel.yields;
  if (!y) return [];
  const rows: YieldReportRow[] = [];
  const from = panel.timestamps[run.from] as number;
  const to = panel.timestamps[run.to] as number;
  panel.assets.forEach((asset, i) => {
    const accrual = y.accrual[i];
    if (accrual === null || accrual === undefined) return;
    let sum = 0;
    let known = 0;
    for (let t = run.from; t <= run.to; t++) {
      const v = y.apy[i]?.[t] as number;
      if (Number.isFinite(v)) {
        sum += v;
        known++;
      }
    }
    const rate = rates.get(asset.symbol.toUpperCase());
    rows.push({
      symbol: asset.symbol,
      accrual,
      source: y.source,
      apyUsed: known > 0 ? sum / known : Number.NaN,
      coverage: known / (run.to - run.from + 1),
      realised: rate ? realisedYield(rate, from, to) : null,
      realisedKind: rate ? rate.kind : null,
    });
  });
  return rows;
}

export function yieldReportMarkdown(rows: readonly YieldReportRow[]): string {
  const pct = (x: number | null) => (x === null || !Number.isFinite(x) ? "n/a" : `${(x * 100).toFixed(2)}%`);
  const lines = [
    "| asset | accrual | APY source | APY used | realised | realised from | gap (used - realised) |",
    "|---|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.symbol} | ${r.accrual} | ${r.source} | ${pct(r.apyUsed)} | ${pct(r.realised)} | ${r.realisedKind ?? "no rate"} | ${
          r.realised === null ? "n/a" : pct(r.apyUsed - r.realised)
        } |`,
    ),
  ];
  return lines.join("\n");
}
