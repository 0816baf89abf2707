/**
 * Impact recalibration from the keeper's own fills: the store's legs (predicted and realised
 * cost each) become observations per route, fitted by market/impactCalibration.ts. A route is
 * a side and its Uniswap path (`routeId`, the route bandit's arm id), so two routes of one
 * token pair (direct, or through WETH) get separate fits and a refit is only ever applied to
 * the route it was fitted on. The fee of each route comes from its path bytes, so the fit
 * separates the fee (known exactly) from the impact and the price gap it learns.
 */

import { decodePath } from "../execution/indexVault/rebalanceOrder.js";
import type { ImpactFit } from "../market/impactCalibration.js";
import { type FillObservation, type FitOptions, fitImpactModels, routeKey } from "../market/impactCalibration.js";
import { routeId } from "../market/routeBandit.js";
import type { LegRecord, RefitView } from "./readModel.js";

export interface RoutedToken {
  readonly address: string;
  readonly sellPath: string;
  readonly buyPath: string;
}

/** A route id's side, path tokens (trade order), hop fee tiers and fee in bps (1 - product of (1 - fee) over its hops). */
export interface RouteShape {
  readonly side: "sell" | "buy";
  readonly tokens: readonly string[];
  /** Each hop's fee tier, hundredths of a bip (500 = 0.05%). */
  readonly fees: readonly number[];
  readonly feeBps: number;
}

/** The shape of `sell:<path>` / `buy:<path>`; null for anything else (a malformed or empty path). */
export function routeShape(id: string): RouteShape | null {
  const [side, path, ...rest] = id.split(":");
  if ((side !== "sell" && side !== "buy") || path === undefined || rest.length > 0) return null;
  let decoded: { tokens: string[]; fees: number[] };
  try {
    decoded = decodePath(path);
  } catch {
    return null;
  }
  const keep = decoded.fees.reduce((f, fee) => f * (1 - fee / 1_000_000), 1);
  return { side, tokens: decoded.tokens, fees: decoded.fees, feeBps: (1 - keep) * 10_000 };
}

/**
 * The configured primary route (sellPath / buyPath) of every token pair, by pair key
 * (`routeKey(tokenIn, tokenOut)`). It is the route of a fill that records none: fills made
 * before route learning, with it off, or on a leg with a single candidate.
 */
export function defaultRoutes(tokens: readonly RoutedToken[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of tokens) {
    for (const [side, path] of [
      ["sell", t.sellPath],
      ["buy", t.buyPath],
    ] as const) {
      const shape = path && path !== "0x" ? routeShape(routeId(side, path)) : null;
      if (!shape) continue;
      const key = routeKey(shape.tokens[0] as string, shape.tokens[shape.tokens.length - 1] as string);
      if (!out.has(key)) out.set(key, routeId(side, path));
    }
  }
  return out;
}

/** The route a stored fill took: the one it records, else its pair's configured primary route. */
export function fillRoute(
  leg: Pick<LegRecord, "route" | "tokenIn" | "tokenOut">,
  defaults: ReadonlyMap<string, string>,
) {
  return leg.route ?? defaults.get(routeKey(leg.tokenIn, leg.tokenOut)) ?? null;
}

/**
 * Store legs as fit observations keyed by route id. Left out: legs without both costs, legs
 * whose pair has no configured route (and none recorded), and legs whose recorded route does
 * not start and end at the leg's tokens (a store that does not match the config). The
 * prediction is always the analytic model's (`analyticCostBps`), never a refitted one: a fit
 * on refitted predictions would fit the previous fit's error and drift.
 */
export function fillObservations(legs: readonly LegRecord[], tokens: readonly RoutedToken[]): FillObservation[] {
  const defaults = defaultRoutes(tokens);
  return legs.flatMap((leg) => {
    const route = fillRoute(leg, defaults);
    const shape = route === null ? null : routeShape(route);
    if (route === null || shape === null || leg.analyticCostBps === null || leg.realisedCostBps === null) return [];
    const ends = routeKey(shape.tokens[0] as string, shape.tokens[shape.tokens.length - 1] as string);
    if (ends !== routeKey(leg.tokenIn, leg.tokenOut)) return [];
    return [
      {
        poolKey: route,
        feeBps: shape.feeBps,
        predictedCostBps: leg.analyticCostBps,
        realisedCostBps: leg.realisedCostBps,
      },
    ];
  });
}

/** Fits per route id from costed fills. */
export function calibrateFromLegs(
  legs: readonly LegRecord[],
  tokens: readonly RoutedToken[],
  opts: FitOptions = {},
): Map<string, ImpactFit> {
  return fitImpactModels(fillObservations(legs, tokens), opts);
}

/** `planning.impactRecalibration` (keeperConfig.ts). */
export interface RecalibrationSettings {
  readonly enabled: boolean;
  readonly priorFills: number;
  readonly minFills: number;
  readonly maxFills: number;
}

/**
 * The refits a live cycle sizes with, by route id: fitted on the store's latest `maxFills`
 * costed fills, keeping the routes with at least `minFills` of them. Undefined when
 * recalibration is off, so the venue sizes with the analytic model and says nothing.
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

/** The refits as the read model shows them, by route id (a refit of an unreadable id is left out). */
export function refitViews(fits: ReadonlyMap<string, ImpactFit>): RefitView[] {
  return [...fits.values()].flatMap((fit) => {
    const shape = routeShape(fit.poolKey);
    if (!shape) return [];
    const { fills, scale, offsetBps, weight } = fit;
    return [{ route: fit.poolKey, side: shape.side, fills, scale, offsetBps, weight }];
  });
}
