/**
 * Impact refits keyed by route (side and path), with route learning: two routes of one token
 * pair are fitted apart, fills that record no route count for the pair's configured route, a
 * refit is applied only to the route it was fitted on, and the bandit scores each candidate with
 * its own route's refit.
 */
import { expect } from "chai";
import { chooseLegRoutes } from "../../../keeper/src/execution/indexVault/routeChoice.js";
import { attachRefits, refitNote } from "../../../keeper/src/execution/indexVault/routeRefits.js";
import type { LegPlan, RouteModels } from "../../../keeper/src/execution/indexVault/sizeLegs.js";
import { sizeLegs } from "../../../keeper/src/execution/indexVault/sizeLegs.js";
import type { ImpactFit } from "../../../keeper/src/market/impactCalibration.js";
import { routeId } from "../../../keeper/src/market/routeBandit.js";
import { calibrateFromLegs, refitViews, routeShape } from "../../../keeper/src/service/impactCalibration.js";
import type { LegRecord } from "../../../keeper/src/service/readModel.js";
import { calibrateRoute } from "../../../keeper/src/strategy/risk/calibratedRoute.js";
import { type PathRoute, quotePath } from "../../../keeper/src/strategy/risk/pathImpact.js";
import { expectAbsClose } from "../../helpers/approx.js";
import { depthHop } from "../../helpers/depthHop.js";

const USDC = "0x00000000000000000000000000000000000000a0";
const WETH = "0x00000000000000000000000000000000000000a1";
const ARB = "0x00000000000000000000000000000000000000a2";
const fee = (f: number) => f.toString(16).padStart(6, "0");
/** Uniswap V3 path bytes: token, (3-byte fee, token) per hop. */
const path = (tokens: readonly string[], fees: readonly number[]) =>
  `0x${tokens[0]?.slice(2)}${fees.map((f, k) => `${fee(f)}${tokens[k + 1]?.slice(2)}`).join("")}`;
const DIRECT = path([ARB, USDC], [500]);
const VIA_WETH = path([ARB, WETH, USDC], [500, 500]);
const TOKENS = [
  { address: USDC, sellPath: "0x", buyPath: "0x" },
  { address: ARB, sellPath: DIRECT, buyPath: path([USDC, ARB], [500]) },
];
const SELL_DIRECT = routeId("sell", DIRECT);
const SELL_VIA = routeId("sell", VIA_WETH);

/** ARB sells on one route: analytic cost fee + impact, realised `gap` bps above it. */
function sells(n: number, route: string | null, feeBps: number, gap: number): LegRecord[] {
  return Array.from({ length: n }, (_, k) => {
    const analytic = feeBps + 2 + (k % 4) * 3;
    return {
      cycleId: k,
      legIndex: 0,
      tokenIn: ARB,
      tokenOut: USDC,
      amountIn: "1",
      amountOut: "1",
      valueInUsd: 1_000,
      predictedCostBps: analytic,
      analyticCostBps: analytic,
      realisedCostBps: analytic + gap,
      route,
    };
  });
}

const DIRECT_MODEL: PathRoute = { sellingAsset: true, hops: [depthHop("arb/usdc", 400_000_000)] };
const VIA_MODEL: PathRoute = {
  sellingAsset: true,
  hops: [depthHop("arb/weth", 200_000_000), depthHop("weth/usdc", 200_000_000)],
};
const PRIMARY = { sell: ["", DIRECT], buy: ["", ""] };
const CANDIDATE = { sell: ["", VIA_WETH], buy: ["", ""] };
const PRIMARY_MODELS: RouteModels = { sell: [null, DIRECT_MODEL], buy: [null, null], labels: ["USDC", "ARB"] };
const CANDIDATE_MODELS: RouteModels = { sell: [null, VIA_MODEL], buy: [null, null], labels: ["USDC", "ARB"] };
const SNAP = {
  assets: [USDC, ARB],
  decimals: [6, 18],
  balances: [0n, 1_000_000n * 10n ** 18n],
  pricesUsd: [100_000_000n, 100_000_000n],
  valuesInBase: [0n, 1_000_000n * 10n ** 6n],
  nav: 1_000_000n * 10n ** 6n,
};
const PLAN: LegPlan = {
  asset: 1,
  side: "sell",
  amountIn: 100_000n * 10n ** 18n,
  sizeUsd: 100_000,
  wantedUsd: 100_000,
  predictedCostBps: null,
  analyticCostBps: null,
  capped: false,
};
const FEATURES = { volLevel: 2, gasGwei: 0.01 };
const POLICY = { marginBps: 10, alpha: 0, maxBonusBps: 0 };

function fitsOf(...legs: LegRecord[][]): Map<string, ImpactFit> {
  return calibrateFromLegs(legs.flat(), TOKENS, { priorFills: 5 });
}

describe("service: impact refits keyed by route", () => {
  it("fits two routes of one pair apart: fills without a route count for the configured sellPath", () => {
    // Direct fills (recorded before route learning: no route) realise 10 bps over the model, the
    // route through WETH (10 bps of fees) 40 bps over it.
    const fits = fitsOf(sells(30, null, 5, 10), sells(30, SELL_VIA, 10, 40));
    expect([...fits.keys()].sort()).to.deep.equal([SELL_DIRECT, SELL_VIA].sort());
    const direct = fits.get(SELL_DIRECT);
    const via = fits.get(SELL_VIA);
    expect(direct?.fills).to.equal(30);
    expect(via?.fills).to.equal(30);
    // Each fit follows its own route's gap (shrunk a little toward the analytic model by the prior).
    const gapOf = (fit: ImpactFit | undefined, feeBps: number, analytic: number) =>
      (fit?.offsetBps ?? 0) + ((fit?.scale ?? 1) - 1) * (analytic - feeBps);
    expect(gapOf(direct, 5, 12)).to.be.within(7, 10.5);
    expect(gapOf(via, 10, 17)).to.be.within(30, 40.5);
    expect(via?.maeAfterBps).to.be.lessThan((via?.maeBeforeBps ?? 0) / 4);
    // The fee of the route through WETH is taken from its own path: two 5 bp hops.
    expectAbsClose(routeShape(SELL_VIA)?.feeBps, (1 - 0.9995 ** 2) * 10_000, 1e-9, "two-hop fee");
    // A fill recorded on the direct route is the same route as one that records none.
    const recorded = fitsOf(sells(30, SELL_DIRECT, 5, 10));
    expect(recorded.get(SELL_DIRECT)?.offsetBps).to.equal(direct?.offsetBps);
    expect(refitViews(fits).map((v) => [v.route, v.side, v.fills])).to.deep.equal(
      [...fits.values()].map((f) => [f.poolKey, "sell", 30]),
    );
  });

  it("leaves out fills whose route does not match their tokens, and pairs with no configured route", () => {
    const wrongEnds = sells(10, routeId("sell", path([WETH, USDC], [500])), 5, 10);
    const unconfigured = sells(10, null, 5, 10).map((l) => ({ ...l, tokenIn: WETH }));
    const garbled = sells(10, "sell:0x1234", 5, 10);
    expect(fitsOf(wrongEnds, unconfigured, garbled).size).to.equal(0);
  });

  it("applies a refit only to the route it was fitted on, in sizing and in the bandit's scores", () => {
    // Only the direct route has a refit: +60 bps over the analytic model at every size.
    const fits = fitsOf(sells(200, null, 5, 60));
    const directFit = fits.get(SELL_DIRECT);
    if (!directFit) throw new Error("no direct fit");
    expect(fits.has(SELL_VIA)).to.equal(false);
    const primary = attachRefits(PRIMARY_MODELS, PRIMARY, fits);
    const candidate = attachRefits(CANDIDATE_MODELS, CANDIDATE, fits);
    expect(primary.fits?.sell[1]).to.equal(directFit);
    // The direct route's refit is not applied to the route through WETH, though both sell ARB for USDC.
    expect(candidate.fits?.sell[1]).to.equal(null);

    const chosen = chooseLegRoutes(
      [PLAN],
      [
        { routes: PRIMARY, models: primary },
        { routes: CANDIDATE, models: candidate },
      ],
      { arms: new Map(), policy: POLICY, ...FEATURES },
    );
    const [direct, via] = chosen.decisions[0]?.scores ?? [];
    // Each candidate is scored with its own route's model: the refit on the direct route, the
    // analytic model on the other.
    expectAbsClose(
      direct?.predictedCostBps,
      quotePath(calibrateRoute(DIRECT_MODEL, directFit), PLAN.sizeUsd).totalCost * 10_000 +
        Math.min(0, directFit.offsetBps),
      1e-9,
      "direct (refitted)",
    );
    expectAbsClose(
      via?.predictedCostBps,
      quotePath(VIA_MODEL, PLAN.sizeUsd).totalCost * 10_000,
      1e-9,
      "via (analytic)",
    );
    // Analytic costs alone would pick the direct pool; its refit makes the route through WETH cheaper.
    expect(quotePath(DIRECT_MODEL, PLAN.sizeUsd).totalCost).to.be.lessThan(
      quotePath(VIA_MODEL, PLAN.sizeUsd).totalCost,
    );
    expect(chosen.decisions[0]?.route).to.equal(SELL_VIA);
    expect(chosen.routes.sell[1]).to.equal(VIA_WETH);
    // The chosen route does not inherit the primary route's refit: it sizes with the analytic model.
    expect(chosen.models.fits?.sell[1]).to.equal(null);
    const sized = sizeLegs(SNAP, [5000, 5000], chosen.routes, chosen.models, { minTradeBps: 10 });
    expect(sized.plans[0]?.predictedCostBps).to.equal(sized.plans[0]?.analyticCostBps);
    expect(refitNote(chosen.models, chosen.routes, PRIMARY, SNAP.assets, fits)).to.equal(
      "impact refit: no route has enough fills yet",
    );
    // On the direct route the same sizing prices the leg with the refit.
    const onDirect = sizeLegs(SNAP, [5000, 5000], PRIMARY, primary, { minTradeBps: 10 });
    expect((onDirect.plans[0]?.predictedCostBps ?? 0) - (onDirect.plans[0]?.analyticCostBps ?? 0)).to.be.greaterThan(
      40,
    );
  });

  it("a chosen candidate route brings its own refit, and the note names it", () => {
    const fits = fitsOf(sells(200, null, 5, 60), sells(200, SELL_VIA, 10, 20));
    const viaFit = fits.get(SELL_VIA);
    const chosen = chooseLegRoutes(
      [PLAN],
      [
        { routes: PRIMARY, models: attachRefits(PRIMARY_MODELS, PRIMARY, fits) },
        { routes: CANDIDATE, models: attachRefits(CANDIDATE_MODELS, CANDIDATE, fits) },
      ],
      { arms: new Map(), policy: POLICY, ...FEATURES },
    );
    expect(chosen.decisions[0]?.route).to.equal(SELL_VIA);
    expect(chosen.models.fits?.sell[1]).to.equal(viaFit);
    expect(refitNote(chosen.models, chosen.routes, PRIMARY, SNAP.assets, fits)).to.match(
      /^impact refit: ARB sell on a candidate route \(200 fills, scale [\d.]+, offset [\d.-]+ bps\)$/,
    );
    // Recalibration off: no refits attached, no note.
    expect(attachRefits(PRIMARY_MODELS, PRIMARY, undefined)).to.equal(PRIMARY_MODELS);
    expect(refitNote(PRIMARY_MODELS, PRIMARY, PRIMARY, SNAP.assets, undefined)).to.equal(null);
  });
});
