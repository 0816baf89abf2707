import { expect } from "chai";
import { unbackedZeroTargets } from "../../../keeper/src/service/zeroTargets.js";

describe("service/zeroTargets", () => {
  const held = ["WETH", "WBTC", "ARB"];

  it("refuses a zero or missing target for a held asset whose data nobody vouched for", () => {
    const target = { USDC: 0.1, WETH: 0.9 };
    expect(unbackedZeroTargets(target, held, new Set(["USDC", "WETH"]))).to.deep.equal(["WBTC", "ARB"]);
    expect(unbackedZeroTargets({ ...target, WBTC: 0 }, held, new Set())).to.deep.equal(["WBTC", "ARB"]);
  });

  it("accepts a zero the market data vouches for (a valid signal) and any positive target", () => {
    const target = { USDC: 0.1, WETH: 0.5, WBTC: 0.4, ARB: 0 };
    expect(unbackedZeroTargets(target, held, new Set(["ARB"]))).to.deep.equal([]);
    expect(unbackedZeroTargets({ USDC: 0.1, WETH: 0.3, WBTC: 0.3, ARB: 0.3 }, held, new Set())).to.deep.equal([]);
  });

  it("ignores assets the vault does not hold", () => {
    expect(unbackedZeroTargets({ USDC: 1 }, [], new Set())).to.deep.equal([]);
  });
});
