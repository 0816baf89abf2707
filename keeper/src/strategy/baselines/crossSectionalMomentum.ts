/**
 * Cross-sectional momentum: equal weight in the top-k risky assets ranked by trailing return
 * (optionally skipping the most recent bars, the usual guard against short-term reversal).
 */
import { z } from "zod";
import type { PointInTimeView, Strategy, WeightVector } from "../../core/types.js";
import { trailingLogReturn } from "../signals/returns.js";
import { baseIndex, riskyUniverse } from "../signals/universe.js";
import { allInBase, assemble } from "../signals/weights.js";
import { parseConfig } from "./parseConfig.js";

export const crossSectionalMomentumConfigSchema = z
  .object({
    lookback: z.number().int().min(1).default(30),
    skip: z.number().int().min(0).default(0),
    /** Fraction of the universe to hold (at least one asset). */
    topFraction: z.number().gt(0).max(1).default(0.34),
    baseSymbol: z.string().default("USDC"),
  })
  .refine((c) => c.skip < c.lookback, { message: "skip must be smaller than lookback" });

export class CrossSectionalMomentumStrategy implements Strategy {
  readonly name: string;
  private readonly cfg: z.output<typeof crossSectionalMomentumConfigSchema>;

  constructor(config: z.input<typeof crossSectionalMomentumConfigSchema> = {}) {
    this.cfg = parseConfig(crossSectionalMomentumConfigSchema, config, "cross-sectional momentum");
    this.name = `cs-momentum(${this.cfg.lookback})`;
  }

  decide(view: PointInTimeView): WeightVector | null {
    const n = view.panel.assets.length;
    const base = baseIndex(view, this.cfg.baseSymbol);
    const assets = riskyUniverse(view, this.cfg.lookback, { baseSymbol: this.cfg.baseSymbol });
    if (assets.length === 0) return allInBase(n, base);
    const scored = assets.map((i) => ({
      i,
      score: trailingLogReturn(view.panel.close[i]!, view.t, this.cfg.lookback, this.cfg.skip),
    }));
    // Stable tie-break by index keeps decisions deterministic.
    scored.sort((a, b) => b.score - a.score || a.i - b.i);
    const k = Math.max(1, Math.round(this.cfg.topFraction * assets.length));
    const top = scored.slice(0, k).map((s) => s.i);
    return assemble(n, top, new Float64Array(k).fill(1 / k), base);
  }
}
