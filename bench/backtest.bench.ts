/**
 * Backtester throughput: asset-steps per second (assets x bars / wall time) for an equal-weight
 * strategy rebalanced every 24 bars with full cost modelling (fee tiers with multi-hop legs,
 * constant-product impact within a finite active range, square-root impact beyond it and where
 * depth is unknown, gas, slippage bound, vault fees, turnover cap, max weights) on a seeded
 * synthetic panel of 20 assets x 4 years of hourly bars (35,040 bars).
 *
 * Measured: the whole `runBacktest` call (on-demand liquidity estimates, event loop, strategy
 * calls, every bar's NAV, costs and weights recorded), median of 7 runs after a warm-up; the
 * panel is generated once, outside the timing. The machine is shared, so CPU time of the same
 * runs and the load average are printed beside wall time. Target: >= 5M asset-steps/s.
 */
import { cpus, loadavg, totalmem } from "node:os";
import { defaultCosts, parseAssumptions } from "../keeper/src/backtest/assumptions.js";
import { runBacktest } from "../keeper/src/backtest/backtester.js";
import type { CostConfig, VaultRules } from "../keeper/src/backtest/portfolioSim.js";
import type { MarketPanel } from "../keeper/src/core/types.js";
import { generateSyntheticMarket, SYNTHETIC_SPECS } from "../keeper/src/data/synthetic.js";
import { equalWeight } from "../keeper/src/strategy/baselines/simple.js";

const ASSETS = 20;
const BARS = 4 * 365 * 24;
const RUNS = 7;
const TARGET = 5e6;

/**
 * The backtester's default real-data assumptions (5/30 bp routes through WETH, square-root
 * impact, $1B hub pool, $0.30 gas, 3% slippage bound), plus a known $20M in-range depth with a
 * +-10% active range for every other asset, so both impact models are exercised.
 */
function costsFor(panel: MarketPanel): CostConfig {
  const n = panel.assets.length;
  return {
    ...defaultCosts(panel, "USDC", parseAssumptions({})),
    poolDepthUsd: Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 2e7 : Number.NaN)),
    rangeHalfWidth: new Float64Array(n).fill(0.1),
  };
}

function rulesFor(n: number, base: number): VaultRules {
  // Basket assets capped at 25%; the base asset (idle buffer) may hold everything.
  const maxWeightBps = new Float64Array(n).fill(2_500);
  maxWeightBps[base] = 10_000;
  return {
    managementFeeBps: 100,
    performanceFeeBps: 1_000,
    maxWeightBps,
    maxTurnoverBps: 5_000,
    cooldownSeconds: 3_600,
    toleranceBps: 5,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export async function run(): Promise<void> {
  const symbols = Object.keys(SYNTHETIC_SPECS).slice(0, ASSETS);
  const genStart = performance.now();
  const panel = generateSyntheticMarket({ seed: 20240101, bars: BARS, freq: "1h", assets: symbols });
  const genMs = performance.now() - genStart;
  const n = panel.assets.length;
  const T = panel.timestamps.length;
  const costs = costsFor(panel);
  const base = panel.assets.findIndex((a) => a.symbol === "USDC");
  const rules = rulesFor(n, base);

  const once = (recordWeights: boolean) => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const res = runBacktest({
      panel,
      strategy: equalWeight({ rebalanceEveryBars: 24 }),
      costs,
      rules,
      baseAssetIndex: base,
      settings: { recordWeights, feeAccrualIntervalSeconds: 86_400 },
    });
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    return { ms, cpuMs: (cpu.user + cpu.system) / 1000, res };
  };

  const warm = once(true);
  const load = loadavg()[0]!;
  const runs = Array.from({ length: RUNS }, () => once(true));
  const runsNoWeights = Array.from({ length: RUNS }, () => once(false));

  const steps = n * T;
  const rate = (ms: number) => steps / (ms / 1000);
  const med = median(runs.map((r) => r.ms));
  const medCpu = median(runs.map((r) => r.cpuMs));
  const medNoW = median(runsNoWeights.map((r) => r.ms));
  const r = warm.res;
  const executed = r.rebalances.filter((e) => e.executed).length;
  const skipped = r.rebalances.reduce((s, e) => s + e.skippedLegs, 0);
  const cost = r.costUsd.reduce((s, x) => s + x, 0) + r.gasUsd.reduce((s, x) => s + x, 0);
  const turnover = r.turnover.reduce((s, x) => s + x, 0) / 4;
  const cpu = cpus();
  console.log("backtest throughput (equal weight every 24 bars, full cost model)");
  console.log(
    `  machine: ${cpu[0]?.model ?? "unknown"} x${cpu.length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}, load average ${load.toFixed(1)}`,
  );
  console.log(
    `  panel: ${n} assets x ${T} hourly bars (synthetic, seed 20240101, generated in ${genMs.toFixed(0)} ms, not timed)`,
  );
  console.log(
    `  run: ${executed} rebalances, ${skipped} legs skipped by the slippage bound, turnover ${turnover.toFixed(1)}/yr, trading costs + gas $${Math.round(cost).toLocaleString("en-US")}, NAV $1M -> $${(r.nav[r.nav.length - 1]! / 1e6).toFixed(2)}M`,
  );
  console.log(
    `  weights recorded:    median ${med.toFixed(1)} ms wall (${medCpu.toFixed(1)} ms CPU) -> ${(rate(med) / 1e6).toFixed(1)} M asset-steps/s (${(rate(medCpu) / 1e6).toFixed(1)} M per CPU-second)`,
  );
  console.log(
    `  no weight recording: median ${medNoW.toFixed(1)} ms wall -> ${(rate(medNoW) / 1e6).toFixed(1)} M asset-steps/s`,
  );
  console.log(`  runs (ms wall): [${runs.map((x) => x.ms.toFixed(1)).join(", ")}]`);
  console.log(
    `  target >= ${(TARGET / 1e6).toFixed(0)} M asset-steps/s (wall): ${rate(med) >= TARGET ? "met" : "NOT met"}`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
