/**
 * Volatility steering: the realised volatility of the held basket over 1, 4, 24 and 168 hours
 * (annualised, `volatilityLevels.ts`) picks a level, and each level sets how the rebalance
 * schedule stretches or shrinks (`intervalMultiplier` on the configured interval) and how much
 * of the distance to the target one rebalance trades (`tradeFraction`). The keeper applies it
 * every cycle and the backtester through `VolSteeredStrategy`: the same function, so research
 * tests the rule the keeper runs.
 *
 * The level follows the most volatile lookback that has at least `minReturns` returns (a fast
 * jump shows in the short windows first). To stop a volatility that sits on a threshold from
 * flapping between two levels (and the schedule with it), a level only changes when the
 * volatility has crossed the threshold by the `hysteresis` fraction: up when vol >= edge ×
 * (1 + h), down when vol < edge × (1 − h). Off (the default), the level is the plain one the
 * dashboard always showed, and the schedule and trade size are today's (×1, all of the move).
 */
import type { VolSteeringConfig } from "../../config/volSteeringConfig.js";
import type { Frequency } from "../../core/types.js";
import { levelOf, VOL_LEVELS, type VolLevel, type VolReading, volatilityRegime } from "./volatilityLevels.js";

/** The held basket's per-bar log returns over the steering window, ending now. */
export interface BasketReturns {
  readonly returns: Float64Array;
  readonly freq: Frequency;
}

export interface VolSteer {
  /** The level in force (after hysteresis); null when no lookback has enough returns. */
  readonly level: VolLevel | null;
  readonly readings: readonly VolReading[];
  /** The lookback whose volatility decided the level (the most volatile that qualifies). */
  readonly drivingLookbackHours: number | null;
  readonly drivingVol: number | null;
  readonly intervalMultiplier: number;
  readonly tradeFraction: number;
  /** One line for logs and the status: which volatility set which level and what it changes. */
  readonly reason: string;
}

const pct = (v: number) => `${(100 * v).toFixed(0)}%`;

/**
 * The level `vol` maps to from `previous` with hysteresis `h`: moving up needs vol at least
 * edge × (1 + h), moving down vol below edge × (1 − h); otherwise the previous level holds.
 */
export function levelWithHysteresis(
  vol: number,
  previous: VolLevel | null,
  thresholds: readonly number[],
  h: number,
): VolLevel {
  const raw = levelOf(vol, thresholds);
  if (previous === null) return raw;
  const p = VOL_LEVELS.indexOf(previous);
  const r = VOL_LEVELS.indexOf(raw);
  if (r > p) return VOL_LEVELS[Math.max(p, VOL_LEVELS.indexOf(levelOf(vol / (1 + h), thresholds)))]!;
  if (r < p) return VOL_LEVELS[Math.min(p, VOL_LEVELS.indexOf(levelOf(vol / (1 - h), thresholds)))]!;
  return previous;
}

/**
 * The steering for a per-bar log-return series of the held basket ending now (oldest first),
 * given the level in force before (`previous`, null at start). Pure: the caller keeps the level.
 */
export function steerByVolatility(
  returns: ArrayLike<number>,
  freq: Frequency,
  config: VolSteeringConfig,
  previous: VolLevel | null,
): VolSteer {
  const regime = volatilityRegime(returns, freq, { thresholds: config.thresholds, minReturns: config.minReturns });
  let driving: VolReading | null = null;
  for (const r of regime.readings) {
    if (r.annualisedVol === null || r.returns < config.minReturns) continue;
    if (driving === null || (r.annualisedVol as number) > (driving.annualisedVol as number)) driving = r;
  }
  const base = { readings: regime.readings };
  if (driving === null || driving.annualisedVol === null) {
    // Not enough bars to measure: today's schedule and size (the medium level's, when steering).
    const k = config.enabled ? "medium" : null;
    return {
      ...base,
      level: null,
      drivingLookbackHours: null,
      drivingVol: null,
      intervalMultiplier: k ? config.intervalMultiplier[k] : 1,
      tradeFraction: k ? config.tradeFraction[k] : 1,
      reason: "too few bars to measure volatility: medium assumed",
    };
  }
  const vol = driving.annualisedVol;
  const where = `${driving.lookbackHours}h vol ${pct(vol)}`;
  if (!config.enabled) {
    const level = levelOf(vol, config.thresholds);
    return {
      ...base,
      level,
      drivingLookbackHours: driving.lookbackHours,
      drivingVol: vol,
      intervalMultiplier: 1,
      tradeFraction: 1,
      reason: `${where}: ${level} (steering off)`,
    };
  }
  const level = levelWithHysteresis(vol, previous, config.thresholds, config.hysteresis);
  const held = previous !== null && level === previous && levelOf(vol, config.thresholds) !== level;
  const intervalMultiplier = config.intervalMultiplier[level];
  const tradeFraction = config.tradeFraction[level];
  return {
    ...base,
    level,
    drivingLookbackHours: driving.lookbackHours,
    drivingVol: vol,
    intervalMultiplier,
    tradeFraction,
    reason: `${where}: ${level}${held ? " (held by hysteresis)" : ""}; interval ×${intervalMultiplier}, trades ${pct(tradeFraction)} of the move`,
  };
}

/**
 * Log returns of a basket held at constant `weights` (by panel row, any scale, renormalised over
 * the rows with a price) over the `bars` bars ending at bar `t`. Rows without both closes of a
 * step are left out of that step.
 */
export function basketLogReturns(
  close: readonly ArrayLike<number>[],
  weights: ArrayLike<number>,
  t: number,
  bars: number,
): Float64Array {
  const n = Math.max(0, Math.min(bars, t));
  const out = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const k = t - n + 1 + j;
    let simple = 0;
    let total = 0;
    for (let i = 0; i < close.length; i++) {
      const w = weights[i] ?? 0;
      if (!(w > 0)) continue;
      const a = close[i]![k - 1]!;
      const b = close[i]![k]!;
      if (!(a > 0) || !Number.isFinite(b)) continue;
      simple += w * (b / a - 1);
      total += w;
    }
    out[j] = total > 0 ? Math.log1p(simple / total) : 0;
  }
  return out;
}

/** Bars of `freq` covering the longest lookback (168 h). */
export function steeringWindowBars(freq: Frequency): number {
  return freq === "1h" ? 168 : 7;
}

/**
 * Moves `fraction` of the way from `current` to `target` (weights by symbol) over `held`, the
 * symbols that may be held, base asset first. A symbol outside `held` goes to zero at once (an
 * asset a rotation removes is sold in full, as without steering); a basket weight above
 * `maxWeight` is cut to it; the rest sits in the base asset. With fraction 1 it is `target`.
 */
export function moveToward(
  current: Readonly<Record<string, number>>,
  target: Readonly<Record<string, number>>,
  fraction: number,
  held: readonly string[],
  capOf: (symbol: string) => number,
): Record<string, number> {
  if (fraction >= 1) return { ...target };
  const [base, ...basket] = held;
  if (base === undefined) return { ...target };
  const out: Record<string, number> = {};
  let used = 0;
  for (const symbol of basket) {
    const from = current[symbol] ?? 0;
    const w = Math.min(capOf(symbol), Math.max(0, from + fraction * ((target[symbol] ?? 0) - from)));
    if (w > 0) out[symbol] = w;
    used += w;
  }
  out[base] = Math.max(0, 1 - used);
  return out;
}
