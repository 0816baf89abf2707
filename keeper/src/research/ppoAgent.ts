/**
 * Training and deploying the PPO agent on a market panel: builds the environments on the
 * backtester's simulator over the training block and trains one seed. Inference from a trained
 * policy is ../ppo/policyStrategy.ts (the keeper uses it without the trainer).
 */
import { z } from "zod";
import { type Assumptions, defaultCosts, defaultRules } from "../backtest/assumptions.js";
import type { Eligibility } from "../backtest/pointInTimeView.js";
import { PortfolioSim } from "../backtest/portfolioSim.js";
import { ConfigError } from "../core/errors.js";
import type { MarketPanel } from "../core/types.js";
import type { policyMetaSchema } from "../strategy/ppo/policyStrategy.js";
import { featureConfigSchema, PortfolioFeatures, parseFeatureConfig } from "../strategy/ppo/portfolioFeatures.js";
import type { PpoConfigInput } from "../strategy/ppo/ppoConfig.js";
import type { PpoPolicy } from "../strategy/ppo/ppoPolicy.js";
import { type PpoIterationStats, PpoTrainer } from "../strategy/ppo/ppoTrainer.js";
import type { TfModule } from "../strategy/ppo/tfBackend.js";
import { type BarObservation, PortfolioEnv } from "./ppo/portfolioEnv.js";

/** The default agent: small enough to train in well under three minutes on two cores. */
export const DEFAULT_PPO: PpoConfigInput = {
  hiddenSizes: [64, 64],
  numEnvs: 8,
  rolloutSteps: 128,
  minibatchSize: 512,
  epochs: 4,
  learningRate: 3e-4,
  totalSteps: 100_000,
  rewardScale: 50,
  entropyCoef: 0.001,
  initLogStd: -0.5,
};

export const agentSettingsSchema = z.object({
  features: featureConfigSchema.prefault({}),
  episodeSteps: z.number().int().min(2).default(60),
  decideEveryBars: z.number().int().min(1).default(1),
  baseSymbol: z.string().default("USDC"),
});
export type AgentSettings = z.input<typeof agentSettingsSchema>;

export interface TrainAgentInput {
  readonly tf: TfModule;
  readonly panel: MarketPanel;
  /** Panel indices of the assets the agent allocates between. */
  readonly universe: readonly number[];
  readonly eligibility: Eligibility;
  /** Cost model and vault rules of the simulator (as in the backtests). */
  readonly assumptions: Assumptions;
  /** Training block (inclusive). */
  readonly from: number;
  readonly to: number;
  readonly settings?: AgentSettings;
  readonly ppo?: PpoConfigInput;
  readonly onIteration?: (stats: PpoIterationStats) => void;
}

export async function trainPpoAgent(
  input: TrainAgentInput,
): Promise<{ policy: PpoPolicy; history: PpoIterationStats[] }> {
  const settings = agentSettingsSchema.parse(input.settings ?? {});
  const ppo = { ...DEFAULT_PPO, ...input.ppo };
  const base = input.panel.assets.findIndex((a) => a.symbol === settings.baseSymbol);
  if (base < 0) throw new ConfigError(`ppo: base asset ${settings.baseSymbol} is not in the panel`);
  const features = new PortfolioFeatures(parseFeatureConfig(settings.features), input.universe);
  const cache = new Map<number, BarObservation>();
  const envs = Array.from({ length: ppo.numEnvs ?? 8 }, () => {
    const sim = new PortfolioSim({
      panel: input.panel,
      initialNavUsd: 1_000_000,
      costs: defaultCosts(input.panel, settings.baseSymbol, input.assumptions),
      rules: defaultRules(input.panel, base, input.assumptions),
      baseAssetIndex: base,
    });
    return new PortfolioEnv({
      sim,
      features,
      from: input.from,
      to: input.to,
      episodeSteps: settings.episodeSteps,
      decideEveryBars: settings.decideEveryBars,
      eligibility: input.eligibility,
      cache,
    });
  });
  const trainer = new PpoTrainer(input.tf, features.size, input.universe.length + 1, ppo);
  try {
    const history = await trainer.train(envs, input.onIteration);
    const meta: z.input<typeof policyMetaSchema> = {
      universe: input.universe.map((i) => input.panel.assets[i]!.symbol),
      baseSymbol: settings.baseSymbol,
      features: features.cfg,
      decideEveryBars: settings.decideEveryBars,
    };
    return { policy: trainer.policy().withMeta(meta), history };
  } finally {
    trainer.dispose();
  }
}

export { strategyFromPolicy } from "../strategy/ppo/policyStrategy.js";
