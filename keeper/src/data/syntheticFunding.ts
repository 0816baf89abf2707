/**
 * A synthetic hourly funding-rate series, for backtests when no real funding history is at
 * hand (../shared/data has none). It is labelled "synthetic" wherever it goes. The model is
 * fixed here, not fitted to any data, and only looks back:
 *
 *   rate[t] = clamp(interest + premium[t], ±cap)
 *   premium[t] = phi * premium[t-1] + beta * r24[t] + sigma * z[t]
 *
 * `interest` is HyperLiquid's fixed interest component (0.01% per 8 hours = 0.00125% per
 * hour), `r24[t]` the asset's trailing 24-hour log return up to bar t (longs crowd in after
 * a rally, so the premium follows momentum, as on real perpetual venues), `z` a seeded
 * standard normal, and `cap` HyperLiquid's 4% per hour limit. The interest term alone is
 * 10.95% a year paid by longs; the premium adds bursts after large moves and moves the mean
 * with the market's drift (10.1% a year over 2022-2023 on ../shared/data's hourly closes). The
 * defaults are round numbers chosen before any backtest was run.
 */
import type { MarketPanel } from "../core/types.js";
import { Rng } from "./rng.js";

export interface SyntheticFundingParams {
  readonly seed: number;
  readonly interestPerHour?: number;
  readonly phi?: number;
  readonly beta?: number;
  readonly sigma?: number;
  readonly capPerHour?: number;
}

export const SYNTHETIC_FUNDING_DEFAULTS = {
  interestPerHour: 0.0000125,
  phi: 0.9,
  beta: 0.0001,
  sigma: 0.000005,
  capPerHour: 0.04,
} as const;

export function syntheticFunding(panel: MarketPanel, params: SyntheticFundingParams): Float64Array[] {
  const p = { ...SYNTHETIC_FUNDING_DEFAULTS, ...params };
  return panel.assets.map((_, i) => {
    // One stream per asset, so adding an asset does not change the others' series.
    const rng = new Rng((params.seed * 7919 + i * 104_729) >>> 0);
    const close = panel.close[i] as Float64Array;
    const out = new Float64Array(close.length).fill(Number.NaN);
    let premium = 0;
    for (let t = 0; t < close.length; t++) {
      const now = close[t] as number;
      if (!Number.isFinite(now)) continue;
      const back = t >= 24 ? (close[t - 24] as number) : Number.NaN;
      const r24 = Number.isFinite(back) && back > 0 ? Math.log(now / back) : 0;
      premium = p.phi * premium + p.beta * r24 + p.sigma * rng.normal();
      out[t] = Math.max(-p.capPerHour, Math.min(p.capPerHour, p.interestPerHour + premium));
    }
    return out;
  });
}
