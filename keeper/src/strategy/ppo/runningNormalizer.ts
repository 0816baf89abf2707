/**
 * Observation normalisation with running mean and variance (parallel Welford). Features of very
 * different scales (log returns ~0.03, weights ~0.1, vols ~0.5) would otherwise make the first
 * layer learn scales instead of signals. Frozen after training and saved with the model.
 */
export interface NormalizerState {
  readonly mean: number[];
  readonly var: number[];
  readonly count: number;
  readonly clip: number;
}

export class RunningNormalizer {
  mean: Float64Array;
  var: Float64Array;
  count: number;

  constructor(
    readonly size: number,
    readonly clip = 10,
  ) {
    this.mean = new Float64Array(size);
    this.var = new Float64Array(size).fill(1);
    this.count = 1e-4;
  }

  update(x: ArrayLike<number>): void {
    const newCount = this.count + 1;
    for (let i = 0; i < this.size; i++) {
      const delta = x[i]! - this.mean[i]!;
      const mean = this.mean[i]! + delta / newCount;
      // Chan et al. combination of (count, mean, var) with a single sample.
      const m2 = this.var[i]! * this.count + delta * delta * (this.count / newCount);
      this.mean[i] = mean;
      this.var[i] = m2 / newCount;
    }
    this.count = newCount;
  }

  normalize(x: ArrayLike<number>): Float64Array {
    const out = new Float64Array(this.size);
    for (let i = 0; i < this.size; i++) {
      const z = (x[i]! - this.mean[i]!) / Math.sqrt(this.var[i]! + 1e-8);
      out[i] = Math.max(-this.clip, Math.min(this.clip, z));
    }
    return out;
  }

  toJSON(): NormalizerState {
    return { mean: Array.from(this.mean), var: Array.from(this.var), count: this.count, clip: this.clip };
  }

  static fromJSON(state: NormalizerState): RunningNormalizer {
    const n = new RunningNormalizer(state.mean.length, state.clip);
    n.mean = Float64Array.from(state.mean);
    n.var = Float64Array.from(state.var);
    n.count = state.count;
    return n;
  }
}
