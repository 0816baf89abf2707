/**
 * The PPO training environment: the backtester's `PortfolioSim` (same costs, vault rules and
 * fees as the backtests) driven by an agent. An episode starts all-cash at a random decision
 * bar inside the training block; each step the agent's logits become weights (masked softmax
 * over available assets and the base asset), the order executes `lagBars` later (as in the
 * backtester), and the reward is the log growth of the depositor's NAV from one execution to
 * the next, i.e. net of trading costs, gas and vault fees.
 */

import type { Eligibility } from "../../backtest/pointInTimeView.js";
import type { PortfolioSim } from "../../backtest/portfolioSim.js";
import { ConfigError } from "../../core/errors.js";
import { type MarketPanel, panelUpTo } from "../../core/types.js";
import type { Prng } from "../../strategy/math/prng.js";
import { type Environment, maskedSoftmax, type StepResult } from "../../strategy/ppo/environment.js";
import { historyBars, type PortfolioFeatures } from "../../strategy/ppo/portfolioFeatures.js";

export interface PortfolioEnvOptions {
  readonly sim: PortfolioSim;
  readonly features: PortfolioFeatures;
  /** Bars the episodes may use (inclusive): the training block. */
  readonly from: number;
  readonly to: number;
  readonly episodeSteps: number;
  /** Bars between decisions. */
  readonly decideEveryBars: number;
  readonly lagBars?: number;
  /** Universe rule, as in the backtests (evaluated on bars <= t); default: every asset. */
  readonly eligibility?: Eligibility;
  /**
   * Per-bar cache of the action mask and market features. Both depend only on the bar, so
   * environments over the same panel and features can share one cache across episodes.
   */
  readonly cache?: Map<number, BarObservation>;
}

export interface BarObservation {
  readonly mask: boolean[];
  readonly market: Float64Array;
}

export class PortfolioEnv implements Environment {
  readonly observationSize: number;
  readonly actionSize: number;
  private readonly sim: PortfolioSim;
  private readonly panel: MarketPanel;
  private readonly lag: number;
  private t = 0;
  private stepsTaken = 0;
  private navAtExecution = 0;
  private mask: boolean[] = [];
  private readonly cache: Map<number, BarObservation>;

  constructor(private readonly opts: PortfolioEnvOptions) {
    this.sim = opts.sim;
    this.panel = opts.sim.panel;
    this.lag = opts.lagBars ?? 1;
    this.cache = opts.cache ?? new Map();
    this.observationSize = opts.features.size;
    this.actionSize = opts.features.universe.length + 1;
    const firstStart = opts.from + historyBars(opts.features.cfg);
    const span = (opts.episodeSteps - 1) * opts.decideEveryBars + 2 * this.lag;
    if (opts.to - firstStart < span) {
      throw new ConfigError("PortfolioEnv: training block shorter than one episode", {
        from: opts.from,
        to: opts.to,
        span,
      });
    }
  }

  reset(rng: Prng): Float64Array {
    const o = this.opts;
    const first = o.from + historyBars(o.features.cfg);
    const last = o.to - (o.episodeSteps - 1) * o.decideEveryBars - 2 * this.lag;
    this.t = rng.int(first, last + 1);
    this.stepsTaken = 0;
    this.sim.reset(this.t);
    const obs = this.observe(this.t);
    this.navAtExecution = this.sim.markTo(this.t + this.lag);
    return obs;
  }

  step(action: Float64Array): StepResult {
    const o = this.opts;
    const weights = this.toWeights(action);
    this.sim.rebalance(this.t + this.lag, weights);
    const next = this.t + o.decideEveryBars;
    this.sim.markTo(next);
    const observation = this.observe(next);
    const nav = this.sim.markTo(next + this.lag);
    const reward = Math.log(nav / this.navAtExecution);
    this.navAtExecution = nav;
    this.t = next;
    this.stepsTaken++;
    const done = this.stepsTaken >= o.episodeSteps || next + o.decideEveryBars + this.lag > o.to;
    return { observation, reward, done };
  }

  /** Observation at bar t with the simulator's current weights; sets the action mask. */
  private observe(t: number): Float64Array {
    let bar = this.cache.get(t);
    if (!bar) {
      const eligible = this.opts.eligibility ? this.opts.eligibility(panelUpTo(this.panel, t), t) : undefined;
      const mask = this.opts.features.mask(this.panel, t, eligible);
      bar = { mask, market: this.opts.features.marketPart(this.panel, t, mask) };
      this.cache.set(t, bar);
    }
    this.mask = bar.mask;
    return this.opts.features.withWeights(bar.market, this.sim.weights, this.sim.baseAssetIndex);
  }

  /** Logits -> a full panel-aligned weight vector (universe assets, then the base asset). */
  private toWeights(action: Float64Array): Float64Array {
    const w = maskedSoftmax(action, this.mask);
    const out = new Float64Array(this.panel.assets.length);
    const universe = this.opts.features.universe;
    for (let j = 0; j < universe.length; j++) out[universe[j]!] = w[j]!;
    out[this.sim.baseAssetIndex] = out[this.sim.baseAssetIndex]! + w[universe.length]!;
    return out;
  }
}
