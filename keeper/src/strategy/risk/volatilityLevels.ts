/**
 * Volatility tracking with discrete levels. Realised volatility is measured over four
 * lookbacks (1h, 4h, 24h, 168h of bars), annualised, and mapped to a level from "very-low" to
 * "very-high". A lookback shorter than the panel's bar cannot be measured and is reported as
 * null (a daily panel only sees 24h and 168h). Short lookbacks react fast but are noisy, so
 * the overall level only uses lookbacks with at least `minReturns` returns.
 */
import { z } from "zod";
import { BARS_PER_YEAR, type Frequency, SECONDS_PER_BAR } from "../../core/types.js";
import { parseConfig } from "../baselines/parseConfig.js";

export const VOL_LEVELS = ["very-low", "low", "medium", "high", "very-high"] as const;
export type VolLevel = (typeof VOL_LEVELS)[number];
export const VOL_LOOKBACK_HOURS = [1, 4, 24, 168] as const;

export const volLevelConfigSchema = z.object({
  /** Upper edges (annualised vol) of very-low, low, medium, high; above the last is very-high. */
  thresholds: z
    .tuple([z.number(), z.number(), z.number(), z.number()])
    .default([0.25, 0.45, 0.7, 1.0])
    .refine((t) => t[0] < t[1] && t[1] < t[2] && t[2] < t[3], { message: "thresholds must increase" }),
  minReturns: z.number().int().min(1).default(4),
});
export type VolLevelConfig = z.input<typeof volLevelConfigSchema>;

export interface VolReading {
  readonly lookbackHours: number;
  /** Annualised volatility, or null when the lookback is shorter than a bar or lacks data. */
  readonly annualisedVol: number | null;
  readonly level: VolLevel | null;
  readonly returns: number;
}

export interface VolRegime {
  readonly readings: readonly VolReading[];
  /** Highest level among the lookbacks with enough returns (null when none qualifies). */
  readonly level: VolLevel | null;
}

export function levelOf(annualisedVol: number, thresholds: readonly number[]): VolLevel {
  let k = 0;
  while (k < thresholds.length && annualisedVol >= thresholds[k]!) k++;
  return VOL_LEVELS[k]!;
}

/**
 * Volatility levels of a per-bar log-return series ending at its last element (oldest first),
 * e.g. a portfolio's returns over the visible history.
 */
export function volatilityRegime(returns: ArrayLike<number>, freq: Frequency, config: VolLevelConfig = {}): VolRegime {
  const cfg = parseConfig(volLevelConfigSchema, config, "volatility levels");
  const barHours = SECONDS_PER_BAR[freq] / 3600;
  const perYear = BARS_PER_YEAR[freq];
  const readings: VolReading[] = [];
  let overall = -1;
  for (const hours of VOL_LOOKBACK_HOURS) {
    const count = Math.floor(hours / barHours);
    if (count < 1 || returns.length < count) {
      readings.push({ lookbackHours: hours, annualisedVol: null, level: null, returns: Math.max(0, count) });
      continue;
    }
    // Root mean square (no demeaning): over short windows the mean is noise, not drift.
    let sumSq = 0;
    let finite = true;
    for (let k = returns.length - count; k < returns.length; k++) {
      const r = returns[k]!;
      if (!Number.isFinite(r)) finite = false;
      sumSq += r * r;
    }
    if (!finite) {
      readings.push({ lookbackHours: hours, annualisedVol: null, level: null, returns: count });
      continue;
    }
    const vol = Math.sqrt((sumSq / count) * perYear);
    const level = levelOf(vol, cfg.thresholds);
    readings.push({ lookbackHours: hours, annualisedVol: vol, level, returns: count });
    if (count >= cfg.minReturns) overall = Math.max(overall, VOL_LEVELS.indexOf(level));
  }
  return { readings, level: overall >= 0 ? VOL_LEVELS[overall]! : null };
}
