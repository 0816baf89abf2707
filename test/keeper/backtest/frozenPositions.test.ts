import { expect } from "chai";
import { runBacktest } from "../../../keeper/src/backtest/backtester.js";
import { lastPricedBars, parseFrozenPolicy } from "../../../keeper/src/backtest/frozenPositions.js";
import { PortfolioSim } from "../../../keeper/src/backtest/portfolioSim.js";
import { ConfigError } from "../../../keeper/src/core/errors.js";
import type { Strategy } from "../../../keeper/src/core/types.js";
import { expectNear, handPanel, looseRules, zeroCosts } from "./fixtures.js";

const N = Number.NaN;
/** USDC, A (its series ends after bar 3), B (trades throughout, doubles once). */
const panel = handPanel({
  symbols: ["USDC", "A", "B"],
  closes: [
    [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
    [10, 10, 12, 15, N, N, N, N, N, N],
    [5, 5, 5, 5, 5, 10, 10, 10, 10, 10],
  ],
});

/** Half in A and half in B from bar 0, then holds. */
function halfHalf(): Strategy {
  let done = false;
  return {
    name: "half-half",
    decide() {
      if (done) return null;
      done = true;
      return Float64Array.from([0, 0.5, 0.5]);
    },
  };
}

function run(frozen: Parameters<typeof parseFrozenPolicy>[0]) {
  return runBacktest({
    panel,
    strategy: halfHalf(),
    costs: zeroCosts(3),
    rules: looseRules(3),
    baseAssetIndex: 0,
    frozen: parseFrozenPolicy(frozen),
  });
}

describe("frozen positions: a held asset whose price series ends", () => {
  // Bought at bar 1 (lag 1): $500k in A at 10 and $500k in B at 5. A ends at 15 on bar 3.
  it("sell: exits at the last close less the haircut on the first bar after the end, and reports it", () => {
    const r = run({ policy: "sell", haircut: 0.1 });
    expect(r.frozenEvents).to.have.length(1);
    const e = r.frozenEvents[0]!;
    expect(e.symbol).to.equal("A");
    expect(e.action).to.equal("sold");
    expect(e.lastPricedBar).to.equal(3);
    expect(e.bar).to.equal(4);
    expectNear(e.valueUsd, 750_000, 1e-6, "value at the last close");
    expectNear(e.lossUsd, 75_000, 1e-6, "haircut");
    expectNear(e.navFraction, 750_000 / 1_250_000, 1e-9, "share of the vault");
    // Proceeds sit in USDC: 675k; B doubles on bar 5: 500k -> 1M.
    expectNear(r.nav[9]!, 675_000 + 1_000_000, 1e-3, "final NAV");
    expectNear(r.weights[1]![9]!, 0, 0, "A weight after the sale");
    expect(Array.from(r.frozenUsd)).to.deep.equal(Array.from(r.frozenUsd, () => 0));
  });

  it("markdown: holds at the last close during the grace period, then marks the position down", () => {
    const r = run({ policy: "markdown", graceBars: 2, haircut: 1 });
    expect(r.frozenEvents).to.have.length(1);
    const e = r.frozenEvents[0]!;
    expect(e.action).to.equal("marked_down");
    expect(e.lastPricedBar).to.equal(3);
    // Unpriced on bars 4 and 5 (grace 2), marked down on bar 6.
    expect(e.bar).to.equal(6);
    expectNear(e.lossUsd, 750_000, 1e-6, "written off");
    expectNear(r.frozenUsd[4]!, 750_000, 1e-6, "stale value during the grace period");
    expectNear(r.frozenUsd[5]!, 750_000, 1e-6, "stale value during the grace period");
    expectNear(r.frozenUsd[6]!, 0, 1e-9, "written off");
    expectNear(r.nav[5]!, 750_000 + 1_000_000, 1e-3, "before the markdown");
    expectNear(r.nav[9]!, 1_000_000, 1e-3, "after the markdown");
  });

  it("markdown: a price that comes back restores the mark (a gap, not an end)", () => {
    const gap = handPanel({
      symbols: ["USDC", "A"],
      closes: [
        [1, 1, 1, 1, 1, 1, 1, 1],
        [10, 10, N, N, N, N, 20, 20],
      ],
    });
    const sim = new PortfolioSim({
      panel: gap,
      initialNavUsd: 1000,
      costs: zeroCosts(2),
      rules: looseRules(2),
      baseAssetIndex: 0,
      frozen: parseFrozenPolicy({ policy: "markdown", graceBars: 1, haircut: 0.5 }),
    });
    sim.markTo(1);
    sim.rebalance(1, Float64Array.from([0, 1]));
    sim.markTo(2);
    expectNear(sim.totalAssetsUsd, 1000, 1e-9, "within grace");
    // A gap is unpriced but not frozen: the series goes on.
    expectNear(sim.staleValueUsd, 1000, 1e-9, "unpriced");
    expect(sim.frozenValueUsd).to.equal(0);
    sim.markTo(3);
    expectNear(sim.totalAssetsUsd, 500, 1e-9, "marked down 50%");
    sim.markTo(5);
    expectNear(sim.totalAssetsUsd, 500, 1e-9, "still marked down");
    expect(sim.frozenEvents).to.have.length(1);
    sim.markTo(6);
    expectNear(sim.totalAssetsUsd, 2000, 1e-9, "price back");
    expect(sim.staleValueUsd).to.equal(0);
  });

  it("hold: keeps the last close (the old behaviour) but reports the position and the stale value", () => {
    const r = run({ policy: "hold" });
    expect(r.frozenEvents).to.have.length(1);
    expect(r.frozenEvents[0]!.action).to.equal("held");
    expect(r.frozenEvents[0]!.lossUsd).to.equal(0);
    expectNear(r.frozenUsd[9]!, 750_000, 1e-6, "stale value at the end");
    expectNear(r.nav[9]!, 1_750_000, 1e-3, "final NAV");
  });

  it("sell: a series that continues after the run's last bar has not ended", () => {
    const r = runBacktest({
      panel,
      strategy: halfHalf(),
      costs: zeroCosts(3),
      rules: looseRules(3),
      baseAssetIndex: 0,
      settings: { to: 3 },
    });
    expect(r.frozenEvents).to.have.length(0);
  });

  it("rejects a bad policy with a clear error", () => {
    expect(() => parseFrozenPolicy({ policy: "sell", haircut: 1.5 })).to.throw(ConfigError, /haircut/);
    expect(() => parseFrozenPolicy({ policy: "markdown", graceBars: -1 })).to.throw(ConfigError, /graceBars/);
  });

  it("finds the last priced bar of every row", () => {
    expect(Array.from(lastPricedBars(panel.close))).to.deep.equal([9, 3, 9]);
    expect(Array.from(lastPricedBars([Float64Array.from([N, N])]))).to.deep.equal([-1]);
  });
});
