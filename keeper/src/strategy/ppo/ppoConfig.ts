/** PPO hyper-parameters, validated with zod; the defaults are the "default agent" of the benchmark. */
import { z } from "zod";

export const ppoConfigSchema = z.object({
  hiddenSizes: z.array(z.number().int().positive()).min(1).default([64, 64]),
  learningRate: z.number().positive().default(3e-4),
  gamma: z.number().min(0).max(1).default(0.99),
  /** GAE lambda. */
  lambda: z.number().min(0).max(1).default(0.95),
  clipRatio: z.number().positive().default(0.2),
  entropyCoef: z.number().min(0).default(0.001),
  valueCoef: z.number().min(0).default(0.5),
  maxGradNorm: z.number().positive().default(0.5),
  epochs: z.number().int().min(1).default(4),
  minibatchSize: z.number().int().min(1).default(256),
  /** Steps per environment per rollout. */
  rolloutSteps: z.number().int().min(1).default(256),
  numEnvs: z.number().int().min(1).default(8),
  totalSteps: z.number().int().min(1).default(200_000),
  /** Initial log standard deviation of the Gaussian over logits. */
  initLogStd: z.number().default(-0.5),
  /** Stop an update's epochs early when the approximate KL divergence exceeds this (0 = never). */
  targetKl: z.number().min(0).default(0.03),
  /** Rewards are multiplied by this during training (daily log returns are tiny for a value net). */
  rewardScale: z.number().positive().default(1),
  normalizeObservations: z.boolean().default(true),
  seed: z.number().int().default(0),
});
export type PpoConfigInput = z.input<typeof ppoConfigSchema>;
export type PpoConfig = z.output<typeof ppoConfigSchema>;
