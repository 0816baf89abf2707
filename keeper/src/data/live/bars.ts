/**
 * Daily bars as the live market service moves them around: one close (and USD volume, NaN
 * when the source has none) per bar, stamped with the bar's close time (unix seconds, the
 * data layer's convention: the bar dated D closes at D+1 00:00 UTC). A `BarSource` is anything
 * that can deliver completed bars for a time range: an HTTP provider, the operator's CSV, or
 * the Chainlink feeds' past rounds.
 */
import { type MarketPanel, SECONDS_PER_BAR } from "../../core/types.js";

export interface Bar {
  /** Bar close, unix seconds. */
  readonly t: number;
  readonly close: number;
  readonly volume: number;
}

export type BarsBySymbol = Readonly<Record<string, readonly Bar[]>>;

export interface BarSource {
  /** Name used in logs, refusals and the cache key ("coingecko", "csv", "chainlink"). */
  readonly name: string;
  /**
   * Completed bars closing in [from, to] (both bar closes) for each symbol, ascending. A symbol
   * the source knows nothing about for that range maps to an empty list; a failed request is a
   * `ProviderError`.
   */
  bars(symbols: readonly string[], from: number, to: number): Promise<BarsBySymbol>;
}

export const DAY = SECONDS_PER_BAR["24h"];

/** Close of the newest daily bar that has finished at `now`. */
export function lastClosedBar(now: number): number {
  return Math.floor(now / DAY) * DAY;
}

/**
 * The finite closes of `panel` closing in [from, to], per symbol (matched case-insensitively);
 * a symbol the panel lacks maps to an empty list.
 */
export function barsFromPanel(panel: MarketPanel, symbols: readonly string[], from: number, to: number): BarsBySymbol {
  const out: Record<string, Bar[]> = {};
  for (const symbol of symbols) {
    const i = panel.assets.findIndex((a) => a.symbol.toUpperCase() === symbol.toUpperCase());
    const bars: Bar[] = [];
    if (i >= 0) {
      panel.timestamps.forEach((t, k) => {
        const close = panel.close[i]?.[k] ?? Number.NaN;
        if (t >= from && t <= to && Number.isFinite(close)) {
          bars.push({ t, close, volume: panel.volume[i]?.[k] ?? Number.NaN });
        }
      });
    }
    out[symbol] = bars;
  }
  return out;
}
