/**
 * Prometheus text exposition (format 0.0.4) of the keeper's state. Everything is read from
 * the read model at scrape time, so the numbers are exactly what the store holds and a
 * restarted keeper reports its history, not counters reset to zero.
 */
import type { KeeperReadModel, RiskLevel } from "../readModel.js";
import { CYCLE_STATUSES, cycleOutcome } from "./cycleOutcome.js";
import { weightDrift } from "./weightDrift.js";

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Every cycle the store holds; metrics aggregate over the whole history. */
const ALL_CYCLES = Number.MAX_SAFE_INTEGER;

const RISK_LEVEL_INDEX: Readonly<Record<RiskLevel, number>> = {
  "very low": 0,
  low: 1,
  medium: 2,
  high: 3,
  "very high": 4,
};

type Labels = Readonly<Record<string, string>>;

interface Sample {
  readonly labels?: Labels;
  readonly value: number;
}

interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: "gauge" | "counter";
  readonly samples: readonly Sample[];
}

export function renderMetrics(readModel: KeeperReadModel): string {
  const status = readModel.status();
  const cycles = readModel.cycles(ALL_CYCLES);
  const current = readModel.currentWeights();
  const target = readModel.targetWeights();
  const nav = readModel.navHistory();
  const lastNav = nav.at(-1);
  const last = status.lastCycle;

  const byStatus = new Map(CYCLE_STATUSES.map((s) => [s, 0]));
  let gasTotal = 0n;
  let costTotal = 0;
  for (const cycle of cycles) {
    byStatus.set(cycle.status, (byStatus.get(cycle.status) ?? 0) + 1);
    if (cycle.gasUsed !== null) gasTotal += BigInt(cycle.gasUsed);
    if (cycle.costUsd !== null && Number.isFinite(cycle.costUsd)) costTotal += cycle.costUsd;
  }
  const assets = [...new Set([...Object.keys(current), ...Object.keys(target)])].sort();
  const one = (value: number | null | undefined): Sample[] =>
    value === null || value === undefined ? [] : [{ value }];

  const families: MetricFamily[] = [
    { name: "keeper_up", help: "1 while the keeper process answers scrapes.", type: "gauge", samples: [{ value: 1 }] },
    {
      name: "keeper_info",
      help: "Static facts about the keeper, as labels.",
      type: "gauge",
      samples: [
        { labels: { chain_id: String(status.chainId), vault: status.vault, strategy: status.strategy }, value: 1 },
      ],
    },
    {
      name: "keeper_running",
      help: "1 while the rebalance loop is scheduled.",
      type: "gauge",
      samples: one(flag(status.running)),
    },
    {
      name: "keeper_kill_switch",
      help: "1 when the kill switch blocks all submissions.",
      type: "gauge",
      samples: one(flag(status.killSwitch)),
    },
    {
      name: "keeper_dry_run",
      help: "1 when cycles stop before submitting.",
      type: "gauge",
      samples: one(flag(status.dryRun)),
    },
    {
      name: "keeper_cycles",
      help: "Recorded rebalance cycles by current status.",
      type: "gauge",
      samples: [...byStatus].map(([s, n]) => ({ labels: { status: s }, value: n })),
    },
    {
      name: "keeper_last_cycle_timestamp_seconds",
      help: "Start time of the latest cycle (unix seconds).",
      type: "gauge",
      samples: one(last?.startedAt),
    },
    {
      name: "keeper_last_cycle_success",
      help: "1 if the latest finished cycle succeeded, 0 if it failed; absent while it runs.",
      type: "gauge",
      samples:
        last && cycleOutcome(last) !== "in-progress" ? [{ value: flag(cycleOutcome(last) === "succeeded") }] : [],
    },
    {
      name: "keeper_last_cycle_gas_used",
      help: "Gas used by the latest cycle's transaction.",
      type: "gauge",
      samples: one(last?.gasUsed ? Number(last.gasUsed) : null),
    },
    {
      name: "keeper_next_run_timestamp_seconds",
      help: "When the scheduler runs the next cycle (unix seconds).",
      type: "gauge",
      samples: one(status.nextRunAt),
    },
    {
      name: "keeper_gas_used_total",
      help: "Gas used by all recorded rebalance transactions.",
      type: "counter",
      samples: [{ value: Number(gasTotal) }],
    },
    {
      name: "keeper_execution_cost_usd_total",
      help: "Execution cost of all recorded rebalances in USD (NAV before minus after).",
      type: "counter",
      samples: [{ value: costTotal }],
    },
    { name: "keeper_nav_usd", help: "Latest vault NAV in USD.", type: "gauge", samples: one(lastNav?.navUsd) },
    {
      name: "keeper_nav_per_share",
      help: "Latest vault NAV per share.",
      type: "gauge",
      samples: one(lastNav?.navPerShare),
    },
    {
      name: "keeper_benchmark_nav_per_share",
      help: "Benchmark rebased to the vault's first NAV per share.",
      type: "gauge",
      samples: one(lastNav?.benchmark),
    },
    {
      name: "keeper_weight_drift",
      help: "Fraction of NAV that must trade to reach the target weights (half L1 distance).",
      type: "gauge",
      samples: [{ value: weightDrift(current, target) }],
    },
    {
      name: "keeper_weight",
      help: "Portfolio weight per asset, current (held) and target (strategy).",
      type: "gauge",
      samples: assets.flatMap((asset) => [
        { labels: { asset, kind: "current" }, value: current[asset] ?? 0 },
        { labels: { asset, kind: "target" }, value: target[asset] ?? 0 },
      ]),
    },
    {
      name: "keeper_risk_level",
      help: "Current risk level: 0 very low, 1 low, 2 medium, 3 high, 4 very high.",
      type: "gauge",
      samples: [{ value: RISK_LEVEL_INDEX[status.riskLevel] }],
    },
  ];
  return families.map(renderFamily).join("");
}

function flag(on: boolean): number {
  return on ? 1 : 0;
}

function renderFamily(family: MetricFamily): string {
  let out = `# HELP ${family.name} ${escapeHelp(family.help)}\n# TYPE ${family.name} ${family.type}\n`;
  for (const sample of family.samples) {
    out += `${family.name}${renderLabels(sample.labels)} ${renderValue(sample.value)}\n`;
  }
  return out;
}

function renderLabels(labels: Labels | undefined): string {
  if (labels === undefined) return "";
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  return `{${parts.join(",")}}`;
}

/** The format's spellings for non-finite values. */
function renderValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}
