import { expect } from "chai";
import { type BacktestResult, runBacktest } from "../../../keeper/src/backtest/backtester.js";
import type { CostConfig } from "../../../keeper/src/backtest/portfolioSim.js";
import { ConfigError, InvalidInputError } from "../../../keeper/src/core/errors.js";
import type { MarketPanel, PointInTimeView, Strategy, WeightVector } from "../../../keeper/src/core/types.js";
import { equalWeight, singleAsset } from "../../../keeper/src/strategy/baselines/simple.js";
import { expectNear, handPanel, looseRules, randomPanel, seeded, zeroCosts } from "./fixtures.js";

function realisticCosts(n: number): CostConfig {
  return {
    feeTiers: Array.from({ length: n }, (_, i) => (i === 0 ? [] : i % 2 ? [0.0005] : [0.003, 0.0005])),
    poolDepthUsd: Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? Number.NaN : 50e6)),
    rangeHalfWidth: new Float64Array(n).fill(0.1),
    sqrtImpactK: 0.7,
    gasUsdPerLeg: 0.3,
    maxSlippage: 0.02,
  };
}

/** Holds, each time, the asset with the best trailing 5-bar return (reads history). */
function momentum(): Strategy {
  return {
    name: "test-momentum",
    decide(view: PointInTimeView): WeightVector | null {
      const { close } = view.panel;
      if (view.t < 5) return null;
      let best = -1;
      let bestRet = Number.NEGATIVE_INFINITY;
      for (let i = 1; i < close.length; i++) {
        if (!view.eligible[i]) continue;
        const r = close[i]![view.t]! / close[i]![view.t - 5]!;
        if (r > bestRet) {
          bestRet = r;
          best = i;
        }
      }
      const w = new Float64Array(close.length);
      w[Math.max(0, best)] = 1;
      return w;
    },
  };
}

function run(
  panel: MarketPanel,
  strategy: Strategy,
  extra: Partial<Parameters<typeof runBacktest>[0]> = {},
): BacktestResult {
  const n = panel.assets.length;
  return runBacktest({
    panel,
    strategy,
    costs: realisticCosts(n),
    rules: looseRules(n, { managementFeeBps: 100, performanceFeeBps: 1_000 }),
    baseAssetIndex: 0,
    ...extra,
  });
}

describe("backtester: trade timing and look-ahead", () => {
  it("decides on bar t's close and executes at bar t + lag's close", () => {
    // ETH jumps from 100 to 200 at bar 2. A buy decided at bar 1 fills at bar 2's price.
    const panel = handPanel({
      symbols: ["USDC", "ETH"],
      closes: [
        [1, 1, 1, 1],
        [100, 100, 200, 200],
      ],
    });
    const seen: number[] = [];
    const strategy: Strategy = {
      name: "buy-at-1",
      decide(view) {
        seen.push(view.panel.timestamps.length - 1);
        expect(view.panel.close[1]!.length).to.equal(view.t + 1);
        return view.t === 1 ? Float64Array.from([0, 1]) : null;
      },
    };
    const res = runBacktest({ panel, strategy, costs: zeroCosts(2), rules: looseRules(2), baseAssetIndex: 0 });
    expect(seen).to.deep.equal([0, 1, 2]);
    expect(res.rebalances).to.have.length(1);
    expect(res.rebalances[0]!.decidedAt).to.equal(1);
    expect(res.rebalances[0]!.executedAt).to.equal(2);
    // Filled at 200, so the jump is not captured: NAV stays at the start.
    expectNear(res.nav[3]!, 1_000_000, 1e-6, "NAV");
    expect(res.weights[1]![1]).to.equal(0);
    expect(res.weights[1]![2]).to.equal(1);

    const lag2 = runBacktest({
      panel,
      strategy,
      costs: zeroCosts(2),
      rules: looseRules(2),
      baseAssetIndex: 0,
      settings: { executionLagBars: 2 },
    });
    expect(lag2.rebalances[0]!.executedAt).to.equal(3);
    expect(() =>
      runBacktest({
        panel,
        strategy,
        costs: zeroCosts(2),
        rules: looseRules(2),
        baseAssetIndex: 0,
        settings: { executionLagBars: 0 },
      }),
    ).to.throw(ConfigError);
  });

  it("no decision can see data after its timestamp: altering the future changes nothing before it", () => {
    const panel = randomPanel(7, 6, 200);
    const cut = 120;
    const rand = seeded(99);
    const altered: MarketPanel = {
      ...panel,
      close: panel.close.map((row, i) => row.map((p, t) => (t > cut && i > 0 ? p * (0.3 + 1.4 * rand()) : p))),
      volume: panel.volume.map((row) => row.map((v, t) => (t > cut ? v * 10 * rand() : v))),
    };
    for (const make of [momentum, () => equalWeight({ rebalanceEveryBars: 7 })]) {
      const a = run(panel, make(), { settings: { driftThreshold: 0.05 } });
      const b = run(altered, make(), { settings: { driftThreshold: 0.05 } });
      // Everything up to and including the cut is identical, bit for bit.
      const upTo = (x: Float64Array) => Array.from(x.subarray(0, cut + 1));
      expect(upTo(b.nav)).to.deep.equal(upTo(a.nav));
      expect(upTo(b.costUsd)).to.deep.equal(upTo(a.costUsd));
      expect(upTo(b.feeUsd)).to.deep.equal(upTo(a.feeUsd));
      for (let i = 0; i < 6; i++) expect(upTo(b.weights[i]!)).to.deep.equal(upTo(a.weights[i]!));
      const decidedBy = (r: BacktestResult) => r.rebalances.filter((e) => e.decidedAt <= cut).map((e) => e.decidedAt);
      expect(decidedBy(b)).to.deep.equal(decidedBy(a));
      // ... and the future did change: the runs differ after the cut.
      expect(b.nav[199]).to.not.equal(a.nav[199]);
    }
  });

  it("hands strategies a truncated panel: reading past t is impossible", () => {
    const panel = randomPanel(3, 3, 30);
    const peeks: unknown[] = [];
    const peeker: Strategy = {
      name: "peeker",
      decide(view) {
        peeks.push(
          view.panel.close[1]![view.t + 1],
          view.panel.timestamps[view.t + 1],
          view.panel.volume[2]![view.t + 1],
        );
        return null;
      },
    };
    runBacktest({ panel, strategy: peeker, costs: zeroCosts(3), rules: looseRules(3), baseAssetIndex: 0 });
    expect(peeks.length).to.equal(29 * 3);
    expect(peeks.every((x) => x === undefined)).to.equal(true);
  });
});

describe("backtester: schedule, drift and costs", () => {
  it("rebalances on the schedule, and on drift beyond the threshold", () => {
    const panel = randomPanel(11, 5, 120);
    const scheduleOnly = run(panel, equalWeight({ rebalanceEveryBars: 30 }));
    const executed = scheduleOnly.rebalances.filter((e) => e.executed).map((e) => e.decidedAt);
    expect(executed).to.deep.equal([0, 30, 60, 90]);
    const withDrift = run(panel, equalWeight({ rebalanceEveryBars: 30 }), { settings: { driftThreshold: 0.02 } });
    const extra = withDrift.rebalances.filter((e) => e.decidedAt % 30 !== 0);
    expect(extra.length).to.be.greaterThan(0);
    // Every drift-triggered decision happened when some weight was more than 2% off 1/4.
    for (const e of extra) {
      const k = e.decidedAt;
      const gap = Math.max(...[1, 2, 3, 4].map((i) => Math.abs(withDrift.weights[i]![k]! - 0.25)));
      expect(gap).to.be.greaterThan(0.02);
    }
  });

  it("gross minus net is the cost drag; zero costs and fees give gross == net", () => {
    const panel = randomPanel(5, 6, 150);
    const costly = run(panel, equalWeight({ rebalanceEveryBars: 5 }));
    const total = (a: Float64Array) => a.reduce((s, x) => s + x, 0);
    expect(total(costly.costUsd)).to.be.greaterThan(0);
    expect(total(costly.gasUsd)).to.be.greaterThan(0);
    expect(total(costly.feeUsd)).to.be.greaterThan(0);
    expect(costly.grossNav[149]).to.be.greaterThan(costly.nav[149]!);
    const free = runBacktest({
      panel,
      strategy: equalWeight({ rebalanceEveryBars: 5 }),
      costs: zeroCosts(6),
      rules: looseRules(6),
      baseAssetIndex: 0,
    });
    for (let k = 0; k < 150; k++) expectNear(free.grossNav[k]! / free.nav[k]!, 1, 1e-9, `gross/net at ${k}`);
  });

  it("rejects a strategy that puts weight in an ineligible asset", () => {
    const panel = randomPanel(1, 3, 10);
    const rogue: Strategy = { name: "rogue", decide: () => Float64Array.from([0, 0, 1]) };
    const notA2 = (p: MarketPanel) => p.close.map((_, i) => i !== 2);
    // A well-behaved single-asset strategy holds instead of buying what it may not.
    const polite = runBacktest({
      panel,
      strategy: singleAsset("A2"),
      costs: zeroCosts(3),
      rules: looseRules(3),
      baseAssetIndex: 0,
      eligibility: notA2,
    });
    expect(polite.rebalances).to.have.length(0);
    expect(() =>
      runBacktest({
        panel,
        strategy: rogue,
        costs: zeroCosts(3),
        rules: looseRules(3),
        baseAssetIndex: 0,
        eligibility: notA2,
      }),
    ).to.throw(InvalidInputError, /ineligible/);
  });
});
