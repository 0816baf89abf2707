import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { backtestCommand } from "../../../keeper/src/cli/commands/backtest.js";
import { runCaptured } from "../../helpers/captureCommand.js";
import { seeded } from "./fixtures.js";

const run = (argv: string[]) => runCaptured(backtestCommand, argv);

/** A small daily CSV in the shared data's format (random walks, seeded). */
function writeCsv(path: string): void {
  const rand = seeded(12);
  const symbols = { USDC: 1, BTC: 30_000, ETH: 2_000, LINK: 10, UNI: 6, DPI: 100 };
  const lines = ["date,symbol,close_usd,volume_usd,source,price_basis,volume_basis"];
  const price: Record<string, number> = { ...symbols };
  for (let d = 0; d < 240; d++) {
    const date = new Date(Date.UTC(2022, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
    for (const s of Object.keys(symbols)) {
      if (s !== "USDC") price[s] = price[s]! * Math.exp(0.05 * (rand() - 0.5));
      lines.push(`${date},${s},${price[s]},${(5e8 * (0.5 + rand())).toFixed(0)},test,close,test`);
    }
  }
  writeFileSync(path, `${lines.join("\n")}\n`);
}

describe("backtest command", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "ballast-backtest-"));
    writeCsv(join(dir, "market.csv"));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs the baselines and writes the JSON and self-contained HTML reports", async () => {
    const out = join(dir, "out");
    const res = await run([
      "--baselines",
      "--data",
      join(dir, "market.csv"),
      "--from",
      "2022-02-01",
      "--to",
      "2022-08-28",
      "--out",
      out,
    ]);
    expect(res.err).to.equal("");
    expect(res.code).to.equal(0);
    for (const name of [
      "buy-and-hold",
      "equal-weight(1)",
      "equal-weight(2)",
      "equal-weight(7)",
      "single(BTC)",
      "single(ETH)",
    ]) {
      expect(res.out).to.include(`| ${name} |`);
    }
    const report = JSON.parse(readFileSync(join(out, "backtest.json"), "utf8")) as {
      dates: string[];
      runs: { name: string; series: { weights: Record<string, number[]> } }[];
    };
    expect(report.dates[0]).to.equal("2022-02-01");
    expect(report.dates[report.dates.length - 1]).to.equal("2022-08-28");
    // DPI is the benchmark and stays holdable (a yardstick does not shrink the universe).
    const ew = report.runs.find((r) => r.name === "equal-weight(1)")!;
    expect(ew.series.weights.DPI![30]).to.be.greaterThan(0.1);
    expect(ew.series.weights.BTC![30]).to.be.greaterThan(0.2);
    const html = readFileSync(join(out, "backtest.html"), "utf8");
    expect(html).to.include('<canvas id="nav">');
    expect(html).to.not.match(/<script[^>]+src=/i);
  });

  it("rejects bad input with exit code 2 and a clear message", async () => {
    const csv = join(dir, "market.csv");
    for (const [argv, message] of [
      [["--data", csv], /at least one --strategy/],
      [["--strategy", "momentum", "--data", csv], /unknown strategy/],
      [["--strategy", "equal-weight:12h", "--data", csv], /multiple of 24h/],
      [["--strategy", "buy-and-hold", "--data", csv, "--lag", "0"], /--lag/],
      [["--strategy", "buy-and-hold", "--data", csv, "--freq", "5m"], /--freq/],
      [["--strategy", "buy-and-hold", "--data", join(dir, "missing.csv")], /not found/],
      [["--strategy", "buy-and-hold", "--data", csv, "--benchmark", "XYZ"], /not in the data/],
      [["--bogus"], /unknown flag --bogus/],
      [["--strategy", "buy-and-hold", "--baseline"], /unknown flag --baseline \(did you mean --baselines\?\)/],
    ] as const) {
      const res = await run([...argv]);
      expect(res.code, argv.join(" ")).to.equal(2);
      expect(res.err).to.match(message);
    }
    expect(existsSync(join(dir, "missing.csv"))).to.equal(false);
  });

  describe("on the shared real data", () => {
    const shared = "../shared/data/market_daily.csv";
    before(function () {
      if (!existsSync(shared)) {
        console.log("skipped: ../shared/data absent");
        this.skip();
      }
    });

    it("single(BTC) tracks BTC's price after its one buy, net of that buy's cost", async () => {
      const out = join(dir, "shared");
      const res = await run([
        "--strategy",
        "single:BTC",
        "--data",
        shared,
        "--from",
        "2021-01-01",
        "--to",
        "2023-12-31",
        "--out",
        out,
      ]);
      expect(res.code, res.err).to.equal(0);
      const report = JSON.parse(readFileSync(join(out, "backtest.json"), "utf8")) as {
        runs: {
          series: { nav: number[]; costUsd: number[]; weights: Record<string, number[]> };
          totals: { rebalancesExecuted: number };
        }[];
      };
      const run0 = report.runs[0]!;
      expect(run0.totals.rebalancesExecuted).to.equal(1);
      const bought = run0.series.weights.BTC!.findIndex((w) => w > 0.99);
      expect(bought).to.be.greaterThan(0);
      const csv = readFileSync(shared, "utf8").split("\n");
      const btc = (date: string) => Number(csv.find((l) => l.startsWith(`${date},BTC,`))!.split(",")[2]);
      const nav = run0.series.nav;
      // From the close of the buy bar to the end, NAV moves exactly with BTC (no fees set).
      const firstDay = new Date(Date.UTC(2021, 0, 1 + bought)).toISOString().slice(0, 10);
      const ratio = nav[nav.length - 1]! / nav[bought]! / (btc("2023-12-31") / btc(firstDay));
      expect(Math.abs(ratio - 1)).to.be.lessThan(1e-6);
      // The one buy cost a few basis points of $1M (5 bp pool, square-root impact, gas).
      const cost = run0.series.costUsd.reduce((a, b) => a + b, 0);
      expect(cost).to.be.within(500, 2_000);
    });
  });
});
