/**
 * Turns signed target weights into HyperLiquid IOC orders, purely: target size = weight * net
 * liquidity / mid, rounded down to the asset's size grid; the difference with the current
 * position becomes an order. A position that shrinks, closes or flips is first reduced with a
 * reduce-only order (it can never open the opposite side by accident, and it frees margin),
 * then a flip opens the other side with a second order. Closes go first in the batch, since
 * the exchange processes a batch's orders in turn. Every limit is the mid moved by the
 * slippage bound, rounded to a valid tick toward the passive side.
 */
import { keccak256, toUtf8Bytes } from "ethers";
import { WeightsRefusedError } from "../../core/errors.js";
import type { OrderSide, VenueOrder } from "../../core/venue.js";
import { decimalText, roundPrice, roundSize } from "./wire.js";

export interface PerpMarket {
  readonly symbol: string;
  /** Index in the exchange's `meta.universe`: the `a` field of an order. */
  readonly asset: number;
  readonly szDecimals: number;
  readonly maxLeverage: number;
}

export interface PlanInputs {
  readonly markets: readonly PerpMarket[];
  readonly mids: Readonly<Record<string, number>>;
  /** Signed position sizes (szi) by symbol. */
  readonly positions: Readonly<Record<string, number>>;
  readonly navUsd: number;
  readonly target: Readonly<Record<string, number>>;
}

export interface PlanPolicy {
  readonly slippageBps: number;
  readonly minOrderUsd: number;
  readonly minTradeBps: number;
  readonly maxGrossLeverage: number;
}

/** A planned order with what the exchange's wire format needs besides the neutral fields. */
export interface PerpOrder extends VenueOrder {
  readonly asset: number;
  readonly szDecimals: number;
  /** Mid the order was sized on (for the record and cost estimates). */
  readonly mid: number;
}

export interface OrderPlan {
  readonly orders: readonly PerpOrder[];
  readonly targetSizes: Readonly<Record<string, string>>;
  readonly notes: readonly string[];
  /** Gross leverage after the plan fills at the mids. */
  readonly grossAfter: number;
}

/** A client order id: 16 bytes of keccak(planId:index), hex as the exchange expects. */
export function clientOrderId(planId: string, index: number): string {
  return keccak256(toUtf8Bytes(`${planId}:${index}`)).slice(0, 34);
}

export function planOrders(inputs: PlanInputs, policy: PlanPolicy, planId: string): OrderPlan {
  const { markets, mids, positions, navUsd, target } = inputs;
  const notes: string[] = [];
  const closes: Omit<PerpOrder, "clientId">[] = [];
  const opens: Omit<PerpOrder, "clientId">[] = [];
  const targetSizes: Record<string, string> = {};
  let grossAfter = 0;
  for (const market of markets) {
    const { symbol, szDecimals } = market;
    const current = positions[symbol] ?? 0;
    const weight = target[symbol] ?? 0;
    if (current === 0 && weight === 0) continue;
    const mid = mids[symbol];
    if (mid === undefined || !(mid > 0)) {
      notes.push(`${symbol}: no mid price, not traded`);
      grossAfter += (Math.abs(current) * (mid ?? 0)) / Math.max(navUsd, Number.MIN_VALUE);
      continue;
    }
    const targetAbs = Number(roundSize((weight * navUsd) / mid, szDecimals));
    const wanted = Math.sign(weight) * targetAbs;
    targetSizes[symbol] = decimalText(wanted, szDecimals);
    const delta = wanted - current;
    if (Math.abs(delta) * mid < (policy.minTradeBps / 10_000) * navUsd && wanted !== 0) {
      if (delta !== 0) notes.push(`${symbol}: move of ${decimalText(delta, szDecimals)} below the minimum trade`);
      grossAfter += (Math.abs(current) * mid) / navUsd;
      continue;
    }
    const order = (side: OrderSide, size: number, reduceOnly: boolean) => {
      const sizeText = roundSize(size, szDecimals);
      if (Number(sizeText) === 0) return;
      // A full close may be worth less than the minimum order; the exchange judges it.
      const isClose = reduceOnly && wanted === 0;
      if (!isClose && Number(sizeText) * mid < policy.minOrderUsd) {
        notes.push(`${symbol}: ${side} ${sizeText} is below the ${policy.minOrderUsd} USD minimum order`);
        return;
      }
      const slip = policy.slippageBps / 10_000;
      const limitPrice = roundPrice(side === "buy" ? mid * (1 + slip) : mid * (1 - slip), szDecimals, side);
      (reduceOnly ? closes : opens).push({
        symbol,
        side,
        size: sizeText,
        limitPrice,
        reduceOnly,
        asset: market.asset,
        szDecimals,
        mid,
      });
    };
    const flips = current !== 0 && Math.sign(wanted) !== Math.sign(current);
    const shrinks = current !== 0 && Math.sign(wanted) === Math.sign(current) && Math.abs(wanted) < Math.abs(current);
    if (flips) {
      order(current > 0 ? "sell" : "buy", Math.abs(current), true);
      if (wanted !== 0) order(wanted > 0 ? "buy" : "sell", Math.abs(wanted), false);
    } else if (shrinks) {
      order(delta > 0 ? "buy" : "sell", Math.abs(delta), true);
    } else if (delta !== 0) {
      order(delta > 0 ? "buy" : "sell", Math.abs(delta), false);
    }
    grossAfter += (Math.abs(wanted) * mid) / navUsd;
  }
  if (grossAfter > policy.maxGrossLeverage + 1e-9) {
    throw new WeightsRefusedError(
      "gross-above-cap",
      `plan would leave gross leverage ${grossAfter.toFixed(4)} above the cap ${policy.maxGrossLeverage}`,
      { grossAfter, cap: policy.maxGrossLeverage },
    );
  }
  const orders = [...closes, ...opens].map((o, i) => ({ ...o, clientId: clientOrderId(planId, i) }));
  return { orders, targetSizes, notes, grossAfter };
}
