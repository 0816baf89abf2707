import { expect } from "chai";
import type { HopLiquidity } from "../../../keeper/src/market/costs.js";
import {
  calibratedCostBps,
  type FillObservation,
  fitImpactModels,
} from "../../../keeper/src/market/impactCalibration.js";
import { Prng } from "../../../keeper/src/strategy/math/prng.js";
import { calibrateRoute } from "../../../keeper/src/strategy/risk/calibratedRoute.js";
import { maxPathSize, type PathRoute, quotePath } from "../../../keeper/src/strategy/risk/pathImpact.js";
import { expectAbsClose } from "../../helpers/approx.js";

const LIQ: HopLiquidity = {
  depthUsd: 20_000_000,
  rangeHalfWidth: Number.NaN,
  sqrtImpactK: 0.5,
  sigmaDaily: 0.04,
  dailyVolumeUsd: 5e6,
};
const ROUTE: PathRoute = { hops: [{ key: "pool:arb", fee: 0.003, liquidity: LIQ }], sellingAsset: true };

/** Fills of one pool whose true cost is `offset` + `scale` x the analytic impact, with noise. */
function fills(n: number, scale: number, offsetBps: number, noiseBps: number, seed = 1): FillObservation[] {
  const rng = new Prng(seed);
  return Array.from({ length: n }, () => {
    const size = 10_000 + 490_000 * rng.next();
    const predicted = quotePath(ROUTE, size).totalCost * 10_000;
    const impact = predicted - 30;
    return {
      poolKey: "arb->usdc",
      feeBps: 30,
      predictedCostBps: predicted,
      realisedCostBps: 30 + offsetBps + scale * impact + noiseBps * rng.normal(),
    };
  });
}

describe("market/impactCalibration: refit of the analytic impact from fills", () => {
  it("recovers a pool's scale and offset from fills without a prior, and nearly so with the default one", () => {
    const fit = fitImpactModels(fills(400, 1.8, 12, 0.5), { priorFills: 0 }).get("arb->usdc");
    expect(fit?.fills).to.equal(400);
    expectAbsClose(fit?.scale, 1.8, 0.05);
    expectAbsClose(fit?.offsetBps, 12, 1);
    expect(fit?.maeAfterBps as number).to.be.lessThan(1);
    expect(fit?.maeBeforeBps as number).to.be.greaterThan(10);
    const shrunk = fitImpactModels(fills(400, 1.8, 12, 0.5)).get("arb->usdc");
    expect(shrunk?.scale as number).to.be.lessThan(fit?.scale as number);
    expect(shrunk?.maeAfterBps as number).to.be.lessThan((shrunk?.maeBeforeBps as number) / 10);
  });

  it("stays at the analytic model without fills and moves toward the fills as they accumulate", () => {
    const offsets = [0, 1, 3, 10, 50].map((n) => {
      if (n === 0) return fitImpactModels([]).get("arb->usdc")?.offsetBps ?? 0;
      return fitImpactModels(fills(n, 1, 40, 0)).get("arb->usdc")?.offsetBps as number;
    });
    expect(offsets[0]).to.equal(0);
    for (let k = 1; k < offsets.length; k++) expect(offsets[k] as number).to.be.greaterThan(offsets[k - 1] as number);
    // One fill against a prior of 5: well short of the 40 bps; fifty: three quarters of the way or more.
    expect(offsets[1]).to.be.lessThan(10);
    expect(offsets[4]).to.be.greaterThan(30);
    const weak = fitImpactModels(fills(3, 1, 40, 0), { priorFills: 0 }).get("arb->usdc");
    expectAbsClose(weak?.offsetBps, 40, 1e-6);
  });

  it("keeps the scale within its bounds and skips unusable fills", () => {
    const wild = fills(50, 40, 0, 0).concat([
      { poolKey: "arb->usdc", feeBps: 30, predictedCostBps: Number.NaN, realisedCostBps: 10 },
    ]);
    const fit = fitImpactModels(wild).get("arb->usdc");
    expect(fit?.fills).to.equal(50);
    expect(fit?.scale).to.equal(5);
  });

  it("fits each pool on its own fills", () => {
    const a = fills(100, 2, 0, 0);
    const b = fills(100, 1, -20, 0).map((o) => ({ ...o, poolKey: "usdc->arb" }));
    const fits = fitImpactModels([...a, ...b], { priorFills: 0 });
    expectAbsClose(fits.get("arb->usdc")?.scale, 2, 1e-6);
    expectAbsClose(fits.get("usdc->arb")?.offsetBps, -20, 1e-6);
  });

  it("sizes with the refitted model: the largest size under a target follows the fit", () => {
    const target = 0.006; // 60 bps, fees included
    const analytic = maxPathSize(ROUTE, target, { maxSizeUsd: 5e6 });
    const worse = { scale: 2, offsetBps: 5 };
    const calibrated = calibrateRoute(ROUTE, worse);
    const sized = maxPathSize(calibrated, target, { maxSizeUsd: 5e6 });
    expect(sized).to.be.lessThan(analytic);
    // At that size the refitted cost is at the target, as the fit's own formula says.
    const analyticBps = quotePath(ROUTE, sized).totalCost * 10_000;
    expectAbsClose(calibratedCostBps(worse, 30, analyticBps), target * 10_000, 1);
    expectAbsClose(quotePath(calibrated, sized).totalCost * 10_000, target * 10_000, 0.5);
    // A negative offset is not credited: sizing never counts on a price gap in its favour.
    const favourable = calibrateRoute(ROUTE, { scale: 1, offsetBps: -30 });
    expectAbsClose(maxPathSize(favourable, target, { maxSizeUsd: 5e6 }), analytic, 2);
  });
});
