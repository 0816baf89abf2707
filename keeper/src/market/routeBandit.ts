/**
 * Route learning: a contextual bandit (LinUCB, one linear arm per route) on the error of the
 * cost model, realised minus predicted cost in bps. Pure and deterministic: the same arms,
 * candidates and features always give the same choice, so a restart that reloads the arms
 * chooses as the process before it would have.
 *
 * Each arm learns a ridge regression of the error on the features [1, leg size / in-range
 * liquidity, volatility level, gas price]; its correction is the regression's estimate and its
 * bonus the upper-confidence width alpha * sqrt(x' A^-1 x), in bps, capped at `maxBonusBps`.
 *
 * Choice rule (docs/operator.md, "Route learning"):
 *   corrected = predicted + correction; best = min corrected over the candidates;
 *   eligible = candidates with corrected <= best + marginBps;
 *   pick = argmin over eligible of corrected - bonus (ties: the earlier candidate).
 * So exploration can never pick a route the model (with what it learned) expects to cost more
 * than `marginBps` above the best one: the bound holds whatever alpha and the bonus cap are.
 */
import { InvalidInputError } from "../core/errors.js";

/** Features of one leg on one route. */
export interface RouteFeatures {
  /** Leg size over the route's thinnest in-range liquidity (USD over USD). */
  readonly sizeOverLiquidity: number;
  /** Volatility level, 0 (very low) .. 4 (very high); 2 (medium) when unknown. */
  readonly volLevel: number;
  /** Gas price, gwei. */
  readonly gasGwei: number;
}

export const FEATURE_COUNT = 4;

/** One route's learned state and metrics (JSON-safe: the store keeps it as is). */
export interface RouteArm {
  /** d x d, row-major: identity (the ridge prior) plus the sum of x x'. */
  readonly a: readonly number[];
  /** Sum of error * x. */
  readonly b: readonly number[];
  /** Times the route was chosen. */
  readonly picks: number;
  /** Fills learned from, and their sums of error, absolute error and regret (bps). */
  readonly updates: number;
  readonly sumError: number;
  readonly sumAbsError: number;
  readonly sumRegret: number;
}

export interface BanditPolicy {
  readonly marginBps: number;
  /** Width of the confidence bonus (0: no exploration). */
  readonly alpha: number;
  readonly maxBonusBps: number;
}

export interface RouteCandidate {
  /** Stable route id (see `routeId`). */
  readonly id: string;
  readonly predictedCostBps: number;
  readonly features: RouteFeatures;
}

export interface CandidateScore {
  readonly id: string;
  readonly predictedCostBps: number;
  readonly correctionBps: number;
  readonly bonusBps: number;
  /** predicted + correction. */
  readonly correctedBps: number;
  readonly eligible: boolean;
}

export interface RouteChoice {
  /** Index of the chosen candidate. */
  readonly index: number;
  readonly scores: readonly CandidateScore[];
}

/** The arm of a route never seen: the ridge prior, no data. */
export function freshArm(): RouteArm {
  const a = Array.from({ length: FEATURE_COUNT * FEATURE_COUNT }, (_, k) => (k % (FEATURE_COUNT + 1) === 0 ? 1 : 0));
  return { a, b: new Array(FEATURE_COUNT).fill(0), picks: 0, updates: 0, sumError: 0, sumAbsError: 0, sumRegret: 0 };
}

/**
 * Feature vector. Scaled so each term is of order one on real legs: size over liquidity as a
 * percentage, gas over 1 gwei (Arbitrum runs near 0.01), volatility levels as they are.
 */
export function featureVector(f: RouteFeatures): number[] {
  return [1, clampFinite(f.sizeOverLiquidity * 100), clampFinite(f.volLevel), clampFinite(f.gasGwei)];
}

function clampFinite(v: number): number {
  return Number.isFinite(v) ? Math.max(-1e3, Math.min(1e3, v)) : 0;
}

/** The arm's correction (bps) and bonus (bps, capped) for features `f`. */
export function armEstimate(
  arm: RouteArm,
  f: RouteFeatures,
  policy: BanditPolicy,
): { correction: number; bonus: number } {
  const x = featureVector(f);
  const aInv = invert(arm.a, FEATURE_COUNT);
  const theta = matVec(aInv, arm.b, FEATURE_COUNT);
  const correction = dot(theta, x);
  const width = Math.sqrt(Math.max(0, dot(x, matVec(aInv, x, FEATURE_COUNT))));
  const bonus = Math.min(policy.maxBonusBps, Math.max(0, policy.alpha * width));
  return { correction, bonus };
}

/** Chooses among `candidates` (at least one) by the rule in the header. */
export function chooseRoute(
  candidates: readonly RouteCandidate[],
  arms: ReadonlyMap<string, RouteArm>,
  policy: BanditPolicy,
): RouteChoice {
  if (candidates.length === 0) throw new InvalidInputError("chooseRoute: no candidate route");
  const raw = candidates.map((c) => {
    const { correction, bonus } = armEstimate(arms.get(c.id) ?? freshArm(), c.features, policy);
    return { c, correction, bonus, corrected: c.predictedCostBps + correction };
  });
  const best = Math.min(...raw.map((r) => (Number.isFinite(r.corrected) ? r.corrected : Number.POSITIVE_INFINITY)));
  const scores = raw.map(
    (r): CandidateScore => ({
      id: r.c.id,
      predictedCostBps: r.c.predictedCostBps,
      correctionBps: r.correction,
      bonusBps: r.bonus,
      correctedBps: r.corrected,
      eligible: Number.isFinite(r.corrected) && r.corrected <= best + policy.marginBps,
    }),
  );
  let index = -1;
  let bestScore = Number.POSITIVE_INFINITY;
  scores.forEach((s, k) => {
    const score = s.correctedBps - s.bonusBps;
    if (s.eligible && score < bestScore) {
      bestScore = score;
      index = k;
    }
  });
  // No finite prediction at all: keep the first (configured primary) route.
  return { index: Math.max(index, 0), scores };
}

/** The arm with one more pick. */
export function recordPick(arm: RouteArm): RouteArm {
  return { ...arm, picks: arm.picks + 1 };
}

/**
 * The arm after one reconciled fill: `errorBps` = realised - predicted cost, `regretBps` =
 * realised cost minus the best realised-cost estimate over the leg's candidates (0 when the
 * chosen route was the best).
 */
export function learn(arm: RouteArm, f: RouteFeatures, errorBps: number, regretBps: number): RouteArm {
  if (!Number.isFinite(errorBps)) return arm;
  const x = featureVector(f);
  const a = arm.a.map((v, k) => v + (x[Math.floor(k / FEATURE_COUNT)] ?? 0) * (x[k % FEATURE_COUNT] ?? 0));
  const b = arm.b.map((v, k) => v + errorBps * (x[k] ?? 0));
  return {
    ...arm,
    a,
    b,
    updates: arm.updates + 1,
    sumError: arm.sumError + errorBps,
    sumAbsError: arm.sumAbsError + Math.abs(errorBps),
    sumRegret: arm.sumRegret + (Number.isFinite(regretBps) ? Math.max(0, regretBps) : 0),
  };
}

/** A route's metrics for the API and the gauges. */
export interface RouteMetrics {
  readonly route: string;
  readonly picks: number;
  readonly updates: number;
  readonly meanErrorBps: number | null;
  readonly meanAbsErrorBps: number | null;
  readonly regretBps: number;
}

export function routeMetrics(route: string, arm: RouteArm): RouteMetrics {
  const n = arm.updates;
  return {
    route,
    picks: arm.picks,
    updates: n,
    meanErrorBps: n > 0 ? arm.sumError / n : null,
    meanAbsErrorBps: n > 0 ? arm.sumAbsError / n : null,
    regretBps: arm.sumRegret,
  };
}

/** Route id: the direction and the path bytes, lower case (one arm per path and side). */
export function routeId(side: "sell" | "buy", path: string): string {
  return `${side}:${path.toLowerCase()}`;
}

/** A stored arm, checked: the right dimensions and finite numbers, or an InvalidInputError. */
export function parseArm(value: unknown): RouteArm {
  const o = value as Partial<RouteArm> | null;
  const nums = (v: unknown, n: number) =>
    Array.isArray(v) && v.length === n && v.every((x) => typeof x === "number" && Number.isFinite(x));
  const num = (v: unknown) => typeof v === "number" && Number.isFinite(v);
  if (
    !o ||
    !nums(o.a, FEATURE_COUNT * FEATURE_COUNT) ||
    !nums(o.b, FEATURE_COUNT) ||
    !num(o.picks) ||
    !num(o.updates) ||
    !num(o.sumError) ||
    !num(o.sumAbsError) ||
    !num(o.sumRegret)
  )
    throw new InvalidInputError("route arm: malformed stored state");
  return o as RouteArm;
}

function dot(a: readonly number[], b: readonly number[]): number {
  return a.reduce((s, v, k) => s + v * (b[k] ?? 0), 0);
}

function matVec(m: readonly number[], v: readonly number[], n: number): number[] {
  return Array.from({ length: n }, (_, r) => dot(m.slice(r * n, r * n + n), v));
}

/** Gauss-Jordan inverse with partial pivoting; A is identity + a sum of outer products (SPD). */
function invert(m: readonly number[], n: number): number[] {
  const a = [...m];
  const inv: number[] = Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? 1 : 0));
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r * n + c] ?? 0) > Math.abs(a[p * n + c] ?? 0)) p = r;
    if (p !== c)
      for (let k = 0; k < n; k++) {
        [a[c * n + k], a[p * n + k]] = [a[p * n + k] ?? 0, a[c * n + k] ?? 0];
        [inv[c * n + k], inv[p * n + k]] = [inv[p * n + k] ?? 0, inv[c * n + k] ?? 0];
      }
    const pivot = a[c * n + c] ?? 1;
    for (let k = 0; k < n; k++) {
      a[c * n + k] = (a[c * n + k] ?? 0) / pivot;
      inv[c * n + k] = (inv[c * n + k] ?? 0) / pivot;
    }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r * n + c] ?? 0;
      if (f === 0) continue;
      for (let k = 0; k < n; k++) {
        a[r * n + k] = (a[r * n + k] ?? 0) - f * (a[c * n + k] ?? 0);
        inv[r * n + k] = (inv[r * n + k] ?? 0) - f * (inv[c * n + k] ?? 0);
      }
    }
  }
  return inv;
}

/** One reconciled leg the bandit chose a route for. */
export interface LearnedLeg {
  readonly route: string;
  readonly features: RouteFeatures;
  /** Every candidate's score when the route was chosen. */
  readonly scores: readonly CandidateScore[];
  readonly predictedCostBps: number;
  readonly realisedCostBps: number;
}

/**
 * The arms after a cycle's reconciled legs: each chosen arm gets a pick and learns its error
 * (realised - predicted). Regret is estimated: only the chosen route was traded, so the others'
 * realised costs are their corrected predictions when the leg was chosen; regret is the realised
 * cost above the best of those (or 0). Returns only the arms that changed.
 */
export function learnLegs(arms: ReadonlyMap<string, RouteArm>, legs: readonly LearnedLeg[]): Map<string, RouteArm> {
  const changed = new Map<string, RouteArm>();
  for (const leg of legs) {
    if (!Number.isFinite(leg.predictedCostBps) || !Number.isFinite(leg.realisedCostBps)) continue;
    const others = leg.scores.filter((s) => s.id !== leg.route && Number.isFinite(s.correctedBps));
    const bestOther = Math.min(...others.map((s) => s.correctedBps));
    const regret = Math.max(0, leg.realisedCostBps - Math.min(leg.realisedCostBps, bestOther));
    const arm = changed.get(leg.route) ?? arms.get(leg.route) ?? freshArm();
    changed.set(leg.route, learn(recordPick(arm), leg.features, leg.realisedCostBps - leg.predictedCostBps, regret));
  }
  return changed;
}
