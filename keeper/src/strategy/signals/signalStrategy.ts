/**
 * External scores as a `Strategy` for research and backtests: at bar t it takes the newest
 * snapshot published at or before the bar's close (point in time: a score dated later is
 * invisible), checks it, and turns it into weights. A snapshot that fails the check makes
 * the strategy hold (null), as the keeper's oracle would.
 */
import { type ScoreHistory, snapshotAt } from "../../core/signals.js";
import type { PointInTimeView, Strategy, WeightVector } from "../../core/types.js";
import { checkScores, type ScorePolicy, weightsFromScores } from "./scoreWeights.js";

export class SignalStrategy implements Strategy {
  readonly name: string;
  /** Decisions refused and why, for the report. */
  readonly holds: { readonly t: number; readonly reason: string }[] = [];

  constructor(
    private readonly history: ScoreHistory,
    private readonly policy: ScorePolicy,
    name = `signal-${policy.mode}`,
  ) {
    this.name = name;
  }

  decide(view: PointInTimeView): WeightVector | null {
    const now = view.panel.timestamps[view.t] as number;
    const universe = view.panel.assets.filter((_, i) => view.eligible[i]).map((a) => a.symbol);
    const check = checkScores(snapshotAt(this.history, now), universe, now, this.policy);
    if (!check.ok) {
      this.holds.push({ t: view.t, reason: check.reason });
      return null;
    }
    const weights = weightsFromScores(check.scores, this.policy);
    return Float64Array.from(view.panel.assets, (a) => weights[a.symbol] ?? 0);
  }
}
