/**
 * PPO inference entry point: a deterministic strategy from a trained (or loaded) policy, for
 * any panel that holds the policy's assets. The feature layout comes from the policy's own
 * metadata, so the keeper observes exactly what training observed, from bars <= t only.
 */
import { z } from "zod";
import { ConfigError } from "../../core/errors.js";
import type { MarketPanel } from "../../core/types.js";
import { featureConfigSchema, PortfolioFeatures } from "./portfolioFeatures.js";
import type { PpoPolicy } from "./ppoPolicy.js";
import { PpoStrategy } from "./ppoStrategy.js";

/** What training records in a policy's `meta` (and inference reads back). */
export const policyMetaSchema = z.object({
  universe: z.array(z.string()),
  baseSymbol: z.string(),
  features: featureConfigSchema,
  decideEveryBars: z.number().int().min(1),
});
export type PolicyMeta = z.output<typeof policyMetaSchema>;

export function policyMeta(policy: PpoPolicy): PolicyMeta {
  const parsed = policyMetaSchema.safeParse(policy.meta);
  if (!parsed.success) throw new ConfigError(`ppo policy metadata: ${parsed.error.message}`);
  return parsed.data;
}

/** A deterministic strategy from a trained policy, for a panel holding the policy's assets. */
export function strategyFromPolicy(policy: PpoPolicy, panel: MarketPanel, name: string): PpoStrategy {
  const meta = policyMeta(policy);
  const universe = meta.universe.map((symbol) => {
    const i = panel.assets.findIndex((a) => a.symbol === symbol);
    if (i < 0) throw new ConfigError(`ppo policy needs ${symbol}, which is not in the panel`);
    return i;
  });
  const features = new PortfolioFeatures(meta.features, universe);
  return new PpoStrategy(name, policy, features, meta.universe, meta.baseSymbol);
}
