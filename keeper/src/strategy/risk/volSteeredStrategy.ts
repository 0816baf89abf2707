/**
 * The keeper's volatility steering (`volSteering.ts`) as a backtestable strategy: the inner
 * strategy's target is traded on a schedule of `everyBars` bars stretched or shrunk by the
 * level's interval multiplier, and each rebalance moves the level's trade fraction of the way
 * from the held weights to the target. The level is read every bar from the held basket's
 * returns (point in time: bars up to t), with the keeper's hysteresis. With steering off it is
 * the plain schedule, so the two arms of a comparison differ only by the rule.
 */

import { type VolSteeringConfigInput, volSteeringConfigSchema } from "../../config/volSteeringConfig.js";
import type { PointInTimeView, Strategy, WeightVector } from "../../core/types.js";
import { parseConfig } from "../baselines/parseConfig.js";
import type { VolLevel } from "./volatilityLevels.js";
import { basketLogReturns, moveToward, steerByVolatility, steeringWindowBars } from "./volSteering.js";

export interface VolSteeredOptions {
  /** Bars between rebalances before steering (the keeper's `schedule.everySeconds` in bars). */
  readonly everyBars: number;
  readonly steering: VolSteeringConfigInput;
  readonly baseSymbol: string;
  /** Largest basket weight a steered move may leave (the vault's cap). */
  readonly maxWeight?: number;
}

export class VolSteeredStrategy implements Strategy {
  readonly name: string;
  private readonly cfg;
  private lastT = Number.NEGATIVE_INFINITY;
  private level: VolLevel | null = null;
  /** Bars spent at each level, for reports. */
  readonly barsAtLevel = new Map<VolLevel | null, number>();

  constructor(
    private readonly inner: Strategy,
    private readonly opts: VolSteeredOptions,
  ) {
    this.cfg = parseConfig(volSteeringConfigSchema, opts.steering, "vol steering");
    this.name = `${inner.name}${this.cfg.enabled ? "+vol-steered" : ""}@${opts.everyBars}`;
  }

  decide(view: PointInTimeView): WeightVector | null {
    if (view.t < this.lastT) {
      this.lastT = Number.NEGATIVE_INFINITY;
      this.level = null;
      this.barsAtLevel.clear();
    }
    const { panel, t } = view;
    const returns = basketLogReturns(panel.close, view.currentWeights, t, steeringWindowBars(panel.freq));
    const steer = steerByVolatility(returns, panel.freq, this.cfg, this.level);
    this.level = steer.level;
    this.barsAtLevel.set(steer.level, (this.barsAtLevel.get(steer.level) ?? 0) + 1);
    const interval = Math.max(1, Math.round(this.opts.everyBars * steer.intervalMultiplier));
    if (t - this.lastT < interval) return null;
    const target = this.inner.decide(view);
    if (target === null) return null;
    this.lastT = t;
    if (steer.tradeFraction >= 1) return target;
    const symbols = panel.assets.map((a) => a.symbol);
    const base = symbols.indexOf(this.opts.baseSymbol);
    if (base < 0) return target;
    const held = [symbols[base]!, ...symbols.filter((_s, i) => i !== base && view.eligible[i])];
    const byName = (w: ArrayLike<number>) => Object.fromEntries(symbols.map((s, i) => [s, w[i] ?? 0]));
    const moved = moveToward(
      byName(view.currentWeights),
      byName(target),
      steer.tradeFraction,
      held,
      () => this.opts.maxWeight ?? 1,
    );
    return Float64Array.from(symbols, (s) => moved[s] ?? 0);
  }
}
