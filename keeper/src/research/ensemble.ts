/**
 * A seed ensemble: the mean of its members' target weights. Every member respects the same
 * eligibility and sums to 1, so the mean does too. Members that hold contribute nothing this
 * bar; when all hold, the ensemble holds.
 */
import type { PointInTimeView, Strategy, WeightVector } from "../core/types.js";

export class EnsembleStrategy implements Strategy {
  constructor(
    readonly name: string,
    private readonly members: readonly Strategy[],
  ) {}

  decide(view: PointInTimeView): WeightVector | null {
    let sum: Float64Array | null = null;
    let count = 0;
    for (const m of this.members) {
      const w = m.decide(view);
      if (w === null) continue;
      sum ??= new Float64Array(w.length);
      for (let i = 0; i < w.length; i++) sum[i] = (sum[i] as number) + (w[i] as number);
      count++;
    }
    if (sum === null) return null;
    for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] as number) / count;
    return sum;
  }
}
