import { expect } from "chai";
import { planLegs } from "../../../keeper/src/execution/indexVault/planLegs.js";
import { type RouteModels, sizeLegs } from "../../../keeper/src/execution/indexVault/sizeLegs.js";
import type { HopLiquidity } from "../../../keeper/src/market/costs.js";
import { addFlows, type PathRoute, quotePath } from "../../../keeper/src/strategy/risk/pathImpact.js";
import { expectAbsClose, expectRelClose } from "../../helpers/approx.js";

/** A vault over USDC (base, 6 decimals), WETH and ARB (18 decimals) at $3000 and $1. */
const ASSETS = [
  "0x00000000000000000000000000000000000000a0",
  "0x00000000000000000000000000000000000000a1",
  "0x00000000000000000000000000000000000000a2",
];
const PRICES = [100_000_000n, 300_000_000_000n, 100_000_000n];
const ROUTES = { sell: ["", "0x5e11a1", "0x5e11a2"], buy: ["", "0xb0a1", "0xb0a2"] };
const usdc = (usd: number) => BigInt(Math.round(usd * 1e6));
const wei = (units: number) => BigInt(Math.round(units * 1e6)) * 10n ** 12n;

function snapshot(cashUsd: number, wethUsd: number, arbUsd: number) {
  const balances = [usdc(cashUsd), wei(wethUsd / 3000), wei(arbUsd)];
  const valuesInBase = [usdc(cashUsd), usdc(wethUsd), usdc(arbUsd)];
  return {
    assets: ASSETS,
    decimals: [6, 18, 18],
    balances,
    pricesUsd: PRICES,
    valuesInBase,
    nav: valuesInBase.reduce((a, b) => a + b, 0n),
  };
}

/** One constant-product hop of `depthUsd` (both virtual reserves), unbounded range, `fee` a fraction. */
function pool(depthUsd: number): HopLiquidity {
  return {
    depthUsd,
    rangeHalfWidth: Number.NaN,
    sqrtImpactK: Number.NaN,
    sigmaDaily: Number.NaN,
    dailyVolumeUsd: Number.NaN,
  };
}

function route(selling: boolean, hops: { key: string; fee: number; depthUsd: number }[]): PathRoute {
  return { sellingAsset: selling, hops: hops.map((h) => ({ key: h.key, fee: h.fee, liquidity: pool(h.depthUsd) })) };
}

/** Direct USDC pools for both assets, of the given depths. */
function models(wethDepth: number, arbDepth: number): RouteModels {
  return {
    sell: [
      null,
      route(true, [{ key: "weth:in", fee: 0.0005, depthUsd: wethDepth }]),
      route(true, [{ key: "arb:in", fee: 0.0005, depthUsd: arbDepth }]),
    ],
    buy: [
      null,
      route(false, [{ key: "weth:usdc", fee: 0.0005, depthUsd: wethDepth }]),
      route(false, [{ key: "arb:usdc", fee: 0.0005, depthUsd: arbDepth }]),
    ],
    labels: ["USDC", "WETH", "ARB"],
  };
}

/** Closed form of one constant-product hop: cost = 1 - (1 - f) R / (R + x (1 - f)), R = depth / 2. */
function hopCost(sizeUsd: number, fee: number, depthUsd: number): number {
  const r = depthUsd / 2;
  return 1 - ((1 - fee) * r) / (r + sizeUsd * (1 - fee));
}

const OPTIONS = { minTradeBps: 10, buyHaircutBps: 50, sellHaircutBps: 300, maxSlippageBps: 200, marginBps: 50 };

describe("execution: leg sizing with the price-impact model", () => {
  it("leaves a small leg in a deep pool untouched, its haircut being its own predicted cost", () => {
    const snap = snapshot(1_000_000, 0, 0);
    const plan = sizeLegs(snap, [1000, 4500, 4500], ROUTES, models(2e10, 2e10), OPTIONS);
    expect(plan.partial).to.equal(false);
    expect(plan.notes).to.deep.equal([]);
    expect(plan.targetWeightsBps).to.deep.equal([1000, 4500, 4500]);
    expect(plan.legs.map((l) => l.path)).to.deep.equal(["0xb0a1", "0xb0a2"]);
    for (const p of plan.plans) {
      // The buy spends the missing $450k less what the model says it loses.
      const predicted = hopCost(450_000, 0.0005, 2e10);
      expectRelClose(Number(p.amountIn) / 1e6, 450_000 * (1 - predicted), 1e-9, "amount");
      expectAbsClose(p.predictedCostBps, hopCost(p.sizeUsd, 0.0005, 2e10) * 10_000, 1e-9, "cost");
      expect(p.capped).to.equal(false);
    }
  });

  it("caps a large leg in a thin pool at the largest size under the budget and signs the weights it reaches", () => {
    const snap = snapshot(1_000_000, 0, 0);
    // ARB's pool holds $1M a side: a $450k buy would lose ~30%.
    const plan = sizeLegs(snap, [1000, 4500, 4500], ROUTES, models(2e10, 2e6), OPTIONS);
    expect(plan.partial).to.equal(true);
    const arb = plan.plans.find((p) => p.asset === 2);
    const weth = plan.plans.find((p) => p.asset === 1);
    expect(arb?.capped).to.equal(true);
    expect(weth?.capped).to.equal(false);
    // cost(x) = budget  =>  x (1 - f) = R ((1 - f) / (1 - b) - 1)
    const budget = 0.015;
    const expected = (1e6 * ((1 - 0.0005) / (1 - budget) - 1)) / (1 - 0.0005);
    expectRelClose(arb?.sizeUsd ?? 0, expected, 1e-4, "capped size");
    expect(arb?.predictedCostBps).to.be.at.most(150);
    expect(arb?.predictedCostBps).to.be.greaterThan(149.9);
    expect(plan.notes.join(" ")).to.match(/ARB: buy capped .* later cycles do the rest/);
    // The vault checks post-trade weights against the signed ones: those are the expected weights.
    expect(plan.targetWeightsBps.reduce((a, b) => a + b, 0)).to.equal(10_000);
    const navAfter = 1_000_000 - plan.predictedCostUsd;
    const arbAfter = (arb?.sizeUsd ?? 0) * (1 - (arb?.predictedCostBps ?? 0) / 10_000);
    expect(Math.abs((plan.targetWeightsBps[2] ?? 0) - (arbAfter / navAfter) * 10_000)).to.be.at.most(1);
    expect(plan.targetWeightsBps[2]).to.be.lessThan(4500);
  });

  it("falls back to the fixed haircuts when liquidity is unknown, exactly like the fixed planner, and says so", () => {
    const snap = snapshot(100_000, 600_000, 300_000);
    const targets = [1000, 4000, 5000];
    const unknown: RouteModels = {
      sell: [],
      buy: [],
      unknown: [null, "sell: no pool", "buy: no pool"],
      labels: ["USDC", "WETH", "ARB"],
    };
    const plan = sizeLegs(snap, targets, ROUTES, unknown, OPTIONS);
    expect(plan.legs).to.deep.equal(planLegs(snap, targets, ROUTES, OPTIONS));
    expect(plan.plans.every((p) => p.predictedCostBps === null)).to.equal(true);
    expect(plan.notes).to.have.length(2);
    expect(plan.notes[0]).to.include("WETH: liquidity unknown (sell: no pool), sell proceeds assumed 300 bps");
    expect(plan.notes[1]).to.include("ARB: liquidity unknown (buy: no pool), fixed 50 bps buy haircut");
    expect(plan.predictedCostUsd).to.equal(0);
  });

  it("never funds buys with more than the base asset held plus the sells' predicted proceeds", () => {
    // All in WETH, moving half of it to ARB with almost no cash: the ARB buy must wait for the WETH sell.
    const snap = snapshot(1_000, 999_000, 0);
    const deep = models(2e8, 2e8);
    const plan = sizeLegs(snap, [0, 5000, 5000], ROUTES, deep, OPTIONS);
    const sell = plan.plans.find((p) => p.side === "sell");
    const buy = plan.plans.find((p) => p.side === "buy");
    const proceeds = (sell?.sizeUsd ?? 0) * (1 - (sell?.predictedCostBps ?? 0) / 10_000) * (1 - 50 / 10_000);
    expect(Number(buy?.amountIn ?? 0n) / 1e6).to.be.at.most(1_000 + proceeds);
    expect(plan.notes.join(" ")).to.include("buys scaled");
    // With unknown liquidity the same bound holds with the fixed sell haircut.
    const fixed = sizeLegs(snap, [0, 5000, 5000], ROUTES, { sell: [], buy: [] }, OPTIONS);
    const fixedSell = fixed.plans.find((p) => p.side === "sell");
    const fixedBuy = fixed.plans.find((p) => p.side === "buy");
    expect(Number(fixedBuy?.amountIn ?? 0n) / 1e6).to.be.at.most(1_000 + (fixedSell?.sizeUsd ?? 0) * 0.97);
  });

  it("prices a leg through a pool an earlier leg already moved at the margin of that flow", () => {
    const snap = snapshot(0, 500_000, 500_000);
    // Both assets are sold through the same hub pool (same key and direction) into USDC.
    const hub = { key: "hub:in", fee: 0.0005, depthUsd: 4e8 };
    const shared: RouteModels = {
      sell: [
        null,
        route(true, [{ key: "weth:in", fee: 0.003, depthUsd: 1e9 }, hub]),
        route(true, [{ key: "arb:in", fee: 0.003, depthUsd: 1e9 }, hub]),
      ],
      buy: [],
    };
    const plan = sizeLegs(snap, [10_000, 0, 0], ROUTES, shared, OPTIONS);
    expect(plan.partial).to.equal(false);
    const [first, second] = plan.plans;
    const standalone = quotePath(shared.sell[2] as PathRoute, second?.sizeUsd ?? 0).totalCost * 10_000;
    expectAbsClose(
      first?.predictedCostBps,
      quotePath(shared.sell[1] as PathRoute, first?.sizeUsd ?? 0).totalCost * 10_000,
      1e-9,
    );
    // The second sell meets a hub already pushed by $500k: it costs more than it would alone.
    expect(second?.predictedCostBps).to.be.greaterThan(standalone + 1);
  });

  it("nets a leg against an earlier leg that pushed the same pool the other way", () => {
    const liquidity = pool(2e6);
    const sell: PathRoute = {
      sellingAsset: true,
      hops: [{ key: "hub:weth", reverseKey: "hub:usdc", fee: 0.0005, liquidity }],
    };
    const buy: PathRoute = {
      sellingAsset: false,
      hops: [{ key: "hub:usdc", reverseKey: "hub:weth", fee: 0.0005, liquidity }],
    };
    const afterSell = addFlows(sell, 100_000);
    // A buy no larger than the sell only undoes its impact: charged the fee alone, never less.
    expectAbsClose(quotePath(buy, 60_000, afterSell).totalCost, 0.0005, 1e-12);
    // Beyond the undone part it pays impact from the mid, as on an untouched pool.
    const beyond = quotePath(buy, 160_000, afterSell).totalCost;
    const expected = 1 - (100_000 * (1 - 0.0005) + 60_000 * (1 - quotePath(buy, 60_000).totalCost)) / 160_000;
    expectAbsClose(beyond, expected, 1e-12);
    expect(beyond).to.be.lessThan(quotePath(buy, 160_000).totalCost);
    // Same-direction flows still add up: a second sell costs more than the first.
    expect(quotePath(sell, 100_000, afterSell).totalCost).to.be.greaterThan(quotePath(sell, 100_000).totalCost);
  });

  it("sells an asset a rotation removes in full, even below the minimum trade size", () => {
    const snap = snapshot(999_990, 0, 10);
    const targets = [10_000, 0, 0];
    expect(sizeLegs(snap, targets, ROUTES, models(2e10, 2e10), OPTIONS).legs).to.deep.equal([]);
    const plan = sizeLegs(snap, targets, ROUTES, models(2e10, 2e10), { ...OPTIONS, exit: new Set([2]) });
    expect(plan.legs.map(({ path, amountIn }) => ({ path, amountIn }))).to.deep.equal([
      { path: "0x5e11a2", amountIn: snap.balances[2] },
    ]);
  });

  it("signs each leg's minimum output from its own quote: oracle value less predicted cost and tolerance (M-2)", () => {
    const snap = snapshot(500_000, 250_000, 250_000);
    const tolerance = 25;
    const plan = sizeLegs(snap, [2000, 4000, 4000], ROUTES, models(2e8, 2e8), {
      ...OPTIONS,
      quoteToleranceBps: tolerance,
    });
    expect(plan.legs.length).to.equal(2);
    plan.legs.forEach((leg, k) => {
      const p = plan.plans[k];
      if (!p || p.predictedCostBps === null) throw new Error("every leg here has a model");
      // Buys: USDC (6 decimals, $1 = 1e8 at 8 decimals) into an 18-decimal asset at the oracle price.
      const price = PRICES[p.asset] ?? 1n;
      const oracleOut = (leg.amountIn * 10n ** 12n * 100_000_000n) / price;
      const haircut = BigInt(Math.ceil(p.predictedCostBps + tolerance));
      expect(leg.minAmountOut).to.equal((oracleOut * (10_000n - haircut)) / 10_000n);
      // Strictly tighter than the vault's own floor (oracle value less maxSlippageBps).
      const floor = (oracleOut * BigInt(10_000 - OPTIONS.maxSlippageBps)) / 10_000n;
      expect(leg.minAmountOut > floor).to.equal(true);
    });
  });

  it("signs no minimum of its own where the liquidity is unknown: the vault's floor alone applies", () => {
    const snap = snapshot(500_000, 250_000, 250_000);
    const none: RouteModels = { sell: [null, null, null], buy: [null, null, null] };
    const plan = sizeLegs(snap, [2000, 4000, 4000], ROUTES, none, OPTIONS);
    expect(plan.legs.length).to.equal(2);
    expect(plan.legs.every((leg) => leg.minAmountOut === 0n)).to.equal(true);
  });
});
