/**
 * Turns target weights into swap legs for a vault order: sells of overweight assets into the
 * base asset first, then buys of underweight assets with the base asset. Pure: it only uses
 * the vault's snapshot (balances, oracle prices) and the routes it is given.
 *
 * This is the fixed-haircut planner the contract tests build their orders with (their gas
 * snapshot depends on its exact legs). The keeper sizes legs with `sizeLegs`, which predicts
 * each leg's cost from the pools and falls back to these same haircuts per leg when a pool's
 * liquidity is unknown. It predicts no cost, so its legs sign no minimum of their own
 * (`minAmountOut` 0): the vault's Chainlink floor alone bounds them.
 */
import { InvalidInputError } from "../../core/errors.js";
import { BPS, mulDiv } from "../../core/fixed.js";
import type { SwapLeg } from "./rebalanceOrder.js";

export interface PortfolioSnapshot {
  /** Base asset first, as `IndexVault.assets()` returns them. */
  readonly assets: readonly string[];
  readonly decimals: readonly number[];
  readonly balances: readonly bigint[];
  /** Chainlink answers, 8 decimals. */
  readonly pricesUsd: readonly bigint[];
  /** Values in base units (as the vault computes them). */
  readonly valuesInBase: readonly bigint[];
  readonly nav: bigint;
}

export interface Routes {
  /** Path bytes selling asset i into the base asset (index 0 unused). */
  readonly sell: readonly string[];
  /** Path bytes buying asset i with the base asset (index 0 unused). */
  readonly buy: readonly string[];
}

export interface PlanOptions {
  /** Trades smaller than this many bps of NAV are skipped (they cost more gas than they fix). */
  readonly minTradeBps?: number;
  /** Buys are scaled down by this many bps to leave room for fees and price impact. */
  readonly buyHaircutBps?: number;
  /**
   * When set, buys are scaled down so they never spend more base asset than the vault holds
   * plus what the sells are expected to return after this many bps of fees and impact
   * (otherwise a buy can ask for more base asset than the sells delivered and revert).
   */
  readonly sellHaircutBps?: number;
}

export function planLegs(
  snapshot: PortfolioSnapshot,
  targetWeightsBps: readonly number[],
  routes: Routes,
  options: PlanOptions = {},
): SwapLeg[] {
  const n = snapshot.assets.length;
  if (targetWeightsBps.length !== n) throw new InvalidInputError("planLegs: one target per asset", { n });
  if (targetWeightsBps.reduce((a, b) => a + b, 0) !== 10_000)
    throw new InvalidInputError("planLegs: targets must sum to 10000");
  const minTrade = mulDiv(snapshot.nav, BigInt(options.minTradeBps ?? 10), BPS);
  const haircut = BigInt(options.buyHaircutBps ?? 50);
  const sells: SwapLeg[] = [];
  const buys: SwapLeg[] = [];
  let sellValue = 0n;
  for (let i = 1; i < n; i++) {
    const target = mulDiv(snapshot.nav, BigInt(targetWeightsBps[i] ?? 0), BPS);
    const current = snapshot.valuesInBase[i] ?? 0n;
    const diff = target - current;
    if (diff < 0n && -diff >= minTrade) {
      // Sell the excess value, expressed in the asset's units at the oracle price; selling
      // everything when the target is zero avoids leaving dust.
      const balance = snapshot.balances[i] ?? 0n;
      const amount = target === 0n ? balance : mulDiv(balance, -diff, current);
      const sold = amount > balance ? balance : amount;
      if (sold > 0n) {
        sells.push({ path: routeAt(routes.sell, i), amountIn: sold, minAmountOut: 0n });
        sellValue += balance === 0n ? 0n : mulDiv(current, sold, balance);
      }
    } else if (diff > 0n && diff >= minTrade) {
      buys.push({ path: routeAt(routes.buy, i), amountIn: mulDiv(diff, BPS - haircut, BPS), minAmountOut: 0n });
    }
  }
  if (options.sellHaircutBps === undefined) return [...sells, ...buys];
  const budget = (snapshot.balances[0] ?? 0n) + mulDiv(sellValue, BPS - BigInt(options.sellHaircutBps), BPS);
  const wanted = buys.reduce((sum, leg) => sum + leg.amountIn, 0n);
  const funded =
    wanted > budget ? buys.map((leg) => ({ ...leg, amountIn: mulDiv(leg.amountIn, budget, wanted) })) : buys;
  return [...sells, ...funded];
}

function routeAt(paths: readonly string[], i: number): string {
  const path = paths[i];
  if (!path) throw new InvalidInputError(`planLegs: no route for asset ${i}`);
  return path;
}
