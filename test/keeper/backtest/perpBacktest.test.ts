import { expect } from "chai";
import { capGross, runPerpBacktest } from "../../../keeper/src/backtest/perpBacktest.js";
import { InvalidInputError } from "../../../keeper/src/core/errors.js";
import type { MarketPanel, PointInTimeView, Strategy } from "../../../keeper/src/core/types.js";
import { expectAbsClose } from "../../helpers/approx.js";

const HOUR = 3_600;

function panelOf(closes: number[][]): MarketPanel {
  const bars = closes[0]?.length ?? 0;
  return {
    freq: "1h",
    timestamps: Float64Array.from({ length: bars }, (_, t) => 1_700_000_000 + t * HOUR),
    assets: closes.map((_, i) => ({ symbol: `A${i}`, category: "other", decimals: 18 })),
    close: closes.map((row) => Float64Array.from(row)),
    volume: closes.map((row) => new Float64Array(row.length).fill(Number.NaN)),
  };
}

const fixed = (weights: number[], name = "fixed"): Strategy => ({
  name,
  decide: () => Float64Array.from(weights),
});

const BASE = {
  initialEquityUsd: 10_000,
  takerFeeBps: 0,
  halfSpreadBps: 0,
  maintenanceMargin: 0.05,
  maxGrossLeverage: 3,
  rebalanceEveryBars: 1_000_000,
  lagBars: 1,
  startBar: 0,
};

describe("perpetuals backtester", () => {
  it("a short gains what the price loses; funding at a positive rate is received by the short", () => {
    const panel = panelOf([[100, 100, 90, 90]]);
    const rate = 0.001;
    const funding = [Float64Array.from([0, 0, rate, rate])];
    const r = runPerpBacktest(panel, funding, fixed([-1]), BASE);
    // Short 100 contracts from bar 1 at 100; funding at bar 2 on -100 * 90 * 0.001 = -9 (received),
    // again at bar 3; price move +1,000.
    expectAbsClose(r.equity[3], 10_000 + 1_000 + 9 + 9, 1e-9);
    expectAbsClose(r.fundingPaidUsd, -18, 1e-9);
    expect(r.averageNetExposure).to.be.lessThan(0);
  });

  it("a long pays funding at a positive rate and pays the taker fee and half-spread on every trade", () => {
    const panel = panelOf([[100, 100, 100]]);
    const funding = [Float64Array.from([0.01, 0.01, 0.01])];
    const r = runPerpBacktest(panel, funding, fixed([2]), { ...BASE, takerFeeBps: 4.5, halfSpreadBps: 0.5 });
    // Buy 200 contracts at bar 1: 20,000 notional * 5 bps = 10 USD. Funding at bar 2: 200 * 100 * 1% = 200.
    expectAbsClose(r.feesPaidUsd, 10, 1e-9);
    expectAbsClose(r.fundingPaidUsd, 200, 1e-9);
    expectAbsClose(r.equity[2], 10_000 - 10 - 200, 1e-9);
    expectAbsClose(r.grossEquity[2], 10_000 - 200, 1e-9);
  });

  it("liquidates a cross-margin account whose equity falls below the maintenance margin", () => {
    const panel = panelOf([[100, 100, 70, 60]]);
    const r = runPerpBacktest(panel, [new Float64Array(4)], fixed([3]), { ...BASE, maintenanceMargin: 0.1 });
    // 3x long: at 70 equity = 10,000 - 300 * 30 = 1,000 < 0.1 * 21,000: closed, and the drop to 60 costs nothing.
    expect(r.liquidations).to.equal(1);
    expectAbsClose(r.equity[2], 1_000, 1e-9);
    expectAbsClose(r.equity[3], 1_000, 1e-9);
  });

  it("decides on bar t and trades on t + lag at that bar's price (no look-ahead)", () => {
    const seen: number[] = [];
    const spy: Strategy = {
      name: "spy",
      decide(view: PointInTimeView) {
        seen.push(view.panel.timestamps.length - 1 - view.t);
        expect(view.panel.close[0]?.length).to.equal(view.t + 1);
        return Float64Array.from([1]);
      },
    };
    const panel = panelOf([[100, 200, 200, 200]]);
    const r = runPerpBacktest(panel, [new Float64Array(4)], spy, { ...BASE, rebalanceEveryBars: 1 });
    expect(seen.every((d) => d === 0)).to.equal(true);
    // Bought at bar 1's 200, not at bar 0's 100: the jump is not captured.
    expectAbsClose(r.equity[3], 10_000, 1e-9);
  });

  it("scales weights above the gross cap down as a whole and refuses misaligned funding", () => {
    expect([...capGross(Float64Array.from([2, -2]), 2)]).to.deep.equal([1, -1]);
    expect([...capGross(Float64Array.from([0.5, Number.NaN]), 2)]).to.deep.equal([0.5, 0]);
    const panel = panelOf([[100, 100]]);
    expect(() => runPerpBacktest(panel, [], fixed([1]), BASE)).to.throw(InvalidInputError, /funding/);
  });
});
