/**
 * Deflated Sharpe ratio (Bailey & Lopez de Prado, 2014): the probability that the selected
 * configuration's true Sharpe ratio is above the best Sharpe one would expect from `trials`
 * configurations with no skill, accounting for the return distribution's skew and kurtosis
 * and the sample length. All Sharpe ratios here are per bar (not annualised).
 */
import { InvalidInputError } from "../core/errors.js";
import { normalCdf, normalQuantile } from "./normal.js";

const EULER_GAMMA = 0.5772156649015329;

export interface ReturnMoments {
  readonly n: number;
  readonly sharpe: number;
  readonly skew: number;
  /** Non-excess kurtosis (3 for a normal distribution). */
  readonly kurtosis: number;
}

export function returnMoments(returns: ArrayLike<number>): ReturnMoments {
  const xs: number[] = [];
  for (let i = 0; i < returns.length; i++) if (Number.isFinite(returns[i]!)) xs.push(returns[i]!);
  const n = xs.length;
  if (n < 3) throw new InvalidInputError("returnMoments: need at least 3 returns", { n });
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (const x of xs) {
    const d = x - mean;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  const sd = Math.sqrt(m2);
  return { n, sharpe: sd > 0 ? mean / sd : 0, skew: sd > 0 ? m3 / sd ** 3 : 0, kurtosis: sd > 0 ? m4 / (m2 * m2) : 3 };
}

/** Expected maximum of `trials` Sharpe estimates with variance `sharpeVariance` and zero true Sharpe. */
export function expectedMaxSharpe(trials: number, sharpeVariance: number): number {
  if (trials < 1) throw new InvalidInputError("expectedMaxSharpe: trials must be >= 1", { trials });
  if (trials === 1) return 0;
  return (
    Math.sqrt(Math.max(0, sharpeVariance)) *
    ((1 - EULER_GAMMA) * normalQuantile(1 - 1 / trials) + EULER_GAMMA * normalQuantile(1 - 1 / (trials * Math.E)))
  );
}

/** Probabilistic Sharpe ratio: P(true SR > benchmark) given the observed moments. */
export function probabilisticSharpe(m: ReturnMoments, benchmarkSharpe: number): number {
  const denom = Math.sqrt(Math.max(1e-12, 1 - m.skew * m.sharpe + ((m.kurtosis - 1) / 4) * m.sharpe * m.sharpe));
  return normalCdf(((m.sharpe - benchmarkSharpe) * Math.sqrt(m.n - 1)) / denom);
}

export interface DeflatedSharpe {
  readonly deflatedSharpe: number;
  readonly benchmarkSharpe: number;
  readonly observedSharpe: number;
  readonly trials: number;
}

/**
 * `selected`: per-bar returns of the chosen configuration; `trialSharpes`: the per-bar Sharpe
 * ratio of every configuration tried (the chosen one included).
 */
export function deflatedSharpe(selected: ArrayLike<number>, trialSharpes: readonly number[]): DeflatedSharpe {
  const m = returnMoments(selected);
  const N = trialSharpes.length;
  const mean = trialSharpes.reduce((a, b) => a + b, 0) / N;
  const variance = N > 1 ? trialSharpes.reduce((a, b) => a + (b - mean) ** 2, 0) / (N - 1) : 0;
  const sr0 = expectedMaxSharpe(N, variance);
  return { deflatedSharpe: probabilisticSharpe(m, sr0), benchmarkSharpe: sr0, observedSharpe: m.sharpe, trials: N };
}
