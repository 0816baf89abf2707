/**
 * The long/short perpetuals backtest of issue 17: real hourly prices from ../shared/data
 * (Binance spot closes standing in for HyperLiquid marks) with a SYNTHETIC funding series
 * (../shared/data has no funding history; data/syntheticFunding.ts documents the model),
 * written as the documented perpetuals CSV and read back through the data layer, and a
 * Numerai-style score file (trailing 7-day return per coin, published daily) read back through
 * the signal reader and traded point in time by SignalStrategy. Every parameter is fixed below
 * before the run; nothing is fitted to the period reported. Prints a Markdown table.
 */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type PerpBacktestOptions, runPerpBacktest } from "../../keeper/src/backtest/perpBacktest.js";
import type { MarketPanel, Strategy } from "../../keeper/src/core/types.js";
import { loadMarketCsv } from "../../keeper/src/data/csv.js";
import { loadPerpCsv, perpCsvText } from "../../keeper/src/data/perpCsv.js";
import { loadScoreFile } from "../../keeper/src/data/signals/scoreFile.js";
import { syntheticFunding } from "../../keeper/src/data/syntheticFunding.js";
import { SignalStrategy } from "../../keeper/src/strategy/signals/signalStrategy.js";

const HELP = `usage: tsx scripts/research/perpsBacktest.ts [--data DIR] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--seed N]

Long/short perpetuals backtest with funding on real hourly prices and a synthetic funding series.
  --data DIR   folder holding market_hourly_close.csv (default ../shared/data)
  --from DATE  first day (default 2022-01-01)
  --to DATE    last day (default 2023-12-31)
  --seed N     seed of the synthetic funding series (default 17)
  --help       this text`;

const COINS = ["BTC", "ETH", "SOL", "LINK", "DOGE", "AAVE", "UNI", "SNX", "MKR", "CRV", "COMP"];
const LOOKBACK_HOURS = 7 * 24;
const DAY_BARS = 24;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}

function main(): void {
  if (process.argv.includes("--help")) {
    console.log(HELP);
    return;
  }
  const dataDir = arg("--data", "../shared/data");
  const from = arg("--from", "2022-01-01");
  const to = arg("--to", "2023-12-31");
  const seed = Number(arg("--seed", "17"));
  const pricesPath = join(dataDir, "market_hourly_close.csv");
  if (!existsSync(pricesPath)) {
    console.log(`skipped: ${pricesPath} absent`);
    return;
  }
  const { panel: spot } = loadMarketCsv(pricesPath, {
    freq: "1h",
    symbols: COINS,
    from: `${from} 01:00`,
    to: `${to} 23:00`,
    build: { spikes: "flag" },
  });
  const work = mkdtempSync(join(tmpdir(), "perps-backtest-"));
  const perpPath = join(work, "perps_hourly.csv");
  writeFileSync(
    perpPath,
    perpCsvText(spot, syntheticFunding(spot, { seed }), { price: "binance_spot_hourly", funding: "synthetic" }),
  );
  const history = loadPerpCsv(perpPath);
  const { panel, funding } = history;
  const scorePath = join(work, "scores.csv");
  writeFileSync(scorePath, momentumScores(panel));
  const scores = loadScoreFile(scorePath);

  const base: PerpBacktestOptions = {
    initialEquityUsd: 100_000,
    takerFeeBps: 4.5,
    halfSpreadBps: 1,
    maintenanceMargin: 0.05,
    maxGrossLeverage: 3,
    rebalanceEveryBars: DAY_BARS,
    lagBars: 1,
    startBar: LOOKBACK_HOURS + DAY_BARS,
  };
  const policy = { gross: 1, maxWeight: 0.2, maxAgeSeconds: 2 * 86_400, minCoverage: 0.8 } as const;
  const noFunding = funding.map((row) => new Float64Array(row.length));
  const runs: {
    label: string;
    strategy: Strategy;
    funding: readonly Float64Array[];
    opts?: Partial<PerpBacktestOptions>;
  }[] = [
    {
      label: "signal long/short, gross 1",
      strategy: new SignalStrategy(scores, { ...policy, mode: "long-short" }),
      funding,
    },
    {
      label: "signal long/short, gross 1, funding off",
      strategy: new SignalStrategy(scores, { ...policy, mode: "long-short" }),
      funding: noFunding,
    },
    {
      label: "signal long/short, gross 2",
      strategy: new SignalStrategy(scores, { ...policy, mode: "long-short", gross: 2, maxWeight: 0.4 }),
      funding,
    },
    {
      label: "signal long-only, gross 1",
      strategy: new SignalStrategy(scores, { ...policy, mode: "long-only", maxWeight: 0.4 }),
      funding,
    },
    { label: "equal-weight long, 1x", strategy: constant(panel, () => 1 / panel.assets.length), funding },
    { label: "BTC long, 1x", strategy: constant(panel, (s) => (s === "BTC" ? 1 : 0)), funding },
  ];
  const days = (panel.timestamps.length - base.startBar) / 24;
  console.log(
    `Perpetuals backtest ${from} .. ${to} (${Math.round(days)} days, hourly bars, ${panel.assets.length} coins: ${panel.assets.map((a) => a.symbol).join(", ")})`,
  );
  console.log(
    `Prices: ${history.sources.price.join(", ")} (real, ../shared/data). Funding: ${history.sources.funding.join(", ")} (seed ${seed}; mean ${pct(meanRate(funding) * 24 * 365)} a year), ${history.missingFunding} hours missing.`,
  );
  console.log(
    `Costs: taker ${base.takerFeeBps} bps + half-spread ${base.halfSpreadBps} bps; maintenance margin ${base.maintenanceMargin * 100}% of gross; daily rebalance, 1 h lag.\n`,
  );
  console.log(
    "| strategy | ann. return | volatility | Sharpe | max DD | funding paid | fees paid | avg gross | avg net | liquidations |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const run of runs) {
    const r = runPerpBacktest(panel, run.funding, run.strategy, { ...base, ...run.opts });
    const m = r.metrics;
    const init = base.initialEquityUsd;
    console.log(
      `| ${run.label} | ${pct(m.annualisedReturn)} | ${pct(m.volatility)} | ${m.sharpe.toFixed(2)} | ${pct(m.maxDrawdown)} | ${pct(r.fundingPaidUsd / init)} | ${pct(r.feesPaidUsd / init)} | ${r.averageGrossLeverage.toFixed(2)} | ${r.averageNetExposure.toFixed(2)} | ${r.liquidations} |`,
    );
  }
  console.log(
    "\nfunding paid and fees paid: USD over the whole run, as % of the initial equity (negative funding: received).",
  );
}

/** One score per coin per day: the trailing 7-day return known at that day's close. */
function momentumScores(panel: MarketPanel): string {
  const lines = ["date,symbol,score"];
  for (let t = LOOKBACK_HOURS; t < panel.timestamps.length; t++) {
    const ts = panel.timestamps[t] as number;
    if (ts % 86_400 !== 0) continue;
    // Scores for day D use bars up to D's last close (00:00 of D + 1), and are dated D.
    const day = new Date((ts - 86_400) * 1000).toISOString().slice(0, 10);
    panel.assets.forEach((a, i) => {
      const now = panel.close[i]?.[t] as number;
      const then = panel.close[i]?.[t - LOOKBACK_HOURS] as number;
      if (Number.isFinite(now) && Number.isFinite(then) && then > 0)
        lines.push(`${day},${a.symbol},${Math.log(now / then)}`);
    });
  }
  return `${lines.join("\n")}\n`;
}

function constant(panel: MarketPanel, weight: (symbol: string) => number): Strategy {
  return {
    name: "constant",
    decide: () => Float64Array.from(panel.assets, (a) => weight(a.symbol)),
  };
}

function meanRate(funding: readonly Float64Array[]): number {
  let sum = 0;
  let n = 0;
  for (const row of funding) {
    for (const r of row) {
      if (!Number.isFinite(r)) continue;
      sum += r;
      n++;
    }
  }
  return n > 0 ? sum / n : Number.NaN;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

main();
