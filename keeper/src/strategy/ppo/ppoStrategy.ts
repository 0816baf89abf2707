/**
 * A trained PPO policy behind the `Strategy` interface: the observation is built from the
 * point-in-time view exactly as in training, and the action is deterministic (softmax of the
 * mean logits), so the same bar always gets the same weights.
 */
import { ConfigError } from "../../core/errors.js";
import type { PointInTimeView, Strategy, WeightVector } from "../../core/types.js";
import { maskedSoftmax } from "./environment.js";
import type { PortfolioFeatures } from "./portfolioFeatures.js";
import type { PpoPolicy } from "./ppoPolicy.js";

export class PpoStrategy implements Strategy {
  constructor(
    readonly name: string,
    private readonly policy: PpoPolicy,
    private readonly features: PortfolioFeatures,
    /** Symbols of the universe and base asset the policy was trained on (checked against each panel). */
    private readonly universeSymbols: readonly string[],
    private readonly baseSymbol: string,
  ) {
    if (policy.observationSize !== features.size || policy.actionSize !== universeSymbols.length + 1) {
      throw new ConfigError("PpoStrategy: policy sizes do not match the feature layout");
    }
  }

  decide(view: PointInTimeView): WeightVector | null {
    const assets = view.panel.assets;
    const base = assets.findIndex((a) => a.symbol === this.baseSymbol);
    this.universeSymbols.forEach((symbol, j) => {
      if (assets[this.features.universe[j]!]?.symbol !== symbol) {
        throw new ConfigError(`PpoStrategy: panel asset order differs from training (${symbol})`);
      }
    });
    if (base < 0 || !view.eligible[base]) return null;
    const mask = this.features.mask(view.panel, view.t, view.eligible);
    const obs = this.features.observe(view.panel, view.t, view.currentWeights, base, mask);
    const w = maskedSoftmax(this.policy.meanAction(obs), mask);
    const out = new Float64Array(assets.length);
    this.features.universe.forEach((i, j) => {
      out[i] = w[j]!;
    });
    out[base] = out[base]! + w[this.features.universe.length]!;
    return out;
  }
}
