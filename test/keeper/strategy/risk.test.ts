import { expect } from "chai";
import { ConfigError } from "../../../keeper/src/core/errors.js";
import type { PointInTimeView, Strategy, WeightVector } from "../../../keeper/src/core/types.js";
import { Prng } from "../../../keeper/src/strategy/math/prng.js";
import { levelOf, volatilityRegime } from "../../../keeper/src/strategy/risk/volatilityLevels.js";
import { VolRegimeOverlay } from "../../../keeper/src/strategy/risk/volRegimeOverlay.js";
import { expectAbsClose } from "../../helpers/approx.js";
import { syntheticPanel, viewAt } from "./syntheticPanel.js";

function gaussianReturns(count: number, perBarVol: number, seed: number): Float64Array {
  const rng = new Prng(seed);
  return Float64Array.from({ length: count }, () => perBarVol * rng.normal());
}

describe("strategy/risk: volatility levels", () => {
  it("maps annualised vol to ordered levels", () => {
    const t = [0.25, 0.45, 0.7, 1.0];
    expect([0.1, 0.3, 0.5, 0.8, 1.5].map((v) => levelOf(v, t))).to.deep.equal([
      "very-low",
      "low",
      "medium",
      "high",
      "very-high",
    ]);
  });

  it("measures hourly data over 1h/4h/24h/168h and recovers the true vol over the long lookback", () => {
    const annual = 0.6;
    const returns = gaussianReturns(500, annual / Math.sqrt(8760), 1);
    const regime = volatilityRegime(returns, "1h");
    expect(regime.readings.map((r) => r.lookbackHours)).to.deep.equal([1, 4, 24, 168]);
    expect(regime.readings.map((r) => r.returns)).to.deep.equal([1, 4, 24, 168]);
    expectAbsClose(regime.readings[3]!.annualisedVol, annual, 0.1);
    expect(regime.readings.every((r) => r.annualisedVol !== null)).to.equal(true);
  });

  it("reports sub-bar lookbacks as unmeasurable on daily data", () => {
    const regime = volatilityRegime(gaussianReturns(30, 0.03, 2), "24h");
    expect(regime.readings[0]!.annualisedVol).to.equal(null);
    expect(regime.readings[1]!.annualisedVol).to.equal(null);
    expect(regime.readings[2]!.returns).to.equal(1);
    expect(regime.readings[3]!.returns).to.equal(7);
    // Only the 168h lookback has >= 4 returns, so it alone sets the level.
    expect(regime.level).to.equal(regime.readings[3]!.level);
  });

  it("a calm market reads very-low and a wild one very-high", () => {
    expect(volatilityRegime(gaussianReturns(200, 0.05 / Math.sqrt(8760), 3), "1h").level).to.equal("very-low");
    expect(volatilityRegime(gaussianReturns(200, 3 / Math.sqrt(8760), 4), "1h").level).to.equal("very-high");
  });

  it("validates thresholds", () => {
    expect(() => volatilityRegime([0.01], "24h", { thresholds: [0.5, 0.4, 0.7, 1] })).to.throw(ConfigError);
  });
});

describe("strategy/risk: volatility overlay", () => {
  const fixed: Strategy = {
    name: "fixed",
    decide: (view: PointInTimeView): WeightVector => {
      const w = new Float64Array(view.panel.assets.length);
      w[1] = 1;
      return w;
    },
  };

  function run(vol: number): { weights: WeightVector[]; decisions: number; level: string | null } {
    const panel = syntheticPanel(
      [
        { symbol: "USDC", category: "stablecoin", drift: 0, vol: 0 },
        { symbol: "X", drift: 0, vol },
      ],
      60,
      7,
    );
    const overlay = new VolRegimeOverlay(fixed);
    const weights: WeightVector[] = [];
    for (let t = 10; t < 40; t++) {
      const w = overlay.decide(viewAt(panel, t));
      if (w) weights.push(w);
    }
    return { weights, decisions: weights.length, level: overlay.lastLevel };
  }

  it("scales risk down and rebalances more often when volatility is very high", () => {
    const calm = run(0.002); // ~4% annualised
    const wild = run(0.12); // ~230% annualised
    expect(calm.weights[0]![1]).to.equal(1);
    expect(wild.weights[0]![1]).to.equal(0.5);
    expect(wild.weights[0]![0]).to.equal(0.5);
    expect(wild.decisions).to.be.greaterThan(calm.decisions);
    expect(calm.level).to.equal("very-low");
    expect(wild.level).to.equal("very-high");
  });
});
