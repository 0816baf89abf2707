/** Inverse-volatility baseline: weight proportional to 1 / realised volatility, capped. */
import { z } from "zod";
import type { PointInTimeView, Strategy, WeightVector } from "../../core/types.js";
import { realisedVol } from "../signals/returns.js";
import { baseIndex, riskyUniverse } from "../signals/universe.js";
import { allInBase, assemble, normaliseCapped } from "../signals/weights.js";
import { parseConfig } from "./parseConfig.js";

export const inverseVolatilityConfigSchema = z.object({
  lookback: z.number().int().min(2).default(60),
  maxWeight: z.number().gt(0).max(1).default(1),
  baseSymbol: z.string().default("USDC"),
});

export class InverseVolatilityStrategy implements Strategy {
  readonly name: string;
  private readonly cfg: z.output<typeof inverseVolatilityConfigSchema>;

  constructor(config: z.input<typeof inverseVolatilityConfigSchema> = {}) {
    this.cfg = parseConfig(inverseVolatilityConfigSchema, config, "inverse-volatility");
    this.name = `inverse-vol(${this.cfg.lookback})`;
  }

  decide(view: PointInTimeView): WeightVector | null {
    const n = view.panel.assets.length;
    const base = baseIndex(view, this.cfg.baseSymbol);
    const assets = riskyUniverse(view, this.cfg.lookback, { baseSymbol: this.cfg.baseSymbol });
    const raw = assets.map((i) => {
      const vol = realisedVol(view.panel.close[i]!, view.t, this.cfg.lookback);
      return vol > 0 ? 1 / vol : 0;
    });
    if (raw.every((v) => v === 0)) return allInBase(n, base);
    return assemble(n, assets, normaliseCapped(raw, 1, this.cfg.maxWeight), base);
  }
}
