import { expect } from "chai";
import type { MarketPanel } from "../../../keeper/src/core/types.js";
import { generateSyntheticMarket } from "../../../keeper/src/data/synthetic.js";
import {
  deflatedSharpe,
  expectedMaxSharpe,
  probabilisticSharpe,
  returnMoments,
} from "../../../keeper/src/research/deflatedSharpe.js";
import { normalCdf, normalQuantile } from "../../../keeper/src/research/normal.js";
import { probabilityOfOverfitting } from "../../../keeper/src/research/pbo.js";
import { researchConfigSchema } from "../../../keeper/src/research/researchConfig.js";
import { researchBlocks, scoreOnTest, selectOnValidation } from "../../../keeper/src/research/runResearch.js";
import { candidateAssets, researchEligibility } from "../../../keeper/src/research/universe.js";
import { Prng } from "../../../keeper/src/strategy/math/prng.js";
import { expectAbsClose } from "../../helpers/approx.js";

describe("research: statistics", () => {
  it("normal CDF and quantile are inverse and match known values", () => {
    expectAbsClose(normalCdf(0), 0.5, 1e-7);
    expectAbsClose(normalCdf(1.959963985), 0.975, 1e-6);
    expectAbsClose(normalQuantile(0.975), 1.959963985, 1e-6);
    for (const p of [0.001, 0.02, 0.3, 0.5, 0.8, 0.99, 0.9999]) expectAbsClose(normalCdf(normalQuantile(p)), p, 2e-7);
  });

  it("expected maximum Sharpe of null trials matches the expected max of normals", () => {
    // E[max of 1000 iid N(0,1)] is about 3.24; the Bailey-Lopez de Prado approximation is close.
    expectAbsClose(expectedMaxSharpe(1000, 1), 3.24, 0.05);
    expect(expectedMaxSharpe(1, 1)).to.equal(0);
  });

  it("deflated Sharpe: one trial equals PSR against 0; more trials deflate", () => {
    const rng = new Prng(1);
    const returns = Float64Array.from({ length: 500 }, () => 0.001 + 0.01 * rng.normal());
    const m = returnMoments(returns);
    expectAbsClose(deflatedSharpe(returns, [m.sharpe]).deflatedSharpe, probabilisticSharpe(m, 0), 1e-12);
    const trials = Array.from({ length: 100 }, () => 0.05 * rng.normal());
    const d = deflatedSharpe(returns, [m.sharpe, ...trials]);
    expect(d.deflatedSharpe).to.be.below(probabilisticSharpe(m, 0));
    expect(d.benchmarkSharpe).to.be.greaterThan(0);
  });

  it("PBO is about one half for pure noise and near zero for a real edge", () => {
    const rng = new Prng(2);
    const noise = Array.from({ length: 20 }, () => Float64Array.from({ length: 480 }, () => 0.01 * rng.normal()));
    const pNoise = probabilityOfOverfitting(noise, 8).pbo;
    expect(pNoise).to.be.within(0.25, 0.75);
    const edge = [Float64Array.from({ length: 480 }, () => 0.004 + 0.01 * rng.normal()), ...noise.slice(1)];
    const r = probabilityOfOverfitting(edge, 8);
    expect(r.splits).to.equal(70); // C(8, 4)
    expect(r.pbo).to.be.below(0.05);
  });
});

describe("research: universe and pipeline", () => {
  const panel: MarketPanel = generateSyntheticMarket({ seed: 3, bars: 420, freq: "24h" });

  it("the universe drops stablecoins, requires history and volume, and keeps the base", () => {
    const eligible = researchEligibility(panel)(panel, 200);
    const base = panel.assets.findIndex((a) => a.symbol === "USDC");
    expect(eligible[base]).to.equal(true);
    expect(candidateAssets(panel)).to.not.include(base);
    expect(researchEligibility(panel)(panel, 30).filter(Boolean).length).to.equal(1);
    // The classifier universe is a subset of the seasoned one, base included.
    const classified = researchEligibility(panel, "USDC", "classifier")(panel, 300);
    const seasoned = researchEligibility(panel)(panel, 300);
    expect(classified[base]).to.equal(true);
    classified.forEach((ok, i) => {
      if (ok) expect(seasoned[i]).to.equal(true);
    });
  });

  it("selection uses the validation block only: a different test block leaves it unchanged", () => {
    const cfg = researchConfigSchema.parse({
      families: ["equal-weight", "inverse-vol", "ts-momentum", "mean-variance"],
      schedules: [
        { label: "24h", decideEveryBars: 1 },
        { label: "168h", decideEveryBars: 7 },
      ],
      ppo: { enabled: false },
      pboBlocks: 8,
    });
    const blocks = researchBlocks(panel, cfg);
    expect(blocks.test.from).to.equal(blocks.validation.to + 1);
    expect(blocks.test.to).to.equal(419);
    const rng = new Prng(9);
    const altered: MarketPanel = {
      ...panel,
      close: panel.close.map((row) =>
        row.map((v, t) => (t >= blocks.test.from ? v * Math.exp(0.3 * rng.normal()) : v)),
      ),
    };
    const hashes = { dataHash: "x", configHash: "y" };
    const a = selectOnValidation(panel, cfg, [], hashes);
    const b = selectOnValidation(altered, cfg, [], hashes);
    expect(b.chosenPerFamily).to.deep.equal(a.chosenPerFamily);
    expect(b.scores.map((s) => s.sharpe)).to.deep.equal(a.scores.map((s) => s.sharpe));
    expect(a.scores.length).to.equal(2 + 2 * 2 + 3 * 2 + 6 * 2);
    expect(Object.keys(a.chosenPerFamily).sort()).to.deep.equal([
      "equal-weight",
      "inverse-vol",
      "mean-variance",
      "ts-momentum",
    ]);
    expect(a.pbo.pbo).to.be.within(0, 1);

    // The test block differs, and so does the out-of-sample result.
    const ta = scoreOnTest(panel, cfg, a, []);
    const tb = scoreOnTest(altered, cfg, b, []);
    expect(ta.rows.length).to.equal(4);
    expect(ta.rows[0]!.config).to.equal(a.chosenOverall);
    expect(tb.rows[0]!.test.totalReturn).to.not.equal(ta.rows[0]!.test.totalReturn);
  });
});
