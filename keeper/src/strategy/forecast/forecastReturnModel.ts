/**
 * Forecasts as strategy features: a `ReturnModel` for the mean-variance strategy that uses the
 * trend-seasonal forecaster's per-bar expected log return, shrunk toward zero because trend
 * extrapolation on crypto prices is weak evidence.
 */
import type { ReturnModel } from "../meanVarianceStrategy.js";
import { type TrendSeasonalConfig, TrendSeasonalForecaster } from "./trendSeasonal.js";

export function forecastReturnModel(opts: {
  horizon: number;
  shrink: number;
  forecaster?: TrendSeasonalConfig;
}): ReturnModel {
  const forecaster = new TrendSeasonalForecaster(opts.forecaster);
  return (view, assets) =>
    Float64Array.from(assets, (i) => {
      const r = forecaster.forecastLogReturn(view.panel.close[i]!, view.panel.timestamps, view.t, opts.horizon);
      return Number.isFinite(r) ? (opts.shrink * r) / opts.horizon : 0;
    });
}
