import { expect } from "chai";
import { network } from "hardhat";
import { type ArbitrumLocal, deployArbitrumLocal } from "../../../keeper/src/devchain/arbitrumLocal.js";
import {
  constantProductOut,
  type HopLiquidity,
  hopOutFraction,
  legOutFraction,
  Q96,
  rangeCapacityUsd,
  sqrtImpact,
  v3SwapStepExactIn,
} from "../../../keeper/src/market/costs.js";
import { expectNear } from "./fixtures.js";

const E18 = 10n ** 18n;

function liq(overrides: Partial<HopLiquidity> = {}): HopLiquidity {
  return {
    depthUsd: Number.NaN,
    rangeHalfWidth: Number.NaN,
    sqrtImpactK: 1,
    sigmaDaily: 0.04,
    dailyVolumeUsd: 1e8,
    ...overrides,
  };
}

describe("costs: Uniswap V3 exact swap step", () => {
  it("matches the hand-computed constant-product output with the fee taken on input", () => {
    // Price 1 (sqrtP = 2^96), L = 1e18, 0.3% fee, 1e15 of token1 in.
    // In-range the pool is x*y = L^2, so out = L * dy / (L + dy) with dy = 1e15 * 0.997.
    const dy = (10n ** 15n * 997n) / 1000n;
    const ideal = (E18 * dy) / (E18 + dy);
    const step = v3SwapStepExactIn({
      sqrtPriceX96: Q96,
      sqrtPriceEdgeX96: 2n * Q96,
      liquidity: E18,
      amountIn: 10n ** 15n,
      feePips: 3000,
    });
    expect(step.reachedEdge).to.equal(false);
    expect(step.amountIn).to.equal(10n ** 15n);
    // Pool rounding (sqrt price rounded down, output rounded down) can only cost a few wei.
    expect(ideal - step.amountOut).to.be.within(0n, 2n);
    // The fee is the part of the input not used to move the price: 0.3% of 1e15 (+1 wei rounding).
    expect(step.feeAmount).to.be.within(3n * 10n ** 12n, 3n * 10n ** 12n + 1n);
    expect(step.sqrtPriceNextX96 > Q96).to.equal(true);

    // Selling token0 is the mirror image.
    const down = v3SwapStepExactIn({
      sqrtPriceX96: Q96,
      sqrtPriceEdgeX96: Q96 / 2n,
      liquidity: E18,
      amountIn: 10n ** 15n,
      feePips: 3000,
    });
    expect(ideal - down.amountOut).to.be.within(0n, 2n);
  });

  it("stops at the range edge and reports the input it could use", () => {
    // From price 1 to the edge at sqrtP = 1.01 (price 1.0201): needs L * 0.01 = 1e16 token1 after fee.
    const edge = (Q96 * 101n) / 100n;
    const step = v3SwapStepExactIn({
      sqrtPriceX96: Q96,
      sqrtPriceEdgeX96: edge,
      liquidity: E18,
      amountIn: E18,
      feePips: 500,
    });
    expect(step.reachedEdge).to.equal(true);
    expect(step.sqrtPriceNextX96).to.equal(edge);
    const usedLessFee = step.amountIn - step.feeAmount;
    expect(usedLessFee).to.be.within(10n ** 16n - 1n, 10n ** 16n + 1n);
    // Out = L * (1/1 - 1/1.01) token0.
    expectNear(Number(step.amountOut) / 1e18, 1 - 1 / 1.01, 1e-12);
  });

  describe("against the real Uniswap V3 pool on the local chain", () => {
    let local: ArbitrumLocal;
    before(async () => {
      const { ethers } = await network.create("arbitrumLocal");
      local = await deployArbitrumLocal(ethers);
    });

    for (const [label, zeroForOne, amount] of [
      ["token0 in", true, 7n],
      ["token1 in", false, 12_345n],
    ] as const) {
      it(`gives QuoterV2's exact output and final price (${label})`, async () => {
        const pool = local.pools.find((p) => p.key === "WETH/USDC/500");
        if (!pool) throw new Error("WETH/USDC/500 pool missing");
        const [sqrtPriceX96] = await pool.contract.slot0();
        const liquidity = await pool.contract.liquidity();
        const tokenIn = zeroForOne ? pool.token0 : pool.token1;
        const tokenOut = zeroForOne ? pool.token1 : pool.token0;
        const amountIn = amount * 10n ** BigInt(local.tokens[tokenIn].decimals);
        const [quotedOut, quotedSqrtAfter, ticksCrossed] = await local.uniswap.quoter.quoteExactInputSingle.staticCall({
          tokenIn: local.tokens[tokenIn].address,
          tokenOut: local.tokens[tokenOut].address,
          amountIn,
          fee: 500,
          sqrtPriceLimitX96: 0n,
        });
        // A small trade stays inside the concentrated band: one liquidity range, no tick crossed.
        expect(ticksCrossed).to.equal(0n);
        const step = v3SwapStepExactIn({
          sqrtPriceX96,
          sqrtPriceEdgeX96: zeroForOne ? sqrtPriceX96 / 2n : sqrtPriceX96 * 2n,
          liquidity,
          amountIn,
          feePips: 500,
        });
        expect(step.reachedEdge).to.equal(false);
        expect(step.amountOut).to.equal(quotedOut);
        expect(step.sqrtPriceNextX96).to.equal(quotedSqrtAfter);
      });
    }
  });
});

describe("costs: float models", () => {
  it("constant product: impact x / (R + x) on a reserve of half the depth, none for infinite depth", () => {
    expectNear(constantProductOut(1_000, 1_000_000), (1_000 * 1_000_000) / 1_001_000, 1e-9);
    expect(constantProductOut(1_000, Number.POSITIVE_INFINITY)).to.equal(1_000);
    // Hop with depth 2M (R = 1M), 30 bp fee, $10k: out = R * x' / (R + x') with x' = 9,970.
    const xp = 10_000 * 0.997;
    expectNear(hopOutFraction(10_000, 0.003, true, liq({ depthUsd: 2e6 })), (1e6 * xp) / (1e6 + xp) / 10_000, 1e-12);
  });

  it("agrees with the exact V3 step when valued at the mid price", () => {
    const L = 10n ** 24n;
    const step = v3SwapStepExactIn({
      sqrtPriceX96: Q96,
      sqrtPriceEdgeX96: 2n * Q96,
      liquidity: L,
      amountIn: 5n * 10n ** 21n,
      feePips: 500,
    });
    // At price 1 each side's virtual reserve is L, so the depth is 2L.
    const f = hopOutFraction(5e21, 0.0005, false, liq({ depthUsd: 2e24 }));
    expectNear(Number(step.amountOut) / 5e21, f, 1e-12);
  });

  it("range capacity moves the constant-product price exactly to the range edge", () => {
    const R = 1e6;
    for (const w of [0.01, 0.1, 0.25]) {
      const sellCap = rangeCapacityUsd(R, w, true);
      // Selling x of the asset: the asset's price falls by (R / (R + x))^2.
      expectNear((R / (R + sellCap)) ** 2, 1 - w, 1e-12);
      const buyCap = rangeCapacityUsd(R, w, false);
      expectNear(((R + buyCap) / R) ** 2, 1 + w, 1e-12);
    }
    expect(rangeCapacityUsd(R, Number.NaN, true)).to.equal(Number.POSITIVE_INFINITY);
  });

  it("square-root impact: k * sigma * sqrt(trade / daily volume)", () => {
    expectNear(sqrtImpact(1e6, 1, 0.04, 1e8), 0.004, 1e-15);
    expectNear(sqrtImpact(4e6, 0.5, 0.04, 1e8), 0.004, 1e-15);
    // Depth unknown: fee, then the square-root model on the post-fee amount.
    const f = hopOutFraction(1e6, 0.0005, true, liq());
    expectNear(f, 0.9995 * (1 - 0.04 * Math.sqrt((1e6 * 0.9995) / 1e8)), 1e-12);
  });

  it("beyond the active range the remainder pays the edge price plus square-root impact", () => {
    const l = liq({ depthUsd: 2e6, rangeHalfWidth: 0.02 });
    const cap = rangeCapacityUsd(1e6, 0.02, true);
    const justIn = hopOutFraction(cap / 0.997, 0.003, true, l);
    const beyond = hopOutFraction((cap * 3) / 0.997, 0.003, true, l);
    const unbounded = hopOutFraction((cap * 3) / 0.997, 0.003, true, liq({ depthUsd: 2e6 }));
    expect(justIn).to.be.greaterThan(beyond);
    expect(beyond).to.not.equal(unbounded);
    // Continuity at the edge: a hair beyond costs about the same as exactly at the edge.
    expectNear(hopOutFraction((cap * 1.000001) / 0.997, 0.003, true, l), justIn, 1e-6);
    // Neither depth nor volume: the cost cannot be modelled.
    expect(hopOutFraction(1_000, 0.003, true, liq({ dailyVolumeUsd: Number.NaN }))).to.be.NaN;
  });

  it("multi-hop legs pay every hop's fee and impact, each on that hop's input", () => {
    const l = liq({ depthUsd: 4e6 });
    const one = legOutFraction(50_000, [0.003], false, l);
    const two = legOutFraction(50_000, [0.003, 0.0005], false, l);
    const first = hopOutFraction(50_000, 0.003, false, l);
    const second = hopOutFraction(50_000 * first, 0.0005, false, l);
    expect(one).to.equal(first);
    expectNear(two, first * second, 1e-15);
    expect(two).to.be.lessThan(one);
  });

  it("a sell walks the route backwards, and hub hops can have their own (deeper) pool", () => {
    const asset = liq({ depthUsd: 4e6 });
    const hub = liq({ depthUsd: 1e9 });
    const route = [0.0005, 0.003]; // USDC -> WETH (hub), WETH -> token
    const sell = legOutFraction(50_000, route, true, asset, hub);
    const tokenHop = hopOutFraction(50_000, 0.003, true, asset);
    const hubHop = hopOutFraction(50_000 * tokenHop, 0.0005, true, hub);
    expectNear(sell, tokenHop * hubHop, 1e-15);
    const buy = legOutFraction(50_000, route, false, asset, hub);
    const hubFirst = hopOutFraction(50_000, 0.0005, false, hub);
    expectNear(buy, hubFirst * hopOutFraction(50_000 * hubFirst, 0.003, false, asset), 1e-15);
    // Charging the hub hop the asset's thin pool costs more.
    expect(legOutFraction(50_000, route, true, asset)).to.be.lessThan(sell);
  });
});
