/**
 * Proximal Policy Optimization (clipped objective) with GAE, an entropy bonus, a value loss,
 * global-norm gradient clipping and observation normalisation, seeded end to end.
 *
 * The policy is a Gaussian over logits (a logistic-normal "softmax policy"): the environment
 * maps the sampled logits to weights with a masked softmax, and the deterministic production
 * action is the softmax of the mean. Rollouts run the networks in plain JS (cheap for one
 * observation at a time); only the minibatch updates use TF.js, inside `tf.tidy` so memory
 * stays flat.
 */
import type * as tfTypes from "@tensorflow/tfjs";
import { ConfigError } from "../../core/errors.js";
import { parseConfig } from "../baselines/parseConfig.js";
import { Prng } from "../math/prng.js";
import type { Environment } from "./environment.js";
import type { DenseLayer } from "./mlp.js";
import { mlpForward } from "./mlp.js";
import { type PpoConfig, type PpoConfigInput, ppoConfigSchema } from "./ppoConfig.js";
import { PpoPolicy } from "./ppoPolicy.js";
import { RunningNormalizer } from "./runningNormalizer.js";
import type { TfModule } from "./tfBackend.js";

export interface PpoIterationStats {
  readonly iteration: number;
  readonly steps: number;
  /** Mean (unscaled) reward per step in this rollout. */
  readonly meanReward: number;
  readonly episodes: number;
  readonly policyLoss: number;
  readonly valueLoss: number;
  readonly entropy: number;
  readonly approxKl: number;
  readonly clipFraction: number;
  readonly rolloutSeconds: number;
  readonly updateSeconds: number;
}

interface Net {
  readonly kernels: tfTypes.Variable[];
  readonly biases: tfTypes.Variable[];
}

let instanceCounter = 0;
const LOG_2PI = Math.log(2 * Math.PI);

export class PpoTrainer {
  readonly config: PpoConfig;
  private readonly tf: TfModule;
  private readonly actor: Net;
  private readonly critic: Net;
  private readonly logStd: tfTypes.Variable;
  private readonly optimizer: tfTypes.Optimizer;
  private readonly normalizer: RunningNormalizer | null;
  private readonly rng: Prng;
  private readonly prefix: string;

  constructor(
    tf: TfModule,
    readonly observationSize: number,
    readonly actionSize: number,
    config: PpoConfigInput = {},
  ) {
    this.config = parseConfig(ppoConfigSchema, config, "ppo");
    if (this.config.minibatchSize > this.config.rolloutSteps * this.config.numEnvs) {
      throw new ConfigError("ppo: minibatchSize exceeds the rollout size (rolloutSteps * numEnvs)");
    }
    this.tf = tf;
    this.prefix = `ppo${instanceCounter++}`;
    this.rng = new Prng(this.config.seed);
    const initRng = new Prng(this.config.seed ^ 0x5eed);
    this.actor = this.buildNet("actor", [observationSize, ...this.config.hiddenSizes, actionSize], initRng, 0.01);
    this.critic = this.buildNet("critic", [observationSize, ...this.config.hiddenSizes, 1], initRng, 1);
    this.logStd = tf.variable(tf.fill([actionSize], this.config.initLogStd), true, `${this.prefix}/logStd`);
    this.optimizer = tf.train.adam(this.config.learningRate);
    this.normalizer = this.config.normalizeObservations ? new RunningNormalizer(observationSize) : null;
  }

  /** Seeded Glorot-uniform kernels (output layer scaled by `outScale`), zero biases. */
  private buildNet(name: string, sizes: number[], rng: Prng, outScale: number): Net {
    const kernels: tfTypes.Variable[] = [];
    const biases: tfTypes.Variable[] = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const fanIn = sizes[l]!;
      const fanOut = sizes[l + 1]!;
      const limit = Math.sqrt(6 / (fanIn + fanOut)) * (l + 2 === sizes.length ? outScale : 1);
      const values = Float32Array.from({ length: fanIn * fanOut }, () => (2 * rng.next() - 1) * limit);
      kernels.push(
        this.tf.variable(this.tf.tensor2d(values, [fanIn, fanOut]), true, `${this.prefix}/${name}/${l}/kernel`),
      );
      biases.push(this.tf.variable(this.tf.zeros([fanOut]), true, `${this.prefix}/${name}/${l}/bias`));
    }
    return { kernels, biases };
  }

  private snapshot(net: Net): DenseLayer[] {
    return net.kernels.map((k, l) => ({
      kernel: Float32Array.from(k.dataSync()),
      bias: Float32Array.from(net.biases[l]!.dataSync()),
      inSize: k.shape[0]!,
      outSize: k.shape[1]!,
    }));
  }

  private forward(net: Net, x: tfTypes.Tensor2D): tfTypes.Tensor2D {
    let h = x;
    for (let l = 0; l < net.kernels.length; l++) {
      h = this.tf.add(this.tf.matMul(h, net.kernels[l]!), net.biases[l]!);
      if (l < net.kernels.length - 1) h = this.tf.tanh(h);
    }
    return h;
  }

  /** The current policy for inference (normaliser frozen at its current statistics). */
  policy(): PpoPolicy {
    const normalizer = this.normalizer ? RunningNormalizer.fromJSON(this.normalizer.toJSON()) : null;
    return new PpoPolicy(
      this.observationSize,
      this.actionSize,
      this.config,
      this.snapshot(this.actor),
      this.snapshot(this.critic),
      Float32Array.from(this.logStd.dataSync()),
      normalizer,
    );
  }

  /**
   * Trains on `envs` (one per parallel rollout stream; numEnvs of them) for `totalSteps`
   * environment steps. `onIteration` sees each iteration's statistics (progress bars, logs).
   */
  async train(
    envs: readonly Environment[],
    onIteration?: (stats: PpoIterationStats) => void,
  ): Promise<PpoIterationStats[]> {
    const cfg = this.config;
    if (envs.length !== cfg.numEnvs)
      throw new ConfigError(`ppo: expected ${cfg.numEnvs} environments, got ${envs.length}`);
    for (const env of envs) {
      if (env.observationSize !== this.observationSize || env.actionSize !== this.actionSize) {
        throw new ConfigError("ppo: environment sizes do not match the agent");
      }
    }
    const E = envs.length;
    const T = cfg.rolloutSteps;
    const N = T * E;
    const obsDim = this.observationSize;
    const actDim = this.actionSize;
    const obsBuf = new Float32Array(N * obsDim);
    const actBuf = new Float32Array(N * actDim);
    const logpBuf = new Float32Array(N);
    const valBuf = new Float64Array(N);
    const rewBuf = new Float64Array(N);
    const doneBuf = new Uint8Array(N);
    const advBuf = new Float32Array(N);
    const retBuf = new Float32Array(N);
    const history: PpoIterationStats[] = [];
    let current = envs.map((env) => env.reset(this.rng));
    let steps = 0;

    for (let iteration = 1; steps < cfg.totalSteps; iteration++) {
      const rolloutStart = performance.now();
      const actorW = this.snapshot(this.actor);
      const criticW = this.snapshot(this.critic);
      const logStd = Float64Array.from(this.logStd.dataSync());
      const std = logStd.map(Math.exp);
      let logStdSum = 0;
      for (const s of logStd) logStdSum += s;
      let rewardSum = 0;
      let episodes = 0;
      for (let t = 0; t < T; t++) {
        for (let e = 0; e < E; e++) {
          const idx = t * E + e;
          const raw = current[e]!;
          if (this.normalizer) this.normalizer.update(raw);
          const obs = this.normalizer ? this.normalizer.normalize(raw) : raw;
          obsBuf.set(obs, idx * obsDim);
          const mu = mlpForward(actorW, obs);
          valBuf[idx] = mlpForward(criticW, obs)[0]!;
          const action = new Float64Array(actDim);
          let logp = -logStdSum - 0.5 * actDim * LOG_2PI;
          for (let a = 0; a < actDim; a++) {
            const eps = this.rng.normal();
            action[a] = mu[a]! + std[a]! * eps;
            logp -= 0.5 * eps * eps;
          }
          actBuf.set(action, idx * actDim);
          logpBuf[idx] = logp;
          const result = envs[e]!.step(action);
          rewBuf[idx] = result.reward * cfg.rewardScale;
          rewardSum += result.reward;
          doneBuf[idx] = result.done ? 1 : 0;
          if (result.done) {
            episodes++;
            current[e] = envs[e]!.reset(this.rng);
          } else {
            current[e] = result.observation;
          }
        }
      }
      steps += N;
      // Bootstrap values of the states after the rollout, then GAE backwards in time per stream.
      const lastValues = current.map(
        (raw) => mlpForward(criticW, this.normalizer ? this.normalizer.normalize(raw) : raw)[0]!,
      );
      for (let e = 0; e < E; e++) {
        let gae = 0;
        for (let t = T - 1; t >= 0; t--) {
          const idx = t * E + e;
          const nextValue = t === T - 1 ? lastValues[e]! : valBuf[(t + 1) * E + e]!;
          const nonTerminal = doneBuf[idx] ? 0 : 1;
          const delta = rewBuf[idx]! + cfg.gamma * nextValue * nonTerminal - valBuf[idx]!;
          gae = delta + cfg.gamma * cfg.lambda * nonTerminal * gae;
          advBuf[idx] = gae;
          retBuf[idx] = gae + valBuf[idx]!;
        }
      }
      const rolloutSeconds = (performance.now() - rolloutStart) / 1000;
      const updateStart = performance.now();
      const update = this.update(obsBuf, actBuf, logpBuf, advBuf, retBuf, N);
      const stats: PpoIterationStats = {
        iteration,
        steps,
        meanReward: rewardSum / N,
        episodes,
        ...update,
        rolloutSeconds,
        updateSeconds: (performance.now() - updateStart) / 1000,
      };
      history.push(stats);
      onIteration?.(stats);
      // Let progress output and other tasks run between iterations.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    current = [];
    return history;
  }

  private update(
    obsBuf: Float32Array,
    actBuf: Float32Array,
    logpBuf: Float32Array,
    advBuf: Float32Array,
    retBuf: Float32Array,
    N: number,
  ): Pick<PpoIterationStats, "policyLoss" | "valueLoss" | "entropy" | "approxKl" | "clipFraction"> {
    const tf = this.tf;
    const cfg = this.config;
    const obsDim = this.observationSize;
    const actDim = this.actionSize;
    const B = cfg.minibatchSize;
    const order = Int32Array.from({ length: N }, (_, i) => i);
    const vars = [
      ...this.actor.kernels,
      ...this.actor.biases,
      ...this.critic.kernels,
      ...this.critic.biases,
      this.logStd,
    ];
    const mbObs = new Float32Array(B * obsDim);
    const mbAct = new Float32Array(B * actDim);
    const mbLogp = new Float32Array(B);
    const mbAdv = new Float32Array(B);
    const mbRet = new Float32Array(B);
    let last = { policyLoss: 0, valueLoss: 0, entropy: 0, approxKl: 0, clipFraction: 0 };

    for (let epoch = 0; epoch < cfg.epochs; epoch++) {
      this.rng.shuffle(order);
      let klSum = 0;
      let batches = 0;
      for (let start = 0; start + B <= N; start += B) {
        let advMean = 0;
        for (let b = 0; b < B; b++) {
          const i = order[start + b]!;
          mbObs.set(obsBuf.subarray(i * obsDim, (i + 1) * obsDim), b * obsDim);
          mbAct.set(actBuf.subarray(i * actDim, (i + 1) * actDim), b * actDim);
          mbLogp[b] = logpBuf[i]!;
          mbAdv[b] = advBuf[i]!;
          mbRet[b] = retBuf[i]!;
          advMean += advBuf[i]! / B;
        }
        // Per-minibatch advantage normalisation keeps the policy step size independent of reward scale.
        let advVar = 0;
        for (let b = 0; b < B; b++) advVar += (mbAdv[b]! - advMean) ** 2 / B;
        const advStd = Math.sqrt(advVar) + 1e-8;
        for (let b = 0; b < B; b++) mbAdv[b] = (mbAdv[b]! - advMean) / advStd;

        const holder: { stats: tfTypes.Tensor | null } = { stats: null };
        tf.tidy(() => {
          const obs = tf.tensor2d(mbObs, [B, obsDim]);
          const act = tf.tensor2d(mbAct, [B, actDim]);
          const oldLogp = tf.tensor1d(mbLogp);
          const adv = tf.tensor1d(mbAdv);
          const ret = tf.tensor1d(mbRet);
          const { grads } = tf.variableGrads(() => {
            const mu = this.forward(this.actor, obs);
            const z = tf.div(tf.sub(act, mu), tf.exp(this.logStd));
            const logp = tf.sub(
              tf.mul(-0.5, tf.sum(tf.square(z), 1)),
              tf.add(tf.sum(this.logStd), 0.5 * actDim * LOG_2PI),
            );
            const logRatio = tf.sub(logp, oldLogp);
            const ratio = tf.exp(logRatio);
            const surrogate = tf.minimum(
              tf.mul(ratio, adv),
              tf.mul(tf.clipByValue(ratio, 1 - cfg.clipRatio, 1 + cfg.clipRatio), adv),
            );
            const policyLoss = tf.neg(tf.mean(surrogate));
            const value = tf.reshape(this.forward(this.critic, obs), [B]);
            const valueLoss = tf.mean(tf.square(tf.sub(value, ret)));
            const entropy = tf.add(tf.sum(this.logStd), 0.5 * actDim * (1 + LOG_2PI));
            // Approximate KL (k3 estimator) and clip fraction, for early stopping and logs.
            const approxKl = tf.mean(tf.sub(tf.sub(ratio, 1), logRatio));
            const clipped = tf.mean(tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), cfg.clipRatio), "float32"));
            holder.stats = tf.keep(tf.stack([policyLoss, valueLoss, entropy, approxKl, clipped]));
            return tf.sub(
              tf.add(policyLoss, tf.mul(cfg.valueCoef, valueLoss)),
              tf.mul(cfg.entropyCoef, entropy),
            ) as tfTypes.Scalar;
          }, vars);
          // Global-norm clipping over all parameters.
          const names = Object.keys(grads);
          const sq = names.map((k) => tf.sum(tf.square(grads[k]!)));
          const norm = Math.sqrt(tf.addN(sq).dataSync()[0]!);
          const scale = Math.min(1, cfg.maxGradNorm / (norm + 1e-6));
          const clippedGrads: Record<string, tfTypes.Tensor> = {};
          for (const k of names) clippedGrads[k] = tf.mul(grads[k]!, scale);
          this.optimizer.applyGradients(clippedGrads);
        });
        const values = holder.stats ? Array.from(holder.stats.dataSync()) : [0, 0, 0, 0, 0];
        holder.stats?.dispose();
        last = {
          policyLoss: values[0]!,
          valueLoss: values[1]!,
          entropy: values[2]!,
          approxKl: values[3]!,
          clipFraction: values[4]!,
        };
        klSum += last.approxKl;
        batches++;
      }
      if (cfg.targetKl > 0 && batches > 0 && klSum / batches > cfg.targetKl) break;
    }
    return last;
  }

  /** Frees the TF.js variables (the trainer is unusable afterwards). */
  dispose(): void {
    for (const v of [
      ...this.actor.kernels,
      ...this.actor.biases,
      ...this.critic.kernels,
      ...this.critic.biases,
      this.logStd,
    ])
      v.dispose();
    this.optimizer.dispose();
  }
}
