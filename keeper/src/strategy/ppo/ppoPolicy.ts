/**
 * A trained PPO policy for inference: actor and critic weights, the Gaussian's log-std, the
 * frozen observation normaliser and the training config. Runs in plain JS (no TF.js) and
 * round-trips through JSON exactly (float32 weights survive the float64 text form), so the
 * keeper and the backtester get the actions the trainer evaluated. File I/O is the CLI's job.
 */
import { z } from "zod";
import { DataError } from "../../core/errors.js";
import { type DenseLayer, mlpForward } from "./mlp.js";
import { type PpoConfig, ppoConfigSchema } from "./ppoConfig.js";
import { RunningNormalizer } from "./runningNormalizer.js";

const layerSchema = z.object({
  inSize: z.number().int().positive(),
  outSize: z.number().int().positive(),
  kernel: z.array(z.number()),
  bias: z.array(z.number()),
});
const policyFileSchema = z.object({
  format: z.literal("ballast-ppo-policy/1"),
  observationSize: z.number().int().positive(),
  actionSize: z.number().int().positive(),
  config: ppoConfigSchema,
  /** Free-form description of what the observation means (feature config, asset list). */
  meta: z.record(z.string(), z.unknown()).default({}),
  actor: z.array(layerSchema),
  critic: z.array(layerSchema),
  logStd: z.array(z.number()),
  normalizer: z.object({ mean: z.array(z.number()), var: z.array(z.number()), count: z.number(), clip: z.number() }),
});

export class PpoPolicy {
  constructor(
    readonly observationSize: number,
    readonly actionSize: number,
    readonly config: PpoConfig,
    readonly actor: readonly DenseLayer[],
    readonly critic: readonly DenseLayer[],
    readonly logStd: Float32Array,
    readonly normalizer: RunningNormalizer | null,
    readonly meta: Readonly<Record<string, unknown>> = {},
  ) {}

  private prepare(observation: ArrayLike<number>): Float64Array {
    return this.normalizer
      ? this.normalizer.normalize(observation)
      : Float64Array.from(observation as ArrayLike<number>);
  }

  /** Mean logits (the deterministic production action). */
  meanAction(observation: ArrayLike<number>): Float64Array {
    return mlpForward(this.actor, this.prepare(observation));
  }

  value(observation: ArrayLike<number>): number {
    return mlpForward(this.critic, this.prepare(observation))[0]!;
  }

  withMeta(meta: Record<string, unknown>): PpoPolicy {
    return new PpoPolicy(
      this.observationSize,
      this.actionSize,
      this.config,
      this.actor,
      this.critic,
      this.logStd,
      this.normalizer,
      {
        ...this.meta,
        ...meta,
      },
    );
  }

  /** Plain-JSON form (weights, normaliser, config, meta). */
  toJSON(): z.input<typeof policyFileSchema> {
    const layer = (l: DenseLayer) => ({
      inSize: l.inSize,
      outSize: l.outSize,
      kernel: Array.from(l.kernel),
      bias: Array.from(l.bias),
    });
    return {
      format: "ballast-ppo-policy/1",
      observationSize: this.observationSize,
      actionSize: this.actionSize,
      config: this.config,
      meta: { ...this.meta },
      actor: this.actor.map(layer),
      critic: this.critic.map(layer),
      logStd: Array.from(this.logStd),
      normalizer: this.normalizer ? this.normalizer.toJSON() : { mean: [], var: [], count: 0, clip: 0 },
    };
  }

  /** Parses and validates the JSON form produced by `toJSON`. */
  static fromJSON(raw: unknown, label = "PPO policy"): PpoPolicy {
    const parsed = policyFileSchema.safeParse(raw);
    if (!parsed.success) throw new DataError(`${label} is malformed: ${parsed.error.message}`);
    const f = parsed.data;
    const layer = (l: z.output<typeof layerSchema>): DenseLayer => ({
      inSize: l.inSize,
      outSize: l.outSize,
      kernel: Float32Array.from(l.kernel),
      bias: Float32Array.from(l.bias),
    });
    const normalizer = f.normalizer.mean.length > 0 ? RunningNormalizer.fromJSON(f.normalizer) : null;
    return new PpoPolicy(
      f.observationSize,
      f.actionSize,
      f.config,
      f.actor.map(layer),
      f.critic.map(layer),
      Float32Array.from(f.logStd),
      normalizer,
      f.meta,
    );
  }
}
