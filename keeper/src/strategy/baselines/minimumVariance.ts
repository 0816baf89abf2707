/**
 * Minimum-variance baseline: the convex optimizer with zero expected returns on a Ledoit-Wolf
 * covariance, long-only with per-asset caps; optional L1 costs make it trade only when the
 * variance saved is worth the cost.
 */
import { z } from "zod";
import type { PointInTimeView, Strategy, WeightVector } from "../../core/types.js";
import { matrix } from "../math/linalg.js";
import { ledoitWolf } from "../optimizer/ledoitWolf.js";
import { optimizeMeanVariance } from "../optimizer/meanVariance.js";
import { logReturnRows } from "../signals/returns.js";
import { baseIndex, riskyUniverse } from "../signals/universe.js";
import { allInBase, assemble } from "../signals/weights.js";
import { parseConfig } from "./parseConfig.js";

export const minimumVarianceConfigSchema = z.object({
  lookback: z.number().int().min(5).default(90),
  maxWeight: z.number().gt(0).max(1).default(0.4),
  /** Cost per unit of weight traded (fraction); 0 ignores costs. */
  costPerUnit: z.number().min(0).default(0),
  baseSymbol: z.string().default("USDC"),
});

export class MinimumVarianceStrategy implements Strategy {
  readonly name: string;
  private readonly cfg: z.output<typeof minimumVarianceConfigSchema>;

  constructor(config: z.input<typeof minimumVarianceConfigSchema> = {}) {
    this.cfg = parseConfig(minimumVarianceConfigSchema, config, "minimum-variance");
    this.name = `min-variance(${this.cfg.lookback})`;
  }

  decide(view: PointInTimeView): WeightVector | null {
    const n = view.panel.assets.length;
    const base = baseIndex(view, this.cfg.baseSymbol);
    const assets = riskyUniverse(view, this.cfg.lookback, { baseSymbol: this.cfg.baseSymbol });
    if (assets.length === 0) return allInBase(n, base);
    const k = assets.length;
    // With too few assets to fill the caps, loosen them rather than fail (budget must be reachable).
    const cap = Math.max(this.cfg.maxWeight, 1 / k);
    const { cov } = ledoitWolf(logReturnRows(view, assets, this.cfg.lookback));
    const current = Float64Array.from(assets, (i) => view.currentWeights[i] ?? 0);
    const sumCurrent = current.reduce((a, b) => a + b, 0);
    const anchor = sumCurrent > 0 ? current.map((v) => v / sumCurrent) : current;
    const sol = optimizeMeanVariance(
      {
        expectedReturn: new Float64Array(k),
        cov: matrix(k, k, cov.data),
        current: anchor,
        cost: new Float64Array(k).fill(this.cfg.costPerUnit),
        cap: new Float64Array(k).fill(cap),
      },
      { riskAversion: 1 },
    );
    return assemble(n, assets, sol.w, base);
  }
}
