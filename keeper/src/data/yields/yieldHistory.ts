/**
 * One pool's DefiLlama history turned into a daily series of adjusted APYs (pure).
 *
 * - Adjustment: base APY + (1 - haircut) x reward APY, as annual fractions. DefiLlama gives
 *   `apy` = base + reward; when `apyBase` is missing the base is `apy` less the reward.
 * - Bars: the last point of each UTC day stands for that day's close (data/resample.ts).
 * - Outliers: a point above `maxApy` in size, or further than `outlierMads` scaled MADs (and
 *   `outlierMinDistance`) from the median of the previous `outlierWindowDays` raw points, is
 *   set missing and reported. The window is trailing, so the test never looks ahead; a point
 *   within `outlierMinDistance` of the previous day's raw point is kept (the move persisted:
 *   a change of level, accepted from its second day, where a one-day spike is not).
 * - Gaps: a missing day is carried forward from the last good one for up to `maxGapDays`
 *   days; after that it stays missing (a day cannot know how long its gap will last).
 *   Every repair is reported.
 */
import type { LlamaChartPoint } from "./llamaYields.js";
import type { YieldCollectorConfig } from "./yieldConfig.js";

const DAY = 86_400;

export interface YieldIssue {
  readonly pool: string;
  readonly kind: "no_apy" | "outlier" | "gap_filled" | "gap_left" | "underlying_missing";
  /** Bar close (unix seconds) the issue is about. */
  readonly t: number;
  readonly detail: string;
}

/** A pool's daily history: bar closes at 00:00 UTC after each day, APYs as annual fractions. */
export interface PoolYieldSeries {
  readonly pool: string;
  readonly timestamps: Float64Array;
  /** Base + haircut reward (+ underlying when one applies); NaN where unknown. */
  readonly apy: Float64Array;
  readonly baseApy: Float64Array;
  readonly rewardApy: Float64Array;
  /** The underlying's own yield added (0 where none applies). */
  readonly underlyingApy: Float64Array;
  readonly tvlUsd: Float64Array;
}

/** Base and reward APY of one DefiLlama point as fractions; null when it carries none. */
export function splitApy(p: Pick<LlamaChartPoint, "apy" | "apyBase" | "apyReward">): {
  base: number;
  reward: number;
} | null {
  const reward = p.apyReward ?? 0;
  const base = p.apyBase ?? (p.apy !== null ? p.apy - reward : null);
  if (base === null && p.apyReward == null) return null;
  return { base: (base ?? 0) / 100, reward: reward / 100 };
}

/** The cleaned daily series of one pool, before any underlying yield is added. */
export function cleanPoolHistory(
  pool: string,
  points: readonly LlamaChartPoint[],
  cfg: YieldCollectorConfig,
  nowSeconds: number,
  issues: YieldIssue[],
): PoolYieldSeries {
  const h = cfg.history;
  const haircut = cfg.adjustment.rewardHaircut;
  // Last point per UTC day (bar close = the next midnight, as in data/resample.ts); a day not
  // yet closed is dropped.
  const byDay = new Map<number, { base: number; reward: number; tvl: number }>();
  for (const p of points) {
    const t = Date.parse(p.timestamp) / 1000;
    const close = Math.ceil(t / DAY) * DAY;
    if (close > nowSeconds) continue;
    const split = splitApy(p);
    if (split === null) {
      issues.push({ pool, kind: "no_apy", t: close, detail: "point without apy, apyBase or apyReward" });
      continue;
    }
    byDay.set(close, { ...split, tvl: p.tvlUsd });
  }
  const days = [...byDay.keys()].sort((a, b) => a - b);
  if (days.length === 0) return emptySeries(pool);
  const first = days[0] as number;
  const last = days[days.length - 1] as number;
  const len = Math.round((last - first) / DAY) + 1;
  const timestamps = new Float64Array(len);
  const base = new Float64Array(len).fill(Number.NaN);
  const reward = new Float64Array(len).fill(Number.NaN);
  const tvl = new Float64Array(len).fill(Number.NaN);
  const raw = new Float64Array(len).fill(Number.NaN);
  for (let k = 0; k < len; k++) {
    const t = first + k * DAY;
    timestamps[k] = t;
    const d = byDay.get(t);
    if (!d) continue;
    base[k] = d.base;
    reward[k] = d.reward;
    tvl[k] = d.tvl;
    raw[k] = d.base + (1 - haircut) * d.reward;
  }

  // Outliers against the trailing window of raw adjusted APYs.
  const apy = Float64Array.from(raw);
  for (let k = 0; k < len; k++) {
    const x = raw[k] as number;
    if (Number.isNaN(x)) continue;
    let why: string | null = null;
    if (Math.abs(x) > h.maxApy) why = `|apy| ${fmt(x)} above ${fmt(h.maxApy)}`;
    else {
      const window: number[] = [];
      for (let j = Math.max(0, k - h.outlierWindowDays); j < k; j++) {
        const v = raw[j] as number;
        if (!Number.isNaN(v)) window.push(v);
      }
      const prev = k > 0 ? (raw[k - 1] as number) : Number.NaN;
      // A move that the previous day already showed is a change of level, not a spike.
      const confirmed = Math.abs(x - prev) <= h.outlierMinDistance;
      if (window.length >= 5 && !confirmed) {
        const med = median(window);
        const mad = 1.4826 * median(window.map((v) => Math.abs(v - med)));
        const dist = Math.abs(x - med);
        if (dist > h.outlierMinDistance && dist > h.outlierMads * mad)
          why = `apy ${fmt(x)} vs trailing median ${fmt(med)} (scaled MAD ${fmt(mad)})`;
      }
    }
    if (why !== null) {
      apy[k] = Number.NaN;
      base[k] = Number.NaN;
      reward[k] = Number.NaN;
      issues.push({ pool, kind: "outlier", t: timestamps[k] as number, detail: why });
    }
  }

  // Gaps: carry the last good day forward for up to maxGapDays.
  let lastGood = -1;
  for (let k = 0; k < len; k++) {
    if (!Number.isNaN(apy[k] as number)) {
      lastGood = k;
      continue;
    }
    if (lastGood >= 0 && k - lastGood <= h.maxGapDays) {
      apy[k] = apy[lastGood] as number;
      base[k] = base[lastGood] as number;
      reward[k] = reward[lastGood] as number;
      issues.push({
        pool,
        kind: "gap_filled",
        t: timestamps[k] as number,
        detail: `carried from ${k - lastGood} day(s) before`,
      });
    } else {
      issues.push({ pool, kind: "gap_left", t: timestamps[k] as number, detail: "no APY within the gap limit" });
    }
  }
  return { pool, timestamps, apy, baseApy: base, rewardApy: reward, underlyingApy: new Float64Array(len), tvlUsd: tvl };
}

/**
 * `series` with an underlying's yield added day by day: a pool's series (aligned by bar
 * close; a day it lacks makes the total missing, and is reported) or a constant.
 */
export function addUnderlying(
  series: PoolYieldSeries,
  underlying: PoolYieldSeries | number,
  label: string,
  issues: YieldIssue[],
): PoolYieldSeries {
  const len = series.timestamps.length;
  const add = new Float64Array(len);
  const apy = Float64Array.from(series.apy);
  const byT = typeof underlying === "number" ? null : indexByTime(underlying);
  for (let k = 0; k < len; k++) {
    const t = series.timestamps[k] as number;
    const u = typeof underlying === "number" ? underlying : (byT?.get(t) ?? Number.NaN);
    if (Number.isNaN(u)) {
      if (!Number.isNaN(apy[k] as number))
        issues.push({ pool: series.pool, kind: "underlying_missing", t, detail: `${label} has no APY that day` });
      apy[k] = Number.NaN;
      add[k] = Number.NaN;
      continue;
    }
    add[k] = u;
    apy[k] = (apy[k] as number) + u;
  }
  return { ...series, apy, underlyingApy: add };
}

function indexByTime(s: PoolYieldSeries): Map<number, number> {
  const m = new Map<number, number>();
  for (let k = 0; k < s.timestamps.length; k++) m.set(s.timestamps[k] as number, s.apy[k] as number);
  return m;
}

function emptySeries(pool: string): PoolYieldSeries {
  const e = new Float64Array(0);
  return { pool, timestamps: e, apy: e, baseApy: e, rewardApy: e, underlyingApy: e, tvlUsd: e };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : 0.5 * ((s[m - 1] as number) + (s[m] as number));
}

function fmt(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}
