import { existsSync } from "node:fs";
import { expect } from "chai";
import { runBacktest } from "../../../keeper/src/backtest/backtester.js";
import type { CostConfig, VaultRules } from "../../../keeper/src/backtest/portfolioSim.js";
import type { MarketPanel, PanelYields } from "../../../keeper/src/core/types.js";
import { loadMarketCsv } from "../../../keeper/src/data/csv.js";
import { withYields } from "../../../keeper/src/data/yields/panelYields.js";
import { loadDailyRateCsv } from "../../../keeper/src/data/yields/rateCsv.js";
import { buildCandidates } from "../../../keeper/src/research/candidates.js";
import {
  LST_INDEX,
  lstPanelInEth,
  lstStudyConfigSchema,
  lstYields,
  runLstYieldStudy,
} from "../../../keeper/src/research/lstYieldStudy.js";
import { researchConfigSchema } from "../../../keeper/src/research/researchConfig.js";
import { type RateSeries, realisedYield, yieldReportRows } from "../../../keeper/src/research/yieldReport.js";
import { singleAsset } from "../../../keeper/src/strategy/baselines/simple.js";
import { MeanVarianceStrategy } from "../../../keeper/src/strategy/meanVarianceStrategy.js";
import { expectAbsClose } from "../../helpers/approx.js";
import { syntheticPanel, viewAt } from "./syntheticPanel.js";

const YEAR = 365;

/** USDC base, a yield token A whose price grows with its 20%/y yield, and a plain token B. */
function yieldMarket(bars = 400): MarketPanel {
  return syntheticPanel(
    [
      { symbol: "USDC", category: "stablecoin", drift: 0, vol: 0.0002 },
      { symbol: "A", category: "lst", drift: Math.log1p(0.2) / YEAR, vol: 0.02 },
      { symbol: "B", drift: 0.0004, vol: 0.02 },
    ],
    bars,
    7,
  );
}

const flatYields = (panel: MarketPanel, apyA: number, accrual: "price" | "balance"): PanelYields => ({
  apy: panel.assets.map((a) => new Float64Array(panel.timestamps.length).fill(a.symbol === "A" ? apyA : Number.NaN)),
  accrual: panel.assets.map((a) => (a.symbol === "A" ? accrual : null)),
  source: "test",
});

const mv = (extra: Record<string, unknown> = {}) =>
  new MeanVarianceStrategy({
    lookback: 120,
    meanShrink: 1,
    riskAversion: 20,
    maxWeight: 0.9,
    costPerUnit: 0,
    ...extra,
  });

describe("yield-aware portfolio: optimizer, backtester, report", () => {
  it("counts an exchange-rate token's yield once: with accrual 'price' the weights match the plain optimizer at meanShrink 1", () => {
    const panel = yieldMarket();
    const t = 300;
    const plain = mv().decide(viewAt(panel, t)) as Float64Array;
    const priced = mv({ panelYields: true }).decide(viewAt(withYields(panel, flatYields(panel, 0.2, "price")), t));
    const twice = mv({ panelYields: true }).decide(viewAt(withYields(panel, flatYields(panel, 0.2, "balance")), t));
    if (!priced || !twice) throw new Error("no decision");
    // The plain optimizer already sees A's drift; 'price' moves the yield out of the shrunk mean
    // and back in as APY (a tiny compounding difference), 'balance' adds it a second time.
    expect(plain[1]).to.be.greaterThan(0.05).and.lessThan(0.85);
    expect(Math.abs((priced[1] as number) - (plain[1] as number))).to.be.lessThan(0.01);
    expect(twice[1] as number).to.be.greaterThan((plain[1] as number) + 0.05);
  });

  it("reads the APY at the decision bar from the panel, and falls back to the configured yield where it has none", () => {
    const panel = yieldMarket();
    const t = 300;
    const low = flatYields(panel, 0.0, "balance");
    const high = flatYields(panel, 0.3, "balance");
    const strategy = mv({ panelYields: true, meanShrink: 0, yields: { A: 0.3 } });
    const wLow = strategy.decide(viewAt(withYields(panel, low), t)) as Float64Array;
    const wHigh = strategy.decide(viewAt(withYields(panel, high), t)) as Float64Array;
    const wNone = strategy.decide(viewAt(panel, t)) as Float64Array;
    expect(wHigh[1] as number).to.be.greaterThan((wLow[1] as number) + 0.1);
    // No panel APY: the configured 30% applies, the same as the panel's 30%.
    expectAbsClose(wNone[1], wHigh[1] as number, 1e-9);
    // A yield the panel only shows after t does not reach the decision at t.
    const later = flatYields(panel, 0, "balance");
    for (let k = t + 1; k < panel.timestamps.length; k++) (later.apy[1] as Float64Array)[k] = 5;
    const wLater = strategy.decide(viewAt(withYields(panel, later), t, { untruncated: false })) as Float64Array;
    expectAbsClose(wLater[1], wLow[1] as number, 1e-12);
  });

  it("the backtester accrues a balance yield (and its changes) and leaves a price yield to the price", () => {
    const bars = 2 * YEAR + 1;
    const base = syntheticPanel(
      [
        { symbol: "USDC", category: "stablecoin", drift: 0, vol: 0 },
        { symbol: "AUSDC", category: "stablecoin", drift: 0, vol: 0 },
      ],
      bars,
      1,
    );
    // 0% the first year, 10% the second.
    const apy = Float64Array.from({ length: bars }, (_, t) => (t < YEAR ? 0 : 0.1));
    const run = (accrual: "price" | "balance") =>
      runBacktest({
        panel: withYields(base, {
          apy: [new Float64Array(bars).fill(Number.NaN), apy],
          accrual: [null, accrual],
          source: "test",
        }),
        strategy: singleAsset("AUSDC"),
        costs: zeroCosts(2),
        rules: openRules(2),
        baseAssetIndex: 0,
        settings: { initialNavUsd: 1_000_000, decideEveryBars: 1000 },
      });
    const balance = run("balance");
    const price = run("price");
    const last = bars - 1;
    // Bought at bar 1, then a year at 0% and a year at 10% (the APY known at each bar's start).
    expectAbsClose(balance.nav[last] as number, 1_000_000 * 1.1, 1);
    expectAbsClose(
      balance.yieldUsd.reduce((s, v) => s + v, 0),
      100_000,
      1,
    );
    expect(balance.yieldUsd.slice(0, YEAR).reduce((s, v) => s + v, 0)).to.equal(0);
    expectAbsClose(price.nav[last], 1_000_000, 1);
    expect(price.yieldUsd.every((v) => v === 0)).to.equal(true);
  });

  it("reports the APY used against the yield an exchange rate realised", () => {
    const panel = yieldMarket(YEAR + 1);
    const withA = withYields(panel, flatYields(panel, 0.05, "price"));
    // A rate that grows 4% a year, by the day.
    const rate: RateSeries = {
      timestamps: panel.timestamps,
      rate: Float64Array.from(panel.timestamps, (_, t) => 1.04 ** (t / YEAR)),
      kind: "on-chain rate",
    };
    expectAbsClose(realisedYield(rate, panel.timestamps[0] as number, panel.timestamps[YEAR] as number), 0.04, 1e-12);
    // A rate that stops before the end does not stand for the whole run.
    const short = { ...rate, timestamps: rate.timestamps.subarray(0, 200), rate: rate.rate.subarray(0, 200) };
    expect(realisedYield(short, panel.timestamps[0] as number, panel.timestamps[YEAR] as number)).to.equal(null);
    const rows = yieldReportRows(withA, { from: 0, to: YEAR }, new Map([["A", rate]]));
    expect(rows).to.have.length(1);
    expectAbsClose(rows[0]?.apyUsed, 0.05, 1e-12);
    expectAbsClose(rows[0]?.realised, 0.04, 1e-12);
    expect(rows[0]?.coverage).to.equal(1);
  });

  it("research's yield-aware candidates carry their APYs and accruals in the research config, as a release does", () => {
    const cfg = researchConfigSchema.parse({ lstYields: { A: 0.3 } });
    expect(cfg.lstYieldAccrual.STETH).to.equal("balance");
    const candidate = buildCandidates(cfg).find((c) => c.family === "mean-variance+yield");
    const plain = buildCandidates(researchConfigSchema.parse({ lstYields: {} })).find((c) => c.id === candidate?.id);
    if (!candidate || !plain) throw new Error("no candidate");
    const panel = yieldMarket();
    const w = candidate.make(panel).decide(viewAt(panel, 300)) as Float64Array;
    const w0 = plain.make(panel).decide(viewAt(panel, 300)) as Float64Array;
    expect(candidate.make(panel).name).to.include("+yield");
    expect(w[1] as number).to.be.greaterThan((w0[1] as number) + 0.05);
  });

  it("runs the LST index study in ETH with the yield-aware optimizer first, on a synthetic LST market", () => {
    const bars = 500;
    const market = syntheticPanel(
      [
        { symbol: "WETH", drift: 0.001, vol: 0.03 },
        { symbol: "WSTETH", category: "lst", drift: 0.001 + Math.log1p(0.04) / YEAR, vol: 0.03 },
        { symbol: "RETH", category: "lst", drift: 0.001 + Math.log1p(0.035) / YEAR, vol: 0.03 },
      ],
      bars,
      3,
    );
    const cfg = lstStudyConfigSchema.parse({});
    const inEth = lstPanelInEth(market);
    const panel = { ...inEth, yields: lstYields(inEth, cfg) };
    expect(panel.assets.map((a) => a.symbol)).to.deep.equal([...LST_INDEX]);
    expect(Array.from(panel.close[0] as Float64Array).every((v) => Math.abs(v - 1) < 1e-12)).to.equal(true);
    const study = runLstYieldStudy(panel, cfg, { from: 100, to: bars - 1 }, new Map());
    expect(study.rows.map((r) => r.strategy)[0]).to.equal("mean-variance+yield (default)");
    expect(study.rows).to.have.length(4);
    for (const r of study.rows) expect(Number.isFinite(r.annualisedReturn), r.strategy).to.equal(true);
    expect(study.yields.map((y) => [y.symbol, y.source])).to.deep.equal([
      ["WSTETH", "constant prior"],
      ["RETH", "constant prior"],
    ]);
    expectAbsClose(study.yields[0]?.apyUsed, 0.04, 1e-12);
    expectAbsClose(study.yields[1]?.apyUsed, 0.035, 1e-12);
    expect(study.markdown).to.include("APY used against realised yield");
  });

  it("on the shared data: realised LST yields from real rates beside the priors (skips without ../shared/data)", function () {
    const data = "../shared/data/market_daily.csv";
    const ratePath = "../shared/data/reth_eth_rate_daily.csv";
    if (!existsSync(data) || !existsSync(ratePath)) {
      console.log("      skipped: ../shared/data is absent");
      this.skip();
    }
    this.timeout(60_000);
    const market = loadMarketCsv(data, { freq: "24h" }).panel;
    const reth = { ...loadDailyRateCsv(ratePath, "reth_eth_rate"), kind: "on-chain rETH/ETH rate" };
    const cfg = lstStudyConfigSchema.parse({});
    const inEth = lstPanelInEth(market, reth);
    const panel = { ...inEth, yields: lstYields(inEth, cfg) };
    const first = (panel.close[2] as Float64Array).findIndex((p) => p > 0);
    const study = runLstYieldStudy(
      panel,
      cfg,
      { from: first + 90, to: panel.timestamps.length - 1 },
      new Map([["RETH", reth]]),
    );
    console.log(study.markdown.replace(/^/gm, "      "));
    const r = study.yields.find((y) => y.symbol === "RETH");
    // Rocket Pool paid roughly 3-5% a year over 2022-2023: a sanity bound, not a target.
    expect(r?.realised).to.be.greaterThan(0.02).and.lessThan(0.07);
  });
});

function zeroCosts(n: number): CostConfig {
  return {
    feeTiers: Array.from({ length: n }, (_, i) => (i === 0 ? [] : [0])),
    poolDepthUsd: new Float64Array(n).fill(1e15),
    rangeHalfWidth: new Float64Array(n).fill(Number.NaN),
    sqrtImpactK: 0,
    gasUsdPerLeg: 0,
    maxSlippage: 0.03,
  };
}

function openRules(n: number): VaultRules {
  return {
    managementFeeBps: 0,
    performanceFeeBps: 0,
    maxWeightBps: new Float64Array(n).fill(10_000),
    maxTurnoverBps: 20_000,
    cooldownSeconds: 0,
    toleranceBps: 0,
  };
}
