/**
 * Robust selection over many folds, net of all costs.
 *
 * Per fold, every candidate is scored on bars its selection never saw, beside equal weight on
 * the same bars; the statistic is the excess Sortino ratio over equal weight. A candidate's
 * robust score is the median over every fold (walk-forward and CSCV), shrunk toward equal
 * weight (excess 0) James-Stein style: with se^2 the squared standard error of its excess over
 * the walk-forward folds (disjoint blocks, so roughly independent) and tau^2 the spread of the
 * selectable candidates' medians beyond their median squared error (what noise explains),
 *   shrinkage B = se^2 / (se^2 + tau^2),   score = (1 - B) * median.
 * A consistent candidate keeps most of its median; one whose folds disagree is pulled to 0. The
 * choice is the highest score above 0, else equal weight itself: nothing is chosen that does
 * not beat the baseline once its noise is counted.
 * Each fold also runs the same rule on its own select bars (excess Sortino there); the winners,
 * scored on the walk-forward folds' scored bars, are the selection procedure's own
 * out-of-sample record. PBO is CSCV's over every candidate's net returns; the deflated Sharpe
 * ratio deflates each candidate by every configuration tried.
 */
import { ConfigError } from "../../core/errors.js";
import { deflatedSharpe, returnMoments } from "../deflatedSharpe.js";
import { probabilityOfOverfitting } from "../pbo.js";
import { cscvFolds, walkForwardFolds } from "./makeFolds.js";
import type { NetSeries } from "./netSeries.js";
import type { CandidateFolds, Fold, FoldResult, FoldStudy, Span } from "./types.js";

export interface CandidateRun {
  readonly id: string;
  readonly family: string;
  readonly series: NetSeries;
  /** False for references (single assets, buy-and-hold): scored and counted, never chosen. */
  readonly selectable: boolean;
}

export interface RobustOptions {
  readonly walkForwardFolds: number;
  readonly cscvBlocks: number;
  readonly purgeBars: number;
  readonly embargoBars: number;
  readonly equalWeightId: string;
}

export function robustSelection(runs: readonly CandidateRun[], span: Span, o: RobustOptions): FoldStudy {
  const ew = runs.find((r) => r.id === o.equalWeightId);
  if (!ew) throw new ConfigError(`robust selection: the equal-weight reference ${o.equalWeightId} was not run`);
  const fo = { purgeBars: o.purgeBars, embargoBars: o.embargoBars };
  const folds: Fold[] = [...walkForwardFolds(span, o.walkForwardFolds, fo), ...cscvFolds(span, o.cscvBlocks, fo)];
  const results = runs.map(() => [] as FoldResult[]);
  const procedure: FoldStudy["procedure"][number][] = [];
  for (const fold of folds) {
    const ewSelect = ew.series.stats(fold.select).sortino;
    const ewScore = ew.series.stats(fold.score);
    let winner = runs.indexOf(ew);
    let best = 0;
    runs.forEach((r, c) => {
      const excess = r.series.stats(fold.select).sortino - ewSelect;
      if (r.selectable && excess > best) {
        best = excess;
        winner = c;
      }
    });
    runs.forEach((r, c) => {
      const s = r.series.stats(fold.score);
      (results[c] as FoldResult[]).push({
        foldId: fold.id,
        kind: fold.kind,
        score: fold.score,
        candidate: s,
        equalWeight: ewScore,
        excessSortino: s.sortino - ewScore.sortino,
        excessReturn: s.netReturn - ewScore.netReturn,
        chosenInFold: c === winner,
      });
    });
    if (fold.kind === "walk-forward") {
      const w = results[winner]?.at(-1) as FoldResult;
      procedure.push({ foldId: fold.id, chosen: (runs[winner] as CandidateRun).id, excessSortino: w.excessSortino });
    }
  }

  const medians = results.map((rs) => median(rs.map((r) => r.excessSortino)));
  const se2 = results.map((rs) => {
    const wf = rs.filter((r) => r.kind === "walk-forward").map((r) => r.excessSortino);
    return wf.length > 1 ? variance(wf) / wf.length : Number.POSITIVE_INFINITY;
  });
  // tau^2 from the candidates that can be chosen (references such as a single asset are far
  // noisier and would drown the estimate), with the median squared error so that a few very
  // noisy candidates do not hide the spread of the rest.
  const pick = runs.flatMap((r, c) => (r.selectable ? [c] : []));
  const finite = pick.map((c) => se2[c] as number).filter(Number.isFinite);
  const tau2 = Math.max(0, variance(pick.map((c) => medians[c] as number)) - (finite.length ? median(finite) : 0));
  const returns = runs.map((r) => r.series.returns(span));
  const trialSharpes = returns.map((r) => returnMoments(r).sharpe);
  const candidates: CandidateFolds[] = runs.map((r, c) => {
    const s2 = se2[c] as number;
    // Identical to the baseline (no spread, no edge): nothing to shrink, the score is 0 anyway.
    const shrinkage = s2 + tau2 > 0 ? (Number.isFinite(s2) ? s2 / (s2 + tau2) : 1) : 1;
    return {
      id: r.id,
      family: r.family,
      folds: results[c] as FoldResult[],
      medianExcessSortino: medians[c] as number,
      robustScore: (1 - shrinkage) * (medians[c] as number),
      shrinkage,
      deflatedSharpe: deflatedSharpe(returns[c] as Float64Array, trialSharpes),
      overall: r.series.stats([span]),
    };
  });
  let chosen = ew.id;
  let top = 0;
  candidates.forEach((c, k) => {
    if (runs[k]?.selectable && c.robustScore > top) {
      top = c.robustScore;
      chosen = c.id;
    }
  });
  const pbo = probabilityOfOverfitting(returns, o.cscvBlocks);
  return {
    span,
    folds,
    purgeBars: o.purgeBars,
    embargoBars: o.embargoBars,
    equalWeightId: ew.id,
    candidates,
    chosen,
    pbo: { pbo: pbo.pbo, splits: pbo.splits, configurations: returns.length },
    procedure,
  };
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function variance(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const k = s.length >> 1;
  return s.length % 2 ? (s[k] as number) : ((s[k - 1] as number) + (s[k] as number)) / 2;
}
