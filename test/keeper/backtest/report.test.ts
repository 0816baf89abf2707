import { readFileSync } from "node:fs";
import { expect } from "chai";
import { runBacktest } from "../../../keeper/src/backtest/backtester.js";
import { renderHtmlReport } from "../../../keeper/src/backtest/htmlReport.js";
import { buildReport, reportToJson } from "../../../keeper/src/backtest/report.js";
import { chartJsUmdPath } from "../../../keeper/src/cli/commands/backtest.js";
import { buyAndHold, equalWeight } from "../../../keeper/src/strategy/baselines/simple.js";
import { expectNear, looseRules, randomPanel, zeroCosts } from "./fixtures.js";

describe("reports", () => {
  const panel = randomPanel(8, 4, 3000);
  const runs = [equalWeight({ rebalanceEveryBars: 7 }), buyAndHold()].map((strategy) =>
    runBacktest({
      panel,
      strategy,
      costs: zeroCosts(4),
      rules: looseRules(4, { managementFeeBps: 50 }),
      baseAssetIndex: 0,
    }),
  );
  const benchmark = { name: "A1", values: Float64Array.from(panel.close[1]!) };
  benchmark.values.fill(Number.NaN, 0, 10);
  const report = buildReport({
    title: "test <run>",
    results: runs,
    benchmark,
    riskFreeRate: 0.02,
    notes: { timing: "t -> t+1" },
  });

  it("JSON holds every series and metric of every run, and parses back", () => {
    const parsed: unknown = JSON.parse(reportToJson(report));
    const back = parsed as typeof report;
    expect(back.runs.map((r) => r.name)).to.deep.equal(["equal-weight(7)", "buy-and-hold"]);
    for (const r of back.runs) {
      for (const series of [
        r.series.nav,
        r.series.grossNav,
        r.series.drawdown,
        r.series.turnover,
        r.series.costUsd,
        r.series.feeUsd,
      ]) {
        expect(series).to.have.length(3000);
      }
      expect(Object.keys(r.series.weights)).to.deep.equal(["USDC", "A1", "A2", "A3"]);
      expect(r.metrics.sharpe).to.be.a("number");
      expect(r.vsBenchmark?.benchmark).to.equal("A1");
      expect(r.totals.feeUsd).to.be.greaterThan(0);
    }
    // Fixture bars close at midnight: the first daily bar covers the day before.
    expect(back.dates[0]).to.equal("2023-12-31");
    // NaN (benchmark before its first value) becomes null, not a broken JSON token.
    expect(back.benchmark?.nav[0]).to.equal(null);
    expectNear(back.benchmark!.nav[10]!, runs[0]!.nav[10]!, 1e-3, "benchmark starts where the first run stood");
  });

  it("HTML is self-contained: inlined Chart.js, embedded data, no external scripts", () => {
    const chartJsSource = readFileSync(chartJsUmdPath(), "utf8");
    const html = renderHtmlReport(report, { chartJsSource, maxPoints: 500 });
    expect(html).to.include(chartJsSource.slice(0, 200));
    expect(html).to.not.match(/<script[^>]+src=/i);
    expect(html).to.not.match(/<link[^>]+href=/i);
    expect(html).to.include("test &lt;run&gt;");
    const m = /<script id="report-data" type="application\/json">([\s\S]*?)<\/script>/.exec(html);
    expect(m).to.not.equal(null);
    const data = JSON.parse(m![1]!) as { labels: string[]; runs: { nav: number[] }[]; weights: unknown[] };
    // Thinned for display to about maxPoints, always keeping the last bar.
    expect(data.labels.length).to.be.within(500, 502);
    expect(data.labels[data.labels.length - 1]).to.equal(report.dates[2999]);
    expect(data.runs[0]!.nav[data.runs[0]!.nav.length - 1]).to.equal(report.runs[0]!.series.nav[2999]);
    // USDC (held at the start) and the three basket assets.
    expect(data.weights.length).to.equal(4);
  });
});
