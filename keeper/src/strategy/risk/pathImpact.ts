/**
 * Price impact of a leg walked hop by hop through identified pools, for sizing the legs of one
 * order. The legs of an order execute one after another, so a pool two legs share (the
 * WETH/USDC hub of every WETH-routed sell) is already moved when the later one trades. Each hop
 * here is priced with the backtester's hop maths (`hopOutFraction`: fee on input,
 * constant-product inside the range, the next range or the square-root model beyond it) at
 * the margin of what earlier legs already pushed through the same pool: out(F + x) - out(F),
 * where F nets the flows in the leg's direction against those in the opposite one (a buy
 * through the hub after the order's sells trades against the price they pushed down). When
 * the net is against the leg, the part of the leg that only undoes it is charged the fee alone
 * (the price improvement is left out, which can only overstate the cost) and the rest is
 * priced from the mid.
 */

import { InvalidInputError } from "../../core/errors.js";
import { type HopLiquidity, hopOutFraction } from "../../market/costs.js";
import { type ImpactQuote, largestSizeWhere } from "./priceImpact.js";

export type { HopLiquidity, ImpactQuote };

export interface PathHop {
  /** Identifies the pool and the direction (e.g. `pool:tokenIn`): flows with the same key add up. */
  readonly key: string;
  /** The same pool traded the other way (e.g. `pool:tokenOut`); its flows offset this hop's. */
  readonly reverseKey?: string;
  /** Fee tier as a fraction (0.0005 = 5 bp). */
  readonly fee: number;
  readonly liquidity: HopLiquidity;
}

export interface PathRoute {
  /** Hops in the order the leg trades them (a sell starts at the asset's pool). */
  readonly hops: readonly PathHop[];
  /** Selling the asset for the base asset (every hop sells its far token), or buying it. */
  readonly sellingAsset: boolean;
}

/** USD value already pushed into each hop key by earlier legs of the same order. */
export type Flows = ReadonlyMap<string, number>;

const NO_FLOWS: Flows = new Map();

/** Cost of a leg of `sizeUsd` after the `prior` flows; NaN fields when a hop cannot be modelled. */
export function quotePath(route: PathRoute, sizeUsd: number, prior: Flows = NO_FLOWS): ImpactQuote {
  if (!(sizeUsd >= 0)) throw new InvalidInputError("quotePath: size must be >= 0", { sizeUsd });
  const feeOnly = route.hops.reduce((f, h) => f * (1 - h.fee), 1);
  if (sizeUsd === 0) return { sizeUsd, totalCost: 1 - feeOnly, impact: 0 };
  let value = sizeUsd;
  for (const hop of route.hops) value = hopOut(hop, value, prior, route.sellingAsset);
  const out = value / sizeUsd;
  return { sizeUsd, totalCost: 1 - out, impact: 1 - out / feeOnly };
}

/** The flows after a leg of `sizeUsd`: every hop's key gains the value that entered it. */
export function addFlows(route: PathRoute, sizeUsd: number, prior: Flows = NO_FLOWS): Map<string, number> {
  const next = new Map(prior);
  let value = sizeUsd;
  for (const hop of route.hops) {
    const out = hopOut(hop, value, next, route.sellingAsset);
    next.set(hop.key, (next.get(hop.key) ?? 0) + value);
    value = out;
    if (!Number.isFinite(value)) break;
  }
  return next;
}

/** Largest size (USD, at most `maxSizeUsd`) whose total cost after `prior` is at most `target`. */
export function maxPathSize(
  route: PathRoute,
  target: number,
  opts: { maxSizeUsd: number; toleranceUsd?: number; prior?: Flows },
): number {
  if (!(target > 0)) throw new InvalidInputError("maxPathSize: target must be > 0", { target });
  const ok = (size: number) => {
    const cost = quotePath(route, size, opts.prior).totalCost;
    return Number.isFinite(cost) && cost <= target;
  };
  return largestSizeWhere(ok, opts.maxSizeUsd, opts.toleranceUsd ?? 1);
}

/** USD out of `hop` for `inUsd` in, after the `prior` flows through its pool. */
function hopOut(hop: PathHop, inUsd: number, prior: Flows, selling: boolean): number {
  const net = (prior.get(hop.key) ?? 0) - (hop.reverseKey === undefined ? 0 : (prior.get(hop.reverseKey) ?? 0));
  if (net >= 0) return outValue(net + inUsd, hop, selling) - outValue(net, hop, selling);
  const undo = Math.min(inUsd, -net);
  return undo * (1 - hop.fee) + outValue(inUsd - undo, hop, selling);
}

function outValue(inUsd: number, hop: PathHop, selling: boolean): number {
  return inUsd <= 0 ? 0 : inUsd * hopOutFraction(inUsd, hop.fee, selling, hop.liquidity);
}
