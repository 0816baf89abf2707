import { expect } from "chai";
import type { PoolLiquidity } from "../../../keeper/src/data/poolLiquidity.js";
import { sqrtPriceX96FromUsd } from "../../../keeper/src/devchain/uniswapMath.js";
import { hopLiquidity } from "../../../keeper/src/execution/indexVault/hopLiquidity.js";
import { v3SwapStepExactIn } from "../../../keeper/src/market/costs.js";
import { quotePath } from "../../../keeper/src/strategy/risk/pathImpact.js";
import { expectAbsClose, expectRelClose } from "../../helpers/approx.js";

// WETH (token0, 18 decimals) / USDC (token1, 6 decimals) at $3000, fee 0.05%.
const WETH = "0x0000000000000000000000000000000000000001";
const USDC = "0x0000000000000000000000000000000000000002";
const SQRT_P = sqrtPriceX96FromUsd(3000, 18, 1, 6);
const TICK = Math.floor(Math.log((Number(SQRT_P) / 2 ** 96) ** 2) / Math.log(1.0001));
const L_IN = 9n * 10n ** 16n; // about $5M of USDC virtual reserve
const L_BELOW = 3n * 10n ** 16n; // a third of it below the range's lower edge
const L_ABOVE = 2n * 10n ** 16n;
const EDGE_DOWN = TICK - 200; // about 2% below
const EDGE_UP = TICK + 300; // about 3% above
const sqrtAt = (tick: number) => BigInt(Math.round(Math.sqrt(1.0001 ** tick) * 2 ** 96));

const POOL: PoolLiquidity = {
  pool: "0x00000000000000000000000000000000000000ff",
  token0: WETH,
  token1: USDC,
  fee: 500,
  sqrtPriceX96: SQRT_P,
  tick: TICK,
  liquidity: L_IN,
  down: { edgeTick: EDGE_DOWN, beyondLiquidity: L_BELOW, horizonTick: TICK - 2000 },
  up: { edgeTick: EDGE_UP, beyondLiquidity: L_ABOVE, horizonTick: TICK + 2000 },
};

/** The pool's own maths: one exact-input step per range, crossing the edge when the input reaches it. */
function exactOut(amountIn: bigint, selling: boolean): bigint {
  const edge = sqrtAt(selling ? EDGE_DOWN : EDGE_UP);
  const first = v3SwapStepExactIn({
    sqrtPriceX96: SQRT_P,
    sqrtPriceEdgeX96: edge,
    liquidity: L_IN,
    amountIn,
    feePips: 500,
  });
  if (!first.reachedEdge) return first.amountOut;
  const second = v3SwapStepExactIn({
    sqrtPriceX96: edge,
    sqrtPriceEdgeX96: selling ? edge / 4n : edge * 4n,
    liquidity: selling ? L_BELOW : L_ABOVE,
    amountIn: amountIn - first.amountIn,
    feePips: 500,
  });
  return first.amountOut + second.amountOut;
}

describe("execution: pool state to the cost model", () => {
  const sell = hopLiquidity(POOL, { near: USDC, nearUsd: 1, nearDecimals: 6, farDecimals: 18, sellingFar: true });
  const buy = hopLiquidity(POOL, { near: USDC, nearUsd: 1, nearDecimals: 6, farDecimals: 18, sellingFar: false });
  const wethUsd = sell.farUsd;

  it("prices the far token from the pool and measures depth and range in the trade's direction", () => {
    expectRelClose(wethUsd, 3000, 1e-9, "WETH price");
    // Virtual USDC reserve = L * sqrtP (raw units); depth counts both sides.
    const reserveUsd = (Number(L_IN) * (Number(SQRT_P) / 2 ** 96)) / 1e6;
    expectRelClose(sell.liquidity.depthUsd, 2 * reserveUsd, 1e-12, "depth");
    expectRelClose(sell.liquidity.beyondDepthUsd ?? 0, (2 * reserveUsd) / 3, 1e-12, "depth below");
    const ratio = (tick: number) => (Number(sqrtAt(tick)) / Number(SQRT_P)) ** 2;
    expectRelClose(sell.liquidity.rangeHalfWidth, 1 - ratio(EDGE_DOWN), 1e-9, "down range");
    expectRelClose(buy.liquidity.rangeHalfWidth, ratio(EDGE_UP) - 1, 1e-9, "up range");
  });

  for (const [label, wethIn] of [
    ["inside the range", 10],
    ["across the lower edge", 50],
  ] as const) {
    it(`predicts a sell ${label} to within 0.01 bp of Uniswap's own maths`, () => {
      const amountIn = BigInt(wethIn) * 10n ** 18n;
      const outUsd = Number(exactOut(amountIn, true)) / 1e6;
      const inUsd = wethIn * wethUsd;
      const predicted = quotePath(
        { sellingAsset: true, hops: [{ key: "k", fee: 0.0005, liquidity: sell.liquidity }] },
        inUsd,
      );
      expectAbsClose(predicted.totalCost, 1 - outUsd / inUsd, 1e-6, "cost");
    });
  }

  it("predicts a buy across the upper edge to within 0.01 bp of Uniswap's own maths", () => {
    const usdIn = 200_000;
    const wethOut = Number(exactOut(BigInt(usdIn) * 10n ** 6n, false)) / 1e18;
    const exactCost = 1 - (wethOut * wethUsd) / usdIn;
    expect(exactCost).to.be.greaterThan(0.01);
    const predicted = quotePath(
      { sellingAsset: false, hops: [{ key: "k", fee: 0.0005, liquidity: buy.liquidity }] },
      usdIn,
    );
    expectAbsClose(predicted.totalCost, exactCost, 1e-6, "cost");
  });

  it("leaves a trade past the scanned horizon unpriced when no edge was found before it", () => {
    const flat = { ...POOL, down: { edgeTick: null, beyondLiquidity: 0n, horizonTick: TICK - 100 } };
    const model = hopLiquidity(flat, { near: USDC, nearUsd: 1, nearDecimals: 6, farDecimals: 18, sellingFar: true });
    const route = { sellingAsset: true, hops: [{ key: "k", fee: 0.0005, liquidity: model.liquidity }] };
    expect(Number.isFinite(quotePath(route, 10_000).totalCost)).to.equal(true);
    expect(Number.isNaN(quotePath(route, 1_000_000).totalCost)).to.equal(true);
  });
});
