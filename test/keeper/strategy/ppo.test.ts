import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { loadPolicyFolder, savePolicyFolder } from "../../../keeper/src/cli/commands/train.js";
import { Prng } from "../../../keeper/src/strategy/math/prng.js";
import { maskedSoftmax } from "../../../keeper/src/strategy/ppo/environment.js";
import { mlpForward } from "../../../keeper/src/strategy/ppo/mlp.js";
import { PpoTrainer } from "../../../keeper/src/strategy/ppo/ppoTrainer.js";
import { RunningNormalizer } from "../../../keeper/src/strategy/ppo/runningNormalizer.js";
import { initTf, type TfModule } from "../../../keeper/src/strategy/ppo/tfBackend.js";
import { expectAbsClose } from "../../helpers/approx.js";
import { RISE, RisingAssetEnv } from "./risingAssetEnv.js";

const SMALL = {
  hiddenSizes: [16],
  numEnvs: 4,
  rolloutSteps: 64,
  minibatchSize: 64,
  epochs: 4,
  learningRate: 3e-3,
  entropyCoef: 0,
  rewardScale: 100,
  initLogStd: 0,
};

function meanEpisodeReward(act: (obs: Float64Array, rng: Prng) => Float64Array, seed: number, episodes = 20): number {
  const rng = new Prng(seed);
  const env = new RisingAssetEnv();
  let total = 0;
  let steps = 0;
  for (let k = 0; k < episodes; k++) {
    let obs = env.reset(rng);
    for (;;) {
      const r = env.step(act(obs, rng));
      total += r.reward;
      steps++;
      if (r.done) break;
      obs = r.observation;
    }
  }
  return total / steps;
}

describe("strategy/ppo", () => {
  let tf: TfModule;
  before(async () => {
    ({ tf } = await initTf());
  });

  it("learns the rising-asset environment and beats a random policy", async () => {
    const trainer = new PpoTrainer(tf, 3, 2, { ...SMALL, totalSteps: 24_576, seed: 1 });
    const history = await trainer.train(Array.from({ length: 4 }, () => new RisingAssetEnv()));
    const policy = trainer.policy();
    trainer.dispose();
    const trained = meanEpisodeReward((obs) => policy.meanAction(obs), 5);
    const random = meanEpisodeReward((_obs, rng) => Float64Array.of(rng.normal(), rng.normal()), 5);
    const optimum = Math.log(Math.exp(RISE));
    expect(trained).to.be.greaterThan(random);
    expect(trained).to.be.greaterThan(0.9 * optimum);
    expect(history.at(-1)!.meanReward).to.be.greaterThan(history[0]!.meanReward);
    const w = maskedSoftmax(policy.meanAction(Float64Array.of(0, 0.5, 0.5)));
    expect(w[1]).to.be.greaterThan(0.9);
  });

  it("is reproducible from its seed and keeps TF.js memory flat", async () => {
    const run = async () => {
      const trainer = new PpoTrainer(tf, 3, 2, { ...SMALL, totalSteps: 512, seed: 7 });
      const envs = Array.from({ length: 4 }, () => new RisingAssetEnv());
      await trainer.train(envs);
      const before = tf.memory().numTensors;
      await trainer.train(envs);
      const after = tf.memory().numTensors;
      const p = trainer.policy();
      trainer.dispose();
      return { p, before, after };
    };
    const a = await run();
    const b = await run();
    expect(Array.from(b.p.actor[0]!.kernel)).to.deep.equal(Array.from(a.p.actor[0]!.kernel));
    expect(Array.from(b.p.logStd)).to.deep.equal(Array.from(a.p.logStd));
    expect(a.after).to.equal(a.before);
  });

  it("saves and loads a policy that gives identical deterministic actions", async () => {
    const trainer = new PpoTrainer(tf, 3, 2, { ...SMALL, totalSteps: 512, seed: 3 });
    await trainer.train(Array.from({ length: 4 }, () => new RisingAssetEnv()));
    const policy = trainer.policy().withMeta({ note: "round trip" });
    trainer.dispose();
    const dir = mkdtempSync(join(tmpdir(), "ppo-"));
    try {
      savePolicyFolder(policy, dir);
      const loaded = loadPolicyFolder(dir);
      const rng = new Prng(4);
      for (let k = 0; k < 50; k++) {
        const obs = Float64Array.of(rng.normal(), rng.next(), rng.next());
        expect(Array.from(loaded.meanAction(obs))).to.deep.equal(Array.from(policy.meanAction(obs)));
        expect(loaded.value(obs)).to.equal(policy.value(obs));
      }
      expect(loaded.config).to.deep.equal(policy.config);
      expect(loaded.meta.note).to.equal("round trip");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the JS forward pass matches TF.js", () => {
    const rng = new Prng(2);
    const layers = [
      {
        inSize: 3,
        outSize: 4,
        kernel: Float32Array.from({ length: 12 }, () => rng.normal()),
        bias: Float32Array.from({ length: 4 }, () => rng.normal()),
      },
      {
        inSize: 4,
        outSize: 2,
        kernel: Float32Array.from({ length: 8 }, () => rng.normal()),
        bias: Float32Array.from({ length: 2 }, () => rng.normal()),
      },
    ];
    const x = [0.3, -1.2, 0.7];
    const js = mlpForward(layers, x);
    const viaTf = tf.tidy(() => {
      const h = tf.tanh(
        tf.add(tf.matMul(tf.tensor2d([x]), tf.tensor2d(layers[0]!.kernel, [3, 4])), tf.tensor1d(layers[0]!.bias)),
      );
      return Array.from(
        tf.add(tf.matMul(h, tf.tensor2d(layers[1]!.kernel, [4, 2])), tf.tensor1d(layers[1]!.bias)).dataSync(),
      );
    });
    for (let i = 0; i < 2; i++) expectAbsClose(js[i], viaTf[i]!, 1e-5);
  });

  it("running normaliser converges to the data's mean and variance", () => {
    const rng = new Prng(8);
    const n = new RunningNormalizer(2);
    for (let k = 0; k < 20_000; k++) n.update([3 + 2 * rng.normal(), -1 + 0.1 * rng.normal()]);
    expectAbsClose(n.mean[0], 3, 0.05);
    expectAbsClose(n.var[0], 4, 0.15);
    expectAbsClose(n.mean[1], -1, 0.01);
    expectAbsClose(n.var[1], 0.01, 0.001);
  });
});
