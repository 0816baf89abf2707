/**
 * The /metrics endpoint: the keeper's instruments (service/keeperMetrics.ts: counters of this
 * process, the cycle-duration histogram, live gauges, prom-client's default `process_*` and
 * `nodejs_*` metrics) plus gauges read from the read model at scrape time, so what the store
 * knows across restarts (NAV, weights, the last cycle) is exposed as it is now. Everything
 * goes through one prom-client registry the keeper owns, in the text exposition format.
 */
import { Gauge } from "prom-client";
import type { KeeperMetrics } from "../keeperMetrics.js";
import {
  CYCLE_OUTCOMES,
  type KeeperReadModel,
  type KeeperStatus,
  type NavPoint,
  type RefitView,
  type RiskLevel,
  type RouteView,
  type YieldsView,
} from "../readModel.js";
import { cycleOutcome } from "./cycleOutcome.js";
import { weightDrift } from "./weightDrift.js";

const RISK_LEVEL_INDEX: Readonly<Record<RiskLevel, number>> = {
  "very low": 0,
  low: 1,
  medium: 2,
  high: 3,
  "very high": 4,
};

/** Name of one of the gauges below, to tell whether a registry has them already. */
const MARKER = "keeper_up";

interface ReadModelGauge {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly string[];
  /** Sets the gauge's samples from the read model; leaves it empty when the value is unknown. */
  readonly read: (gauge: Gauge, snapshot: ReadModelSnapshot) => void;
}

/** What the gauges show, read from the store once per scrape (a handful of queries, not one per gauge). */
interface ReadModelSnapshot {
  status(): KeeperStatus;
  navHistory(): readonly NavPoint[];
  currentWeights(): Readonly<Record<string, number>>;
  targetWeights(): Readonly<Record<string, number>>;
  /** Null on a read model that tracks no yields (the venue keeper's). */
  yields(): YieldsView | null;
  /** Route learning's arms (empty when none was learned, or on a read model without routes). */
  routes(): readonly RouteView[];
  /** The refits the last cycle sized with (empty with recalibration off). */
  impactRefits(): readonly RefitView[];
}

async function snapshotOf(readModel: KeeperReadModel): Promise<ReadModelSnapshot> {
  const [status, nav, current, target, yields, routes, refits] = await Promise.all([
    readModel.status(),
    readModel.navHistory(),
    readModel.currentWeights(),
    readModel.targetWeights(),
    readModel.yields ? readModel.yields() : null,
    readModel.routes ? readModel.routes() : [],
    readModel.impactRefits ? readModel.impactRefits() : [],
  ]);
  return {
    status: () => status,
    navHistory: () => nav,
    currentWeights: () => current,
    targetWeights: () => target,
    yields: () => yields,
    routes: () => routes,
    impactRefits: () => refits,
  };
}

const flag = (on: boolean): number => (on ? 1 : 0);
const setKnown = (gauge: Gauge, value: number | null | undefined): void => {
  if (value !== null && value !== undefined) gauge.set(value);
};

const GAUGES: readonly ReadModelGauge[] = [
  { name: "keeper_up", help: "1 while the keeper process answers scrapes.", read: (g) => g.set(1) },
  {
    name: "keeper_info",
    help: "Static facts about the keeper, as labels.",
    labelNames: ["chain_id", "vault", "strategy"],
    read: (g, m) => {
      const s = m.status();
      g.set({ chain_id: String(s.chainId), vault: s.vault, strategy: s.strategy }, 1);
    },
  },
  {
    name: "keeper_running",
    help: "1 while the rebalance loop is scheduled.",
    read: (g, m) => g.set(flag(m.status().running)),
  },
  {
    name: "keeper_kill_switch",
    help: "1 when the kill switch blocks all submissions.",
    read: (g, m) => g.set(flag(m.status().killSwitch)),
  },
  {
    name: "keeper_dry_run",
    help: "1 when cycles stop before submitting.",
    read: (g, m) => g.set(flag(m.status().dryRun)),
  },
  {
    name: "keeper_last_cycle_timestamp_seconds",
    help: "Start time of the latest recorded cycle (unix seconds, chain time).",
    read: (g, m) => setKnown(g, m.status().lastCycle?.startedAt),
  },
  {
    name: "keeper_last_cycle_outcome",
    help: "1 for the outcome of the latest finished cycle (traded, partial, nothing-to-trade, held, dry-run, failed).",
    labelNames: ["outcome"],
    read: (g, m) => {
      const last = m.status().lastCycle;
      const outcome = last ? cycleOutcome(last) : "in-progress";
      if (outcome === "in-progress") return;
      for (const o of CYCLE_OUTCOMES) g.set({ outcome: o }, flag(o === outcome));
    },
  },
  {
    name: "keeper_next_run_timestamp_seconds",
    help: "When the scheduler runs the next cycle (unix seconds, chain time).",
    read: (g, m) => setKnown(g, m.status().nextRunAt),
  },
  {
    name: "keeper_nav_usd",
    help: "Latest vault NAV in USD.",
    read: (g, m) => setKnown(g, m.navHistory().at(-1)?.navUsd),
  },
  {
    name: "keeper_nav_per_share",
    help: "Latest vault NAV per share.",
    read: (g, m) => setKnown(g, m.navHistory().at(-1)?.navPerShare),
  },
  {
    name: "keeper_benchmark_nav_per_share",
    help: "Benchmark rebased to the vault's first NAV per share.",
    read: (g, m) => setKnown(g, m.navHistory().at(-1)?.benchmark),
  },
  {
    name: "keeper_weight_drift_ratio",
    help: "Fraction of NAV that must trade to reach the target weights (half L1 distance).",
    read: (g, m) => g.set(weightDrift(m.currentWeights(), m.targetWeights())),
  },
  {
    name: "keeper_weight_ratio",
    help: "Portfolio weight per asset, current (held) and target (strategy).",
    labelNames: ["asset", "kind"],
    read: (g, m) => {
      const current = m.currentWeights();
      const target = m.targetWeights();
      for (const asset of [...new Set([...Object.keys(current), ...Object.keys(target)])].sort()) {
        g.set({ asset, kind: "current" }, current[asset] ?? 0);
        g.set({ asset, kind: "target" }, target[asset] ?? 0);
      }
    },
  },
  {
    name: "keeper_risk_level",
    help: "Current risk level: 0 very low, 1 low, 2 medium, 3 high, 4 very high.",
    read: (g, m) => {
      const level = m.status().riskLevel;
      if (level !== null) g.set(RISK_LEVEL_INDEX[level]);
    },
  },
  {
    name: "keeper_venue_position_usd",
    help: "Signed notional per market of the keeper's venue account (negative when short), USD.",
    labelNames: ["venue", "symbol"],
    read: (g, m) => {
      const venue = m.status().venue;
      for (const h of venue?.account?.holdings ?? [])
        g.set({ venue: venue?.name ?? "", symbol: h.symbol }, h.notionalUsd);
    },
  },
  {
    name: "keeper_venue_gross_leverage_ratio",
    help: "Sum of |weight| of the keeper's venue positions (1 or less on a spot vault).",
    labelNames: ["venue"],
    read: (g, m) => {
      const venue = m.status().venue;
      if (venue?.account) g.set({ venue: venue.name }, venue.account.grossLeverage);
    },
  },
  {
    name: "keeper_asset_apy_used_ratio",
    help: "APY (annual fraction) the strategy in force counts for the asset (DefiLlama or a prior); absent when none.",
    labelNames: ["asset"],
    read: (g, m) => {
      for (const a of m.yields()?.assets ?? []) if (a.apy !== null) g.set({ asset: a.asset }, a.apy);
    },
  },
  {
    name: "keeper_asset_yield_realised_ratio",
    help: "Realised yield (annualised growth of the exchange rate between the first and last stored snapshot); absent when not measurable.",
    labelNames: ["asset"],
    read: (g, m) => {
      for (const a of m.yields()?.assets ?? []) if (a.realised !== null) g.set({ asset: a.asset }, a.realised);
    },
  },
  // Route learning and impact refits: labelled by the route id (`sell:<path>` / `buy:<path>`, as
  // /api/routes names it) and its side. Gauges, not counters: they are the store's totals read at
  // scrape time, which survive restarts (a counter of this process would start again at zero).
  {
    name: "keeper_route_picks",
    help: "Times route learning chose the route (stored, across restarts), per side and route id.",
    labelNames: ["side", "route"],
    read: (g, m) => {
      for (const r of m.routes()) g.set({ side: r.side, route: r.route }, r.picks);
    },
  },
  {
    name: "keeper_route_mean_abs_error_bps",
    help: "Mean |realised - predicted| cost of the route's learned fills, bps; absent before its first fill.",
    labelNames: ["side", "route"],
    read: (g, m) => {
      for (const r of m.routes())
        if (r.meanAbsErrorBps !== null) g.set({ side: r.side, route: r.route }, r.meanAbsErrorBps);
    },
  },
  {
    name: "keeper_route_regret_bps",
    help: "Summed regret of the route's fills against the best expected candidate at choice time, bps (an estimate).",
    labelNames: ["side", "route"],
    read: (g, m) => {
      for (const r of m.routes()) g.set({ side: r.side, route: r.route }, r.regretBps);
    },
  },
  {
    name: "keeper_impact_refit_scale",
    help: "Multiplier the last cycle's impact refit puts on the analytic impact of the route (1 = analytic), per refitted route.",
    labelNames: ["side", "route"],
    read: (g, m) => {
      for (const r of m.impactRefits()) g.set({ side: r.side, route: r.route }, r.scale);
    },
  },
  {
    name: "keeper_impact_refit_offset_bps",
    help: "Cost the last cycle's impact refit adds at every size on the route, bps, per refitted route.",
    labelNames: ["side", "route"],
    read: (g, m) => {
      for (const r of m.impactRefits()) g.set({ side: r.side, route: r.route }, r.offsetBps);
    },
  },
  {
    name: "keeper_impact_refit_fills",
    help: "Fills the last cycle's impact refit of the route is fitted on, per refitted route.",
    labelNames: ["side", "route"],
    read: (g, m) => {
      for (const r of m.impactRefits()) g.set({ side: r.side, route: r.route }, r.fills);
    },
  },
];

/** Adds the read-model gauges to the keeper's registry (once per registry). */
export function registerReadModelMetrics(metrics: KeeperMetrics, readModel: KeeperReadModel): void {
  if (metrics.registry.getSingleMetric(MARKER)) return;
  // prom-client starts every gauge's collect in the same tick: they share the one read in
  // flight, and the next scrape reads afresh.
  let inFlight: Promise<ReadModelSnapshot> | null = null;
  const snapshot = (): Promise<ReadModelSnapshot> => {
    if (inFlight === null) {
      const read = snapshotOf(readModel);
      inFlight = read;
      const clear = () => setImmediate(() => (inFlight = inFlight === read ? null : inFlight));
      read.then(clear, clear);
    }
    return inFlight;
  };
  for (const spec of GAUGES) {
    new Gauge({
      name: spec.name,
      help: spec.help,
      labelNames: spec.labelNames ?? [],
      registers: [metrics.registry],
      // Called by prom-client at every scrape: the samples are the read model's values now.
      async collect(this: Gauge) {
        let snap: ReadModelSnapshot;
        try {
          snap = await snapshot();
        } catch {
          // The store is unreachable (a keeper cut off from its database): the store's gauges are
          // left empty, while the process's own metrics (`keeper_leader`, ...) still render.
          this.reset();
          if (spec.name === MARKER) this.set(1);
          return;
        }
        this.reset();
        spec.read(this, snap);
      },
    });
  }
}
