/**
 * Performance metrics of a NAV series. Annualisation uses the panel's bars per 365-day crypto
 * year (8,760 hourly bars, 365 daily bars). Returns are simple per-bar returns; the risk-free
 * rate is an annual rate converted to a per-bar rate by compounding.
 *
 * Conventions: volatility is the sample standard deviation (n - 1) times sqrt(bars/year);
 * Sharpe = mean excess return / volatility; Sortino divides by the downside deviation over the
 * FULL sample, sqrt(sum(min(0, r - rf)^2) / n); Calmar = annualised return / max drawdown;
 * hit rate = share of bars with a positive return. A ratio with a zero denominator is NaN
 * (null in JSON).
 */
import { InvalidInputError } from "../core/errors.js";
import { BARS_PER_YEAR, type Frequency } from "../core/types.js";

export interface PerformanceMetrics {
  readonly periods: number;
  readonly years: number;
  readonly totalReturn: number;
  readonly annualisedReturn: number;
  readonly volatility: number;
  readonly sharpe: number;
  readonly sortino: number;
  readonly maxDrawdown: number;
  readonly calmar: number;
  /** Sum of |weight changes| over the run, and per year. */
  readonly turnoverTotal: number;
  readonly turnoverAnnualised: number;
  /** Annualised return before trading costs and vault fees. */
  readonly grossAnnualisedReturn: number;
  /** grossAnnualisedReturn - annualisedReturn. */
  readonly costDrag: number;
  readonly hitRate: number;
}

export interface BenchmarkComparison {
  readonly benchmark: string;
  /** Return periods where both series have a return. */
  readonly periods: number;
  /** Fraction of the run's return periods where the benchmark has a return (its data coverage). */
  readonly coverage: number;
  readonly beta: number;
  /** Jensen's alpha, annualised arithmetically: (mean excess - beta * mean benchmark excess) * bars/year. */
  readonly alpha: number;
  /** rf + beta * (benchmark annualised return - rf). */
  readonly capmExpectedReturn: number;
  readonly benchmarkAnnualisedReturn: number;
  readonly correlation: number;
  readonly trackingError: number;
  readonly informationRatio: number;
}

/** Simple returns of a value series; NaN where either end is missing or not positive. */
export function simpleReturns(values: Float64Array): Float64Array {
  const out = new Float64Array(Math.max(0, values.length - 1));
  for (let t = 1; t < values.length; t++) {
    const a = values[t - 1]!;
    const b = values[t]!;
    out[t - 1] = a > 0 && b > 0 ? b / a - 1 : Number.NaN;
  }
  return out;
}

/** Per-bar risk-free return from an annual rate. */
export function perBarRate(annualRate: number, freq: Frequency): number {
  return (1 + annualRate) ** (1 / BARS_PER_YEAR[freq]) - 1;
}

/** Drawdown from the running peak at every bar (0 at a new high, 0.25 = 25% below the peak). */
export function drawdownSeries(values: Float64Array): Float64Array {
  const out = new Float64Array(values.length);
  let peak = Number.NEGATIVE_INFINITY;
  for (let t = 0; t < values.length; t++) {
    const v = values[t]!;
    if (v > peak) peak = v;
    out[t] = peak > 0 && !Number.isNaN(v) ? 1 - v / peak : 0;
  }
  return out;
}

export function maxDrawdown(values: Float64Array): number {
  let worst = 0;
  const dd = drawdownSeries(values);
  for (let t = 0; t < dd.length; t++) if (dd[t]! > worst) worst = dd[t]!;
  return worst;
}

function annualise(first: number, last: number, periods: number, barsPerYear: number): number {
  if (!(first > 0) || !(last > 0) || periods <= 0) return Number.NaN;
  return (last / first) ** (barsPerYear / periods) - 1;
}

function ratio(a: number, b: number): number {
  return b > 0 ? a / b : Number.NaN;
}

export function performanceMetrics(args: {
  readonly nav: Float64Array;
  readonly grossNav: Float64Array;
  readonly turnover: Float64Array;
  readonly freq: Frequency;
  readonly riskFreeRate: number;
}): PerformanceMetrics {
  const { nav, grossNav, turnover, freq } = args;
  if (nav.length < 2 || grossNav.length !== nav.length) {
    throw new InvalidInputError("performanceMetrics: need two or more aligned NAV points", { n: nav.length });
  }
  const bpy = BARS_PER_YEAR[freq];
  const rf = perBarRate(args.riskFreeRate, freq);
  const r = simpleReturns(nav);
  const periods = r.length;
  let sum = 0;
  let sumSq = 0;
  let down = 0;
  let up = 0;
  for (let t = 0; t < periods; t++) {
    const x = r[t]!;
    sum += x;
    sumSq += x * x;
    const ex = x - rf;
    if (ex < 0) down += ex * ex;
    if (x > 0) up++;
  }
  const mean = sum / periods;
  const variance = periods > 1 ? Math.max(0, (sumSq - periods * mean * mean) / (periods - 1)) : Number.NaN;
  const vol = Math.sqrt(variance * bpy);
  const downside = Math.sqrt((down / periods) * bpy);
  const excessAnnual = (mean - rf) * bpy;
  const annual = annualise(nav[0]!, nav[periods]!, periods, bpy);
  const gross = annualise(grossNav[0]!, grossNav[periods]!, periods, bpy);
  const mdd = maxDrawdown(nav);
  let turnoverTotal = 0;
  for (let t = 0; t < turnover.length; t++) turnoverTotal += turnover[t]!;
  return {
    periods,
    years: periods / bpy,
    totalReturn: nav[periods]! / nav[0]! - 1,
    annualisedReturn: annual,
    volatility: vol,
    sharpe: ratio(excessAnnual, vol),
    sortino: ratio(excessAnnual, downside),
    maxDrawdown: mdd,
    calmar: ratio(annual, mdd),
    turnoverTotal,
    turnoverAnnualised: (turnoverTotal * bpy) / periods,
    grossAnnualisedReturn: gross,
    costDrag: gross - annual,
    hitRate: up / periods,
  };
}

/**
 * CAPM comparison of a NAV series against a benchmark value series on the same bars (prices of
 * an asset or index, or another strategy's NAV). Bars where the benchmark is missing are left
 * out, so a benchmark that starts later is compared over its own history only.
 */
export function compareToBenchmark(args: {
  readonly nav: Float64Array;
  readonly benchmark: Float64Array;
  readonly benchmarkName: string;
  readonly freq: Frequency;
  readonly riskFreeRate: number;
}): BenchmarkComparison {
  const { nav, benchmark, freq } = args;
  if (benchmark.length !== nav.length) throw new InvalidInputError("compareToBenchmark: series not aligned");
  const bpy = BARS_PER_YEAR[freq];
  const rf = perBarRate(args.riskFreeRate, freq);
  const rp = simpleReturns(nav);
  const rb = simpleReturns(benchmark);
  let n = 0;
  let covered = 0;
  let sp = 0;
  let sb = 0;
  for (let t = 0; t < rp.length; t++) {
    const p = rp[t]!;
    const b = rb[t]!;
    if (!Number.isNaN(b)) covered++;
    if (!Number.isNaN(p) && !Number.isNaN(b)) {
      n++;
      sp += p - rf;
      sb += b - rf;
    }
  }
  const mp = sp / n;
  const mb = sb / n;
  let cov = 0;
  let vb = 0;
  let vp = 0;
  let te = 0;
  let growthB = 1;
  for (let t = 0; t < rp.length; t++) {
    const p = rp[t]!;
    const b = rb[t]!;
    if (Number.isNaN(p) || Number.isNaN(b)) continue;
    const dp = p - rf - mp;
    const db = b - rf - mb;
    cov += dp * db;
    vb += db * db;
    vp += dp * dp;
    te += (dp - db) * (dp - db);
    growthB *= 1 + b;
  }
  const beta = vb > 0 ? cov / vb : Number.NaN;
  const benchAnnual = n > 0 ? growthB ** (bpy / n) - 1 : Number.NaN;
  const rfAnnual = args.riskFreeRate;
  const trackingError = n > 1 ? Math.sqrt((te / (n - 1)) * bpy) : Number.NaN;
  return {
    benchmark: args.benchmarkName,
    periods: n,
    coverage: rp.length > 0 ? covered / rp.length : 0,
    beta,
    alpha: (mp - beta * mb) * bpy,
    capmExpectedReturn: rfAnnual + beta * (benchAnnual - rfAnnual),
    benchmarkAnnualisedReturn: benchAnnual,
    correlation: vb > 0 && vp > 0 ? cov / Math.sqrt(vb * vp) : Number.NaN,
    trackingError,
    informationRatio: ratio((mp - mb) * bpy, trackingError),
  };
}

/** The benchmark comparison of a run, or why there is none. */
export type BenchmarkVerdict =
  | { readonly kind: "compared"; readonly comparison: BenchmarkComparison }
  | {
      readonly kind: "insufficient_coverage";
      readonly benchmark: string;
      readonly coverage: number;
      readonly minCoverage: number;
      readonly message: string;
    };

/** Default least benchmark coverage for CAPM figures: a benchmark missing a tenth of the periods is refused. */
export const DEFAULT_MIN_BENCHMARK_COVERAGE = 0.9;

/**
 * `compareToBenchmark`, refused when the benchmark has a return on fewer than `minCoverage` of
 * the run's periods: alpha and beta from a fraction of the run describe a different period
 * than the run's own return, and have shown absurd values (an alpha of 132%) on holed data.
 */
export function benchmarkVerdict(
  args: Parameters<typeof compareToBenchmark>[0] & { readonly minCoverage: number },
): BenchmarkVerdict {
  if (!(args.minCoverage >= 0 && args.minCoverage <= 1)) {
    throw new InvalidInputError("benchmarkVerdict: minCoverage must be in [0, 1]", { minCoverage: args.minCoverage });
  }
  const comparison = compareToBenchmark(args);
  if (comparison.coverage >= args.minCoverage && comparison.periods > 1) return { kind: "compared", comparison };
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return {
    kind: "insufficient_coverage",
    benchmark: args.benchmarkName,
    coverage: comparison.coverage,
    minCoverage: args.minCoverage,
    message: `benchmark ${args.benchmarkName} has data on ${pct(comparison.coverage)} of the periods (minimum ${pct(args.minCoverage)}): no alpha, beta or CAPM figures`,
  };
}
