/**
 * A strategy behind the shared no-trade band (../market/noTradeBand.ts): the inner strategy's
 * targets go through the band against the weights held now, as the keeper's planning path does.
 * The unbanded targets are kept (decision bar, weights) so a run can measure how far the held
 * portfolio strayed from what the strategy wanted.
 */
import type { PointInTimeView, Strategy, WeightVector } from "../core/types.js";
import { applyNoTradeBand, type NoTradeBand } from "../market/noTradeBand.js";

export interface DecidedTarget {
  readonly t: number;
  readonly weights: Float64Array;
}

export class BandedStrategy implements Strategy {
  readonly name: string;
  private readonly decided: DecidedTarget[] = [];

  constructor(
    private readonly inner: Strategy,
    private readonly halfWidths: Float64Array,
    private readonly baseIndex: number,
    private readonly band: NoTradeBand,
    private readonly caps?: Float64Array,
  ) {
    this.name = inner.name;
  }

  /** The inner strategy's targets, in decision order. */
  get targets(): readonly DecidedTarget[] {
    return this.decided;
  }

  decide(view: PointInTimeView): WeightVector | null {
    const target = this.inner.decide(view);
    if (target === null) return null;
    this.decided.push({ t: view.t, weights: Float64Array.from(target) });
    return applyNoTradeBand({
      current: view.currentWeights,
      target,
      halfWidths: this.halfWidths,
      baseIndex: this.baseIndex,
      minTurnover: this.band.minTurnover,
      ...(this.caps ? { caps: this.caps } : {}),
    });
  }
}
