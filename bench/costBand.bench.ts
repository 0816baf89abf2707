/**
 * Cost drag of the demo's vault before and after the fee-aware no-trade band, in a backtest of
 * the demo's market: the synthetic market the demo generates, its basket, its strategy
 * (inverse volatility, 40% cap), its keeper schedule (weekly, or when a weight drifts 5 points)
 * and the fee tiers and depths of its Uniswap V3 pools (devchain/marketSpec.ts).
 *
 * The band (penalty and floor) is chosen on other synthetic markets (seeds 1-4, two years each,
 * four blocks per market = 16 folds): the lowest median cost drag among settings whose median
 * tracking error to the targets is no worse than the keeper's current setting. It is then
 * reported, unchanged, on the demo's own market (seed 7, the demo's 90 days, and a year).
 */
import { defaultCosts, defaultRules, parseAssumptions } from "../keeper/src/backtest/assumptions.js";
import { type BacktestResult, runBacktest } from "../keeper/src/backtest/backtester.js";
import type { Eligibility } from "../keeper/src/backtest/pointInTimeView.js";
import type { MarketPanel, Strategy } from "../keeper/src/core/types.js";
import { generateSyntheticMarket } from "../keeper/src/data/synthetic.js";
import { LOCAL_POOLS } from "../keeper/src/devchain/marketSpec.js";
import { bandHalfWidths, type NoTradeBand, parseNoTradeBand } from "../keeper/src/market/noTradeBand.js";
import { costDragBpsPerYear, trackingErrorToTargets } from "../keeper/src/research/executionStats.js";
import { BandedStrategy } from "../keeper/src/strategy/bandedStrategy.js";
import { InverseVolatilityStrategy } from "../keeper/src/strategy/baselines/inverseVolatility.js";

const BASKET = ["WETH", "WBTC", "ARB", "LINK", "UNI", "GMX", "WSTETH", "RETH"];
/** The demo generates its market with PENDLE too (a rotation candidate), which shapes every path. */
const ASSETS = ["USDC", ...BASKET, "PENDLE"];

/** The vault's basket: PENDLE is on the market but not in the vault. */
const inVault: Eligibility = (panel, t) =>
  panel.assets.map((a, i) => a.symbol !== "PENDLE" && !Number.isNaN(panel.close[i]?.[t] as number));

/** Fee tiers (fractions) of the demo's route from USDC to `symbol`: direct pool, else via WETH. */
function routeFees(symbol: string): number[] {
  const fee = (a: string, b: string) =>
    LOCAL_POOLS.find((p) => (p.tokenA === a && p.tokenB === b) || (p.tokenA === b && p.tokenB === a));
  if (symbol === "USDC") return [];
  const direct = fee(symbol, "USDC");
  if (direct) return [direct.fee / 1e6];
  const hop = fee(symbol, "WETH");
  const hub = fee("WETH", "USDC");
  if (!hop || !hub) throw new Error(`no demo route for ${symbol}`);
  return [hub.fee / 1e6, hop.fee / 1e6];
}

function poolOf(symbol: string) {
  return LOCAL_POOLS.find((p) => p.tokenA === symbol || p.tokenB === symbol);
}

interface Run {
  readonly drag: number;
  readonly te: number | null;
  readonly rebalances: number;
  readonly ret: number;
}

function runOnce(panel: MarketPanel, from: number, to: number, band: NoTradeBand | null): Run {
  const assumptions = parseAssumptions({ maxWeight: 0.4 });
  const base = panel.assets.findIndex((a) => a.symbol === "USDC");
  const fees = panel.assets.map((a) => routeFees(a.symbol));
  const costs = {
    ...defaultCosts(panel, "USDC", assumptions),
    feeTiers: fees,
    poolDepthUsd: Float64Array.from(panel.assets, (a) => poolOf(a.symbol)?.tvlUsd ?? Number.NaN),
    rangeHalfWidth: Float64Array.from(panel.assets, (a) => poolOf(a.symbol)?.band ?? Number.NaN),
  };
  const inner: Strategy = new InverseVolatilityStrategy({ lookback: 30, maxWeight: 0.4 });
  // "Today" is the band at zero width: the strategy's targets pass through unchanged.
  const banded = new BandedStrategy(
    inner,
    bandHalfWidths(fees, band ?? parseNoTradeBand({ penalty: 0, minBand: 0 })),
    base,
    band ?? parseNoTradeBand({ penalty: 0, minBand: 0 }),
    Float64Array.from(panel.assets, (_, i) => (i === base ? 1 : 0.4)),
  );
  const r: BacktestResult = runBacktest({
    panel,
    strategy: banded,
    costs,
    rules: defaultRules(panel, base, assumptions),
    baseAssetIndex: base,
    eligibility: inVault,
    settings: {
      from,
      to,
      initialNavUsd: 300_000,
      // Today: the keeper's weekly schedule with a 5-point drift trigger. Banded: it looks
      // every day and trades only what has left its band.
      decideEveryBars: band ? 1 : 7,
      ...(band ? {} : { driftThreshold: 0.05 }),
      recordWeights: false,
    },
  });
  return {
    drag: costDragBpsPerYear(r),
    te: trackingErrorToTargets(r, banded.targets),
    rebalances: r.rebalances.filter((e) => e.executed).length,
    ret: (r.nav[r.nav.length - 1] as number) / (r.nav[0] as number) - 1,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

export async function run(): Promise<void> {
  // Choose on folds of other markets.
  const folds: { panel: MarketPanel; from: number; to: number }[] = [];
  for (const seed of [1, 2, 3, 4]) {
    const panel = generateSyntheticMarket({ seed, bars: 60 + 730, freq: "24h", assets: ASSETS });
    for (let b = 0; b < 4; b++) folds.push({ panel, from: 60 + b * 182, to: 60 + (b + 1) * 182 - 1 });
  }
  const today = folds.map((f) => runOnce(f.panel, f.from, f.to, null));
  const teToday = median(today.map((r) => r.te ?? Number.POSITIVE_INFINITY));
  console.log(
    `folds: 16 (4 synthetic markets x 4 half-years); today: median cost drag ${median(today.map((r) => r.drag)).toFixed(0)} bp/yr, tracking error ${(teToday * 100).toFixed(2)}%`,
  );
  let best: { band: NoTradeBand; drag: number; te: number } | null = null;
  console.log("| penalty | min band | median cost drag (bp/yr) | median TE to targets |");
  console.log("|---|---|---|---|");
  for (const penalty of [0, 5, 10, 20, 30]) {
    for (const minBand of [0.0025, 0.01, 0.02, 0.03, 0.05]) {
      const band = parseNoTradeBand({ penalty, minBand, minTurnover: 0.005 });
      const runs = folds.map((f) => runOnce(f.panel, f.from, f.to, band));
      const drag = median(runs.map((r) => r.drag));
      const te = median(runs.map((r) => r.te ?? Number.POSITIVE_INFINITY));
      console.log(`| ${penalty} | ${(minBand * 100).toFixed(2)}% | ${drag.toFixed(0)} | ${(te * 100).toFixed(2)}% |`);
      if (te <= teToday && (!best || drag < best.drag)) best = { band, drag, te };
    }
  }
  if (!best) {
    console.log("no band setting keeps the tracking error at or below today's: none chosen");
    return;
  }
  console.log(`chosen on the folds: penalty ${best.band.penalty}, min band ${best.band.minBand}`);
  // Report on the demo's market (seed 7), untouched by the choice.
  for (const days of [90, 365]) {
    const panel = generateSyntheticMarket({ seed: 7, bars: 200 + days + 1, freq: "24h", assets: ASSETS });
    const from = panel.timestamps.length - days - 1;
    const to = panel.timestamps.length - 1;
    const before = runOnce(panel, from, to, null);
    const after = runOnce(panel, from, to, best.band);
    const row = (label: string, r: Run) =>
      `| ${days} d | ${label} | ${r.drag.toFixed(0)} | ${((r.te ?? Number.NaN) * 100).toFixed(2)}% | ${r.rebalances} | ${(r.ret * 100).toFixed(2)}% |`;
    console.log("| window | setting | cost drag (bp/yr) | TE to targets | rebalances | net return |");
    console.log("|---|---|---|---|---|---|");
    console.log(row("today (weekly + 5% drift)", before));
    console.log(row(`band (penalty ${best.band.penalty}, floor ${best.band.minBand})`, after));
  }
}
