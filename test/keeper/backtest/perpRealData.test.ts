/**
 * The perps path on real prices: a slice of ../shared/data's hourly closes, a synthetic funding
 * series written as the perpetuals CSV and read back, and a long/short signal book. Checks
 * book-keeping invariants, not performance. Skips when ../shared/data is absent.
 */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { runPerpBacktest } from "../../../keeper/src/backtest/perpBacktest.js";
import type { ScoreSnapshot } from "../../../keeper/src/core/signals.js";
import { loadMarketCsv } from "../../../keeper/src/data/csv.js";
import { loadPerpCsv, perpCsvText } from "../../../keeper/src/data/perpCsv.js";
import { syntheticFunding } from "../../../keeper/src/data/syntheticFunding.js";
import { SignalStrategy } from "../../../keeper/src/strategy/signals/signalStrategy.js";

const DATA = "../shared/data/market_hourly_close.csv";

describe("perps backtest on real hourly prices with synthetic funding", function () {
  this.timeout(60_000);

  it("keeps a neutral long/short book, pays fees, and accounts funding by position sign", function () {
    if (!existsSync(DATA)) {
      console.log("skipped: ../shared/data absent");
      this.skip();
    }
    const { panel: spot } = loadMarketCsv(DATA, {
      freq: "1h",
      symbols: ["BTC", "ETH", "SOL", "LINK"],
      from: "2022-03-01 01:00",
      to: "2022-04-30 23:00",
      build: { spikes: "flag" },
    });
    const dir = mkdtempSync(join(tmpdir(), "perp-real-"));
    const path = join(dir, "perps.csv");
    writeFileSync(
      path,
      perpCsvText(spot, syntheticFunding(spot, { seed: 1 }), { price: "shared", funding: "synthetic" }),
    );
    const h = loadPerpCsv(path);
    expect(h.sources.funding).to.deep.equal(["synthetic"]);
    // Scores: trailing 3-day return at each day's close (known at that close).
    const snaps: ScoreSnapshot[] = [];
    for (let t = 72; t < h.panel.timestamps.length; t += 24) {
      const scores: Record<string, number> = {};
      h.panel.assets.forEach((a, i) => {
        scores[a.symbol] = Math.log((h.panel.close[i]?.[t] as number) / (h.panel.close[i]?.[t - 72] as number));
      });
      snaps.push({ asOf: h.panel.timestamps[t] as number, scores });
    }
    const policy = { mode: "long-short", gross: 1, maxWeight: 0.4, maxAgeSeconds: 2 * 86_400, minCoverage: 1 } as const;
    const opts = {
      initialEquityUsd: 100_000,
      takerFeeBps: 4.5,
      halfSpreadBps: 1,
      maintenanceMargin: 0.05,
      maxGrossLeverage: 2,
      rebalanceEveryBars: 24,
      lagBars: 1,
      startBar: 96,
    };
    const r = runPerpBacktest(h.panel, h.funding, new SignalStrategy(snaps, policy), opts);
    expect(r.averageGrossLeverage).to.be.within(0.9, 1.1);
    expect(Math.abs(r.averageNetExposure)).to.be.below(0.1);
    expect(r.feesPaidUsd).to.be.greaterThan(0);
    expect(r.liquidations).to.equal(0);
    expect(r.equity.every((x) => Number.isFinite(x) && x > 0)).to.equal(true);
    // The same book without funding differs from the funded one by exactly the funding paid,
    // up to the compounding of that difference through later position sizes.
    const dry = runPerpBacktest(
      h.panel,
      h.funding.map((row) => new Float64Array(row.length)),
      new SignalStrategy(snaps, policy),
      opts,
    );
    expect(dry.fundingPaidUsd).to.equal(0);
    const gap = (dry.equity.at(-1) as number) - (r.equity.at(-1) as number);
    expect(Math.sign(gap)).to.equal(Math.sign(r.fundingPaidUsd));
    expect(Math.abs(gap - r.fundingPaidUsd)).to.be.below(Math.abs(r.fundingPaidUsd) * 0.5 + 50);
  });
});
