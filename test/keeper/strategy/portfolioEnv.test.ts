import { expect } from "chai";
import { defaultCosts, defaultRules, parseAssumptions } from "../../../keeper/src/backtest/assumptions.js";
import { PortfolioSim } from "../../../keeper/src/backtest/portfolioSim.js";
import { PortfolioEnv } from "../../../keeper/src/research/ppo/portfolioEnv.js";
import { Prng } from "../../../keeper/src/strategy/math/prng.js";
import { PortfolioFeatures, parseFeatureConfig } from "../../../keeper/src/strategy/ppo/portfolioFeatures.js";
import type { PpoPolicy } from "../../../keeper/src/strategy/ppo/ppoPolicy.js";
import { PpoStrategy } from "../../../keeper/src/strategy/ppo/ppoStrategy.js";
import { PpoTrainer } from "../../../keeper/src/strategy/ppo/ppoTrainer.js";
import { initTf } from "../../../keeper/src/strategy/ppo/tfBackend.js";
import { expectAbsClose } from "../../helpers/approx.js";
import { syntheticPanel, viewAt, withDifferentFuture } from "./syntheticPanel.js";

const panel = syntheticPanel(
  [
    { symbol: "USDC", category: "stablecoin", drift: 0, vol: 0, volumeUsd: 1e9 },
    { symbol: "UP", drift: 0.01, vol: 0.01, volumeUsd: 1e9 },
    { symbol: "FLAT", drift: 0, vol: 0.05, volumeUsd: 1e9 },
  ],
  300,
  2,
);

function makeEnv(opts: { costs?: boolean; p?: typeof panel } = {}) {
  const p = opts.p ?? panel;
  const assumptions = parseAssumptions({ managementFeeBps: opts.costs === false ? 0 : 50 });
  const costs = defaultCosts(p, "USDC", assumptions);
  const sim = new PortfolioSim({
    panel: p,
    initialNavUsd: 1e6,
    costs:
      opts.costs === false ? { ...costs, feeTiers: p.assets.map(() => [0]), sqrtImpactK: 0, gasUsdPerLeg: 0 } : costs,
    rules: defaultRules(p, 0, assumptions),
    baseAssetIndex: 0,
  });
  const features = new PortfolioFeatures(parseFeatureConfig({ returnWindow: 5, longVolBars: 20 }), [1, 2]);
  return new PortfolioEnv({ sim, features, from: 0, to: 199, episodeSteps: 20, decideEveryBars: 1 });
}

const allIn = (j: number) => Float64Array.from([0, 1, 2], (k) => (k === j ? 20 : -20));

function episodeReturn(env: PortfolioEnv, action: Float64Array, seed: number): number {
  env.reset(new Prng(seed));
  let total = 0;
  for (;;) {
    const r = env.step(action);
    total += r.reward;
    if (r.done) return total;
  }
}

describe("strategy/ppo: portfolio environment on PortfolioSim", () => {
  it("rewards holding the rising asset with its log growth, and costs reduce the reward", () => {
    const free = episodeReturn(makeEnv({ costs: false }), allIn(0), 1);
    const costly = episodeReturn(makeEnv(), allIn(0), 1);
    expect(free).to.be.greaterThan(0.1); // ~1% a bar for ~20 bars
    expect(costly).to.be.below(free);
    // Holding cash earns nothing without fees.
    expectAbsClose(episodeReturn(makeEnv({ costs: false }), allIn(2), 1), 0, 1e-9);
  });

  it("observations at bar t do not depend on later bars", () => {
    const other = withDifferentFuture(panel, 120, 3);
    const features = new PortfolioFeatures(
      parseFeatureConfig({ returnWindow: 5, longVolBars: 20, forecastHorizon: 3 }),
      [1, 2],
    );
    const w = Float64Array.of(0.2, 0.5, 0.3);
    const mask = features.mask(panel, 120);
    expect(Array.from(features.observe(other, 120, w, 0, mask))).to.deep.equal(
      Array.from(features.observe(panel, 120, w, 0, mask)),
    );
  });

  it("a short PPO run on the simulator learns to favour the rising asset; the strategy replays it", async () => {
    const { tf } = await initTf();
    const envs = Array.from({ length: 4 }, () => makeEnv());
    const trainer = new PpoTrainer(tf, envs[0]!.observationSize, envs[0]!.actionSize, {
      hiddenSizes: [16],
      numEnvs: 4,
      rolloutSteps: 40,
      minibatchSize: 80,
      totalSteps: 8_000,
      learningRate: 3e-3,
      rewardScale: 50,
      entropyCoef: 0,
      seed: 4,
    });
    await trainer.train(envs);
    const policy: PpoPolicy = trainer.policy();
    trainer.dispose();
    const features = new PortfolioFeatures(parseFeatureConfig({ returnWindow: 5, longVolBars: 20 }), [1, 2]);
    const strategy = new PpoStrategy("ppo", policy, features, ["UP", "FLAT"], "USDC");
    const w = strategy.decide(viewAt(panel, 250, { current: Float64Array.of(1, 0, 0) }))!;
    expectAbsClose(
      w.reduce((a, b) => a + b, 0),
      1,
      1e-12,
    );
    expect(w[1]).to.be.greaterThan(0.5);
    expect(w[1]).to.be.greaterThan(w[2]!);
  });
});
