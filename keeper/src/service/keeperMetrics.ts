/**
 * The keeper's own Prometheus instruments, on a registry this object owns (never prom-client's
 * global one, so two keepers in one process, as in the tests, do not collide). Counters count
 * events of this process and start at zero on restart, as Prometheus expects (`rate()` and
 * `increase()` handle the reset); what the store knows across restarts is exposed as gauges
 * by the HTTP layer (service/http/metrics.ts) on the same registry.
 *
 * Names follow the Prometheus conventions: `keeper_` prefix, base units (`_seconds`, `_eth`,
 * ratios), `_total` on counters, and no counter that can go down (an execution that gained
 * value counts in its own counter instead of lowering the cost one).
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { MarketCheck } from "../data/marketGuard.js";
import { CYCLE_OUTCOMES, type CycleOutcome, type SteeringStatus } from "./readModel.js";

/** Cycle durations: a hold takes milliseconds, a trade seconds, a stuck transaction minutes. */
const CYCLE_BUCKETS_SECONDS = [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600];

export class KeeperMetrics {
  readonly registry = new Registry();
  readonly cycles = new Counter({
    name: "keeper_cycles_total",
    help: "Finished rebalance cycles by outcome (traded, partial, nothing-to-trade, held, dry-run, failed).",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });
  readonly cycleDuration = new Histogram({
    name: "keeper_cycle_duration_seconds",
    help: "Wall-clock duration of finished rebalance cycles, by outcome.",
    labelNames: ["outcome"] as const,
    buckets: CYCLE_BUCKETS_SECONDS,
    registers: [this.registry],
  });
  readonly marketHolds = new Counter({
    name: "keeper_market_holds_total",
    help: "Cycles the market guard held, by the check that failed.",
    labelNames: ["check"] as const,
    registers: [this.registry],
  });
  readonly rpcErrors = new Counter({
    name: "keeper_rpc_errors_total",
    help: "RPC calls that failed in transport (refused, reset, timed out), each attempt counted.",
    registers: [this.registry],
  });
  readonly failovers = new Counter({
    name: "keeper_rpc_failovers_total",
    help: "Moves from one RPC URL to the next.",
    registers: [this.registry],
  });
  readonly submissions = new Counter({
    name: "keeper_submissions_total",
    help: "Rebalance transactions broadcast (first sends and fee-bumped replacements).",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });
  readonly gasUsed = new Counter({
    name: "keeper_gas_used_total",
    help: "Gas used by mined rebalance transactions.",
    registers: [this.registry],
  });
  readonly executionCost = new Counter({
    name: "keeper_execution_cost_usd_total",
    help: "Value lost to execution by rebalances that lost value (NAV before minus after), USD.",
    registers: [this.registry],
  });
  readonly executionGain = new Counter({
    name: "keeper_execution_gain_usd_total",
    help: "Value gained by rebalances whose NAV after exceeded NAV before, USD.",
    registers: [this.registry],
  });
  readonly submitterBalance = new Gauge({
    name: "keeper_submitter_balance_eth",
    help: "ETH balance of the submitter account that pays for gas.",
    registers: [this.registry],
  });
  readonly dataAge = new Gauge({
    name: "keeper_market_data_age_seconds",
    help: "Age of the newest market bar at the last check, against chain time.",
    registers: [this.registry],
  });
  readonly targetDistance = new Gauge({
    name: "keeper_target_distance_ratio",
    help: "Largest distance of a vault weight from the strategy's target after the last trade (0.01 = 100 bps).",
    registers: [this.registry],
  });
  readonly holding = new Gauge({
    name: "keeper_holding",
    help: "1 while the keeper holds on purpose (market guard or vault cooldown), else 0.",
    registers: [this.registry],
  });
  readonly lastTick = new Gauge({
    name: "keeper_last_tick_chain_timestamp_seconds",
    help: "Chain time (unix seconds) the last finished scheduler tick looked at; alert when it stops moving.",
    registers: [this.registry],
  });
  readonly leader = new Gauge({
    name: "keeper_leader",
    help: "1 while this process holds the vault's lease and may sign (always 1 with SQLite), else 0 (standby).",
    registers: [this.registry],
  });
  readonly leaseToken = new Gauge({
    name: "keeper_lease_token",
    help: "Fencing token of the vault's lease this process last held (grows at every change of holder).",
    registers: [this.registry],
  });
  readonly leaseTakeovers = new Counter({
    name: "keeper_lease_acquired_total",
    help: "Times this process took the vault's lease (the first start, or a takeover from a holder that stopped renewing).",
    registers: [this.registry],
  });
  readonly leaseLosses = new Counter({
    name: "keeper_lease_lost_total",
    help: "Times this process lost the vault's lease (renewal refused or the database unreachable); it stops signing.",
    registers: [this.registry],
  });
  readonly retrains = new Counter({
    name: "keeper_rotation_retrains_total",
    help: "Rotation retrains that finished, by result (switched to the new release, or kept the one in force).",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });
  readonly retrainSeconds = new Gauge({
    name: "keeper_rotation_retrain_duration_seconds",
    help: "Wall-clock duration of the last finished rotation retrain (research in its child process).",
    registers: [this.registry],
  });
  readonly storeQueries = new Gauge({
    name: "keeper_store_queries_last_cycle",
    help: "Statements the last tick sent to the store (its database load per cycle).",
    registers: [this.registry],
  });
  readonly storeQueriesTotal = new Counter({
    name: "keeper_store_queries_total",
    help: "Statements sent to the store by this vault's keeper (cycles, lease renewals, API reads, migrations).",
    registers: [this.registry],
  });
  readonly basketVol = new Gauge({
    name: "keeper_basket_volatility_annualised_ratio",
    help: "Annualised realised volatility of the held basket per lookback (hours), at the last cycle.",
    labelNames: ["lookback_hours"] as const,
    registers: [this.registry],
  });
  readonly rebalanceInterval = new Gauge({
    name: "keeper_rebalance_interval_seconds",
    help: "Rebalance interval in force after the volatility steering (schedule.everySeconds times the level's multiplier).",
    registers: [this.registry],
  });
  readonly tradeFraction = new Gauge({
    name: "keeper_trade_fraction_ratio",
    help: "Share of the distance to the target a rebalance trades at the current volatility level (1 = all of it).",
    registers: [this.registry],
  });

  /**
   * `vault` labels every series of this registry (a fleet process: service/fleet); the fleet's
   * own registry then carries prom-client's process metrics once, so they are left out here.
   */
  constructor(options: { readonly vault?: string } = {}) {
    if (options.vault === undefined) collectDefaultMetrics({ register: this.registry });
    else this.registry.setDefaultLabels({ vault: options.vault });
    this.holding.set(0);
    // Every outcome is exposed from the start, so `increase()` sees the first one.
    for (const outcome of CYCLE_OUTCOMES) {
      this.cycles.inc({ outcome }, 0);
    }
    this.rpcErrors.inc(0);
    this.failovers.inc(0);
    for (const result of ["switched", "kept"]) this.retrains.inc({ result }, 0);
    this.leaseTakeovers.inc(0);
    this.leaseLosses.inc(0);
  }

  cycleFinished(outcome: CycleOutcome, seconds: number): void {
    this.cycles.inc({ outcome });
    this.cycleDuration.observe({ outcome }, seconds);
  }

  marketHeld(check: MarketCheck): void {
    this.marketHolds.inc({ check });
  }

  /** Records a mined rebalance's gas and its cost (negative: a gain). */
  executed(gasUsed: bigint | null, costUsd: number | null): void {
    if (gasUsed !== null) this.gasUsed.inc(Number(gasUsed));
    if (costUsd === null || !Number.isFinite(costUsd)) return;
    if (costUsd >= 0) this.executionCost.inc(costUsd);
    else this.executionGain.inc(-costUsd);
  }

  /** Records a cycle's volatility steering; a lookback the bars cannot measure is left out. */
  steered(status: SteeringStatus): void {
    this.basketVol.reset();
    for (const v of status.vol) {
      if (v.annualised !== null) this.basketVol.set({ lookback_hours: String(v.lookbackHours) }, v.annualised);
    }
    this.rebalanceInterval.set(status.intervalSeconds);
    this.tradeFraction.set(status.tradeFraction);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
