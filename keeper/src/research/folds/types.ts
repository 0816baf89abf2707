/**
 * Folds and per-fold results of the robust selection: what the release gate reads. Bars are
 * indices of the research panel; spans are inclusive. Every figure is net of all costs
 * (trading costs, gas and the vault's fees): it comes from the depositor's NAV.
 */
import type { DeflatedSharpe } from "../deflatedSharpe.js";

/** Bars `from..to` of the panel, inclusive. */
export interface Span {
  readonly from: number;
  readonly to: number;
}

export type FoldKind = "walk-forward" | "cscv";

export interface Fold {
  /** "wf-3" (walk-forward, 0-based) or "cscv-17" (combination index). */
  readonly id: string;
  readonly kind: FoldKind;
  /** Bars a selection may look at, already purged and embargoed around `score`. */
  readonly select: readonly Span[];
  /** Bars the fold's selection never saw: where every candidate is scored. */
  readonly score: readonly Span[];
}

/** Net-of-costs statistics of one run over a set of bars (annualised where named). */
export interface SpanStats {
  readonly bars: number;
  /** Compounded net return over the bars. */
  readonly netReturn: number;
  readonly annualisedReturn: number;
  readonly sharpe: number;
  /** Mean over downside deviation (target 0), annualised; 0 when no bar lost. */
  readonly sortino: number;
  /** Trading costs and gas over the NAV before each bar, annualised, in bp of NAV. */
  readonly costDragBpsPerYear: number;
  /** One-way basket turnover, annualised (1 = 100% of NAV a year). */
  readonly turnoverAnnualised: number;
}

/** One candidate on one fold's scored bars, beside equal weight on the same bars. */
export interface FoldResult {
  readonly foldId: string;
  readonly kind: FoldKind;
  readonly score: readonly Span[];
  readonly candidate: SpanStats;
  /** The reference equal-weight configuration on the same bars, same cost model. */
  readonly equalWeight: SpanStats;
  /** candidate.sortino - equalWeight.sortino. */
  readonly excessSortino: number;
  /** candidate.netReturn - equalWeight.netReturn. */
  readonly excessReturn: number;
  /** True when this fold's own selection (on its `select` bars) picked this candidate. */
  readonly chosenInFold: boolean;
}

export interface CandidateFolds {
  readonly id: string;
  readonly family: string;
  /** Results on bars the candidate was not selected on: every fold's scored bars. */
  readonly folds: readonly FoldResult[];
  /** Median of `excessSortino` over every fold. */
  readonly medianExcessSortino: number;
  /** The median shrunk toward equal weight (0) by the dispersion of the walk-forward folds. */
  readonly robustScore: number;
  /** Shrinkage weight in [0, 1]: 1 means the evidence is all noise and the score is 0. */
  readonly shrinkage: number;
  /** Over the whole evaluation span, deflated by every configuration tried. */
  readonly deflatedSharpe: DeflatedSharpe;
  /** The candidate over the whole evaluation span (for cost drag per strategy). */
  readonly overall: SpanStats;
}

export interface FoldStudy {
  /** Bars the folds cover (after the training block PPO learns on). */
  readonly span: Span;
  readonly folds: readonly Fold[];
  readonly purgeBars: number;
  readonly embargoBars: number;
  readonly equalWeightId: string;
  readonly candidates: readonly CandidateFolds[];
  /** Highest robust score; equal weight when no candidate's shrunk score is above 0. */
  readonly chosen: string;
  /** CSCV probability of backtest overfitting over every candidate's net returns. */
  readonly pbo: { readonly pbo: number; readonly splits: number; readonly configurations: number };
  /**
   * The selection procedure itself out of sample: on each walk-forward fold, the candidate its
   * select bars chose, scored on its scored bars against equal weight.
   */
  readonly procedure: readonly { readonly foldId: string; readonly chosen: string; readonly excessSortino: number }[];
}
