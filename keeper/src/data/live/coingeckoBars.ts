/**
 * The CoinGecko-style HTTP API (coingecko.ts: `/coins/{id}/market_chart/range`) as a bar
 * source. Points are resampled to daily closes by the existing client code; bars whose close
 * is after `to` are dropped, so an unfinished day never counts as a close.
 */
import { ProviderError } from "../../core/errors.js";
import { COINGECKO_IDS, type CoinGeckoClient, marketChartToSeries } from "../coingecko.js";
import { type Bar, type BarSource, type BarsBySymbol, DAY } from "./bars.js";

export class CoinGeckoBarSource implements BarSource {
  readonly name = "coingecko";
  private readonly ids: Readonly<Record<string, string>>;

  constructor(
    private readonly client: CoinGeckoClient,
    /** Extra or replacement coin ids by symbol (merged over `COINGECKO_IDS`). */
    ids: Readonly<Record<string, string>> = {},
  ) {
    this.ids = { ...COINGECKO_IDS, ...Object.fromEntries(Object.entries(ids).map(([s, id]) => [s.toUpperCase(), id])) };
  }

  /** Symbols this source cannot serve (no coin id): the keeper refuses them at start. */
  unknown(symbols: readonly string[]): string[] {
    return symbols.filter((s) => !this.ids[s.toUpperCase()]);
  }

  async bars(symbols: readonly string[], from: number, to: number): Promise<BarsBySymbol> {
    const out: Record<string, Bar[]> = {};
    for (const symbol of symbols) {
      const id = this.ids[symbol.toUpperCase()];
      if (!id) throw new ProviderError(`coingecko: no coin id known for ${symbol} (set market.coingeckoIds)`);
      // The close of bar `from` is the last point after `from - DAY`: ask from there.
      const chart = await this.client.marketChartRange(id, from - DAY, to);
      const series = marketChartToSeries(symbol, chart, "24h", to);
      const bars: Bar[] = [];
      for (let k = 0; k < series.timestamps.length; k++) {
        const t = series.timestamps[k] as number;
        const close = series.close[k] as number;
        if (t >= from && t <= to && Number.isFinite(close)) {
          bars.push({ t, close, volume: (series.volume?.[k] as number | undefined) ?? Number.NaN });
        }
      }
      out[symbol] = bars;
    }
    return out;
  }
}
