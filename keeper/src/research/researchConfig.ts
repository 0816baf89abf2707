/** Settings of a research run (zod-validated; the defaults are the documented study). */
import { z } from "zod";
import { assumptionsSchema } from "../backtest/assumptions.js";
import { classifierConfigSchema } from "../classifier/config.js";
import { noTradeBandSchema } from "../market/noTradeBand.js";
import { featureConfigSchema } from "../strategy/ppo/portfolioFeatures.js";

export const scheduleSchema = z.object({
  label: z.string(),
  decideEveryBars: z.number().int().min(1),
  /** Max |weight - last target| that triggers a rebalance between scheduled decisions. */
  driftThreshold: z.number().positive().optional(),
});
export type Schedule = z.output<typeof scheduleSchema>;

/** Rebalance schedules searched for every strategy (daily bars): 24h, 48h, 168h, drift-triggered. */
export const DEFAULT_SCHEDULES: Schedule[] = [
  { label: "24h", decideEveryBars: 1 },
  { label: "48h", decideEveryBars: 2 },
  { label: "168h", decideEveryBars: 7 },
  // Drift-triggered: rebalance when any weight is 5 points off target; a monthly refresh otherwise.
  { label: "drift5%", decideEveryBars: 30, driftThreshold: 0.05 },
];

export const researchConfigSchema = z.object({
  baseSymbol: z.string().default("USDC"),
  /** Fractions of the history for the train and validation blocks; the test block is the rest. */
  trainFraction: z
    .number()
    .gt(0)
    .lt(1)
    .default(1 / 3),
  validationFraction: z
    .number()
    .gt(0)
    .lt(1)
    .default(1 / 3),
  /**
   * Explicit blocks (bar indices, from --train-end/--test-start/--test-end): train and
   * validation split bars 0..trainEnd in the ratio of the two fractions above; the test block
   * is testStart..testEnd. Absent: the fractions split the whole history.
   */
  range: z
    .object({ trainEnd: z.number().int().min(0), testStart: z.number().int().min(0), testEnd: z.number().int() })
    .refine((r) => r.trainEnd < r.testStart && r.testStart < r.testEnd, {
      message: "need trainEnd < testStart < testEnd",
    })
    .optional(),
  schedules: z.array(scheduleSchema).min(1).default(DEFAULT_SCHEDULES),
  /**
   * Bars per day of the panel (1 daily, 24 hourly). Strategy lookbacks, horizons and the
   * volatility overlay's intervals are set in days and multiplied by this, so an hourly run
   * studies the same strategies on hourly closes (and the overlay reads 1h and 4h volatility).
   */
  barsPerDay: z.number().int().min(1).default(1),
  /** "seasoned" universe (default) or the keeper's classifier (see universe.ts). */
  universe: z.enum(["seasoned", "classifier"]).default("seasoned"),
  /**
   * Cost model and vault rules for every run (the backtester's defaults plus the vault's
   * terms: a 0.5% management fee and a 40% cap per asset; single-asset references run uncapped).
   */
  assumptions: assumptionsSchema.prefault({ managementFeeBps: 50, maxWeight: 0.4 }),
  riskFreeRate: z.number().default(0),
  initialNavUsd: z.number().positive().default(1_000_000),
  /**
   * Annual staking yields used by the yield-aware mean-variance variant where the panel has no
   * APY (data/yields attaches DefiLlama's); a release carries them to the keeper.
   */
  lstYields: z.record(z.string(), z.number()).default({ STETH: 0.04, WSTETH: 0.04, RETH: 0.035, SFRXETH: 0.045 }),
  /** stETH rebases (the balance grows); wstETH, rETH and sfrxETH are exchange-rate tokens (the price grows). */
  lstYieldAccrual: z
    .record(z.string(), z.enum(["price", "balance"]))
    .default({ STETH: "balance", WSTETH: "price", RETH: "price", SFRXETH: "price" }),
  ppo: z
    .object({
      enabled: z.boolean().default(true),
      seeds: z.array(z.number().int()).min(1).default([0, 1, 2]),
      totalSteps: z.number().int().positive().default(100_000),
      decideEveryBars: z.number().int().min(1).default(1),
      episodeSteps: z.number().int().min(2).default(60),
      features: featureConfigSchema.prefault({}),
      /**
       * The hyper-parameter search: every entry trains one policy per seed; each policy and each
       * entry's seed ensemble (mean of its seeds' weights) is a candidate on the folds.
       */
      grid: z
        .array(
          z.object({
            label: z.string().regex(/^[\w.-]+$/),
            learningRate: z.number().positive().optional(),
            entropyCoef: z.number().min(0).optional(),
          }),
        )
        .min(1)
        .default([{ label: "lr3e-4" }, { label: "lr1e-3", learningRate: 1e-3 }]),
    })
    .prefault({}),
  /** Classifier settings of the "classifier" universe (ranked mode by default). */
  classifier: classifierConfigSchema.prefault({ mode: "ranked" }),
  /** Bars between the classifier universe's decisions (the keeper rotates every 30-90 days). */
  classifierEveryBars: z.number().int().min(1).default(30),
  /**
   * Robust selection (folds/): purged walk-forward and CSCV folds over the bars after the
   * training block, scored net of all costs against the equal-weight reference.
   */
  folds: z
    .object({
      walkForward: z.number().int().min(2).default(5),
      cscvBlocks: z.number().int().min(2).default(8),
      /** Bars purged before, and embargoed after, every scored block (a weekly decision's horizon). */
      purgeBars: z.number().int().min(0).default(7),
      embargoBars: z.number().int().min(0).default(7),
      equalWeightId: z.string().default("equal-weight()@168h"),
    })
    .prefault({}),
  /**
   * The band chosen may raise the tracking error to the targets (annualised) by at most this
   * over the first setting's (no band): the band trades cost for tracking, within a stated limit.
   */
  bandMaxTrackingErrorIncrease: z.number().min(0).default(0.02),
  /** No-trade band settings tried on the chosen candidate's folds (the first is "no band"). */
  bandGrid: z
    .array(noTradeBandSchema)
    .min(1)
    .default([
      { penalty: 0, minBand: 0, minTurnover: 0 },
      { penalty: 0, minBand: 0.01, minTurnover: 0.005 },
      { penalty: 0, minBand: 0.03, minTurnover: 0.005 },
      { penalty: 10, minBand: 0.01, minTurnover: 0.005 },
      { penalty: 10, minBand: 0.02, minTurnover: 0.005 },
    ]),
  /** Restrict the search to these strategy families (default: all). */
  families: z.array(z.string()).optional(),
  /** Blocks for the CSCV probability of backtest overfitting. */
  pboBlocks: z.number().int().min(2).default(16),
});
export type ResearchConfigInput = z.input<typeof researchConfigSchema>;
export type ResearchConfig = z.output<typeof researchConfigSchema>;
