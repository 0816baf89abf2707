/**
 * Builds the cost model of one leg's route from the pools along it. Pure. Hops are walked
 * from the base asset outward, so every hop's near token has a USD price (the base's from
 * its Chainlink feed, the next from the pool before it); the route lists them in the order
 * the leg trades them, each keyed by pool and input token so the sizing can add up what the
 * order's earlier legs push through a shared pool.
 */
import type { PoolLiquidity } from "../../data/poolLiquidity.js";
import type { PathHop, PathRoute } from "../../strategy/risk/pathImpact.js";
import { hopLiquidity } from "./hopLiquidity.js";

export interface RouteHop {
  /** Token nearer the base asset, and the token beyond it. */
  readonly near: string;
  readonly far: string;
  /** Hundredths of a bip (500 = 0.05%). */
  readonly fee: number;
  /** The pool's state; null when it could not be found or read (`missing` says why). */
  readonly pool: PoolLiquidity | null;
  readonly missing?: string;
}

export interface RouteModelInput {
  /** Hops from the base asset to the asset. */
  readonly hops: readonly RouteHop[];
  readonly baseUsd: number;
  readonly decimalsOf: (token: string) => number | undefined;
  /** True for a leg selling the asset into the base asset. */
  readonly selling: boolean;
}

export type RouteModel = { readonly route: PathRoute } | { readonly route: null; readonly reason: string };

export function routeModel(input: RouteModelInput): RouteModel {
  if (input.hops.length === 0) return { route: null, reason: "empty route" };
  let nearUsd = input.baseUsd;
  const hops: PathHop[] = [];
  for (const hop of input.hops) {
    if (!hop.pool) return { route: null, reason: hop.missing ?? `no pool for ${hop.near}/${hop.far}/${hop.fee}` };
    const nearDecimals = input.decimalsOf(hop.near);
    const farDecimals = input.decimalsOf(hop.far);
    if (nearDecimals === undefined || farDecimals === undefined) {
      return { route: null, reason: `decimals unknown on ${hop.near}/${hop.far}` };
    }
    const model = hopLiquidity(hop.pool, {
      near: hop.near,
      nearUsd,
      nearDecimals,
      farDecimals,
      sellingFar: input.selling,
    });
    if (!(model.liquidity.depthUsd > 0) || !(model.farUsd > 0)) {
      return { route: null, reason: `pool ${hop.pool.pool} has no in-range liquidity` };
    }
    const tokenIn = input.selling ? hop.far : hop.near;
    const tokenOut = input.selling ? hop.near : hop.far;
    hops.push({
      key: `${hop.pool.pool}:${tokenIn}`.toLowerCase(),
      reverseKey: `${hop.pool.pool}:${tokenOut}`.toLowerCase(),
      fee: hop.fee / 1_000_000,
      liquidity: model.liquidity,
    });
    nearUsd = model.farUsd;
  }
  // A sell walks the route from the asset back to the base asset.
  return { route: { hops: input.selling ? hops.reverse() : hops, sellingAsset: input.selling } };
}
