/**
 * Impact recalibration in live sizing: the keeper's refits from its stored fills (service),
 * applied by the leg sizing (execution/indexVault/sizeLegs.ts). Fits use the analytic
 * prediction of each fill, never the refitted one it was sized with.
 */
import { expect } from "chai";
import { type RouteModels, sizeLegs } from "../../../keeper/src/execution/indexVault/sizeLegs.js";
import { calibratedCostBps } from "../../../keeper/src/market/impactCalibration.js";
import { routeId } from "../../../keeper/src/market/routeBandit.js";
import { liveImpactFits } from "../../../keeper/src/service/impactCalibration.js";
import type { LegRecord } from "../../../keeper/src/service/readModel.js";
import { calibrateRoute } from "../../../keeper/src/strategy/risk/calibratedRoute.js";
import { maxPathSize, type PathRoute, quotePath } from "../../../keeper/src/strategy/risk/pathImpact.js";
import { expectAbsClose, expectRelClose } from "../../helpers/approx.js";
import { depthHop } from "../../helpers/depthHop.js";

const USDC = "0x00000000000000000000000000000000000000a0";
const ARB = "0x00000000000000000000000000000000000000a2";
/** Uniswap V3 path bytes: token, 3-byte fee (500 = 5 bp), token. */
const path = (a: string, b: string) => `0x${a.slice(2)}0001f4${b.slice(2)}`;
const TOKENS = [
  { address: USDC, sellPath: "0x", buyPath: "0x" },
  { address: ARB, sellPath: path(ARB, USDC), buyPath: path(USDC, ARB) },
];
const FEE_BPS = 5;
/** The route of ARB sells that record none: ARB's configured sellPath. */
const SELL_DIRECT = routeId("sell", path(ARB, USDC));
const ON = { enabled: true, priorFills: 5, minFills: 3, maxFills: 200 };

/** Sells of ARB whose analytic cost is fee + `impact`, realising `gap` bps more (the pool below the feed). */
function sells(n: number, gap: number, predicted?: (analytic: number) => number): LegRecord[] {
  return Array.from({ length: n }, (_, k) => {
    const analytic = FEE_BPS + 2 + (k % 4) * 3;
    return {
      cycleId: k,
      legIndex: 0,
      tokenIn: ARB,
      tokenOut: USDC,
      amountIn: "1",
      amountOut: "1",
      valueInUsd: 1_000,
      predictedCostBps: predicted ? predicted(analytic) : analytic,
      analyticCostBps: analytic,
      realisedCostBps: analytic + gap,
      route: null,
    };
  });
}

const store = (legs: readonly LegRecord[]) => ({
  costedLegs: async (limit: number) => legs.slice(Math.max(0, legs.length - limit)),
});

/** A vault over USDC and ARB ($1), one constant-product pool each way. */
const SNAP = {
  assets: [USDC, ARB],
  decimals: [6, 18],
  balances: [0n, 1_000_000n * 10n ** 18n],
  pricesUsd: [100_000_000n, 100_000_000n],
  valuesInBase: [0n, 1_000_000n * 10n ** 6n],
  nav: 1_000_000n * 10n ** 6n,
};
const ROUTES = { sell: ["", "0x5e11"], buy: ["", "0xb0"] };
const SELL: PathRoute = { sellingAsset: true, hops: [depthHop("arb:in", 40_000_000)] };
const MODELS: RouteModels = {
  sell: [null, SELL],
  buy: [null, { sellingAsset: false, hops: [depthHop("arb:usdc", 40_000_000)] }],
};
const OPTIONS = { minTradeBps: 10, maxSlippageBps: 200, marginBps: 50 };

describe("service: impact recalibration in live sizing", () => {
  it("is off by default: no fits, and the sizing predicts with the analytic model", async () => {
    expect(await liveImpactFits(store(sells(20, 30)), TOKENS, { ...ON, enabled: false })).to.equal(undefined);
    const plan = sizeLegs(SNAP, [5000, 5000], ROUTES, MODELS, OPTIONS);
    const leg = plan.plans[0];
    expect(leg?.predictedCostBps).to.be.a("number");
    expect(leg?.predictedCostBps).to.equal(leg?.analyticCostBps);
  });

  it("sizes a refitted route with the refit: the largest size under the budget and its cost follow the fit", async () => {
    const fits = await liveImpactFits(store(sells(40, 30)), TOKENS, ON);
    const fit = fits?.get(SELL_DIRECT);
    expect(fit?.fills).to.equal(40);
    // Shrunk toward the analytic model (offset 0, scale 1) by the prior's 5 fills.
    expect(fit?.offsetBps).to.be.within(15, 30);
    if (!fit) throw new Error("no fit");
    const analytic = sizeLegs(SNAP, [5000, 5000], ROUTES, MODELS, OPTIONS);
    const refit = sizeLegs(
      SNAP,
      [5000, 5000],
      ROUTES,
      { ...MODELS, fits: { sell: [null, fit], buy: [null, null] } },
      OPTIONS,
    );
    const [a, r] = [analytic.plans[0], refit.plans[0]];
    if (!a || !r) throw new Error("no leg");
    // The refit charges the offset at every size: the $500k sell fits the 150 bps budget less far.
    expect(a.capped && r.capped).to.equal(true);
    expect(r.sizeUsd).to.be.lessThan(a.sizeUsd * 0.9);
    const budget = (OPTIONS.maxSlippageBps - OPTIONS.marginBps) / 10_000;
    const calibrated = calibrateRoute(SELL, fit);
    expectRelClose(
      r.sizeUsd,
      maxPathSize(calibrated, budget, { maxSizeUsd: 500_000, toleranceUsd: 0.5 }),
      1e-5,
      "size",
    );
    expectAbsClose(r.predictedCostBps, quotePath(calibrated, r.sizeUsd).totalCost * 10_000, 1e-6, "refitted cost");
    // Beside it, the analytic model's cost of the same leg (what later refits fit on).
    expectAbsClose(r.analyticCostBps, quotePath(SELL, r.sizeUsd).totalCost * 10_000, 1e-6, "analytic cost");
    expect((r.predictedCostBps ?? 0) - (r.analyticCostBps ?? 0)).to.be.greaterThan(20);
  });

  it("with few fills stays near the analytic model, and leaves out routes below minFills", async () => {
    const few = await liveImpactFits(store(sells(3, 30)), TOKENS, ON);
    const fit = few?.get(SELL_DIRECT);
    expect(fit?.weight).to.equal(3 / 8);
    expect(fit?.offsetBps).to.be.lessThan(30 * 0.5);
    expect((await liveImpactFits(store(sells(2, 30)), TOKENS, ON))?.size).to.equal(0);
    // The window: only the latest maxFills fills count.
    const window = await liveImpactFits(store(sells(50, 30)), TOKENS, { ...ON, maxFills: 10 });
    expect(window?.get(SELL_DIRECT)?.fills).to.equal(10);
  });

  it("never fits on refitted predictions: cycles sized with the refit leave the next refit where it was", async () => {
    const first = (await liveImpactFits(store(sells(30, 30)), TOKENS, ON))?.get(SELL_DIRECT);
    if (!first) throw new Error("no fit");
    // Later fills sized with that refit: their predicted cost is the refit's, near the realised one.
    const refitted = sells(30, 30, (analytic) => calibratedCostBps(first, FEE_BPS, analytic));
    const legs = [...sells(30, 30), ...refitted];
    const gap = (l: LegRecord) => Math.abs((l.predictedCostBps ?? 0) - (l.realisedCostBps ?? 0));
    expect(refitted.reduce((s, l) => s + gap(l), 0) / refitted.length).to.be.lessThan(30 / 4);
    const again = (await liveImpactFits(store(legs), TOKENS, ON))?.get(SELL_DIRECT);
    // The refit on them is the refit on their analytic costs (the 30 bps gap, with less
    // shrinkage), not a fit of the first fit's small remaining error.
    const analyticOnly = (await liveImpactFits(store([...sells(30, 30), ...sells(30, 30)]), TOKENS, ON))?.get(
      SELL_DIRECT,
    );
    expect(again?.offsetBps).to.equal(analyticOnly?.offsetBps);
    expect(again?.scale).to.equal(analyticOnly?.scale);
    expect(again?.offsetBps).to.be.greaterThan(first.offsetBps);
  });
});
