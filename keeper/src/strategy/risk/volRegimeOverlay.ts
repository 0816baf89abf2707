/**
 * Risk overlay that turns the volatility level into action: in calm markets the inner
 * strategy's risky weights are held in full and rebalanced rarely (drift costs little); as the
 * level rises, risky weights are scaled down (the rest waits in the base asset) and the
 * rebalance interval shortens so the book follows a fast-moving market.
 */
import { z } from "zod";
import type { PointInTimeView, Strategy, WeightVector } from "../../core/types.js";
import { parseConfig } from "../baselines/parseConfig.js";
import { baseIndex, DEFAULT_BASE_SYMBOL } from "../signals/universe.js";
import {
  VOL_LOOKBACK_HOURS,
  type VolLevel,
  type VolRegime,
  volatilityRegime,
  volLevelConfigSchema,
} from "./volatilityLevels.js";

const perLevel = <T extends z.ZodType>(schema: T) =>
  z.object({ "very-low": schema, low: schema, medium: schema, high: schema, "very-high": schema });

export const volRegimeOverlayConfigSchema = z.object({
  levels: volLevelConfigSchema.default({ thresholds: [0.25, 0.45, 0.7, 1.0], minReturns: 4 }),
  sizeScale: perLevel(z.number().min(0).max(1)).default({
    "very-low": 1,
    low: 1,
    medium: 1,
    high: 0.75,
    "very-high": 0.5,
  }),
  intervalBars: perLevel(z.number().int().min(1)).default({
    "very-low": 14,
    low: 7,
    medium: 7,
    high: 3,
    "very-high": 1,
  }),
  baseSymbol: z.string().default(DEFAULT_BASE_SYMBOL),
});
export type VolRegimeOverlayConfig = z.input<typeof volRegimeOverlayConfigSchema>;

export class VolRegimeOverlay implements Strategy {
  readonly name: string;
  private readonly cfg: z.output<typeof volRegimeOverlayConfigSchema>;
  private lastT = Number.NEGATIVE_INFINITY;
  /** Level at the last decision (for reports and tests). */
  lastLevel: VolLevel | null = null;

  constructor(
    private readonly inner: Strategy,
    config: VolRegimeOverlayConfig = {},
  ) {
    this.cfg = parseConfig(volRegimeOverlayConfigSchema, config, "vol regime overlay");
    this.name = `${inner.name}+vol-overlay`;
  }

  decide(view: PointInTimeView): WeightVector | null {
    if (view.t < this.lastT) this.lastT = Number.NEGATIVE_INFINITY;
    const target = this.inner.decide(view);
    if (target === null) return null;
    const regime = this.regimeOf(view, target);
    const level = regime.level ?? "medium";
    if (view.t - this.lastT < this.cfg.intervalBars[level]) return null;
    this.lastT = view.t;
    this.lastLevel = level;
    const base = baseIndex(view, this.cfg.baseSymbol);
    const scale = this.cfg.sizeScale[level];
    if (base < 0 || scale === 1) return target;
    const out = new Float64Array(target.length);
    let moved = 0;
    for (let i = 0; i < target.length; i++) {
      if (i === base) continue;
      out[i] = target[i]! * scale;
      moved += target[i]! - out[i]!;
    }
    out[base] = target[base]! + moved;
    return out;
  }

  /** Levels of the returns the target portfolio would have had over the longest lookback. */
  regimeOf(view: PointInTimeView, target: WeightVector): VolRegime {
    const barHours = view.panel.freq === "1h" ? 1 : 24;
    const bars = Math.min(view.t, Math.ceil(Math.max(...VOL_LOOKBACK_HOURS) / barHours));
    const returns = new Float64Array(bars);
    for (let j = 0; j < bars; j++) {
      const k = view.t - bars + 1 + j;
      let r = 0;
      for (let i = 0; i < target.length; i++) {
        const w = target[i]!;
        if (w === 0) continue;
        const row = view.panel.close[i]!;
        r += w * Math.log(row[k]! / row[k - 1]!);
      }
      returns[j] = r;
    }
    return volatilityRegime(returns, view.panel.freq, this.cfg.levels);
  }
}
