/**
 * Which assets a strategy may put risk in at decision time, and the cash-like base asset that
 * absorbs what it does not invest. Shared by every strategy so that missing data is handled
 * the same way everywhere: an asset without a finite price over the whole lookback gets 0.
 */
import type { PointInTimeView } from "../../core/types.js";

export interface UniverseOptions {
  /** Symbol of the idle buffer (the vault's base asset). */
  readonly baseSymbol?: string;
  /** Stablecoins are excluded from the risky universe unless this is true. */
  readonly includeStablecoins?: boolean;
}

export const DEFAULT_BASE_SYMBOL = "USDC";

/** Index of the base asset in the panel, or -1 when it is absent or not eligible. */
export function baseIndex(view: PointInTimeView, baseSymbol: string = DEFAULT_BASE_SYMBOL): number {
  const i = view.panel.assets.findIndex((a) => a.symbol === baseSymbol);
  return i >= 0 && view.eligible[i] && Number.isFinite(view.panel.close[i]![view.t]!) ? i : -1;
}

/** True when closes over bars t-lookback..t are all finite and positive. */
export function hasHistory(view: PointInTimeView, i: number, lookback: number): boolean {
  const row = view.panel.close[i]!;
  if (view.t - lookback < 0) return false;
  for (let k = view.t - lookback; k <= view.t; k++) {
    const v = row[k]!;
    if (!(v > 0) || !Number.isFinite(v)) return false;
  }
  return true;
}

/** Eligible, non-base assets (non-stablecoin unless asked) with a complete lookback of prices. */
export function riskyUniverse(view: PointInTimeView, lookback: number, opts: UniverseOptions = {}): number[] {
  const base = view.panel.assets.findIndex((a) => a.symbol === (opts.baseSymbol ?? DEFAULT_BASE_SYMBOL));
  const out: number[] = [];
  for (let i = 0; i < view.panel.assets.length; i++) {
    if (i === base || !view.eligible[i]) continue;
    if (!opts.includeStablecoins && view.panel.assets[i]!.category === "stablecoin") continue;
    if (hasHistory(view, i, lookback)) out.push(i);
  }
  return out;
}
