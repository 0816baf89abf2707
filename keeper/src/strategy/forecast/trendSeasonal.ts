/**
 * Prophet-like additive forecaster on log prices: y(s) = piecewise-linear trend with
 * changepoints + Fourier seasonality (weekly; plus daily on hourly bars) + noise, fitted by
 * ridge regression on a trailing window that ends at the decision bar (never later). The ridge
 * on changepoint deltas plays the role of Prophet's sparse prior: the trend bends only where
 * the data insist. Forecasts extrapolate the final slope and the seasonal terms.
 */
import { z } from "zod";
import { InvalidInputError } from "../../core/errors.js";
import { parseConfig } from "../baselines/parseConfig.js";
import { solveLinear } from "../math/linalg.js";

export const trendSeasonalConfigSchema = z.object({
  /** Bars in the fit window. */
  fitWindow: z.number().int().min(20).default(180),
  changepoints: z.number().int().min(0).default(8),
  /** Changepoints sit in the first part of the window, as in Prophet (the end is too recent to judge). */
  changepointRange: z.number().gt(0).max(1).default(0.8),
  changepointPenalty: z.number().min(0).default(10),
  weeklyOrder: z.number().int().min(0).default(3),
  dailyOrder: z.number().int().min(0).default(3),
  seasonalityPenalty: z.number().min(0).default(1),
});
export type TrendSeasonalConfig = z.input<typeof trendSeasonalConfigSchema>;

export interface TrendSeasonalFit {
  readonly coef: Float64Array;
  readonly start: number;
  readonly end: number;
  readonly changepointPositions: Float64Array;
  readonly periods: readonly { readonly seconds: number; readonly order: number }[];
  /** Residual standard deviation of the fit (log units). */
  readonly residualStd: number;
}

const WEEK = 7 * 86_400;
const DAY = 86_400;

export class TrendSeasonalForecaster {
  private readonly cfg: z.output<typeof trendSeasonalConfigSchema>;

  constructor(config: TrendSeasonalConfig = {}) {
    this.cfg = parseConfig(trendSeasonalConfigSchema, config, "trend-seasonal forecaster");
  }

  /** Fits on bars [t - fitWindow + 1, t]; returns null when the window holds a missing or non-positive price. */
  fit(close: Float64Array, timestamps: Float64Array, t: number): TrendSeasonalFit | null {
    const cfg = this.cfg;
    const start = t - cfg.fitWindow + 1;
    if (start < 0 || t >= close.length) return null;
    const barSeconds = timestamps.length > 1 ? timestamps[1]! - timestamps[0]! : DAY;
    const periods = [
      ...(cfg.weeklyOrder > 0 && barSeconds < WEEK ? [{ seconds: WEEK, order: cfg.weeklyOrder }] : []),
      ...(cfg.dailyOrder > 0 && barSeconds < DAY ? [{ seconds: DAY, order: cfg.dailyOrder }] : []),
    ];
    const cps = Float64Array.from(
      { length: cfg.changepoints },
      (_, j) => ((j + 1) / (cfg.changepoints + 1)) * cfg.changepointRange,
    );
    const p = 2 + cps.length + periods.reduce((s, q) => s + 2 * q.order, 0);
    const xtx = new Float64Array(p * p);
    const xty = new Float64Array(p);
    const row = new Float64Array(p);
    const ys = new Float64Array(cfg.fitWindow);
    for (let k = start; k <= t; k++) {
      const price = close[k]!;
      if (!(price > 0) || !Number.isFinite(price)) return null;
      const y = Math.log(price);
      ys[k - start] = y;
      this.features(row, (k - start) / (cfg.fitWindow - 1), timestamps[k]!, cps, periods);
      for (let a = 0; a < p; a++) {
        xty[a] = xty[a]! + row[a]! * y;
        for (let b = 0; b < p; b++) xtx[a * p + b] = xtx[a * p + b]! + row[a]! * row[b]!;
      }
    }
    // Ridge: nothing on intercept and base slope; deltas and seasonal terms shrink to 0.
    for (let a = 2; a < p; a++) {
      xtx[a * p + a] = xtx[a * p + a]! + (a < 2 + cps.length ? cfg.changepointPenalty : cfg.seasonalityPenalty);
    }
    const coef = solveLinear(xtx, xty, p);
    if (!coef) return null;
    let ss = 0;
    for (let k = start; k <= t; k++) {
      this.features(row, (k - start) / (cfg.fitWindow - 1), timestamps[k]!, cps, periods);
      let yhat = 0;
      for (let a = 0; a < p; a++) yhat += coef[a]! * row[a]!;
      ss += (ys[k - start]! - yhat) ** 2;
    }
    return { coef, start, end: t, changepointPositions: cps, periods, residualStd: Math.sqrt(ss / cfg.fitWindow) };
  }

  /** Fitted log price at a (possibly future) timestamp `ts`, `barsAhead` bars after the fit's last bar. */
  predictLog(fit: TrendSeasonalFit, barsAhead: number, ts: number): number {
    const p = fit.coef.length;
    const row = new Float64Array(p);
    const s = (fit.end - fit.start + barsAhead) / (this.cfg.fitWindow - 1);
    this.features(row, s, ts, fit.changepointPositions, fit.periods);
    let y = 0;
    for (let a = 0; a < p; a++) y += fit.coef[a]! * row[a]!;
    return y;
  }

  /**
   * Expected log return from bar t to bar t + horizon, measured from the model's fitted value at
   * t (not the noisy last price), or NaN when the model cannot be fitted.
   */
  forecastLogReturn(close: Float64Array, timestamps: Float64Array, t: number, horizon: number): number {
    if (horizon < 1) throw new InvalidInputError("forecastLogReturn: horizon must be >= 1", { horizon });
    const fit = this.fit(close, timestamps, t);
    if (!fit) return Number.NaN;
    const barSeconds = timestamps.length > 1 ? timestamps[1]! - timestamps[0]! : DAY;
    const now = this.predictLog(fit, 0, timestamps[t]!);
    const later = this.predictLog(fit, horizon, timestamps[t]! + horizon * barSeconds);
    return later - now;
  }

  private features(
    row: Float64Array,
    s: number,
    ts: number,
    cps: Float64Array,
    periods: readonly { readonly seconds: number; readonly order: number }[],
  ): void {
    row[0] = 1;
    row[1] = s;
    let a = 2;
    for (let j = 0; j < cps.length; j++) row[a++] = Math.max(0, s - cps[j]!);
    for (const { seconds, order } of periods) {
      const phase = (2 * Math.PI * (ts % seconds)) / seconds;
      for (let k = 1; k <= order; k++) {
        row[a++] = Math.sin(k * phase);
        row[a++] = Math.cos(k * phase);
      }
    }
  }
}
