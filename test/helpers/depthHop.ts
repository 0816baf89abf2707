/**
 * One pool hop of a path model known only by its depth (the other liquidity facts unknown), at
 * the 0.05% fee tier: enough for sizing and refit tests that price a leg by depth alone.
 */
import type { PathRoute } from "../../keeper/src/strategy/risk/pathImpact.js";

export function depthHop(key: string, depthUsd: number): PathRoute["hops"][number] {
  return {
    key,
    fee: 0.0005,
    liquidity: {
      depthUsd,
      rangeHalfWidth: Number.NaN,
      sqrtImpactK: Number.NaN,
      sigmaDaily: Number.NaN,
      dailyVolumeUsd: Number.NaN,
    },
  };
}
