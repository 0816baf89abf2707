/**
 * Trailing daily volatility and average daily USD volume per asset and bar, the inputs of the
 * square-root impact model. Strictly trailing: the value at bar t uses bars t-window+1..t only,
 * so a cost charged at bar t never depends on later data.
 *
 * Volatility is that of simple bar returns, scaled to a day by sqrt(bars per day): for the
 * bar sizes used (hours, days) it equals the log-return figure to well within the precision
 * of an impact coefficient, and it avoids a logarithm per asset and bar on long hourly runs.
 * When the volume window is empty (a source that stopped reporting, e.g. MATIC after 2022-09
 * in the shared data) the last estimate is kept: the market did not vanish, its reporting did.
 *
 * `RollingLiquidity` computes estimates on demand by sliding each asset's window forward to
 * the queried bar (a simulator only needs them on rebalance bars and mostly moves forward);
 * `trailingLiquidity` materialises every bar with the same code, to share between simulators.
 */
import { BARS_PER_YEAR, type MarketPanel } from "../core/types.js";

export interface LiquidityEstimates {
  /** Daily standard deviation of returns; NaN until two returns are seen in the window. */
  readonly sigmaDaily: readonly Float64Array[];
  /**
   * Mean USD volume per day over the window (missing bars ignored); the last estimate when
   * the window has none; NaN before any volume was seen.
   */
  readonly dailyVolumeUsd: readonly Float64Array[];
}

/** One asset's window state. */
interface Window {
  /** Last bar included. */
  cursor: number;
  sum: number;
  sumSq: number;
  count: number;
  vSum: number;
  vCount: number;
  /** Average daily volume of the window that ended at the last bar with reported volume. */
  lastAdv: number;
}

export class RollingLiquidity {
  /** Outputs of the last `at` call. */
  sigmaDaily = Number.NaN;
  dailyVolumeUsd = Number.NaN;
  readonly window: number;
  private readonly barsPerDay: number;
  private readonly close: readonly Float64Array[];
  private readonly volume: readonly Float64Array[];
  private readonly state: Window[];
  /** First bar with reported volume per asset (-1: none), found on the first rewind. */
  private readonly firstVolume: (number | undefined)[];

  constructor(panel: MarketPanel, windowDays: number) {
    this.barsPerDay = BARS_PER_YEAR[panel.freq] / 365;
    this.window = Math.max(2, Math.round(windowDays * this.barsPerDay));
    this.close = panel.close;
    this.volume = panel.volume;
    this.state = panel.assets.map(() => emptyWindow());
    this.firstVolume = panel.assets.map(() => undefined);
  }

  /** Sets `sigmaDaily` and `dailyVolumeUsd` for asset i at bar t. */
  at(i: number, t: number): void {
    const w = this.state[i]!;
    if (t < w.cursor) this.rewind(w, i, t);
    const close = this.close[i]!;
    const volume = this.volume[i]!;
    const win = this.window;
    const bpd = this.barsPerDay;
    for (let s = w.cursor + 1; s <= t; s++) {
      const r = ret(close, s);
      if (!Number.isNaN(r)) {
        w.sum += r;
        w.sumSq += r * r;
        w.count++;
      }
      const old = ret(close, s - win);
      if (!Number.isNaN(old)) {
        w.sum -= old;
        w.sumSq -= old * old;
        w.count--;
      }
      const v = volume[s]!;
      if (v >= 0) {
        w.vSum += v;
        w.vCount++;
      }
      if (s >= win) {
        const oldV = volume[s - win]!;
        if (oldV >= 0) {
          w.vSum -= oldV;
          w.vCount--;
        }
      }
      // The estimate to carry through a later gap: the window ending at the last reported bar.
      if (v >= 0) w.lastAdv = (w.vSum / w.vCount) * bpd;
    }
    w.cursor = t;
    if (w.count >= 2) {
      const mean = w.sum / w.count;
      const variance = (w.sumSq - w.count * mean * mean) / (w.count - 1);
      this.sigmaDaily = Math.sqrt(Math.max(0, variance) * bpd);
    } else this.sigmaDaily = Number.NaN;
    this.dailyVolumeUsd = w.vCount > 0 ? (w.vSum / w.vCount) * bpd : w.lastAdv;
  }

  /**
   * Going back in time (an RL episode restarting earlier): rebuild the window ending at t
   * directly, and, if it holds no volume, the estimate of the last window that did.
   */
  private rewind(w: Window, i: number, t: number): void {
    Object.assign(w, emptyWindow());
    this.sumWindow(w, i, t);
    w.cursor = t;
    const volume = this.volume[i]!;
    this.firstVolume[i] ??= volume.findIndex((v) => v >= 0);
    const first = this.firstVolume[i]!;
    if (first < 0 || first > t) return;
    let last = t;
    while (last > first && !(volume[last]! >= 0)) last--;
    const probe = emptyWindow();
    this.sumWindow(probe, i, last);
    w.lastAdv = (probe.vSum / probe.vCount) * this.barsPerDay;
  }

  /** Adds bars end-window+1..end of asset i to `w`. */
  private sumWindow(w: Window, i: number, end: number): void {
    const close = this.close[i]!;
    const volume = this.volume[i]!;
    for (let s = Math.max(0, end - this.window + 1); s <= end; s++) {
      const r = ret(close, s);
      if (!Number.isNaN(r)) {
        w.sum += r;
        w.sumSq += r * r;
        w.count++;
      }
      const v = volume[s]!;
      if (v >= 0) {
        w.vSum += v;
        w.vCount++;
      }
    }
  }
}

/** Every bar's estimates, materialised (same arithmetic as `RollingLiquidity`). */
export function trailingLiquidity(panel: MarketPanel, windowDays: number): LiquidityEstimates {
  const rolling = new RollingLiquidity(panel, windowDays);
  const T = panel.timestamps.length;
  const sigmaDaily: Float64Array[] = [];
  const dailyVolumeUsd: Float64Array[] = [];
  for (let i = 0; i < panel.assets.length; i++) {
    const sig = new Float64Array(T);
    const adv = new Float64Array(T);
    for (let t = 0; t < T; t++) {
      rolling.at(i, t);
      sig[t] = rolling.sigmaDaily;
      adv[t] = rolling.dailyVolumeUsd;
    }
    sigmaDaily.push(sig);
    dailyVolumeUsd.push(adv);
  }
  return { sigmaDaily, dailyVolumeUsd };
}

function emptyWindow(): Window {
  return { cursor: -1, sum: 0, sumSq: 0, count: 0, vSum: 0, vCount: 0, lastAdv: Number.NaN };
}

/** Return at bar t (NaN when either close is missing or t < 1). */
function ret(close: Float64Array, t: number): number {
  if (t < 1) return Number.NaN;
  const a = close[t - 1]!;
  const b = close[t]!;
  return a > 0 && b > 0 ? b / a - 1 : Number.NaN;
}
