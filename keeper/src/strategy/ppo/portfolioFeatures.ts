/**
 * The PPO agent's observation of a portfolio at bar t, built the same way in training (the
 * environment) and in production (the strategy), from bars <= t only. Per universe asset:
 * a window of log returns, short and long realised volatility, an availability flag, the
 * current weight and (optionally) a trend-seasonal forecast; then the base asset's weight.
 * An asset without a complete price history for the features is unavailable: its features
 * are 0 and its action is masked out (it gets weight 0).
 */
import { z } from "zod";
import type { MarketPanel } from "../../core/types.js";
import { parseConfig } from "../baselines/parseConfig.js";
import { TrendSeasonalForecaster } from "../forecast/trendSeasonal.js";

export const featureConfigSchema = z.object({
  returnWindow: z.number().int().min(1).default(10),
  shortVolBars: z.number().int().min(2).default(7),
  longVolBars: z.number().int().min(2).default(30),
  /** Horizon (bars) of the forecast feature; 0 leaves forecasts out. */
  forecastHorizon: z.number().int().min(0).default(0),
});
export type FeatureConfig = z.output<typeof featureConfigSchema>;

export function parseFeatureConfig(input: z.input<typeof featureConfigSchema> = {}): FeatureConfig {
  return parseConfig(featureConfigSchema, input, "ppo features");
}

export function featuresPerAsset(cfg: FeatureConfig): number {
  return cfg.returnWindow + 4 + (cfg.forecastHorizon > 0 ? 1 : 0);
}

export function observationSize(cfg: FeatureConfig, universeSize: number): number {
  return universeSize * featuresPerAsset(cfg) + 1;
}

/** Bars of history an asset needs before it can be observed. */
export function historyBars(cfg: FeatureConfig): number {
  return Math.max(cfg.returnWindow, cfg.longVolBars);
}

export class PortfolioFeatures {
  private readonly forecaster: TrendSeasonalForecaster | null;
  /** Forecasts are expensive and deterministic per (asset, bar): cache them across episodes. */
  private readonly forecastCache = new Map<number, number>();

  constructor(
    readonly cfg: FeatureConfig,
    /** Panel indices of the assets the agent allocates between (base asset excluded). */
    readonly universe: readonly number[],
  ) {
    this.forecaster = cfg.forecastHorizon > 0 ? new TrendSeasonalForecaster({ fitWindow: 120 }) : null;
  }

  get size(): number {
    return observationSize(this.cfg, this.universe.length);
  }

  /** Action mask: universe assets usable at t (history complete and `eligible`), then the base asset. */
  mask(panel: MarketPanel, t: number, eligible?: readonly boolean[]): boolean[] {
    const need = historyBars(this.cfg);
    const out = this.universe.map(
      (i) => (eligible ? eligible[i] === true : true) && complete(panel.close[i]!, t, need),
    );
    out.push(true);
    return out;
  }

  /**
   * Observation at bar t. `weights` are the portfolio's current weights aligned with the
   * panel; `base` is the base asset's panel index; `mask` comes from `mask()`.
   */
  observe(
    panel: MarketPanel,
    t: number,
    weights: ArrayLike<number>,
    base: number,
    mask: readonly boolean[],
  ): Float64Array {
    return this.withWeights(this.marketPart(panel, t, mask), weights, base);
  }

  /** The market features at bar t (weight slots left at 0); depends only on bars <= t, so it can be cached per bar. */
  marketPart(panel: MarketPanel, t: number, mask: readonly boolean[]): Float64Array {
    const cfg = this.cfg;
    const per = featuresPerAsset(cfg);
    const obs = new Float64Array(this.size);
    for (let j = 0; j < this.universe.length; j++) {
      if (!mask[j]) continue;
      const i = this.universe[j]!;
      const off = j * per;
      const close = panel.close[i]!;
      for (let k = 0; k < cfg.returnWindow; k++) {
        const bar = t - cfg.returnWindow + 1 + k;
        obs[off + k] = Math.log(close[bar]! / close[bar - 1]!);
      }
      obs[off + cfg.returnWindow] = stdLogReturn(close, t, cfg.shortVolBars);
      obs[off + cfg.returnWindow + 1] = stdLogReturn(close, t, cfg.longVolBars);
      obs[off + cfg.returnWindow + 2] = 1;
      if (this.forecaster) obs[off + cfg.returnWindow + 4] = this.forecast(panel, i, t);
    }
    return obs;
  }

  /** A copy of `market` with the current weights filled in. */
  withWeights(market: Float64Array, weights: ArrayLike<number>, base: number): Float64Array {
    const per = featuresPerAsset(this.cfg);
    const obs = Float64Array.from(market);
    for (let j = 0; j < this.universe.length; j++)
      obs[j * per + this.cfg.returnWindow + 3] = weights[this.universe[j]!] ?? 0;
    obs[obs.length - 1] = weights[base] ?? 0;
    return obs;
  }

  private forecast(panel: MarketPanel, i: number, t: number): number {
    const key = i * 1_000_000 + t;
    const hit = this.forecastCache.get(key);
    if (hit !== undefined) return hit;
    const r = this.forecaster!.forecastLogReturn(panel.close[i]!, panel.timestamps, t, this.cfg.forecastHorizon);
    const value = Number.isFinite(r) ? r : 0;
    this.forecastCache.set(key, value);
    return value;
  }
}

function complete(close: Float64Array, t: number, bars: number): boolean {
  if (t - bars < 0) return false;
  for (let k = t - bars; k <= t; k++) {
    const v = close[k]!;
    if (!(v > 0) || !Number.isFinite(v)) return false;
  }
  return true;
}

function stdLogReturn(close: Float64Array, t: number, bars: number): number {
  let s = 0;
  let s2 = 0;
  for (let k = t - bars + 1; k <= t; k++) {
    const r = Math.log(close[k]! / close[k - 1]!);
    s += r;
    s2 += r * r;
  }
  const m = s / bars;
  return Math.sqrt(Math.max(0, s2 / bars - m * m));
}
