/**
 * The demo's market on the local chain's calendar: one daily panel (synthetic or the
 * operator's CSV) shifted so that bar `start` closes at `t0` (a UTC midnight, chain day 0) and
 * rescaled so that bar `start` equals the local pools' start prices. Everything the demo shows
 * the keeper comes from this one panel: the pools and feeds the driver sets each day, the bars
 * the replay provider serves, and the research block (the bars before `start`).
 *
 * Point in time: the price at unix time t is the close of the last bar closed at t (a day's
 * close holds until the next one), so the bar closing at t0 + d days is chain day d's price.
 */
import type { TokenSymbol } from "../config/addressBook.js";
import { InvalidInputError } from "../core/errors.js";
import type { MarketPanel } from "../core/types.js";
import { START_PRICES_USD } from "./marketSpec.js";

const DAY = 86_400;

export class DemoMarket {
  /** The shifted, rescaled panel. */
  readonly panel: MarketPanel;

  constructor(
    source: MarketPanel,
    /** Index of the bar that is chain day 0; the bars before it are history (and research's block). */
    readonly start: number,
    /** Chain day 0, a multiple of a day (00:00 UTC). */
    readonly t0: number,
  ) {
    if (t0 % DAY !== 0) throw new InvalidInputError("demo market: day 0 must start at 00:00 UTC", { t0 });
    const offset = t0 - (source.timestamps[start] as number);
    const close = source.close.map((row, i) => {
      const symbol = source.assets[i]?.symbol as TokenSymbol;
      const startPrice = START_PRICES_USD[symbol];
      const at = row[start] as number;
      if (startPrice === undefined || !(at > 0)) return row;
      return row.map((v) => (v * startPrice) / at);
    });
    this.panel = { ...source, timestamps: source.timestamps.map((t) => t + offset), close };
  }

  /** Days after day 0 the panel covers. */
  get days(): number {
    return this.panel.timestamps.length - 1 - this.start;
  }

  /** Chain time of day d's close (00:00 UTC). */
  dayTime(d: number): number {
    return this.t0 + d * DAY;
  }

  /** USD prices of `symbols` on day d. */
  pricesAt(d: number, symbols: readonly TokenSymbol[]): Record<TokenSymbol, number> {
    return Object.fromEntries(symbols.map((s) => [s, this.close(s, this.start + d)])) as Record<TokenSymbol, number>;
  }

  /** Price of `symbol` in force at unix time t (NaN outside the panel). */
  priceAt(symbol: string, t: number): number {
    return this.close(symbol, this.barAt(t));
  }

  /** USD volume of the bar in force at t (NaN when unknown). */
  volumeAt(symbol: string, t: number): number {
    const i = this.row(symbol);
    return i < 0 ? Number.NaN : (this.panel.volume[i]?.[this.barAt(t)] ?? Number.NaN);
  }

  private barAt(t: number): number {
    return this.start + Math.floor((t - this.t0) / DAY);
  }

  private row(symbol: string): number {
    return this.panel.assets.findIndex((a) => a.symbol.toUpperCase() === symbol.toUpperCase());
  }

  private close(symbol: string, bar: number): number {
    const i = this.row(symbol);
    if (i < 0 || bar < 0 || bar >= this.panel.timestamps.length) return Number.NaN;
    return this.panel.close[i]?.[bar] ?? Number.NaN;
  }
}
