/**
 * What execution cost a run and how far it strayed from its targets:
 * - cost drag: trading costs and gas paid, as a share of the NAV before each bar, summed and
 *   annualised (bp of NAV a year); management fees are not execution and are excluded;
 * - tracking error to the targets: annualised standard deviation of the per-bar difference
 *   between the run's gross return (costs added back, so only the weights differ) and the
 *   return of a frictionless portfolio holding the strategy's latest target from the bar after
 *   it was decided (the execution lag), as the keeper's strategy asked.
 */
import type { BacktestResult } from "../backtest/backtester.js";
import { BARS_PER_YEAR } from "../core/types.js";
import type { DecidedTarget } from "../strategy/bandedStrategy.js";

export function costDragBpsPerYear(r: BacktestResult): number {
  let drag = 0;
  for (let k = 1; k < r.nav.length; k++) {
    const before = r.nav[k - 1] as number;
    if (before > 0) drag += ((r.costUsd[k] as number) + (r.gasUsd[k] as number)) / before;
  }
  const bars = Math.max(1, r.nav.length - 1);
  return (drag * BARS_PER_YEAR[r.panel.freq] * 10_000) / bars;
}

/** Annualised tracking error to the targets; null before any target is in force. */
export function trackingErrorToTargets(r: BacktestResult, targets: readonly DecidedTarget[]): number | null {
  const n = r.panel.assets.length;
  const diffs: number[] = [];
  let next = 0;
  let inForce: Float64Array | null = null;
  for (let k = 1; k < r.nav.length; k++) {
    const t = r.from + k;
    // A target decided at bar d trades at d + 1: it is held over the bar from d + 1 to d + 2.
    while (next < targets.length && (targets[next] as DecidedTarget).t + 1 <= t - 1) {
      inForce = (targets[next] as DecidedTarget).weights;
      next++;
    }
    if (inForce === null) continue;
    let ideal = 0;
    for (let i = 0; i < n; i++) {
      const w = inForce[i] as number;
      if (w === 0) continue;
      const a = r.panel.close[i]?.[t - 1] as number;
      const b = r.panel.close[i]?.[t] as number;
      if (a > 0 && b > 0) ideal += w * (b / a - 1);
    }
    const held = (r.grossNav[k] as number) / (r.grossNav[k - 1] as number) - 1;
    diffs.push(held - ideal);
  }
  if (diffs.length < 2) return null;
  const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
  const variance = diffs.reduce((a, b) => a + (b - mean) ** 2, 0) / (diffs.length - 1);
  return Math.sqrt(variance * BARS_PER_YEAR[r.panel.freq]);
}
