import { expect } from "chai";
import { legOutFraction } from "../../../keeper/src/market/costs.js";
import { maxSizeUnderImpact, type PoolRoute, quoteImpact } from "../../../keeper/src/strategy/risk/priceImpact.js";
import { expectAbsClose } from "../../helpers/approx.js";

const deepPool: PoolRoute = {
  feeTiers: [0.0005],
  sellingAsset: false,
  liquidity: {
    depthUsd: 20_000_000,
    rangeHalfWidth: Number.NaN,
    sqrtImpactK: 0.5,
    sigmaDaily: 0.03,
    dailyVolumeUsd: 1e8,
  },
};

describe("strategy/risk: price impact", () => {
  it("matches constant-product impact x/(R+x) inside an unbounded range", () => {
    const size = 100_000;
    const q = quoteImpact(deepPool, size);
    const reserve = 10_000_000;
    const afterFee = size * (1 - 0.0005);
    expectAbsClose(q.impact, afterFee / (reserve + afterFee), 1e-12);
    expectAbsClose(q.totalCost, 1 - legOutFraction(size, [0.0005], false, deepPool.liquidity), 1e-15);
    expect(q.totalCost).to.be.greaterThan(q.impact);
  });

  it("impact grows with size and with hops", () => {
    const sizes = [1e3, 1e4, 1e5, 1e6, 1e7];
    const impacts = sizes.map((s) => quoteImpact(deepPool, s).impact);
    for (let k = 1; k < impacts.length; k++) expect(impacts[k]).to.be.greaterThan(impacts[k - 1]!);
    const twoHop = quoteImpact({ ...deepPool, feeTiers: [0.0005, 0.003] }, 1e6);
    expect(twoHop.impact).to.be.greaterThan(quoteImpact(deepPool, 1e6).impact);
  });

  it("binary search finds the largest size under a target impact", () => {
    const target = 0.005;
    const size = maxSizeUnderImpact(deepPool, target, { toleranceUsd: 0.01 });
    // Closed form inside the range: x/(R+x) = target  =>  afterFee = R * target / (1 - target).
    const expected = (10_000_000 * target) / (1 - target) / (1 - 0.0005);
    expectAbsClose(size, expected, 0.02);
    expect(quoteImpact(deepPool, size).impact).to.be.at.most(target);
    expect(quoteImpact(deepPool, size + 1).impact).to.be.greaterThan(target);
  });

  it("falls back to square-root impact without depth and returns 0 when fees alone exceed the target", () => {
    const noDepth: PoolRoute = { ...deepPool, liquidity: { ...deepPool.liquidity, depthUsd: Number.NaN } };
    const size = maxSizeUnderImpact(noDepth, 0.01, { toleranceUsd: 0.01 });
    // 0.5 * 0.03 * sqrt(x/1e8) = 0.01  =>  x = 1e8 * (0.01/0.015)^2 (before fee)
    expectAbsClose(size * (1 - 0.0005), 1e8 * (0.01 / 0.015) ** 2, 1);
    expect(maxSizeUnderImpact(deepPool, 0.0001, { includeFees: true })).to.equal(0);
  });

  it("returns 0 when liquidity is unknown", () => {
    const unknown: PoolRoute = {
      ...deepPool,
      liquidity: { ...deepPool.liquidity, depthUsd: Number.NaN, dailyVolumeUsd: Number.NaN },
    };
    expect(maxSizeUnderImpact(unknown, 0.01)).to.equal(0);
  });
});
