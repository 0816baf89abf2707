/**
 * A run's per-bar net results as prefix sums, so any set of spans is summarised in O(spans):
 * every fold of every candidate reads the same single backtest over the evaluation span.
 * Slicing one run is sound because a strategy's decision at t reads bars <= t only, whatever
 * the fold; the position carried into a fold is part of what the strategy would hold.
 */
import type { BacktestResult } from "../../backtest/backtester.js";
import { InvalidInputError } from "../../core/errors.js";
import type { Span, SpanStats } from "./types.js";

export class NetSeries {
  /** First bar with a return (the run's second bar). */
  readonly first: number;
  readonly last: number;
  private readonly sums: Float64Array[];

  constructor(
    run: BacktestResult,
    private readonly barsPerYear: number,
  ) {
    this.first = run.from + 1;
    this.last = run.to;
    const n = run.to - run.from;
    // Per bar: r, r^2, min(r, 0)^2, log(1 + r), execution cost / NAV before, turnover.
    this.sums = Array.from({ length: 6 }, () => new Float64Array(n + 1));
    for (let k = 1; k <= n; k++) {
      const before = run.nav[k - 1] as number;
      const r = (run.nav[k] as number) / before - 1;
      const values = [
        r,
        r * r,
        r < 0 ? r * r : 0,
        Math.log1p(r),
        ((run.costUsd[k] as number) + (run.gasUsd[k] as number)) / before,
        run.turnover[k] as number,
      ];
      values.forEach((v, j) => {
        const s = this.sums[j] as Float64Array;
        s[k] = (s[k - 1] as number) + v;
      });
    }
  }

  /** Per-bar net returns over `span` (for the deflated Sharpe ratio and PBO). */
  returns(span: Span): Float64Array {
    this.check(span);
    const r = this.sums[0] as Float64Array;
    return Float64Array.from({ length: span.to - span.from + 1 }, (_, i) => {
      const k = span.from + i - this.first + 1;
      return (r[k] as number) - (r[k - 1] as number);
    });
  }

  stats(spans: readonly Span[]): SpanStats {
    const total = [0, 0, 0, 0, 0, 0];
    let bars = 0;
    for (const span of spans) {
      this.check(span);
      const a = span.from - this.first;
      const b = span.to - this.first + 1;
      this.sums.forEach((s, j) => {
        total[j] = (total[j] as number) + (s[b] as number) - (s[a] as number);
      });
      bars += span.to - span.from + 1;
    }
    const [sum, sumSq, downSq, logSum, cost, turnover] = total as [number, number, number, number, number, number];
    const mean = sum / bars;
    const sd = Math.sqrt(Math.max(0, sumSq / bars - mean * mean));
    const down = Math.sqrt(downSq / bars);
    const scale = Math.sqrt(this.barsPerYear);
    return {
      bars,
      netReturn: Math.expm1(logSum),
      annualisedReturn: Math.expm1((logSum * this.barsPerYear) / bars),
      sharpe: sd > 0 ? (mean / sd) * scale : 0,
      sortino: down > 0 ? (mean / down) * scale : 0,
      costDragBpsPerYear: ((cost * this.barsPerYear) / bars) * 10_000,
      turnoverAnnualised: (turnover * this.barsPerYear) / bars,
    };
  }

  private check(span: Span): void {
    if (span.from < this.first || span.to > this.last || span.from > span.to) {
      throw new InvalidInputError("NetSeries: span outside the run", { ...span, first: this.first, last: this.last });
    }
  }
}
