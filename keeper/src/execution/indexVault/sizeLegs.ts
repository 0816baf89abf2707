/**
 * Sizes a rebalance's swap legs with the price-impact model. Pure: it sees the vault's
 * snapshot (balances, Chainlink prices), the target weights and, per asset, the cost model of
 * its sell and buy routes (fee tiers and per-hop liquidity read from the pools).
 *
 * - Sells of overweight assets come first, then buys of underweight ones with the base asset.
 * - Each leg's cost (fees + impact, vs the pools' mid prices) is predicted, in execution
 *   order: a pool an earlier leg of the order already pushed (a shared WETH/USDC hub) is
 *   priced at the margin of that flow. A buy spends the value it lacks less its own predicted
 *   cost, instead of a fixed haircut.
 * - The vault checks every leg against its Chainlink value less the order's `maxSlippageBps`
 *   and reverts the whole order when one falls short. A leg predicted to cost more than
 *   `maxSlippageBps - marginBps` is shrunk to the largest size that fits; the order then signs
 *   the weights the shrunk legs are expected to reach (the vault checks post-trade weights
 *   against the signed ones) and the plan is reported as partial: later cycles do the rest.
 * - Buys never spend more than the base asset held plus the sells' predicted proceeds (less
 *   the margin).
 * - Every leg with a prediction signs a minimum output: its oracle value less the predicted
 *   cost and `quoteToleranceBps` (see legMinimum.ts); the vault never fills it below that.
 * - With a refit of a route from the keeper's own fills (`models.fits`), the leg is sized and
 *   priced with the refitted model (strategy/risk/calibratedRoute.ts); the analytic model's
 *   cost of the same leg is kept beside it, for later refits to fit on.
 * - A route without a model (unknown liquidity) falls back to the fixed haircuts
 *   (`buyHaircutBps` on buys, `sellHaircutBps` on expected sell proceeds), and says so.
 */
import { InvalidInputError } from "../../core/errors.js";
import { BPS, mulDiv, toNumber } from "../../core/fixed.js";
import type { ImpactFit } from "../../market/impactCalibration.js";
import type { CandidateScore, RouteFeatures } from "../../market/routeBandit.js";
import { calibrateRoute } from "../../strategy/risk/calibratedRoute.js";
import { addFlows, type Flows, maxPathSize, type PathRoute, quotePath } from "../../strategy/risk/pathImpact.js";
import { toBps } from "../portfolioManager.js";
import { legMinimum } from "./legMinimum.js";
import type { PortfolioSnapshot, Routes } from "./planLegs.js";
import type { SwapLeg } from "./rebalanceOrder.js";

/** Cost models per asset and direction (index 0 unused); null where the liquidity is unknown. */
export interface RouteModels {
  readonly sell: readonly (PathRoute | null)[];
  readonly buy: readonly (PathRoute | null)[];
  /** Why a model is missing, per asset (for the report). */
  readonly unknown?: readonly (string | null)[];
  /** Asset labels for notes (symbols); addresses otherwise. */
  readonly labels?: readonly string[];
  /**
   * Refits of the routes from the keeper's own fills (impact recalibration), per asset and
   * direction; null or absent where the analytic model stands.
   */
  readonly fits?: { readonly sell: readonly (RouteFit | null)[]; readonly buy: readonly (RouteFit | null)[] };
}

/** What sizing needs of a refit (market/impactCalibration.ts). */
export type RouteFit = Pick<ImpactFit, "scale" | "offsetBps">;

export interface SizingOptions {
  /** Trades smaller than this many bps of NAV are skipped (they cost more gas than they fix). */
  readonly minTradeBps?: number;
  /** Fallback haircut on buys whose route has no model. */
  readonly buyHaircutBps?: number;
  /**
   * Fallback haircut on the proceeds of sells whose route has no model. Without it (and with
   * such a sell) buys are not limited to the base asset available.
   */
  readonly sellHaircutBps?: number;
  /** The order's signed slippage: legs predicted to cost more are shrunk. */
  readonly maxSlippageBps?: number;
  /** Safety margin below `maxSlippageBps` and on predicted sell proceeds. */
  readonly marginBps?: number;
  /**
   * Tolerance of each leg's signed minimum output below its predicted fill (oracle value less
   * predicted cost); defaults to `marginBps`.
   */
  readonly quoteToleranceBps?: number;
  /** Assets sold in full whatever the minimum trade size (a rotation is removing them). */
  readonly exit?: ReadonlySet<number>;
}

export interface LegPlan {
  /** Index of the traded asset in the snapshot. */
  readonly asset: number;
  readonly side: "sell" | "buy";
  readonly amountIn: bigint;
  /** Oracle value of the leg's input, USD. */
  readonly sizeUsd: number;
  /** What the leg would have been without a cap, USD. */
  readonly wantedUsd: number;
  /** Predicted fees + impact in bps of the leg's value (refitted when a fit applies); null when the liquidity is unknown. */
  readonly predictedCostBps: number | null;
  /**
   * The analytic model's cost of the same leg, bps. Refits always fit on it, never on a
   * refitted prediction (a fit of a fit would drift). Equals `predictedCostBps` without a fit.
   */
  readonly analyticCostBps: number | null;
  readonly capped: boolean;
  /**
   * The route the bandit chose for this leg (route learning on and more than one candidate):
   * its id, the features it was chosen on and every candidate's score, for learning once the
   * fill is reconciled.
   */
  readonly route?: LegRoute;
}

export interface LegRoute {
  readonly id: string;
  readonly features: RouteFeatures;
  readonly scores: readonly CandidateScore[];
}

export interface SizedPlan {
  readonly legs: SwapLeg[];
  /** One per leg, same order. */
  readonly plans: LegPlan[];
  /** What the order signs: the targets, or the expected post-trade weights when partial. */
  readonly targetWeightsBps: number[];
  /** True when a leg was shrunk or dropped by the slippage cap. */
  readonly partial: boolean;
  /** Predicted execution cost of all legs with a model, USD. */
  readonly predictedCostUsd: number;
  readonly notes: string[];
}

const FRACTION_SCALE = 10n ** 12n;

export function sizeLegs(
  snapshot: PortfolioSnapshot,
  targetWeightsBps: readonly number[],
  routes: Routes,
  models: RouteModels,
  options: SizingOptions = {},
): SizedPlan {
  const n = snapshot.assets.length;
  if (targetWeightsBps.length !== n) throw new InvalidInputError("sizeLegs: one target per asset", { n });
  if (targetWeightsBps.reduce((a, b) => a + b, 0) !== 10_000)
    throw new InvalidInputError("sizeLegs: targets must sum to 10000");
  const baseDecimals = snapshot.decimals[0] ?? 6;
  const baseUsd = toNumber(snapshot.pricesUsd[0] ?? 100_000_000n, 8);
  const usd = (v: bigint) => toNumber(v, baseDecimals) * baseUsd;
  const minTrade = mulDiv(snapshot.nav, BigInt(options.minTradeBps ?? 10), BPS);
  const margin = options.marginBps ?? 50;
  const budget = options.maxSlippageBps === undefined ? null : (options.maxSlippageBps - margin) / 10_000;
  const label = (i: number) => models.labels?.[i] ?? snapshot.assets[i] ?? `asset ${i}`;
  const notes: string[] = [];
  const fallback = (i: number, what: string) =>
    notes.push(`${label(i)}: liquidity unknown (${models.unknown?.[i] ?? "no model"}), ${what}`);
  const dropped = (i: number, side: string) =>
    notes.push(`${label(i)}: ${side} dropped (nothing fits the slippage budget)`);

  // What each asset needs, before costs: sells of what is over target, buys of what is under.
  const wantSells: { i: number; amount: bigint; balance: bigint; current: bigint; exiting: boolean }[] = [];
  const wantBuys: { i: number; diff: bigint }[] = [];
  for (let i = 1; i < n; i++) {
    const target = mulDiv(snapshot.nav, BigInt(targetWeightsBps[i] ?? 0), BPS);
    const current = snapshot.valuesInBase[i] ?? 0n;
    const balance = snapshot.balances[i] ?? 0n;
    const diff = target - current;
    const exiting = options.exit?.has(i) === true && balance > 0n;
    if (exiting || (diff < 0n && -diff >= minTrade)) {
      // Selling everything when the target is zero avoids leaving dust.
      const wanted = target === 0n || exiting ? balance : mulDiv(balance, -diff, current);
      const amount = wanted > balance ? balance : wanted;
      if (amount > 0n) wantSells.push({ i, amount, balance, current, exiting });
    } else if (diff > 0n && diff >= minTrade) {
      wantBuys.push({ i, diff });
    }
  }

  let flows: Flows = new Map();
  let partial = false;
  const sells: Sized[] = [];
  let proceeds = 0;
  let proceedsKnown = true;
  for (const w of wantSells) {
    const { i, balance, current } = w;
    let amount = w.amount;
    const baseValue = (units: bigint) => (current === 0n || balance === 0n ? 0n : mulDiv(current, units, balance));
    const wantedUsd = usd(baseValue(amount));
    const analytic = models.sell[i] ?? null;
    const fit = models.fits?.sell[i] ?? null;
    const route = sizingRoute(analytic, fit);
    let cost: number | null = null;
    let capped = false;
    if (route) {
      const sized = capToBudget(route, wantedUsd, budget, flows);
      cost = sized.cost;
      if (sized.usd < wantedUsd) {
        capped = true;
        partial = true;
        amount = scale(amount, sized.usd / wantedUsd);
        notes.push(capNote(label(i), "sell", wantedUsd, sized.usd, budget));
      }
    } else if (options.sellHaircutBps === undefined) {
      proceedsKnown = false;
    } else {
      fallback(i, `sell proceeds assumed ${options.sellHaircutBps} bps below oracle value`);
    }
    const valueBase = baseValue(amount);
    if (amount === 0n || (capped && !w.exiting && valueBase < minTrade)) {
      dropped(i, "sell");
      continue;
    }
    const sizeUsd = usd(valueBase);
    const analyticCost = analytic && fit ? quotePath(analytic, sizeUsd, flows).totalCost : cost;
    if (analytic) flows = addFlows(analytic, sizeUsd, flows);
    proceeds +=
      sizeUsd * (route ? (1 - (cost ?? 0)) * (1 - margin / 10_000) : 1 - (options.sellHaircutBps ?? 0) / 10_000);
    sells.push({
      leg: { path: routeAt(routes.sell, i), amountIn: amount },
      plan: planOf(
        i,
        "sell",
        amount,
        sizeUsd,
        wantedUsd,
        cost === null ? null : cost + credit(fit),
        analyticCost,
        capped,
      ),
    });
  }

  // Buys spend the missing value less their predicted cost (the model's haircut) or the
  // fixed fallback haircut, scaled together to what the vault will hold after the sells.
  const spend = wantBuys.map(({ i, diff }) => {
    const route = sizingRoute(models.buy[i] ?? null, models.fits?.buy[i] ?? null);
    if (!route) {
      const haircut = options.buyHaircutBps ?? 50;
      fallback(i, `fixed ${haircut} bps buy haircut`);
      return mulDiv(diff, BPS - BigInt(haircut), BPS);
    }
    const cost = quotePath(route, usd(diff), flows).totalCost;
    return Number.isFinite(cost) ? scale(diff, 1 - cost) : diff;
  });
  const wanted = spend.reduce((a, b) => a + b, 0n);
  const available = proceedsKnown ? (snapshot.balances[0] ?? 0n) + usdToBase(proceeds, baseDecimals, baseUsd) : null;
  const funded = available !== null && wanted > available ? available : wanted;
  if (funded < wanted) notes.push(`buys scaled to ${ratio(funded, wanted)}: base asset available after the sells`);
  const buys: Sized[] = [];
  wantBuys.forEach(({ i, diff }, k) => {
    const analytic = models.buy[i] ?? null;
    const fit = models.fits?.buy[i] ?? null;
    const route = sizingRoute(analytic, fit);
    const wantedUsd = usd(diff);
    let amountIn = funded < wanted ? mulDiv(spend[k] ?? 0n, funded, wanted) : (spend[k] ?? 0n);
    let cost: number | null = null;
    let capped = false;
    if (route) {
      const spendUsd = usd(amountIn);
      const sized = capToBudget(route, spendUsd, budget, flows);
      cost = sized.cost;
      if (sized.usd < spendUsd) {
        capped = true;
        partial = true;
        amountIn = scale(amountIn, sized.usd / spendUsd);
        notes.push(capNote(label(i), "buy", spendUsd, sized.usd, budget));
      }
    }
    if (amountIn === 0n || (capped && amountIn < minTrade)) {
      dropped(i, "buy");
      return;
    }
    const analyticCost = analytic && fit ? quotePath(analytic, usd(amountIn), flows).totalCost : cost;
    if (analytic) flows = addFlows(analytic, usd(amountIn), flows);
    buys.push({
      leg: { path: routeAt(routes.buy, i), amountIn },
      plan: planOf(
        i,
        "buy",
        amountIn,
        usd(amountIn),
        wantedUsd,
        cost === null ? null : cost + credit(fit),
        analyticCost,
        capped,
      ),
    });
  });

  const all = [...sells, ...buys];
  const predictedCostUsd = all.reduce(
    (s, x) => s + (x.plan.predictedCostBps === null ? 0 : (x.plan.sizeUsd * x.plan.predictedCostBps) / 10_000),
    0,
  );
  const tolerance = options.quoteToleranceBps ?? margin;
  const slippage = options.maxSlippageBps ?? 10_000;
  return {
    legs: all.map(({ leg, plan }) => {
      const [iIn, iOut] = plan.side === "sell" ? [plan.asset, 0] : [0, plan.asset];
      const minAmountOut = legMinimum(snapshot, iIn, iOut, leg.amountIn, plan.predictedCostBps, tolerance, slippage);
      return { ...leg, minAmountOut };
    }),
    plans: all.map((x) => x.plan),
    targetWeightsBps: partial ? expectedWeights(snapshot, all, usd) : [...targetWeightsBps],
    partial,
    predictedCostUsd,
    notes,
  };
}

/**
 * The model a leg is sized with: the analytic route, or its refit. Flows between legs stay on
 * the analytic route: they describe what the pools hold, which a refit does not change.
 */
function sizingRoute(analytic: PathRoute | null, fit: RouteFit | null): PathRoute | null {
  return analytic && fit ? calibrateRoute(analytic, fit) : analytic;
}

/**
 * A refit's negative offset (the pool paying above the oracle): sizing never counts on it
 * (calibratedFee leaves it out), but the leg's predicted cost includes it, so the prediction
 * is the refit's whole estimate and the minimum output (legMinimum floors the cost at zero)
 * stays as safe as without it.
 */
function credit(fit: RouteFit | null): number {
  return fit ? Math.min(0, fit.offsetBps) / 10_000 : 0;
}

interface Sized {
  readonly leg: Omit<SwapLeg, "minAmountOut">;
  readonly plan: LegPlan;
}

/** Largest size <= wantedUsd whose predicted cost after `flows` fits the budget (no budget: no cap). */
function capToBudget(
  route: PathRoute,
  wantedUsd: number,
  budget: number | null,
  flows: Flows,
): { usd: number; cost: number } {
  const cost = quotePath(route, wantedUsd, flows).totalCost;
  if (budget === null || (Number.isFinite(cost) && cost <= budget)) return { usd: wantedUsd, cost };
  if (!(budget > 0)) return { usd: 0, cost: Number.NaN };
  const usd = maxPathSize(route, budget, {
    maxSizeUsd: wantedUsd,
    toleranceUsd: Math.max(0.01, wantedUsd * 1e-6),
    prior: flows,
  });
  return { usd, cost: usd > 0 ? quotePath(route, usd, flows).totalCost : Number.NaN };
}

/** Weights after the legs if every leg loses its predicted cost (nothing where the cost is unknown). */
function expectedWeights(
  snapshot: PortfolioSnapshot,
  legs: readonly { plan: LegPlan }[],
  usd: (v: bigint) => number,
): number[] {
  const values = snapshot.valuesInBase.map((v) => usd(v));
  for (const { plan } of legs) {
    const kept = 1 - (plan.predictedCostBps ?? 0) / 10_000;
    if (plan.side === "sell") {
      values[plan.asset] = (values[plan.asset] ?? 0) - plan.sizeUsd;
      values[0] = (values[0] ?? 0) + plan.sizeUsd * kept;
    } else {
      values[plan.asset] = (values[plan.asset] ?? 0) + plan.sizeUsd * kept;
      values[0] = (values[0] ?? 0) - plan.sizeUsd;
    }
  }
  return toBps(values.map((v) => Math.max(0, v)));
}

function planOf(
  asset: number,
  side: "sell" | "buy",
  amountIn: bigint,
  sizeUsd: number,
  wantedUsd: number,
  cost: number | null,
  analyticCost: number | null,
  capped: boolean,
): LegPlan {
  const bps = (c: number | null) => (c === null || !Number.isFinite(c) ? null : c * 10_000);
  return {
    asset,
    side,
    amountIn,
    sizeUsd,
    wantedUsd,
    predictedCostBps: bps(cost),
    analyticCostBps: bps(analyticCost),
    capped,
  };
}

function capNote(label: string, side: string, wantedUsd: number, usd: number, budget: number | null): string {
  return (
    `${label}: ${side} capped at $${usd.toFixed(0)} of $${wantedUsd.toFixed(0)} ` +
    `(predicted fees + impact above the ${((budget ?? 0) * 10_000).toFixed(0)} bps budget); later cycles do the rest`
  );
}

/** amount * fraction for a fraction in [0, 1], rounded down. */
function scale(amount: bigint, fraction: number): bigint {
  const f = Math.min(1, Math.max(0, fraction));
  return mulDiv(amount, BigInt(Math.floor(f * Number(FRACTION_SCALE))), FRACTION_SCALE);
}

function usdToBase(valueUsd: number, decimals: number, baseUsd: number): bigint {
  const units = Math.floor((valueUsd / baseUsd) * 10 ** decimals);
  return units > 0 ? BigInt(units) : 0n;
}

function ratio(a: bigint, b: bigint): string {
  return `${(Number((a * 10_000n) / b) / 100).toFixed(2)}%`;
}

function routeAt(paths: readonly string[], i: number): string {
  const path = paths[i];
  if (!path) throw new InvalidInputError(`sizeLegs: no route for asset ${i}`);
  return path;
}
