/**
 * The research pipeline, in the order the issue asks for and with the test block untouched
 * until the end:
 *   classify  -> the universe rule (universe.ts), evaluated point in time;
 *   train     -> PPO seeds on the train block only;
 *   select    -> every candidate (strategy family x hyper-parameters x rebalance schedule) and
 *                every PPO seed x schedule is backtested on the validation block; the best
 *                validation Sharpe (net of costs and fees) wins per family and overall;
 *                deflated Sharpe and CSCV probability of backtest overfitting are computed on
 *                these validation returns;
 *   test      -> the chosen configuration of every family, and every PPO seed, is run once
 *                over the test block (the last third).
 * Pure computation: file I/O (data, cache, policies, reports) is the CLI's job.
 */

import { defaultCosts, defaultRules } from "../backtest/assumptions.js";
import { type BacktestResult, runBacktest } from "../backtest/backtester.js";
import { type PerformanceMetrics, performanceMetrics, simpleReturns } from "../backtest/metrics.js";
import type { Eligibility } from "../backtest/pointInTimeView.js";
import { walkForwardWindows } from "../backtest/walkForward.js";
import { ConfigError } from "../core/errors.js";
import type { MarketPanel, Strategy } from "../core/types.js";
import { listedBy } from "../strategy/ppo/assetSet.js";
import type { PpoPolicy } from "../strategy/ppo/ppoPolicy.js";
import type { TfModule } from "../strategy/ppo/tfBackend.js";
import { buildCandidates, type Candidate, REFERENCE_FAMILIES } from "./candidates.js";
import { deflatedSharpe, probabilisticSharpe, returnMoments } from "./deflatedSharpe.js";
import { probabilityOfOverfitting } from "./pbo.js";
import { strategyFromPolicy, trainPpoAgent } from "./ppoAgent.js";
import type { ResearchConfig, Schedule } from "./researchConfig.js";
import type { Block, Blocks, Selection, ValidationScore } from "./selection.js";
import { candidateAssets, researchEligibility } from "./universe.js";

/** Progress reporting hooks (the CLI draws bars; tests pass nothing). */
export interface ResearchProgress {
  start(stage: string, total: number): void;
  tick(value: number): void;
  stop(): void;
  log(message: string): void;
}

const SILENT: ResearchProgress = { start() {}, tick() {}, stop() {}, log() {} };

export interface OosRow {
  readonly name: string;
  readonly family: string;
  readonly config: string;
  readonly validationSharpe: number;
  readonly test: PerformanceMetrics;
}

export interface TestOutcome {
  readonly results: BacktestResult[];
  readonly rows: OosRow[];
  readonly ppoSummary: PpoSeedSummary | null;
  /** Probability that the chosen configuration's true test Sharpe is above 0 (PSR). */
  readonly chosenTestPsr: number | null;
}

export interface PpoSeedSummary {
  readonly seeds: number;
  readonly schedule: string;
  readonly mean: {
    readonly sharpe: number;
    readonly annualisedReturn: number;
    readonly maxDrawdown: number;
    readonly totalReturn: number;
  };
  readonly std: {
    readonly sharpe: number;
    readonly annualisedReturn: number;
    readonly maxDrawdown: number;
    readonly totalReturn: number;
  };
}

/** Train / validation / test bars: the configured range, else the fractions (the classic split). */
export function researchBlocks(panel: MarketPanel, cfg: ResearchConfig): Blocks {
  if (cfg.range) {
    const { trainEnd, testStart, testEnd } = cfg.range;
    if (testEnd >= panel.timestamps.length) throw new ConfigError("research: the test block ends after the data");
    const share = cfg.trainFraction / (cfg.trainFraction + cfg.validationFraction);
    const trainTo = Math.floor((trainEnd + 1) * share) - 1;
    if (trainTo < 0 || trainTo >= trainEnd)
      throw new ConfigError("research: --train-end leaves no train or validation bars");
    return {
      train: { from: 0, to: trainTo },
      validation: { from: trainTo + 1, to: trainEnd },
      test: { from: testStart, to: testEnd },
    };
  }
  const [w] = walkForwardWindows(
    { mode: "split", trainFraction: cfg.trainFraction, validationFraction: cfg.validationFraction },
    0,
    panel.timestamps.length - 1,
  );
  if (!w || w.validation.from > w.validation.to) throw new ConfigError("research: empty validation block");
  return { train: w.train, validation: w.validation, test: w.test };
}

export interface Context {
  readonly panel: MarketPanel;
  readonly cfg: ResearchConfig;
  readonly base: number;
  readonly eligibility: Eligibility;
}

export function context(panel: MarketPanel, cfg: ResearchConfig): Context {
  const base = panel.assets.findIndex((a) => a.symbol === cfg.baseSymbol);
  if (base < 0) throw new ConfigError(`research: base asset ${cfg.baseSymbol} is not in the panel`);
  return {
    panel,
    cfg,
    base,
    eligibility: researchEligibility(panel, cfg.baseSymbol, cfg.universe, cfg.classifier, cfg.classifierEveryBars),
  };
}

export function backtest(
  ctx: Context,
  make: () => Strategy,
  schedule: Schedule,
  block: Block,
  record: boolean,
  uncapped = false,
): BacktestResult {
  return runBacktest({
    panel: ctx.panel,
    strategy: make(),
    costs: defaultCosts(ctx.panel, ctx.cfg.baseSymbol, ctx.cfg.assumptions),
    rules: defaultRules(ctx.panel, ctx.base, uncapped ? { ...ctx.cfg.assumptions, maxWeight: 1 } : ctx.cfg.assumptions),
    baseAssetIndex: ctx.base,
    eligibility: ctx.eligibility,
    settings: {
      from: block.from,
      to: block.to,
      initialNavUsd: ctx.cfg.initialNavUsd,
      decideEveryBars: schedule.decideEveryBars,
      ...(schedule.driftThreshold !== undefined ? { driftThreshold: schedule.driftThreshold } : {}),
      recordWeights: record,
    },
  });
}

function metricsOf(ctx: Context, r: BacktestResult): PerformanceMetrics {
  return performanceMetrics({
    nav: r.nav,
    grossNav: r.grossNav,
    turnover: r.turnover,
    freq: ctx.panel.freq,
    riskFreeRate: ctx.cfg.riskFreeRate,
  });
}

/** Trains one PPO policy per hyper-parameter entry and seed on the train block (entry-major). */
export async function trainPpoSeeds(
  panel: MarketPanel,
  cfg: ResearchConfig,
  tf: TfModule,
  progress: ResearchProgress = SILENT,
): Promise<PpoPolicy[]> {
  const ctx = context(panel, cfg);
  const blocks = researchBlocks(panel, cfg);
  const policies: PpoPolicy[] = [];
  for (const { label, ...hyper } of cfg.ppo.grid) {
    for (const seed of cfg.ppo.seeds) {
      progress.start(`train ppo ${label} seed ${seed}`, cfg.ppo.totalSteps);
      const { policy } = await trainPpoAgent({
        tf,
        panel,
        universe: listedBy(panel, candidateAssets(panel, cfg.baseSymbol), blocks.train.to),
        eligibility: ctx.eligibility,
        assumptions: cfg.assumptions,
        from: blocks.train.from,
        to: blocks.train.to,
        settings: {
          baseSymbol: cfg.baseSymbol,
          decideEveryBars: cfg.ppo.decideEveryBars,
          episodeSteps: cfg.ppo.episodeSteps,
          features: cfg.ppo.features,
        },
        ppo: { ...hyper, seed, totalSteps: cfg.ppo.totalSteps },
        onIteration: (s) => progress.tick(Math.min(s.steps, cfg.ppo.totalSteps)),
      });
      progress.stop();
      policies.push(policy.withMeta({ seed, hyper: label }));
    }
  }
  return policies;
}

/** The hyper-parameter entry a policy was trained with. */
export function hyperOf(policy: PpoPolicy): string {
  const label = policy.meta.hyper;
  return typeof label === "string" ? label : "default";
}

export const ppoId = (policy: PpoPolicy, schedule: string) =>
  `ppo(hyper=${hyperOf(policy)},seed=${seedOf(policy)})@${schedule}`;

/** Grid search on the validation block (never the test block). */
export function selectOnValidation(
  panel: MarketPanel,
  cfg: ResearchConfig,
  policies: readonly PpoPolicy[],
  hashes: { dataHash: string; configHash: string },
  progress: ResearchProgress = SILENT,
): Selection {
  const ctx = context(panel, cfg);
  const blocks = researchBlocks(panel, cfg);
  const candidates = buildCandidates(cfg);
  const scores: ValidationScore[] = [];
  const returns: Float64Array[] = [];
  const total = candidates.length + policies.length * cfg.schedules.length;
  progress.start("select on validation", total);
  let done = 0;
  const record = (
    id: string,
    family: string,
    params: ValidationScore["params"],
    schedule: string,
    r: BacktestResult,
  ) => {
    const m = metricsOf(ctx, r);
    const rets = simpleReturns(r.nav);
    scores.push({
      id,
      family,
      params,
      schedule,
      sharpe: m.sharpe,
      annualisedReturn: m.annualisedReturn,
      maxDrawdown: m.maxDrawdown,
      turnoverAnnualised: m.turnoverAnnualised,
      perBarSharpe: returnMoments(rets).sharpe,
    });
    returns.push(rets);
    progress.tick(++done);
  };
  for (const c of candidates) {
    record(
      c.id,
      c.family,
      c.params,
      c.schedule.label,
      backtest(ctx, () => c.make(panel), c.schedule, blocks.validation, false, c.uncapped),
    );
  }
  for (const policy of policies) {
    const seed = seedOf(policy);
    for (const s of cfg.schedules) {
      const id = ppoId(policy, s.label);
      const r = backtest(ctx, () => strategyFromPolicy(policy, panel, id), s, blocks.validation, false);
      record(id, "ppo", { seed, hyper: hyperOf(policy) }, s.label, r);
    }
  }
  progress.stop();

  const better = (a: ValidationScore, b: ValidationScore) =>
    (Number.isFinite(a.sharpe) ? a.sharpe : -1e9) > (Number.isFinite(b.sharpe) ? b.sharpe : -1e9);
  const chosenPerFamily: Record<string, string> = {};
  const bestOf = new Map<string, ValidationScore>();
  for (const s of scores) {
    if (s.family === "ppo") continue;
    const cur = bestOf.get(s.family);
    if (!cur || better(s, cur)) bestOf.set(s.family, s);
  }
  for (const [family, s] of bestOf) chosenPerFamily[family] = s.id;

  // PPO: the schedule with the best mean validation Sharpe across seeds (seeds are not selected).
  let ppo: Selection["ppo"] = null;
  if (policies.length > 0) {
    let bestSchedule = cfg.schedules[0]!.label;
    let bestMean = Number.NEGATIVE_INFINITY;
    for (const s of cfg.schedules) {
      const xs = scores.filter((x) => x.family === "ppo" && x.schedule === s.label).map((x) => x.sharpe);
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      if (mean > bestMean) {
        bestMean = mean;
        bestSchedule = s.label;
      }
    }
    ppo = { seeds: policies.map(seedOf), schedule: bestSchedule };
  }

  let overall: ValidationScore | null = null;
  for (const s of scores) {
    if (REFERENCE_FAMILIES.has(s.family)) continue;
    if (s.family === "ppo") continue;
    if (!overall || better(s, overall)) overall = s;
  }
  if (ppo) {
    // PPO competes as its seed average at the chosen schedule (one "configuration").
    const xs = scores.filter((x) => x.family === "ppo" && x.schedule === ppo.schedule);
    const meanSharpe = xs.reduce((a, b) => a + b.sharpe, 0) / xs.length;
    if (!overall || meanSharpe > overall.sharpe) overall = xs.reduce((a, b) => (better(b, a) ? b : a));
  }
  if (!overall) throw new ConfigError("research: no candidate configuration");
  const chosenIndex = scores.findIndex((s) => s.id === overall.id);
  const dsr = deflatedSharpe(
    returns[chosenIndex]!,
    scores.map((s) => s.perBarSharpe),
  );
  const pbo = probabilityOfOverfitting(returns, cfg.pboBlocks);
  return {
    version: 1,
    dataHash: hashes.dataHash,
    configHash: hashes.configHash,
    blocks,
    scores,
    chosenPerFamily,
    chosenOverall: overall.id,
    ppo,
    deflatedSharpe: dsr,
    pbo: { pbo: pbo.pbo, splits: pbo.splits, configurations: returns.length },
  };
}

export function seedOf(policy: PpoPolicy): number {
  const seed = policy.meta.seed;
  return typeof seed === "number" ? seed : policy.config.seed;
}

/** Runs every family's chosen configuration and every PPO seed once over the test block. */
export function scoreOnTest(
  panel: MarketPanel,
  cfg: ResearchConfig,
  selection: Selection,
  policies: readonly PpoPolicy[],
  progress: ResearchProgress = SILENT,
): TestOutcome {
  const ctx = context(panel, cfg);
  const block = selection.blocks.test;
  const candidates = new Map<string, Candidate>(buildCandidates(cfg).map((c) => [c.id, c]));
  const validationSharpe = new Map(selection.scores.map((s) => [s.id, s.sharpe]));
  const jobs: { name: string; family: string; config: string; run: () => BacktestResult }[] = [];
  for (const [family, id] of Object.entries(selection.chosenPerFamily)) {
    const c = candidates.get(id);
    if (!c) throw new ConfigError(`research: cached selection names an unknown candidate ${id}`);
    jobs.push({
      name: id,
      family,
      config: id,
      run: () => backtest(ctx, () => c.make(panel), c.schedule, block, true, c.uncapped),
    });
  }
  const ppoSchedule = selection.ppo ? cfg.schedules.find((s) => s.label === selection.ppo?.schedule) : undefined;
  if (selection.ppo && ppoSchedule) {
    for (const policy of policies) {
      const id = ppoId(policy, ppoSchedule.label);
      jobs.push({
        name: id,
        family: "ppo",
        config: id,
        run: () => backtest(ctx, () => strategyFromPolicy(policy, panel, id), ppoSchedule, block, true),
      });
    }
  }
  // The overall choice first: the report charts the first run's weights.
  jobs.sort((a, b) => Number(b.config === selection.chosenOverall) - Number(a.config === selection.chosenOverall));
  progress.start("score on test", jobs.length);
  const results: BacktestResult[] = [];
  const rows: OosRow[] = [];
  jobs.forEach((job, k) => {
    const r = job.run();
    results.push(r);
    rows.push({
      name: job.name,
      family: job.family,
      config: job.config,
      validationSharpe: validationSharpe.get(job.config) ?? Number.NaN,
      test: metricsOf(ctx, r),
    });
    progress.tick(k + 1);
  });
  progress.stop();

  const ppoRows = rows.filter((r) => r.family === "ppo");
  const ppoSummary: PpoSeedSummary | null =
    ppoRows.length > 0 && selection.ppo
      ? {
          seeds: ppoRows.length,
          schedule: selection.ppo.schedule,
          mean: summarise(ppoRows, mean),
          std: summarise(ppoRows, std),
        }
      : null;
  const chosen = results[jobs.findIndex((j) => j.config === selection.chosenOverall)];
  const chosenTestPsr = chosen ? probabilisticSharpe(returnMoments(simpleReturns(chosen.nav)), 0) : null;
  return { results, rows, ppoSummary, chosenTestPsr };
}

function summarise(rows: readonly OosRow[], f: (xs: number[]) => number): PpoSeedSummary["mean"] {
  return {
    sharpe: f(rows.map((r) => r.test.sharpe)),
    annualisedReturn: f(rows.map((r) => r.test.annualisedReturn)),
    maxDrawdown: f(rows.map((r) => r.test.maxDrawdown)),
    totalReturn: f(rows.map((r) => r.test.totalReturn)),
  };
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function std(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}
