/**
 * Time-series momentum: each risky asset owns an equal slot of capital and holds it only while
 * its own trailing return is positive; a slot whose asset is falling sits in the base asset.
 */
import { z } from "zod";
import type { PointInTimeView, Strategy, WeightVector } from "../../core/types.js";
import { trailingLogReturn } from "../signals/returns.js";
import { baseIndex, riskyUniverse } from "../signals/universe.js";
import { allInBase, assemble } from "../signals/weights.js";
import { parseConfig } from "./parseConfig.js";

export const timeSeriesMomentumConfigSchema = z.object({
  lookback: z.number().int().min(1).default(30),
  /** Minimum trailing log return to count as an up-trend. */
  threshold: z.number().default(0),
  baseSymbol: z.string().default("USDC"),
});

export class TimeSeriesMomentumStrategy implements Strategy {
  readonly name: string;
  private readonly cfg: z.output<typeof timeSeriesMomentumConfigSchema>;

  constructor(config: z.input<typeof timeSeriesMomentumConfigSchema> = {}) {
    this.cfg = parseConfig(timeSeriesMomentumConfigSchema, config, "time-series momentum");
    this.name = `ts-momentum(${this.cfg.lookback})`;
  }

  decide(view: PointInTimeView): WeightVector | null {
    const n = view.panel.assets.length;
    const base = baseIndex(view, this.cfg.baseSymbol);
    const assets = riskyUniverse(view, this.cfg.lookback, { baseSymbol: this.cfg.baseSymbol });
    if (assets.length === 0) return allInBase(n, base);
    const slot = 1 / assets.length;
    const w = assets.map((i) =>
      trailingLogReturn(view.panel.close[i]!, view.t, this.cfg.lookback) > this.cfg.threshold ? slot : 0,
    );
    // Without a base asset there is nowhere to park a falling slot: hold rather than concentrate.
    if (base < 0 && w.every((v) => v === 0)) return null;
    return assemble(n, assets, w, base);
  }
}
