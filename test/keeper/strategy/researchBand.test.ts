import { expect } from "chai";
import { defaultCosts, defaultRules, parseAssumptions } from "../../../keeper/src/backtest/assumptions.js";
import { runBacktest } from "../../../keeper/src/backtest/backtester.js";
import { ConfigError, InvalidInputError } from "../../../keeper/src/core/errors.js";
import { generateSyntheticMarket } from "../../../keeper/src/data/synthetic.js";
import { bandedTargetBps, routeFeeTiers } from "../../../keeper/src/execution/indexVault/bandTargets.js";
import { encodePath } from "../../../keeper/src/execution/indexVault/rebalanceOrder.js";
import { applyNoTradeBand, bandHalfWidths, parseNoTradeBand } from "../../../keeper/src/market/noTradeBand.js";
import { costDragBpsPerYear, trackingErrorToTargets } from "../../../keeper/src/research/executionStats.js";
import { BandedStrategy } from "../../../keeper/src/strategy/bandedStrategy.js";
import { equalWeight } from "../../../keeper/src/strategy/baselines/simple.js";
import { expectAbsClose } from "../../helpers/approx.js";

describe("research: no-trade band", () => {
  const band = parseNoTradeBand({ penalty: 10, minBand: 0.005 });
  // Base, a 5 bp asset, a 30 bp (+5 bp hub) asset and a 1% (+5 bp hub) asset.
  const widths = bandHalfWidths([[], [0.0005], [0.0005, 0.003], [0.0005, 0.01]], band);

  it("widens each band with its route's fee tiers, floored at minBand", () => {
    expect(widths[1]).to.equal(0.005); // 10 x 5 bp / 2 = 0.25% < floor 0.5%
    expectAbsClose(widths[2], 0.0175, 1e-12); // 10 x 35 bp / 2
    expectAbsClose(widths[3], 0.0525, 1e-12); // 10 x 105 bp / 2
    expect(() => parseNoTradeBand({ penalty: -1 })).to.throw(ConfigError);
  });

  it("holds weights inside their band, trades others to the band's edge, exits in full", () => {
    const current = [0.1, 0.3, 0.3, 0.3];
    const target = [0.1, 0.302, 0.35, 0.248];
    const out = applyNoTradeBand({ current, target, halfWidths: widths, baseIndex: 0, minTurnover: 0 });
    expect(out).to.not.equal(null);
    const w = out as Float64Array;
    expect(w[1]).to.equal(0.3); // 0.2 points off: inside 0.5
    expectAbsClose(w[2], 0.35 - 0.0175, 1e-12); // to the lower edge of its band
    expect(w[3]).to.equal(0.3); // 5.2 points off, inside the 1% pool's 5.25-point band
    expectAbsClose(
      w.reduce((a, b) => a + b, 0),
      1,
      1e-12,
    );
    const exit = applyNoTradeBand({
      current,
      target: [0.4, 0.3, 0.3, 0],
      halfWidths: widths,
      baseIndex: 0,
      minTurnover: 0,
    });
    expect(exit?.[3]).to.equal(0);
    expectAbsClose(exit?.[0], 0.4, 1e-12);
  });

  it("says hold when nothing leaves its band or the turnover is below the minimum", () => {
    const current = [0.1, 0.3, 0.3, 0.3];
    expect(
      applyNoTradeBand({
        current,
        target: [0.1, 0.301, 0.31, 0.289],
        halfWidths: widths,
        baseIndex: 0,
        minTurnover: 0,
      }),
    ).to.equal(null);
    const small = { current, target: [0.08, 0.3, 0.34, 0.28], halfWidths: widths, baseIndex: 0 };
    expect(applyNoTradeBand({ ...small, minTurnover: 0 })).to.not.equal(null);
    expect(applyNoTradeBand({ ...small, minTurnover: 0.05 })).to.equal(null);
  });

  it("never sums above 1 nor passes a cap, even when held weights sit above their targets", () => {
    // Asset 1 is held inside its band above target; asset 2 must rise: its rise is scaled down.
    const inputs = { current: [0.02, 0.58, 0.4], target: [0, 0.56, 0.44], halfWidths: [0, 0.03, 0.01], baseIndex: 0 };
    const out = applyNoTradeBand({ ...inputs, minTurnover: 0 }) as Float64Array;
    expect(out[1]).to.equal(0.58);
    expectAbsClose(out[2], 0.42, 1e-12); // wanted 0.43, only 2 points of room
    expectAbsClose(out[0], 0, 1e-12);
    expectAbsClose(
      out.reduce((a, b) => a + b, 0),
      1,
      1e-12,
    );
    const capped = applyNoTradeBand({ ...inputs, caps: [1, 1, 0.41], minTurnover: 0 }) as Float64Array;
    expectAbsClose(capped[2], 0.41, 1e-12);
    expectAbsClose(capped[0], 0.01, 1e-12);
    expect(() =>
      applyNoTradeBand({ current: [1], target: [0.5, 0.5], halfWidths: [0, 0], baseIndex: 0, minTurnover: 0 }),
    ).to.throw(InvalidInputError);
  });

  it("in a backtest: a wider band trades less, costs less, and both figures are computed from the run", () => {
    const panel = generateSyntheticMarket({
      seed: 3,
      bars: 400,
      freq: "24h",
      assets: ["USDC", "WETH", "WBTC", "LINK", "GMX"],
    });
    const base = panel.assets.findIndex((a) => a.symbol === "USDC");
    const assumptions = parseAssumptions({ maxWeight: 0.4 });
    const costs = defaultCosts(panel, "USDC", assumptions);
    const runWith = (minBand: number) => {
      const b = parseNoTradeBand({ penalty: 0, minBand });
      const s = new BandedStrategy(equalWeight({ rebalanceEveryBars: 1 }), bandHalfWidths(costs.feeTiers, b), base, b);
      const r = runBacktest({
        panel,
        strategy: s,
        costs,
        rules: defaultRules(panel, base, assumptions),
        baseAssetIndex: base,
        settings: { from: 60, recordWeights: false },
      });
      return { r, s, drag: costDragBpsPerYear(r), te: trackingErrorToTargets(r, s.targets) };
    };
    const tight = runWith(0);
    const wide = runWith(0.05);
    expect(tight.drag).to.be.greaterThan(0);
    expect(wide.drag).to.be.lessThan(tight.drag);
    expect(wide.r.rebalances.length).to.be.lessThan(tight.r.rebalances.length);
    expect(wide.s.targets.length).to.equal(tight.s.targets.length); // same decisions, fewer trades
    expect(wide.te as number).to.be.greaterThan(tight.te as number);
    // Cost drag is the costs paid over the NAV before each bar, annualised.
    let paid = 0;
    for (let k = 1; k < tight.r.nav.length; k++) {
      paid += ((tight.r.costUsd[k] as number) + (tight.r.gasUsd[k] as number)) / (tight.r.nav[k - 1] as number);
    }
    expectAbsClose(tight.drag, (paid * 365 * 1e4) / (tight.r.nav.length - 1), 1e-6);
  });
});

describe("research: no-trade band in the keeper's planning path", () => {
  const addr = (k: number) => `0x${k.toString(16).padStart(2, "0").repeat(20)}`;
  const universe = [
    { symbol: "USDC", address: addr(1), decimals: 6, maxWeightBps: 10_000 },
    { symbol: "WETH", address: addr(2), decimals: 18, maxWeightBps: 4_000 },
    { symbol: "GMX", address: addr(3), decimals: 18, maxWeightBps: 4_000 },
  ];
  // The demo's routes: USDC -> WETH in a 5 bp pool; USDC -> WETH -> GMX through a 1% pool.
  const buyPaths = {
    WETH: encodePath([addr(1), addr(2)], [500]),
    GMX: encodePath([addr(1), addr(2), addr(3)], [500, 10_000]),
  };
  const band = parseNoTradeBand({ penalty: 4, minBand: 0.005 });

  it("reads each asset's fee tiers from its buy path and bands the validated target", () => {
    const fees = routeFeeTiers(universe, buyPaths);
    expect(fees).to.deep.equal([[], [0.0005], [0.0005, 0.01]]);
    // GMX is 3 points under target, outside its 2.1-point band (4 x 1.05% / 2): bought to the
    // band's edge, 37.9%. WETH is 3 points over: sold to its edge, 40.5%, held to its 40% cap.
    const out = bandedTargetBps(universe, { USDC: 0.2, WETH: 0.43, GMX: 0.37 }, [2_000, 4_000, 4_000], fees, band);
    expect(out).to.deep.equal([2_210, 4_000, 3_790]);
    expect(out?.reduce((a, b) => a + b, 0)).to.equal(10_000);
    expect(bandedTargetBps(universe, { USDC: 0.2, WETH: 0.4, GMX: 0.4 }, [2_000, 4_020, 3_980], fees, band)).to.equal(
      null,
    );
    expect(() => routeFeeTiers(universe, { WETH: buyPaths.WETH })).to.throw(InvalidInputError, /no buy path for GMX/);
  });
});
