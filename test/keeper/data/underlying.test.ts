import { expect } from "chai";
import { dedupeByUnderlying, duplicateExposures, underlyingOf } from "../../../keeper/src/data/underlying.js";

describe("underlying groups", () => {
  it("maps wrappers to their underlying, case-insensitively, and other symbols to themselves", () => {
    expect(underlyingOf("WBTC")).to.equal("BTC");
    expect(underlyingOf("wbtc")).to.equal("BTC");
    expect(underlyingOf("WETH")).to.equal("ETH");
    expect(underlyingOf("WSTETH")).to.equal("STETH");
    expect(underlyingOf("ETH")).to.equal("ETH");
    expect(underlyingOf("RETH")).to.equal("RETH");
    expect(underlyingOf("arb")).to.equal("ARB");
  });

  it("keeps one member per group, the preferred one, in input order", () => {
    expect(dedupeByUnderlying(["WBTC", "LINK", "BTC", "WETH", "WSTETH", "STETH", "RETH"])).to.deep.equal([
      "LINK",
      "BTC",
      "WETH",
      "STETH",
      "RETH",
    ]);
  });

  it("keeps a wrapper when its underlying is absent", () => {
    expect(dedupeByUnderlying(["WBTC", "WETH", "ARB"])).to.deep.equal(["WBTC", "WETH", "ARB"]);
  });

  it("names what it drops and what stands for it", () => {
    expect(duplicateExposures(["WBTC", "BTC", "WSTETH", "STETH", "ARB"])).to.deep.equal([
      { symbol: "WBTC", keptAs: "BTC" },
      { symbol: "WSTETH", keptAs: "STETH" },
    ]);
    expect(duplicateExposures(["ARB", "BTC"])).to.deep.equal([]);
  });
});
