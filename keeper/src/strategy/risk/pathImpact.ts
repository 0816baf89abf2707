/**
 * Price impact of a leg walked hop by hop through identified pools, for sizing the legs of one
 * order. The legs of an order execute one after another, so a pool two legs share (the
 * WETH/USDC hub of every WETH-routed sell) is already moved when the later one trades. Each hop
 * here is priced with the backtester's hop maths (`hopOutFraction`: fee on input,
 * constant-product inside the range, the next range or the square-root model beyond it) at
 * the margin of what earlier legs already pushed through the same pool in the same direction:
 * out(F + x) - out(F). Flows in the opposite direction move the price the leg's way and are
 * left out, which only overstates the cost.
 */
import { type HopLiquidity, hopOutFraction } from "../../backtest/costs.js";
import { InvalidInputError } from "../../core/errors.js";
import { type ImpactQuote, largestSizeWhere } from "./priceImpact.js";

export type { HopLiquidity, ImpactQuote };

export interface PathHop {
  /** Identifies the pool and the direction (e.g. `pool:tokenIn`): flows with the same key add up. */
  readonly key: string;
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
  for (const hop of route.hops) {
    const before = prior.get(hop.key) ?? 0;
    value = outValue(before + value, hop, route.sellingAsset) - outValue(before, hop, route.sellingAsset);
  }
  const out = value / sizeUsd;
  return { sizeUsd, totalCost: 1 - out, impact: 1 - out / feeOnly };
}

/** The flows after a leg of `sizeUsd`: every hop's key gains the value that entered it. */
export function addFlows(route: PathRoute, sizeUsd: number, prior: Flows = NO_FLOWS): Map<string, number> {
  const next = new Map(prior);
  let value = sizeUsd;
  for (const hop of route.hops) {
    const before = next.get(hop.key) ?? 0;
    next.set(hop.key, before + value);
    value = outValue(before + value, hop, route.sellingAsset) - outValue(before, hop, route.sellingAsset);
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

function outValue(inUsd: number, hop: PathHop, selling: boolean): number {
  return inUsd <= 0 ? 0 : inUsd * hopOutFraction(inUsd, hop.fee, selling, hop.liquidity);
}
