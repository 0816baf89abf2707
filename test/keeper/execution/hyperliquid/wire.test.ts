import { expect } from "chai";
import { InvalidInputError } from "../../../../keeper/src/core/errors.js";
import { clientOrderId, planOrders } from "../../../../keeper/src/execution/hyperliquid/planOrders.js";
import { isValidPrice, roundPrice, roundSize } from "../../../../keeper/src/execution/hyperliquid/wire.js";

describe("HyperLiquid number rules", () => {
  it("rounds sizes down to the asset's grid, never up", () => {
    expect(roundSize(0.514808, 5)).to.equal("0.5148");
    expect(roundSize(-2.99999, 2)).to.equal("2.99");
    expect(roundSize(0.29 * 100, 0)).to.equal("29"); // 28.999999999999996 in binary
    expect(roundSize(0.00000049, 6)).to.equal("0");
    expect(() => roundSize(Number.NaN, 2)).to.throw(InvalidInputError);
  });

  it("keeps 5 significant figures and at most 6 - szDecimals decimals, toward the passive side", () => {
    expect(roundPrice(1234.567, 2, "buy")).to.equal("1234.5");
    expect(roundPrice(1234.567, 2, "sell")).to.equal("1234.6");
    expect(roundPrice(0.0123456, 0, "buy")).to.equal("0.012345");
    expect(roundPrice(0.0123456, 2, "sell")).to.equal("0.0124"); // capped at 4 decimals
    expect(roundPrice(123_456.7, 5, "buy")).to.equal("123456"); // integers are always valid
    expect(roundPrice(99_999.7, 5, "sell")).to.equal("100000");
  });

  it("every rounded price passes the exchange's validity rule", () => {
    for (const szDecimals of [0, 1, 2, 3, 4, 5]) {
      for (const price of [0.000123456, 0.98765, 1.23456, 45.6789, 987.654, 12_345.67, 98_765.4321]) {
        for (const side of ["buy", "sell"] as const) {
          if (price < 10 ** -(6 - szDecimals)) {
            if (side === "buy") expect(() => roundPrice(price, szDecimals, side)).to.throw(InvalidInputError, /tick/);
            continue;
          }
          const text = roundPrice(price, szDecimals, side);
          expect(isValidPrice(text, szDecimals), `${price} ${szDecimals} ${side} -> ${text}`).to.equal(true);
          const moved = (Number(text) - price) / price;
          expect(side === "buy" ? moved <= 1e-12 : moved >= -1e-12).to.equal(true);
        }
      }
    }
    expect(isValidPrice("1234.56", 2)).to.equal(false);
    expect(isValidPrice("0.1234567", 0)).to.equal(false);
  });

  it("cloids are 16-byte hex, distinct per order and stable per plan", () => {
    const a = clientOrderId("plan-1", 0);
    expect(a).to.match(/^0x[0-9a-f]{32}$/);
    expect(clientOrderId("plan-1", 0)).to.equal(a);
    expect(clientOrderId("plan-1", 1)).to.not.equal(a);
    expect(clientOrderId("plan-2", 0)).to.not.equal(a);
  });

  it("leaves out moves below the minimum trade and orders below the minimum order value", () => {
    const markets = [{ symbol: "ETH", asset: 1, szDecimals: 4, maxLeverage: 25 }];
    const base = { markets, mids: { ETH: 2_000 }, navUsd: 10_000 };
    const policy = { slippageBps: 50, minOrderUsd: 10, minTradeBps: 10, maxGrossLeverage: 2 };
    const tiny = planOrders({ ...base, positions: { ETH: 1 }, target: { ETH: 0.2004 } }, policy, "p");
    expect(tiny.orders).to.have.length(0);
    expect(tiny.notes.join()).to.match(/minimum trade/);
    const small = planOrders({ ...base, positions: {}, target: { ETH: 0.0009 } }, { ...policy, minTradeBps: 0 }, "p");
    expect(small.orders).to.have.length(0);
    expect(small.notes.join()).to.match(/minimum order/);
    // A full close goes out even below the minimum order value.
    const close = planOrders({ ...base, positions: { ETH: 0.004 }, target: {} }, policy, "p");
    expect(close.orders.map((o) => [o.side, o.size, o.reduceOnly])).to.deep.equal([["sell", "0.004", true]]);
  });
});
