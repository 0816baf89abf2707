/**
 * Coverage of a panel over a range of bars, per asset: where its prices start and end and how
 * many bars have one. Reports state survivorship and coverage from these numbers rather than
 * from a fixed sentence, because the same code runs on data with and without dead tokens.
 */
import type { MarketPanel } from "../core/types.js";

export interface AssetCoverage {
  readonly symbol: string;
  /** First and last bar (panel index) in the range with a close; -1 when none. */
  readonly firstBar: number;
  readonly lastBar: number;
  /** Fraction of the range's bars with a close. */
  readonly fraction: number;
  /** The first close comes after the range's first bar. */
  readonly startsLate: boolean;
  /** The last close comes before the range's last bar: the series ends inside the range. */
  readonly endsEarly: boolean;
}

/** Coverage of every asset of `panel` over bars `from..to` (inclusive). */
export function panelCoverage(panel: MarketPanel, from = 0, to = panel.timestamps.length - 1): AssetCoverage[] {
  const bars = to - from + 1;
  return panel.assets.map((asset, i) => {
    const row = panel.close[i] as Float64Array;
    let first = -1;
    let last = -1;
    let priced = 0;
    for (let t = from; t <= to; t++) {
      if (!((row[t] as number) > 0)) continue;
      if (first < 0) first = t;
      last = t;
      priced++;
    }
    return {
      symbol: asset.symbol,
      firstBar: first,
      lastBar: last,
      fraction: bars > 0 ? priced / bars : 0,
      startsLate: first !== from,
      endsEarly: last !== to,
    };
  });
}

/**
 * One sentence on survivorship: which series end inside the range, or that none do (then the
 * data cannot show a token dying, and results are biased toward survivors).
 */
export function survivorshipNote(coverage: readonly AssetCoverage[], label: (bar: number) => string): string {
  const ended = coverage.filter((c) => c.endsEarly && c.lastBar >= 0);
  const total = coverage.length;
  if (ended.length === 0) {
    return `all ${total} assets have a close on the range's last bar: no series ends inside it, so the data cannot show a token that stopped trading and results are biased toward survivors`;
  }
  const list = ended.map((c) => `${c.symbol} (last close ${label(c.lastBar)})`).join(", ");
  return `${ended.length} of ${total} series end inside the range: ${list}; positions in them are handled by the frozen-position policy`;
}

/** One sentence on coverage: late starts, and series with missing bars. */
export function coverageNote(coverage: readonly AssetCoverage[], label: (bar: number) => string): string {
  const full = coverage.filter((c) => c.fraction === 1).length;
  const late = coverage.filter((c) => c.startsLate && c.firstBar >= 0);
  const none = coverage.filter((c) => c.firstBar < 0);
  const holes = coverage.filter((c) => c.firstBar >= 0 && c.fraction < 1 && !c.startsLate && !c.endsEarly);
  const parts = [`${full} of ${coverage.length} assets priced on every bar`];
  if (late.length > 0) parts.push(`starting later: ${late.map((c) => `${c.symbol} ${label(c.firstBar)}`).join(", ")}`);
  if (holes.length > 0) {
    parts.push(`with missing bars: ${holes.map((c) => `${c.symbol} ${(c.fraction * 100).toFixed(1)}%`).join(", ")}`);
  }
  if (none.length > 0) parts.push(`no price in the range: ${none.map((c) => c.symbol).join(", ")}`);
  return parts.join("; ");
}
