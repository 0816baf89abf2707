/**
 * A trivially learnable environment: two assets, cash (flat) and one that rises 1% every step.
 * The best policy puts everything in the riser; a random policy earns about half as much.
 */

import type { Prng } from "../../../keeper/src/strategy/math/prng.js";
import { type Environment, maskedSoftmax, type StepResult } from "../../../keeper/src/strategy/ppo/environment.js";

export const RISE = 0.01;

export class RisingAssetEnv implements Environment {
  readonly observationSize = 3;
  readonly actionSize = 2;
  private t = 0;
  private weights: Float64Array = Float64Array.of(1, 0);
  private rng: Prng | null = null;

  constructor(private readonly episodeLength = 20) {}

  reset(rng: Prng): Float64Array {
    this.rng = rng;
    this.t = 0;
    this.weights = Float64Array.of(1, 0);
    return this.observe();
  }

  step(action: Float64Array): StepResult {
    this.weights = maskedSoftmax(action);
    const reward = Math.log(this.weights[0]! + this.weights[1]! * Math.exp(RISE));
    this.t++;
    return { observation: this.observe(), reward, done: this.t >= this.episodeLength };
  }

  private observe(): Float64Array {
    // A noise feature the agent must learn to ignore, plus its current weights.
    return Float64Array.of(this.rng ? this.rng.normal() : 0, this.weights[0]!, this.weights[1]!);
  }
}
