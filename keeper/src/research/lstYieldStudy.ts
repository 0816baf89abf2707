/**
 * The Arbitrum LST index (WETH base, wstETH, rETH: ignition/parameters/lst.*.json) studied in
 * ETH terms, with the yield-aware optimizer as its default strategy (pure).
 *
 * The vault's unit of account is WETH, so every close is divided by WETH's: WETH is then the
 * riskless base the optimizer may hold, and the LSTs' ETH prices grow with their exchange
 * rates (accrual "price": nothing is accrued on top). The yield-aware mean-variance reads each
 * LST's APY from the panel (DefiLlama history, or a stated prior) and is compared with the same
 * optimizer without yields, equal weight and holding WETH, over one block, net of costs. The
 * report puts the APY used beside the yield realised by each token's exchange rate.
 *
 * Costs (stated assumptions): the local market's pools (devchain/marketSpec.ts) — wstETH/WETH
 * 1 bp, rETH/WETH 5 bp — as constant-product pools of `depthEth` virtual depth; gas in ETH.
 */
import { z } from "zod";
import { runBacktest } from "../backtest/backtester.js";
import { performanceMetrics } from "../backtest/metrics.js";
import type { CostConfig, VaultRules } from "../backtest/portfolioSim.js";
import { ConfigError } from "../core/errors.js";
import type { MarketPanel, PanelYields, Strategy, YieldAccrual } from "../core/types.js";
import { equalWeight, singleAsset } from "../strategy/baselines/simple.js";
import { MeanVarianceStrategy } from "../strategy/meanVarianceStrategy.js";
import { type RateSeries, type YieldReportRow, yieldReportMarkdown, yieldReportRows } from "./yieldReport.js";

export const LST_INDEX = ["WETH", "WSTETH", "RETH"] as const;

export const lstStudyConfigSchema = z
  .object({
    /** Annual APY priors where the panel has no APY (not data: the report labels them). */
    priors: z.record(z.string(), z.number()).default({ WSTETH: 0.04, RETH: 0.035 }),
    fees: z.record(z.string(), z.number().min(0).max(0.01)).default({ WSTETH: 0.0001, RETH: 0.0005 }),
    /** In-range virtual depth per pool, in ETH. */
    depthEth: z.record(z.string(), z.number().positive()).default({ WSTETH: 100_000, RETH: 25_000 }),
    gasEthPerLeg: z.number().min(0).default(0.0001),
    initialNavEth: z.number().positive().default(100),
    maxWeight: z.number().gt(0).max(1).default(0.5),
    riskAversion: z.number().positive().default(5),
    meanShrink: z.number().min(0).max(1).default(0.25),
    lookbackDays: z.number().int().min(5).default(90),
    decideEveryDays: z.number().int().min(1).default(7),
  })
  .strict();
export type LstStudyConfig = z.output<typeof lstStudyConfigSchema>;

export interface LstStudyRow {
  readonly strategy: string;
  readonly annualisedReturn: number;
  readonly volatility: number;
  readonly sharpe: number;
  readonly costDrag: number;
  readonly turnoverAnnualised: number;
  readonly meanWeights: Readonly<Record<string, number>>;
}

export interface LstStudy {
  readonly from: number;
  readonly to: number;
  readonly rows: readonly LstStudyRow[];
  readonly yields: readonly YieldReportRow[];
  readonly markdown: string;
}

/**
 * The LST index panel in ETH: WETH, wstETH, rETH from `panel`, every close over WETH's. With
 * `rethRate` (Rocket Pool's on-chain rETH/ETH rate) rETH is marked at that rate, as the vault's
 * rETH/ETH feed marks it (ignition/parameters/lst.*.json), instead of at market closes.
 */
export function lstPanelInEth(panel: MarketPanel, rethRate?: RateSeries): MarketPanel {
  const idx = LST_INDEX.map((s) => panel.assets.findIndex((a) => a.symbol === s));
  const missing = LST_INDEX.filter((_, k) => (idx[k] as number) < 0);
  if (missing.length > 0) throw new ConfigError(`lst study: the data has no ${missing.join(", ")}`);
  const weth = panel.close[idx[0] as number] as Float64Array;
  const close: Float64Array[] = idx.map((i) =>
    Float64Array.from(panel.close[i] as Float64Array, (p, t) => p / (weth[t] as number)),
  );
  if (rethRate) close[2] = rateAtBars(panel.timestamps, rethRate);
  // Volumes stay in USD: the cost model below uses pool depths, not volume.
  return {
    freq: panel.freq,
    timestamps: panel.timestamps,
    assets: idx.map((i) => panel.assets[i] as MarketPanel["assets"][number]),
    close,
    volume: idx.map((i) => panel.volume[i] as Float64Array),
  };
}

/** The last rate at or before each bar close, no older than two days; NaN otherwise. */
function rateAtBars(timestamps: Float64Array, rate: RateSeries): Float64Array {
  const out = new Float64Array(timestamps.length).fill(Number.NaN);
  let k = -1;
  for (let t = 0; t < timestamps.length; t++) {
    const close = timestamps[t] as number;
    while (k + 1 < rate.timestamps.length && (rate.timestamps[k + 1] as number) <= close) k++;
    if (k >= 0 && close - (rate.timestamps[k] as number) <= 2 * 86_400) out[t] = rate.rate[k] as number;
  }
  return out;
}

/** Prior APYs as panel yields for the LSTs (accrual "price"), where `known` has none. */
export function lstYields(panel: MarketPanel, cfg: LstStudyConfig, known?: PanelYields): PanelYields {
  const T = panel.timestamps.length;
  const fromData = known?.source ?? null;
  const apy = panel.assets.map((a, i) => {
    const row = new Float64Array(T).fill(Number.NaN);
    const prior = cfg.priors[a.symbol];
    const given = known?.apy[i];
    for (let t = 0; t < T; t++) {
      const v = given?.[t] as number | undefined;
      row[t] = v !== undefined && Number.isFinite(v) ? v : (prior ?? Number.NaN);
    }
    return row;
  });
  const accrual = panel.assets.map((a): YieldAccrual | null => (a.symbol === "WETH" ? null : "price"));
  return { apy, accrual, source: fromData === null ? "constant prior" : `${fromData}, else prior` };
}

export function runLstYieldStudy(
  panel: MarketPanel,
  cfg: LstStudyConfig,
  block: { from: number; to: number },
  rates: ReadonlyMap<string, RateSeries>,
): LstStudy {
  if (panel.assets.map((a) => a.symbol).join(",") !== LST_INDEX.join(",") || !panel.yields)
    throw new ConfigError("lst study: needs lstPanelInEth(panel) with yields");
  const mv = (yields: boolean, name: string) =>
    new MeanVarianceStrategy(
      {
        lookback: cfg.lookbackDays,
        riskAversion: cfg.riskAversion,
        meanShrink: cfg.meanShrink,
        maxWeight: cfg.maxWeight,
        baseSymbol: "WETH",
        costPerUnit: 0.0005,
        ...(yields ? { panelYields: true } : {}),
      },
      undefined,
      name,
    );
  const strategies: [string, () => Strategy, number][] = [
    ["mean-variance+yield (default)", () => mv(true, "mean-variance+yield"), cfg.decideEveryDays],
    ["mean-variance (no yield)", () => mv(false, "mean-variance"), cfg.decideEveryDays],
    ["equal-weight", () => equalWeight({ baseSymbol: "WETH", rebalanceEveryBars: 30 }), 1],
    ["hold WETH", () => singleAsset("WETH"), 1],
  ];
  const n = panel.assets.length;
  const costs: CostConfig = {
    feeTiers: panel.assets.map((a, i) => (i === 0 ? [] : [cfg.fees[a.symbol] ?? 0.0005])),
    poolDepthUsd: Float64Array.from(panel.assets, (a) => cfg.depthEth[a.symbol] ?? Number.NaN),
    rangeHalfWidth: new Float64Array(n).fill(Number.NaN),
    sqrtImpactK: 0.5,
    gasUsdPerLeg: cfg.gasEthPerLeg,
    maxSlippage: 0.03,
  };
  const rules: VaultRules = {
    managementFeeBps: 0,
    performanceFeeBps: 0,
    maxWeightBps: Float64Array.from(panel.assets, (_, i) => (i === 0 ? 10_000 : cfg.maxWeight * 10_000)),
    maxTurnoverBps: 20_000,
    cooldownSeconds: 0,
    toleranceBps: 25,
  };
  let yieldRows: YieldReportRow[] = [];
  const rows = strategies.map(([label, make, every]) => {
    const r = runBacktest({
      panel,
      strategy: make(),
      costs,
      rules,
      baseAssetIndex: 0,
      settings: {
        from: block.from,
        to: block.to,
        initialNavUsd: cfg.initialNavEth,
        decideEveryBars: every,
        baseDecimals: 18,
      },
    });
    if (yieldRows.length === 0) yieldRows = yieldReportRows(panel, r, rates);
    const m = performanceMetrics({
      nav: r.nav,
      grossNav: r.grossNav,
      turnover: r.turnover,
      freq: panel.freq,
      riskFreeRate: 0,
    });
    const meanWeights = Object.fromEntries(
      panel.assets.map((a, i) => [
        a.symbol,
        (r.weights[i] ?? new Float64Array()).reduce((s, v) => s + v, 0) / r.nav.length,
      ]),
    );
    return {
      strategy: label,
      annualisedReturn: m.annualisedReturn,
      volatility: m.volatility,
      sharpe: m.sharpe,
      costDrag: m.costDrag,
      turnoverAnnualised: m.turnoverAnnualised,
      meanWeights,
    };
  });
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  const markdown = [
    "Returns in ETH (the vault's unit), net of modelled costs.",
    "",
    "| strategy | return/y | vol/y | Sharpe | cost drag/y | turnover/y | mean weights WETH/wstETH/rETH |",
    "|---|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.strategy} | ${pct(r.annualisedReturn)} | ${pct(r.volatility)} | ${Number.isFinite(r.sharpe) ? r.sharpe.toFixed(2) : "n/a"} | ${pct(r.costDrag)} | ${r.turnoverAnnualised.toFixed(2)} | ${LST_INDEX.map((s) => (r.meanWeights[s] ?? 0).toFixed(2)).join(" / ")} |`,
    ),
    "",
    "APY used against realised yield:",
    "",
    yieldReportMarkdown(yieldRows),
  ].join("\n");
  return { from: block.from, to: block.to, rows, yields: yieldRows, markdown };
}
