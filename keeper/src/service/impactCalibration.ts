/**
 * Impact recalibration from the keeper's own fills: the store's legs (predicted and realised
 * cost each) become observations per pool route, fitted by market/impactCalibration.ts. The
 * fee of each route comes from the configured Uniswap paths, so the fit separates the fee
 * (known exactly) from the impact and the price gap it learns.
 */

import { decodePath } from "../execution/indexVault/rebalanceOrder.js";
import type { ImpactFit } from "../market/impactCalibration.js";
import { type FillObservation, type FitOptions, fitImpactModels, routeKey } from "../market/impactCalibration.js";
import type { LegRecord } from "./readModel.js";

export interface RoutedToken {
  readonly address: string;
  readonly sellPath: string;
  readonly buyPath: string;
}

// Re-exported: the route key is the market model's, the service's callers use it from here.
export { routeKey };

/** Fees in bps of every configured route (1 - product of (1 - fee) over its hops), by route key. */
export function routeFeesBps(tokens: readonly RoutedToken[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of tokens) {
    for (const path of [t.sellPath, t.buyPath]) {
      if (!path || path === "0x") continue;
      const { tokens: hops, fees } = decodePath(path);
      const keep = fees.reduce((f, fee) => f * (1 - fee / 1_000_000), 1);
      out.set(routeKey(hops[0] as string, hops[hops.length - 1] as string), (1 - keep) * 10_000);
    }
  }
  return out;
}

/**
 * Store legs as fit observations; legs of a route that is not configured are left out. The
 * prediction is always the analytic model's (`analyticCostBps`), never a refitted one: a fit
 * on refitted predictions would fit the previous fit's error and drift.
 */
export function fillObservations(legs: readonly LegRecord[], fees: ReadonlyMap<string, number>): FillObservation[] {
  return legs.flatMap((leg) => {
    const key = routeKey(leg.tokenIn, leg.tokenOut);
    const feeBps = fees.get(key);
    if (feeBps === undefined || leg.analyticCostBps === null || leg.realisedCostBps === null) return [];
    return [{ poolKey: key, feeBps, predictedCostBps: leg.analyticCostBps, realisedCostBps: leg.realisedCostBps }];
  });
}

/** Fits from the latest `limit` costed fills in the store. */
export function calibrateFromLegs(
  legs: readonly LegRecord[],
  tokens: readonly RoutedToken[],
  opts: FitOptions = {},
): Map<string, ImpactFit> {
  return fitImpactModels(fillObservations(legs, routeFeesBps(tokens)), opts);
}

/** `planning.impactRecalibration` (keeperConfig.ts). */
export interface RecalibrationSettings {
  readonly enabled: boolean;
  readonly priorFills: number;
  readonly minFills: number;
  readonly maxFills: number;
}

/**
 * The refits a live cycle sizes with: fitted on the store's latest `maxFills` costed fills,
 * keeping the routes with at least `minFills` of them. Undefined when recalibration is off,
 * so the venue sizes with the analytic model and says nothing.
 */
export async function liveImpactFits(
  store: { costedLegs(limit: number): Promise<readonly LegRecord[]> },
  tokens: readonly RoutedToken[],
  settings: RecalibrationSettings,
): Promise<ReadonlyMap<string, ImpactFit> | undefined> {
  if (!settings.enabled) return undefined;
  const fits = calibrateFromLegs(await store.costedLegs(settings.maxFills), tokens, {
    priorFills: settings.priorFills,
  });
  return new Map([...fits].filter(([, fit]) => fit.fills >= settings.minFills));
}
