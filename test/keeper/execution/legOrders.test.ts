import { expect } from "chai";
import { getAddress } from "ethers";
import { legOrders, legResults, type TokenOf } from "../../../keeper/src/execution/indexVault/legOrders.js";
import { encodePath, type RebalanceOrder } from "../../../keeper/src/execution/indexVault/rebalanceOrder.js";
import { expectAbsClose } from "../../helpers/approx.js";

const USDC = getAddress(`0x${"11".repeat(20)}`);
const WETH = getAddress(`0x${"22".repeat(20)}`);
const ARB = getAddress(`0x${"33".repeat(20)}`);
const TOKENS: Record<string, { symbol: string; decimals: number }> = {
  [USDC]: { symbol: "USDC", decimals: 6 },
  [WETH]: { symbol: "WETH", decimals: 18 },
  [ARB]: { symbol: "ARB", decimals: 18 },
};
const tokenOf: TokenOf = (address) => {
  const token = TOKENS[getAddress(address)];
  if (!token) throw new Error(`unknown ${address}`);
  return token;
};

/** Sells 2 ARB for at least 2.2 USDC (through WETH), buys at least 0.5 WETH for 1,500 USDC. */
const ORDER: RebalanceOrder = {
  assets: [USDC, WETH, ARB],
  targetWeightsBps: [1_000, 6_000, 3_000],
  legs: [
    { path: encodePath([ARB, WETH, USDC], [3000, 500]), amountIn: 2n * 10n ** 18n, minAmountOut: 2_200_000n },
    { path: encodePath([USDC, WETH], [500]), amountIn: 1_500_000_000n, minAmountOut: 5n * 10n ** 17n },
  ],
  nonce: 7n,
  deadline: 1_000n,
  maxSlippageBps: 100,
  submitter: USDC,
};

describe("execution/indexVault legOrders: a rebalance order's legs as venue-neutral orders", () => {
  it("names each leg by nonce and index, its asset (not the hub it routes through) and side", () => {
    const orders = legOrders(ORDER, tokenOf);
    expect(orders.map((o) => [o.clientId, o.symbol, o.side, o.reduceOnly])).to.deep.equal([
      ["7:0", "ARB", "sell", true],
      ["7:1", "WETH", "buy", false],
    ]);
  });

  it("sizes in the asset's units and limits at the worst base price the signed minimum allows", () => {
    const [sell, buy] = legOrders(ORDER, tokenOf);
    // Sell: 2 ARB for at least 2.2 USDC, so no worse than 1.1 USDC per ARB.
    expect(sell).to.deep.include({ size: "2.0", limitPrice: "1.1000000" });
    // Buy: at least 0.5 WETH for 1,500 USDC, so no worse than 3,000 USDC per WETH.
    expect(buy).to.deep.include({ size: "0.5", limitPrice: "3000.0000" });
  });

  it("reports each fill as filled, in the asset's units, at its realised base price", () => {
    const orders = legOrders(ORDER, tokenOf);
    const results = legResults(
      orders,
      [
        { tokenIn: ARB, tokenOut: USDC, amountIn: 2n * 10n ** 18n, amountOut: 2_300_000n, minOut: 2_200_000n },
        {
          tokenIn: USDC,
          tokenOut: WETH,
          amountIn: 1_500_000_000n,
          amountOut: 6n * 10n ** 17n,
          minOut: 5n * 10n ** 17n,
        },
      ],
      tokenOf,
    );
    expect(results.map((r) => [r.order.clientId, r.status, r.filledSize])).to.deep.equal([
      ["7:0", "filled", "2.0"],
      ["7:1", "filled", "0.6"],
    ]);
    expectAbsClose(results[0]?.averagePrice, 1.15, 1e-12, "ARB sell price");
    expectAbsClose(results[1]?.averagePrice, 2_500, 1e-9, "WETH buy price");
  });

  it("refuses a leg whose asset the config does not describe", () => {
    const unknown = getAddress(`0x${"44".repeat(20)}`);
    const order = {
      ...ORDER,
      legs: [{ ...(ORDER.legs[0] as RebalanceOrder["legs"][number]), path: encodePath([unknown, USDC], [3000]) }],
    };
    expect(() => legOrders(order, tokenOf)).to.throw(/unknown/);
  });
});
