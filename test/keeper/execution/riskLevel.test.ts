import { expect } from "chai";
import { generateSyntheticMarket } from "../../../keeper/src/data/synthetic.js";
import { type RiskLabel, StrategyOracle } from "../../../keeper/src/execution/strategyOracle.js";
import { equalWeight } from "../../../keeper/src/strategy/baselines/simple.js";

const ORDER: readonly RiskLabel[] = ["very low", "low", "medium", "high", "very high"];

describe("StrategyOracle.riskLevel: the holdings, not the starting basket", () => {
  const panel = generateSyntheticMarket({ seed: 5, bars: 400, freq: "24h", assets: ["USDC", "WBTC", "PEPE"] });
  // The vault started with USDC and WBTC; PEPE came in later (a rotation).
  const oracle = new StrategyOracle(equalWeight({ rebalanceEveryBars: 1 }), panel, ["USDC", "WBTC"]);
  const now = panel.timestamps[panel.timestamps.length - 1] as number;
  const rank = (holdings: Record<string, number>) => ORDER.indexOf(oracle.riskLevel(now, holdings));

  it("a vault all in the base asset is at the lowest level", () => {
    expect(oracle.riskLevel(now, { USDC: 1 })).to.equal("very low");
  });

  it("a vault holding an asset added after the start is rated on that asset", () => {
    expect(rank({ PEPE: 1 })).to.be.above(rank({ USDC: 1 }));
    expect(rank({ PEPE: 0.9, USDC: 0.1 })).to.be.at.least(rank({ WBTC: 0.5, USDC: 0.5 }));
  });

  it("moving holdings into cash never raises the level", () => {
    expect(rank({ WBTC: 0.2, USDC: 0.8 })).to.be.at.most(rank({ WBTC: 1 }));
  });

  it("without holdings yet, falls back to the starting basket", () => {
    expect(oracle.riskLevel(now, {})).to.equal(oracle.riskLevel(now, { USDC: 0.5, WBTC: 0.5 }));
  });
});
