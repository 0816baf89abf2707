/**
 * The search space: every strategy family with its hyper-parameter grid, crossed with the
 * rebalance schedules. Families whose decisions do not depend on a schedule (buy-and-hold,
 * single assets, the volatility overlay that sets its own interval) get one configuration.
 * Every candidate has a stable id so a cached selection can be rebuilt exactly.
 */
import type { MarketPanel, Strategy } from "../core/types.js";
import { CrossSectionalMomentumStrategy } from "../strategy/baselines/crossSectionalMomentum.js";
import { InverseVolatilityStrategy } from "../strategy/baselines/inverseVolatility.js";
import { MarketCapProxyStrategy } from "../strategy/baselines/marketCapProxy.js";
import { MinimumVarianceStrategy } from "../strategy/baselines/minimumVariance.js";
import { buyAndHold, equalWeight, singleAsset } from "../strategy/baselines/simple.js";
import { TimeSeriesMomentumStrategy } from "../strategy/baselines/timeSeriesMomentum.js";
import { forecastReturnModel } from "../strategy/forecast/forecastReturnModel.js";
import { MeanVarianceStrategy } from "../strategy/meanVarianceStrategy.js";
import { VolRegimeOverlay } from "../strategy/risk/volRegimeOverlay.js";
import type { ResearchConfig, Schedule } from "./researchConfig.js";

export interface Candidate {
  readonly id: string;
  readonly family: string;
  readonly params: Readonly<Record<string, number | string | boolean>>;
  readonly schedule: Schedule;
  /** References that stand for an asset itself run without the vault's per-asset cap. */
  readonly uncapped: boolean;
  /** A fresh strategy instance (strategies may keep per-run state). */
  make(panel: MarketPanel): Strategy;
}

/** Families that are references, not candidates for "the chosen configuration". */
export const REFERENCE_FAMILIES = new Set(["buy-and-hold", "single-BTC", "single-ETH"]);

export function buildCandidates(cfg: ResearchConfig): Candidate[] {
  const out: Candidate[] = [];
  const base = cfg.baseSymbol;
  // Parameters below are in days; `day` turns them into bars (ids keep the days).
  const day = cfg.barsPerDay;
  const DAILY: Schedule = { label: "24h", decideEveryBars: day };
  const add = (
    family: string,
    params: Record<string, number | string | boolean>,
    schedules: readonly Schedule[],
    make: (panel: MarketPanel) => Strategy,
    uncapped = false,
  ) => {
    if (cfg.families && !cfg.families.includes(family)) return;
    for (const schedule of schedules) {
      const p = Object.entries(params)
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
      out.push({ id: `${family}(${p})@${schedule.label}`, family, params, schedule, uncapped, make });
    }
  };
  const S = cfg.schedules;
  // The mean-variance defaults (90-day lookback, 7-day horizon) and the overlay's intervals
  // (days between decisions per volatility level), in bars.
  const mvDays = day === 1 ? {} : { lookback: 90 * day, horizonBars: 7 * day };
  const overlayIntervals = {
    "very-low": 14 * day,
    low: 7 * day,
    medium: 7 * day,
    high: 3 * day,
    "very-high": 1 * day,
  };
  add("buy-and-hold", {}, [DAILY], () => buyAndHold({ baseSymbol: base }));
  add("single-BTC", {}, [DAILY], () => singleAsset("BTC"), true);
  add("single-ETH", {}, [DAILY], () => singleAsset("ETH"), true);
  add("equal-weight", {}, S, () => equalWeight({ baseSymbol: base, rebalanceEveryBars: 1 }));
  for (const lookback of [30, 90]) {
    add(
      "inverse-vol",
      { lookback },
      S,
      () => new InverseVolatilityStrategy({ lookback: lookback * day, maxWeight: 0.4, baseSymbol: base }),
    );
  }
  for (const lookback of [60, 120]) {
    add(
      "min-variance",
      { lookback },
      S,
      () => new MinimumVarianceStrategy({ lookback: lookback * day, costPerUnit: 0.003, baseSymbol: base }),
    );
  }
  for (const lookback of [14, 30, 60]) {
    add(
      "ts-momentum",
      { lookback },
      S,
      () => new TimeSeriesMomentumStrategy({ lookback: lookback * day, baseSymbol: base }),
    );
    add(
      "cs-momentum",
      { lookback },
      S,
      () => new CrossSectionalMomentumStrategy({ lookback: lookback * day, baseSymbol: base }),
    );
  }
  add(
    "cap-proxy",
    { lookback: 30 },
    S,
    () => new MarketCapProxyStrategy({ lookback: 30 * day, maxWeight: 0.4, baseSymbol: base }),
  );
  for (const riskAversion of [2, 5, 10]) {
    for (const meanShrink of [0, 0.5]) {
      add(
        "mean-variance",
        { riskAversion, meanShrink },
        S,
        () => new MeanVarianceStrategy({ riskAversion, meanShrink, baseSymbol: base, ...mvDays }),
      );
      add(
        "mean-variance+yield",
        { riskAversion, meanShrink },
        S,
        () =>
          new MeanVarianceStrategy({
            riskAversion,
            meanShrink,
            yields: cfg.lstYields,
            yieldAccrual: cfg.lstYieldAccrual,
            panelYields: true,
            baseSymbol: base,
            ...mvDays,
          }),
      );
    }
  }
  for (const riskAversion of [2, 5, 10]) {
    add(
      "mean-variance+forecast",
      { riskAversion },
      S,
      () =>
        new MeanVarianceStrategy(
          { riskAversion, baseSymbol: base, ...mvDays },
          forecastReturnModel({ horizon: 7 * day, shrink: 0.5 }),
          `mean-variance+forecast(g=${riskAversion})`,
        ),
    );
  }
  for (const lookback of [30, 90]) {
    add(
      "inverse-vol+vol-overlay",
      { lookback },
      [DAILY],
      () =>
        new VolRegimeOverlay(
          new InverseVolatilityStrategy({ lookback: lookback * day, maxWeight: 0.4, baseSymbol: base }),
          { baseSymbol: base, intervalBars: overlayIntervals },
        ),
    );
  }
  return out;
}
