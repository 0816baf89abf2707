/**
 * The JSON report of a set of backtests over the same bars: every series and metric of every
 * run, the benchmark, and the assumptions a reader needs to judge the numbers. Pure: building
 * the report does no I/O (the CLI writes it).
 */
import { InvalidInputError } from "../core/errors.js";
import type { Frequency } from "../core/types.js";
import type { BacktestResult } from "./backtester.js";
import type { FrozenPositionEvent } from "./frozenPositions.js";
import {
  type BenchmarkComparison,
  benchmarkVerdict,
  DEFAULT_MIN_BENCHMARK_COVERAGE,
  drawdownSeries,
  type PerformanceMetrics,
  performanceMetrics,
} from "./metrics.js";

/** How much of a run's value sat in positions without a price, and what the policy did. */
export interface FrozenSummary {
  /** Largest value in positions whose series had ended, as a fraction of NAV, and its bar label. */
  readonly maxFraction: number;
  readonly maxFractionAt: string | null;
  /** Value in ended series at the last bar as a fraction of NAV. */
  readonly finalFraction: number;
  /** Largest value in positions without a close at their bar (gaps included), fraction of NAV. */
  readonly maxUnpricedFraction: number;
  readonly maxUnpricedAt: string | null;
  /** Value lost to haircuts and markdowns, USD. */
  readonly lossUsd: number;
  readonly events: readonly (FrozenPositionEvent & { readonly date: string; readonly lastPricedDate: string })[];
}

export interface RunReport {
  readonly name: string;
  readonly metrics: PerformanceMetrics;
  /** Null without a benchmark, or when its coverage is below the minimum (see `benchmarkNote`). */
  readonly vsBenchmark: BenchmarkComparison | null;
  /** Why there are no CAPM figures although a benchmark was given; null otherwise. */
  readonly benchmarkNote: string | null;
  readonly frozen: FrozenSummary;
  readonly totals: {
    readonly tradingCostUsd: number;
    readonly gasUsd: number;
    readonly feeUsd: number;
    readonly rebalancesExecuted: number;
    readonly rebalancesNotExecuted: number;
    readonly skippedLegs: number;
    readonly decisions: number;
  };
  readonly series: {
    readonly nav: number[];
    readonly grossNav: number[];
    readonly drawdown: number[];
    readonly turnover: number[];
    readonly costUsd: number[];
    readonly gasUsd: number[];
    readonly feeUsd: number[];
    /** Weight per asset symbol at every bar. */
    readonly weights: Record<string, number[]>;
  };
}

export interface BacktestReport {
  readonly title: string;
  readonly generatedAt: string;
  readonly freq: Frequency;
  readonly timestamps: number[];
  /** Bar labels: the UTC day a daily bar covers (its close is the next midnight), or the hour it closes. */
  readonly dates: string[];
  readonly riskFreeRate: number;
  readonly benchmark: { readonly name: string; readonly nav: number[] } | null;
  /** The first run is the one under study; the rest are baselines. */
  readonly runs: RunReport[];
  /** Settings and assumptions (trade timing, cost model, data caveats). */
  readonly notes: Record<string, unknown>;
}

export function buildReport(args: {
  readonly title: string;
  readonly results: readonly BacktestResult[];
  /** Benchmark values on the same bars as the results (NaN where missing). */
  readonly benchmark: { readonly name: string; readonly values: Float64Array } | null;
  readonly riskFreeRate: number;
  readonly notes: Record<string, unknown>;
  /** Least fraction of periods with benchmark data for CAPM figures (default 0.9). */
  readonly minBenchmarkCoverage?: number;
  readonly now?: Date;
}): BacktestReport {
  const first = args.results[0];
  if (!first) throw new InvalidInputError("buildReport: no results");
  const freq = first.panel.freq;
  const runs = args.results.map((r): RunReport => {
    const metrics = performanceMetrics({
      nav: r.nav,
      grossNav: r.grossNav,
      turnover: r.turnover,
      freq,
      riskFreeRate: args.riskFreeRate,
    });
    const verdict = args.benchmark
      ? benchmarkVerdict({
          nav: r.nav,
          benchmark: args.benchmark.values,
          benchmarkName: args.benchmark.name,
          freq,
          riskFreeRate: args.riskFreeRate,
          minCoverage: args.minBenchmarkCoverage ?? DEFAULT_MIN_BENCHMARK_COVERAGE,
        })
      : null;
    const weights: Record<string, number[]> = {};
    r.weights.forEach((row, i) => {
      weights[r.panel.assets[i]!.symbol] = Array.from(row);
    });
    const executed = r.rebalances.filter((e) => e.executed).length;
    return {
      name: r.strategy,
      metrics,
      vsBenchmark: verdict?.kind === "compared" ? verdict.comparison : null,
      benchmarkNote: verdict?.kind === "insufficient_coverage" ? verdict.message : null,
      frozen: frozenSummary(r, freq),
      totals: {
        tradingCostUsd: sum(r.costUsd),
        gasUsd: sum(r.gasUsd),
        feeUsd: sum(r.feeUsd),
        rebalancesExecuted: executed,
        rebalancesNotExecuted: r.rebalances.length - executed,
        skippedLegs: r.rebalances.reduce((acc, e) => acc + e.skippedLegs, 0),
        decisions: r.decisions,
      },
      series: {
        nav: Array.from(r.nav),
        grossNav: Array.from(r.grossNav),
        drawdown: Array.from(drawdownSeries(r.nav)),
        turnover: Array.from(r.turnover),
        costUsd: Array.from(r.costUsd),
        gasUsd: Array.from(r.gasUsd),
        feeUsd: Array.from(r.feeUsd),
        weights,
      },
    };
  });
  let benchmark: BacktestReport["benchmark"] = null;
  if (args.benchmark) {
    // Rescaled to the first run's NAV on the benchmark's first known bar, so a benchmark that
    // starts later is drawn from where the first run stood at that time.
    const v = args.benchmark.values;
    let k = 0;
    while (k < v.length && !(v[k]! > 0)) k++;
    const scale = k < v.length ? first.nav[k]! / v[k]! : Number.NaN;
    benchmark = { name: args.benchmark.name, nav: Array.from(v, (x) => x * scale) };
  }
  return {
    title: args.title,
    generatedAt: (args.now ?? new Date()).toISOString(),
    freq,
    timestamps: Array.from(first.timestamps),
    dates: Array.from(first.timestamps, (ts) => barDate(ts, freq)),
    riskFreeRate: args.riskFreeRate,
    benchmark,
    runs,
    notes: args.notes,
  };
}

/** JSON text of a report; numbers rounded to 10 significant digits, NaN and Infinity as null. */
export function reportToJson(report: BacktestReport): string {
  return JSON.stringify(report, (_key, value: unknown) => {
    if (typeof value !== "number") return value;
    if (!Number.isFinite(value)) return null;
    return Number.isInteger(value) ? value : Number(value.toPrecision(10));
  });
}

/** Largest `values[k] / nav[k]` and its index (-1 when never positive). */
function peakFraction(values: Float64Array, nav: Float64Array): { fraction: number; at: number } {
  let fraction = 0;
  let at = -1;
  for (let k = 0; k < values.length; k++) {
    const f = nav[k]! > 0 ? values[k]! / nav[k]! : 0;
    if (f > fraction) {
      fraction = f;
      at = k;
    }
  }
  return { fraction, at };
}

function frozenSummary(r: BacktestResult, freq: Frequency): FrozenSummary {
  const frozen = peakFraction(r.frozenUsd, r.nav);
  const unpriced = peakFraction(r.unpricedUsd, r.nav);
  const label = (k: number) => (k >= 0 ? barDate(r.timestamps[k]!, freq) : null);
  const last = r.frozenUsd.length - 1;
  const ts = r.panel.timestamps;
  return {
    maxFraction: frozen.fraction,
    maxFractionAt: label(frozen.at),
    finalFraction: r.nav[last]! > 0 ? r.frozenUsd[last]! / r.nav[last]! : 0,
    maxUnpricedFraction: unpriced.fraction,
    maxUnpricedAt: label(unpriced.at),
    lossUsd: r.frozenEvents.reduce((acc, e) => acc + e.lossUsd, 0),
    events: r.frozenEvents.map((e) => ({
      ...e,
      date: barDate(ts[e.bar]!, freq),
      lastPricedDate: e.lastPricedBar >= 0 ? barDate(ts[e.lastPricedBar]!, freq) : "never",
    })),
  };
}

function barDate(closeSeconds: number, freq: Frequency): string {
  if (freq === "24h") return new Date((closeSeconds - 86_400) * 1000).toISOString().slice(0, 10);
  return new Date(closeSeconds * 1000).toISOString().slice(0, 16).replace("T", " ");
}

function sum(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
}
