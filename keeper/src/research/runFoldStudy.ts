/**
 * The robust-selection run: every candidate (strategy families x hyper-parameters x schedules,
 * each PPO policy of the hyper-parameter search and each search entry's seed ensemble) is
 * backtested once over the evaluation span, the bars after the block PPO trains on; the folds
 * (./folds) slice those runs. Then the no-trade band is chosen on the same folds for the chosen
 * candidate: the band setting with the best median fold Sortino net of all costs whose tracking
 * error to the targets is at most `bandMaxTrackingErrorIncrease` above the first setting's (no
 * band; ties: the earlier, narrower setting), with its cost drag and tracking error beside it.
 * Pure computation, like the rest of research.
 */

import { defaultCosts } from "../backtest/assumptions.js";
import type { BacktestResult } from "../backtest/backtester.js";
import { ConfigError } from "../core/errors.js";
import { BARS_PER_YEAR, type MarketPanel, type Strategy } from "../core/types.js";
import { bandHalfWidths, type NoTradeBand } from "../market/noTradeBand.js";
import { BandedStrategy } from "../strategy/bandedStrategy.js";
import type { PpoPolicy } from "../strategy/ppo/ppoPolicy.js";
import { buildCandidates, REFERENCE_FAMILIES } from "./candidates.js";
import { EnsembleStrategy } from "./ensemble.js";
import { trackingErrorToTargets } from "./executionStats.js";
import { NetSeries } from "./folds/netSeries.js";
import { type CandidateRun, robustSelection } from "./folds/robustSelection.js";
import type { FoldStudy, Span } from "./folds/types.js";
import { strategyFromPolicy } from "./ppoAgent.js";
import type { ResearchConfig, Schedule } from "./researchConfig.js";
import { backtest, context, hyperOf, ppoId, type ResearchProgress, researchBlocks } from "./runResearch.js";

export interface BandRow {
  readonly band: NoTradeBand;
  readonly medianFoldSortino: number;
  readonly costDragBpsPerYear: number;
  readonly trackingError: number | null;
  readonly rebalances: number;
}

export interface BandStudy {
  /** The candidate the band was chosen for. */
  readonly candidate: string;
  /** The largest tracking-error increase over no band a chosen band may bring. */
  readonly maxTrackingErrorIncrease: number;
  readonly rows: readonly BandRow[];
  readonly chosen: NoTradeBand;
}

export interface FoldStudyReport {
  readonly study: FoldStudy;
  readonly band: BandStudy;
}

interface Job {
  readonly id: string;
  readonly family: string;
  readonly schedule: Schedule;
  readonly uncapped: boolean;
  readonly selectable: boolean;
  make(): Strategy;
}

const SILENT: ResearchProgress = { start() {}, tick() {}, stop() {}, log() {} };

/** The evaluation span: after the training block, two bars in so the first scored bar is invested. */
export function evaluationSpan(panel: MarketPanel, cfg: ResearchConfig): Span {
  const train = researchBlocks(panel, cfg).train;
  return { from: train.to + 3, to: panel.timestamps.length - 1 };
}

export function runFoldStudy(
  panel: MarketPanel,
  cfg: ResearchConfig,
  policies: readonly PpoPolicy[],
  progress: ResearchProgress = SILENT,
): FoldStudyReport {
  const ctx = context(panel, cfg);
  const span = evaluationSpan(panel, cfg);
  const runFrom = { from: span.from - 2, to: span.to };
  const jobs = candidateJobs(panel, cfg, policies);
  const bpy = BARS_PER_YEAR[panel.freq];
  progress.start("folds: backtest", jobs.length);
  const runs: CandidateRun[] = jobs.map((job, k) => {
    const r = backtest(ctx, () => job.make(), job.schedule, runFrom, false, job.uncapped);
    progress.tick(k + 1);
    return { id: job.id, family: job.family, series: new NetSeries(r, bpy), selectable: job.selectable };
  });
  progress.stop();
  const study = robustSelection(runs, span, {
    walkForwardFolds: cfg.folds.walkForward,
    cscvBlocks: cfg.folds.cscvBlocks,
    purgeBars: cfg.folds.purgeBars,
    embargoBars: cfg.folds.embargoBars,
    equalWeightId: cfg.folds.equalWeightId,
  });

  // The band, on the chosen candidate's folds.
  const job = jobs.find((j) => j.id === study.chosen);
  if (!job) throw new ConfigError(`research: the chosen candidate ${study.chosen} has no job`);
  const fees = defaultCosts(panel, cfg.baseSymbol, cfg.assumptions).feeTiers;
  const caps = Float64Array.from(panel.assets, (_, i) =>
    i === ctx.base || job.uncapped ? 1 : cfg.assumptions.maxWeight,
  );
  const rows: BandRow[] = cfg.bandGrid.map((band) => {
    let banded: BandedStrategy | null = null;
    const r: BacktestResult = backtest(
      ctx,
      () => {
        banded = new BandedStrategy(job.make(), bandHalfWidths(fees, band), ctx.base, band, caps);
        return banded;
      },
      job.schedule,
      runFrom,
      false,
      job.uncapped,
    );
    const series = new NetSeries(r, bpy);
    const sortinos = study.folds.map((f) => series.stats(f.score).sortino);
    const strategy = banded as BandedStrategy | null;
    return {
      band,
      medianFoldSortino: median(sortinos),
      costDragBpsPerYear: series.stats([span]).costDragBpsPerYear,
      trackingError: strategy ? trackingErrorToTargets(r, strategy.targets) : null,
      rebalances: r.rebalances.filter((e) => e.executed).length,
    };
  });
  // The best median fold Sortino among settings within the tracking-error limit (the first
  // setting, no band, is the fallback).
  let best = rows[0] as BandRow;
  const cap = (best.trackingError ?? 0) + cfg.bandMaxTrackingErrorIncrease;
  for (const row of rows) {
    const within = row.trackingError !== null && row.trackingError <= cap;
    if (within && row.medianFoldSortino > best.medianFoldSortino) best = row;
  }
  return {
    study,
    band: {
      candidate: study.chosen,
      maxTrackingErrorIncrease: cfg.bandMaxTrackingErrorIncrease,
      rows,
      chosen: best.band,
    },
  };
}

function candidateJobs(panel: MarketPanel, cfg: ResearchConfig, policies: readonly PpoPolicy[]): Job[] {
  const jobs: Job[] = buildCandidates(cfg).map((c) => ({
    id: c.id,
    family: c.family,
    schedule: c.schedule,
    uncapped: c.uncapped,
    selectable: !REFERENCE_FAMILIES.has(c.family),
    make: () => c.make(panel),
  }));
  const byHyper = new Map<string, PpoPolicy[]>();
  for (const p of policies) byHyper.set(hyperOf(p), [...(byHyper.get(hyperOf(p)) ?? []), p]);
  for (const schedule of cfg.schedules) {
    for (const p of policies) {
      const id = ppoId(p, schedule.label);
      jobs.push({
        id,
        family: "ppo",
        schedule,
        uncapped: false,
        selectable: true,
        make: () => strategyFromPolicy(p, panel, id),
      });
    }
    for (const [hyper, members] of byHyper) {
      if (members.length < 2) continue;
      const id = `ppo-ensemble(hyper=${hyper},seeds=${members.length})@${schedule.label}`;
      jobs.push({
        id,
        family: "ppo-ensemble",
        schedule,
        uncapped: false,
        selectable: true,
        make: () =>
          new EnsembleStrategy(
            id,
            members.map((m) => strategyFromPolicy(m, panel, id)),
          ),
      });
    }
  }
  return jobs;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const k = s.length >> 1;
  return s.length % 2 ? (s[k] as number) : ((s[k - 1] as number) + (s[k] as number)) / 2;
}
