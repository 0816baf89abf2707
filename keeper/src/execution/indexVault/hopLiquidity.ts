/**
 * Converts a pool's on-chain state into the `HopLiquidity` the cost model prices a hop with.
 * Pure. Inside a range a V3 pool is a constant-product pool on its virtual reserves
 * (x = L / sqrtP, y = L * sqrtP): the depth is the value of those reserves, the range
 * half-width the distance, in the trade's direction, to the tick where liquidity falls, and
 * the depth beyond that edge comes from the smallest liquidity met after it within the scanned
 * horizon. Without such an edge the range ends at the horizon, beyond which the model knows
 * nothing, so the sizing keeps legs short of it.
 */
import type { PoolLiquidity } from "../../data/poolLiquidity.js";
import type { HopLiquidity } from "../../strategy/risk/pathImpact.js";

export interface HopSide {
  /** The token nearer the base asset along the route, and its USD price per whole token. */
  readonly near: string;
  readonly nearUsd: number;
  readonly nearDecimals: number;
  readonly farDecimals: number;
  /** True when the hop sells the far token (the leg sells the asset). */
  readonly sellingFar: boolean;
}

export interface HopModel {
  readonly liquidity: HopLiquidity;
  /** USD price per whole far token implied by the pool (feeds the next hop). */
  readonly farUsd: number;
}

const LOG_TICK_BASE = Math.log(1.0001);
/** A range edge at the current price must not read as "unbounded" (<= 0) in the cost model. */
const MIN_HALF_WIDTH = 1e-9;

export function hopLiquidity(pool: PoolLiquidity, side: HopSide): HopModel {
  const nearIs0 = pool.token0.toLowerCase() === side.near.toLowerCase();
  const sqrtP = Number(pool.sqrtPriceX96) / 2 ** 96;
  // Selling the far token lowers its price in the near token: token0's price falls when far is
  // token0, rises when far is token1.
  const token0Falls = side.sellingFar !== nearIs0;
  const depth = token0Falls ? pool.down : pool.up;
  const depthUsdOf = (liquidity: bigint) => {
    const L = Number(liquidity);
    return (2 * (nearIs0 ? L / sqrtP : L * sqrtP) * side.nearUsd) / 10 ** side.nearDecimals;
  };
  // Whole token1 per whole token0.
  const price0 =
    sqrtP * sqrtP * 10 ** (nearIs0 ? side.nearDecimals - side.farDecimals : side.farDecimals - side.nearDecimals);
  const farUsd = nearIs0 ? side.nearUsd / price0 : side.nearUsd * price0;
  const edgeTick = depth.edgeTick ?? depth.horizonTick;
  const logRatio0 = edgeTick * LOG_TICK_BASE - 2 * Math.log(sqrtP);
  const farRatio = Math.exp(nearIs0 ? -logRatio0 : logRatio0);
  const halfWidth = side.sellingFar ? 1 - farRatio : farRatio - 1;
  return {
    liquidity: {
      depthUsd: depthUsdOf(pool.liquidity),
      rangeHalfWidth: Math.max(MIN_HALF_WIDTH, halfWidth),
      sqrtImpactK: Number.NaN,
      sigmaDaily: Number.NaN,
      dailyVolumeUsd: Number.NaN,
      beyondDepthUsd: depth.edgeTick === null ? Number.NaN : depthUsdOf(depth.beyondLiquidity),
    },
    farUsd,
  };
}
