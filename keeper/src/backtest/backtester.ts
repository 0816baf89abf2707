/**
 * Event loop of a backtest over one panel with one strategy.
 *
 * Trade timing (explicit, point in time):
 * 1. At bar t the portfolio is marked to close[t] (weights drift, fees and balance yields accrue).
 * 2. An order decided `executionLagBars` bars earlier executes at close[t] with modelled costs.
 * 3. If bar t is a decision bar, the strategy sees `panelUpTo(panel, t)` (bars 0..t) and the
 *    weights after step 2, and returns target weights or null ("hold").
 * The lag is at least 1: a decision that reads close[t] can never trade at close[t].
 *
 * Decision bars: every `decideEveryBars` bars from the start, plus any bar where a weight has
 * drifted more than `driftThreshold` from the last target. On a drift-triggered bar a strategy
 * that answers "hold" has its last target re-submitted (threshold rebalancing).
 */
import { z } from "zod";
import { ConfigError, InvalidInputError } from "../core/errors.js";
import type { MarketPanel, Strategy, WeightVector } from "../core/types.js";
import type { FrozenPolicy, FrozenPositionEvent } from "./frozenPositions.js";
import type { LiquidityEstimates } from "./liquidityEstimates.js";
import { type Eligibility, LazyPointInTimeView, pricedAt } from "./pointInTimeView.js";
import { type CostConfig, PortfolioSim, type PortfolioSimOptions, type VaultRules } from "./portfolioSim.js";

export const backtestSettingsSchema = z.object({
  /** First and last bar index of the run (inclusive). */
  from: z.number().int().min(0).default(0),
  to: z.number().int().min(0).optional(),
  initialNavUsd: z.number().positive().default(1_000_000),
  executionLagBars: z.number().int().min(1).default(1),
  decideEveryBars: z.number().int().min(1).default(1),
  /** Max |w - last target| that triggers a rebalance; Infinity = schedule only. */
  driftThreshold: z.number().positive().default(Number.POSITIVE_INFINITY),
  feeAccrualIntervalSeconds: z.number().positive().default(86_400),
  liquidityWindowDays: z.number().positive().default(30),
  baseDecimals: z.number().int().min(0).max(36).default(6),
  /** Store every bar's weights (needed for reports; off for the fastest runs). */
  recordWeights: z.boolean().default(true),
});

export type BacktestSettings = z.input<typeof backtestSettingsSchema>;

export interface BacktestInput {
  readonly panel: MarketPanel;
  readonly strategy: Strategy;
  readonly costs: CostConfig;
  readonly rules: VaultRules;
  readonly baseAssetIndex: number;
  readonly settings?: BacktestSettings;
  readonly eligibility?: Eligibility;
  /** Precomputed trailing liquidity of `panel` (see PortfolioSimOptions.liquidity). */
  readonly liquidity?: LiquidityEstimates;
  /** What happens to a position whose price stops (default: sell at the last close less 10%). */
  readonly frozen?: FrozenPolicy;
  /** Called with (bars done, bars total) about a hundred times per run. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface RebalanceEvent {
  readonly decidedAt: number;
  readonly executedAt: number;
  readonly executed: boolean;
  readonly turnover: number;
  readonly costUsd: number;
  readonly gasUsd: number;
  readonly skippedLegs: number;
  readonly reason?: string;
}

export interface BacktestResult {
  readonly strategy: string;
  readonly panel: MarketPanel;
  readonly from: number;
  readonly to: number;
  readonly timestamps: Float64Array;
  /** Depositor's NAV in USD (after trading costs, gas and vault fees). */
  readonly nav: Float64Array;
  /** NAV before trading costs, gas and fees (same decisions, costs added back bar by bar). */
  readonly grossNav: Float64Array;
  /** Per asset, weight at each bar's close after any trade; empty when not recorded. */
  readonly weights: readonly Float64Array[];
  readonly turnover: Float64Array;
  readonly costUsd: Float64Array;
  readonly gasUsd: Float64Array;
  readonly feeUsd: Float64Array;
  /** Off-price yield accrued to balances in each bar (panel yields with accrual "balance"), USD. */
  readonly yieldUsd: Float64Array;
  /** Value of positions whose series has ended, at each bar (USD): what the frozen policy left. */
  readonly frozenUsd: Float64Array;
  /** Value of positions without a close at each bar (gaps, repaired spikes, ended series), USD. */
  readonly unpricedUsd: Float64Array;
  /** Every application of the frozen-position policy, in bar order. */
  readonly frozenEvents: readonly FrozenPositionEvent[];
  readonly rebalances: readonly RebalanceEvent[];
  readonly decisions: number;
}

export function runBacktest(input: BacktestInput): BacktestResult {
  const parsed = backtestSettingsSchema.safeParse(input.settings ?? {});
  if (!parsed.success) throw new ConfigError(`backtest settings: ${parsed.error.message}`);
  const s = parsed.data;
  const { panel, strategy } = input;
  const T = panel.timestamps.length;
  const to = s.to ?? T - 1;
  if (s.from >= to || to >= T)
    throw new ConfigError("backtest: need from < to < number of bars", { from: s.from, to, T });
  const n = panel.assets.length;
  const eligibility = input.eligibility ?? pricedAt;
  const simOptions: PortfolioSimOptions = {
    panel,
    initialNavUsd: s.initialNavUsd,
    costs: input.costs,
    rules: input.rules,
    baseAssetIndex: input.baseAssetIndex,
    baseDecimals: s.baseDecimals,
    feeAccrualIntervalSeconds: s.feeAccrualIntervalSeconds,
    liquidityWindowDays: s.liquidityWindowDays,
    ...(input.liquidity ? { liquidity: input.liquidity } : {}),
    ...(input.frozen ? { frozen: input.frozen } : {}),
  };
  const sim = new PortfolioSim(simOptions);
  sim.reset(s.from);

  const len = to - s.from + 1;
  const nav = new Float64Array(len);
  const grossNav = new Float64Array(len);
  const turnover = new Float64Array(len);
  const costUsd = new Float64Array(len);
  const gasUsd = new Float64Array(len);
  const feeUsd = new Float64Array(len);
  const yieldUsd = new Float64Array(len);
  const frozenUsd = new Float64Array(len);
  const unpricedUsd = new Float64Array(len);
  const weights = s.recordWeights ? Array.from({ length: n }, () => new Float64Array(len)) : [];
  const rebalances: RebalanceEvent[] = [];
  const lastTarget = new Float64Array(n);
  let hasTarget = false;
  let pending: WeightVector | null = null;
  let pendingAt = -1;
  let pendingDecidedAt = -1;
  let decisions = 0;
  let prevTotal = sim.totalAssetsUsd;
  let prevCost = 0;
  let prevGas = 0;
  let prevFee = 0;
  let prevYield = 0;
  const progressEvery = Math.max(1, Math.floor(len / 100));
  const drift = s.driftThreshold;

  for (let t = s.from; t <= to; t++) {
    const k = t - s.from;
    sim.markTo(t);
    if (pending !== null && pendingAt === t) {
      const res = sim.rebalance(t, pending);
      rebalances.push({ decidedAt: pendingDecidedAt, executedAt: t, ...res });
      turnover[k] = res.turnover;
      pending = null;
    }
    // Gross: this bar's growth of the whole vault with the trading costs paid this bar added
    // back (fees move no assets, they dilute the depositor, so the vault's growth is pre-fee).
    const total = sim.totalAssetsUsd;
    costUsd[k] = sim.cumulativeCostUsd - prevCost;
    gasUsd[k] = sim.cumulativeGasUsd - prevGas;
    feeUsd[k] = sim.cumulativeFeeUsd - prevFee;
    prevCost = sim.cumulativeCostUsd;
    prevGas = sim.cumulativeGasUsd;
    prevFee = sim.cumulativeFeeUsd;
    yieldUsd[k] = sim.cumulativeYieldUsd - prevYield;
    prevYield = sim.cumulativeYieldUsd;
    nav[k] = sim.nav;
    frozenUsd[k] = sim.frozenValueUsd;
    unpricedUsd[k] = sim.staleValueUsd;
    grossNav[k] = k === 0 ? nav[0]! : grossNav[k - 1]! * ((total + costUsd[k]! + gasUsd[k]!) / prevTotal);
    prevTotal = total;
    if (s.recordWeights) {
      const w = sim.weights;
      for (let i = 0; i < n; i++) weights[i]![k] = w[i]!;
    }

    if (t < to) {
      const scheduled = k % s.decideEveryBars === 0;
      const drifted = hasTarget && drift < Number.POSITIVE_INFINITY && maxGap(sim.weights, lastTarget) > drift;
      if (scheduled || drifted) {
        const view = new LazyPointInTimeView(panel, t, sim.weights, eligibility);
        let target = strategy.decide(view);
        decisions++;
        if (target === null && drifted) target = lastTarget;
        if (target !== null) {
          checkTarget(target, view.eligible, strategy.name, t);
          lastTarget.set(target);
          hasTarget = true;
          pending = Float64Array.from(target);
          pendingAt = t + s.executionLagBars;
          pendingDecidedAt = t;
        }
      }
    }
    if (input.onProgress && (k % progressEvery === 0 || t === to)) input.onProgress(k + 1, len);
  }

  return {
    strategy: strategy.name,
    panel,
    from: s.from,
    to,
    timestamps: panel.timestamps.slice(s.from, to + 1),
    nav,
    grossNav,
    weights,
    turnover,
    costUsd,
    gasUsd,
    feeUsd,
    yieldUsd,
    frozenUsd,
    unpricedUsd,
    frozenEvents: [...sim.frozenEvents],
    rebalances,
    decisions,
  };
}

function maxGap(w: WeightVector, target: Float64Array): number {
  let m = 0;
  for (let i = 0; i < w.length; i++) {
    const d = Math.abs(w[i]! - target[i]!);
    if (d > m) m = d;
  }
  return m;
}

/** A strategy may not put weight in an asset it was told is not eligible. */
function checkTarget(target: WeightVector, eligible: readonly boolean[], name: string, t: number): void {
  for (let i = 0; i < target.length; i++) {
    if (target[i]! > 0 && !eligible[i]) {
      throw new InvalidInputError(`strategy ${name} put weight in an ineligible asset`, { i, t, w: target[i] });
    }
  }
}
