/**
 * A leg's cost model under a refit from its realised fills (market/impactCalibration.ts): every
 * hop's impact scaled by the fit, and the fit's offset paid once, on the first hop, as if it
 * were fee. `quotePath` and `maxPathSize` then price and size the leg with the refitted model,
 * with the flows of earlier legs still netted per pool.
 */
import { calibratedFee, calibratedHop, type ImpactFit } from "../../market/impactCalibration.js";
import type { PathRoute } from "./pathImpact.js";

export function calibrateRoute(route: PathRoute, fit: Pick<ImpactFit, "scale" | "offsetBps">): PathRoute {
  return {
    ...route,
    hops: route.hops.map((hop, k) => ({
      ...hop,
      fee: k === 0 ? calibratedFee(hop.fee, fit) : hop.fee,
      liquidity: calibratedHop(hop.liquidity, fit),
    })),
  };
}
