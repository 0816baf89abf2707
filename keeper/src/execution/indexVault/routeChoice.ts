/**
 * Chooses each leg's route among its token's candidates with the route bandit. Pure: it gets
 * the legs a first sizing (over the primary routes) planned, every candidate's cost model and
 * the bandit's arms, and returns the routes and models the final sizing uses, with a decision
 * per leg (the route, its features and every candidate's score) that is recorded with the fill
 * and lets the keeper update the arm once the fill is reconciled.
 *
 * With impact recalibration on, each candidate set's models carry the refits of their own
 * routes (routeRefits.ts): a candidate's predicted cost is its refitted cost where its route has
 * a refit, and the analytic cost elsewhere. The bandit's arms learn realised minus that
 * prediction, so the refit learns each route's size-dependent impact and price gap and the arm
 * only the residual the refit leaves (and what the refit cannot see: volatility, gas).
 */
import {
  type BanditPolicy,
  type CandidateScore,
  chooseRoute,
  type RouteArm,
  type RouteCandidate,
  type RouteFeatures,
  routeId,
} from "../../market/routeBandit.js";
import { calibrateRoute } from "../../strategy/risk/calibratedRoute.js";
import { type PathRoute, quotePath } from "../../strategy/risk/pathImpact.js";
import type { Routes } from "./planLegs.js";
import type { LegPlan, RouteFit, RouteModels } from "./sizeLegs.js";

/** One candidate set: per asset (index 0 unused) a path and its model, per side. */
export interface CandidateSet {
  readonly routes: Routes;
  readonly models: RouteModels;
}

export interface RouteContext {
  readonly arms: ReadonlyMap<string, RouteArm>;
  readonly policy: BanditPolicy;
  readonly volLevel: number;
  readonly gasGwei: number;
}

export interface RouteDecision {
  readonly asset: number;
  readonly side: "sell" | "buy";
  readonly route: string;
  readonly features: RouteFeatures;
  readonly scores: readonly CandidateScore[];
}

export interface ChosenRoutes {
  readonly routes: Routes;
  readonly models: RouteModels;
  readonly decisions: readonly RouteDecision[];
}

/** `sets[0]` holds the primary routes (sellPath/buyPath); the others the extra candidates. */
export function chooseLegRoutes(
  plans: readonly LegPlan[],
  sets: readonly CandidateSet[],
  context: RouteContext,
): ChosenRoutes {
  const primary = sets[0];
  if (!primary) return { routes: { sell: [], buy: [] }, models: { sell: [], buy: [] }, decisions: [] };
  const routes = { sell: [...primary.routes.sell], buy: [...primary.routes.buy] };
  const models = { ...primary.models, sell: [...primary.models.sell], buy: [...primary.models.buy] };
  // A chosen route brings its own refit (or none): the primary route's never follows the leg.
  const fits = primary.models.fits
    ? { sell: [...primary.models.fits.sell], buy: [...primary.models.fits.buy] }
    : undefined;
  const decisions: RouteDecision[] = [];
  for (const plan of plans) {
    const options = sets.flatMap((set) => {
      const path = set.routes[plan.side][plan.asset];
      const model = set.models[plan.side][plan.asset] ?? null;
      const fit = set.models.fits?.[plan.side][plan.asset] ?? null;
      return path && path !== "0x" && model ? [{ path, model, fit }] : [];
    });
    // Nothing to choose between (or no model to choose with): the primary route as configured.
    if (options.length < 2) continue;
    const candidates: RouteCandidate[] = options.map(({ path, model, fit }) => ({
      id: routeId(plan.side, path),
      predictedCostBps: predictedBps(model, fit, plan.sizeUsd),
      features: {
        sizeOverLiquidity: plan.sizeUsd / thinnestDepth(model),
        volLevel: context.volLevel,
        gasGwei: context.gasGwei,
      },
    }));
    const choice = chooseRoute(candidates, context.arms, context.policy);
    const picked = options[choice.index] ?? options[0];
    const candidate = candidates[choice.index] ?? candidates[0];
    if (!picked || !candidate) continue;
    routes[plan.side][plan.asset] = picked.path;
    models[plan.side][plan.asset] = picked.model;
    if (fits) fits[plan.side][plan.asset] = picked.fit;
    decisions.push({
      asset: plan.asset,
      side: plan.side,
      route: candidate.id,
      features: candidate.features,
      scores: choice.scores,
    });
  }
  return { routes, models: fits ? { ...models, fits } : models, decisions };
}

/**
 * A candidate's predicted cost, bps, as the sizing records it for the leg (sizeLegs.ts): the
 * refitted cost where the route has a refit, its negative offset included (sizing never counts
 * on it, the prediction does), so the arm learns against the same number it is scored with.
 */
function predictedBps(model: PathRoute, fit: RouteFit | null, sizeUsd: number): number {
  if (!fit) return quotePath(model, sizeUsd).totalCost * 10_000;
  return quotePath(calibrateRoute(model, fit), sizeUsd).totalCost * 10_000 + Math.min(0, fit.offsetBps);
}

function thinnestDepth(route: PathRoute): number {
  const depth = Math.min(...route.hops.map((h) => h.liquidity.depthUsd));
  return depth > 0 ? depth : Number.POSITIVE_INFINITY;
}
