/**
 * A simple point-in-time universe for backtests without the classifier: an asset may be held
 * at bar t when it is not excluded, has had a price on every one of the last `minHistoryBars`
 * bars (a new listing must season first, and the cost model needs a volatility estimate) and,
 * when `requireVolume`, reported some volume in that window (otherwise its trading cost cannot
 * be modelled). The base asset is always eligible: it is where unspent cash sits.
 */
import { dedupeByUnderlying } from "../data/underlying.js";
import type { Eligibility } from "./pointInTimeView.js";

export interface SeasonedUniverseOptions {
  readonly exclude: ReadonlySet<string>;
  readonly baseSymbol: string;
  readonly minHistoryBars: number;
  readonly requireVolume: boolean;
}

export function seasonedUniverse(opts: SeasonedUniverseOptions): Eligibility {
  return (panel, t) =>
    panel.assets.map((asset, i) => {
      if (asset.symbol === opts.baseSymbol) return true;
      if (opts.exclude.has(asset.symbol) || t < opts.minHistoryBars) return false;
      const close = panel.close[i]!;
      const volume = panel.volume[i]!;
      let sawVolume = false;
      for (let k = t - opts.minHistoryBars; k <= t; k++) {
        if (!(close[k]! > 0)) return false;
        if (volume[k]! > 0) sawVolume = true;
      }
      return sawVolume || !opts.requireVolume;
    });
}

/**
 * One asset per underlying exposure (data/underlying.ts): among the assets `inner` allows at
 * bar t, a wrapper is dropped when a preferred member of its group (BTC for WBTC) is also
 * allowed. Decided bar by bar, so a wrapper stands in for its underlying while only it trades.
 */
export function onePerUnderlying(inner: Eligibility): Eligibility {
  return (panel, t) => {
    const allowed = inner(panel, t);
    const symbols = panel.assets.filter((_, i) => allowed[i]).map((a) => a.symbol);
    const kept = new Set(dedupeByUnderlying(symbols));
    return allowed.map((ok, i) => ok && kept.has(panel.assets[i]!.symbol));
  };
}
