import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { backtestCommand } from "../../../keeper/src/cli/commands/backtest.js";
import { runCaptured } from "../../helpers/captureCommand.js";
import { seeded } from "./fixtures.js";

const run = (argv: string[]) => runCaptured(backtestCommand, argv);

interface Report {
  dates: string[];
  notes: Record<string, unknown>;
  runs: {
    name: string;
    benchmarkNote: string | null;
    vsBenchmark: { beta: number; coverage: number } | null;
    frozen: { maxFraction: number; lossUsd: number; events: { symbol: string; action: string; date: string }[] };
    series: { weights: Record<string, number[]> };
  }[];
}

/**
 * 200 days from 2022-01-01: USDC, BTC, WBTC (same exposure), ETH; LATE lists on day 120 (a
 * benchmark with 40% coverage); GONE stops trading after 2022-05-30 (day 149).
 */
function writeDaily(path: string): void {
  const rand = seeded(5);
  const start: Record<string, number> = { USDC: 1, BTC: 30_000, WBTC: 30_000, ETH: 2_000, LATE: 50, GONE: 10 };
  const price = { ...start };
  const lines = ["date,symbol,close_usd,volume_usd,source"];
  for (let d = 0; d < 200; d++) {
    const date = new Date(Date.UTC(2022, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
    const btcMove = Math.exp(0.04 * (rand() - 0.5));
    for (const s of Object.keys(start)) {
      if (s === "BTC" || s === "WBTC") price[s] = price[s]! * btcMove;
      else if (s !== "USDC") price[s] = price[s]! * Math.exp(0.05 * (rand() - 0.5));
      if (s === "LATE" && d < 120) continue;
      if (s === "GONE" && d > 149) continue;
      lines.push(`${date},${s},${price[s]},${(5e8 * (0.5 + rand())).toFixed(0)},test`);
    }
  }
  writeFileSync(path, `${lines.join("\n")}\n`);
}

/**
 * 40 days of hourly closes in the shared hourly file's format (no volume column): from
 * 2023-01-01 01:00 to 2023-02-09 23:00, so, like that file, the last day has no midnight bar.
 */
function writeHourly(path: string): void {
  const rand = seeded(9);
  const price: Record<string, number> = { USDC: 1, BTC: 30_000, ETH: 2_000 };
  const lines = ["timestamp_utc,symbol,close_usd,source"];
  for (let h = 1; h < 40 * 24; h++) {
    const ts = new Date(Date.UTC(2023, 0, 1) + h * 3_600_000).toISOString().slice(0, 19).replace("T", " ");
    for (const s of Object.keys(price)) {
      if (s !== "USDC") price[s] = price[s]! * Math.exp(0.01 * (rand() - 0.5));
      lines.push(`${ts},${s},${price[s]},test_hourly`);
    }
  }
  writeFileSync(path, `${lines.join("\n")}\n`);
}

describe("backtest command: benchmark, coverage, frozen positions, duplicates, date ranges", () => {
  let dir: string;
  let daily: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "ballast-backtest-flags-"));
    daily = join(dir, "daily.csv");
    writeDaily(daily);
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const report = (out: string): Report => JSON.parse(readFileSync(join(out, "backtest.json"), "utf8")) as Report;

  it("--help prints the usage and exits 0", async () => {
    const res = await run(["--help"]);
    expect(res.code).to.equal(0);
    expect(res.out).to.match(/^usage: backtest/);
    expect(res.out).to.include("--test-start");
    expect(res.out).to.include("--frozen");
  });

  it("a benchmark does not remove itself from what strategies may hold", async () => {
    const out = join(dir, "bench-btc");
    const res = await run(["--strategy", "single:BTC", "--benchmark", "BTC", "--data", daily, "--out", out]);
    expect(res.code, res.err).to.equal(0);
    const r = report(out).runs[0]!;
    expect(Math.max(...r.series.weights.BTC!)).to.be.greaterThan(0.99);
    expect(res.out).to.include("CAPM: benchmark BTC has data on 100.0% of the periods");
    // Holding the benchmark itself (after 30 days of seasoning in cash): beta well above 0.
    expect(r.vsBenchmark!.beta).to.be.greaterThan(0.7);
    // Asked for: --exclude-benchmark leaves single(BTC) in cash.
    const out2 = join(dir, "bench-btc-excluded");
    const res2 = await run([
      "--strategy",
      "single:BTC",
      "--benchmark",
      "BTC",
      "--exclude-benchmark",
      "--data",
      daily,
      "--out",
      out2,
    ]);
    expect(res2.code, res2.err).to.equal(0);
    expect(Math.max(...report(out2).runs[0]!.series.weights.BTC!)).to.equal(0);
  });

  it("refuses CAPM figures on a benchmark that covers too few periods, and says why", async () => {
    const out = join(dir, "late-bench");
    const res = await run(["--strategy", "single:ETH", "--benchmark", "LATE", "--data", daily, "--out", out]);
    expect(res.code, res.err).to.equal(0);
    const r = report(out).runs[0]!;
    expect(r.vsBenchmark).to.equal(null);
    expect(r.benchmarkNote).to.match(/benchmark LATE has data on 39\.7% of the periods \(minimum 90\.0%\)/);
    expect(res.out).to.match(/CAPM: benchmark LATE has data on 39\.7%/);
    expect(readFileSync(join(out, "backtest.html"), "utf8")).to.include(
      "<b>CAPM</b>: benchmark LATE has data on 39.7%",
    );
    // A lower threshold, asked for, gives the figures with their coverage.
    const out2 = join(dir, "late-bench-low");
    const res2 = await run([
      ...["--strategy", "single:ETH", "--benchmark", "LATE", "--min-coverage", "0.3", "--data", daily, "--out", out2],
    ]);
    expect(res2.code, res2.err).to.equal(0);
    const r2 = report(out2).runs[0]!;
    expect(r2.benchmarkNote).to.equal(null);
    expect(r2.vsBenchmark!.coverage).to.be.within(0.39, 0.41);
  });

  it("sells a position whose series ends and reports it; survivorship and coverage notes come from the data", async () => {
    const out = join(dir, "gone");
    const res = await run(["--strategy", "single:GONE", "--benchmark", "none", "--data", daily, "--out", out]);
    expect(res.code, res.err).to.equal(0);
    const rep = report(out);
    const r = rep.runs[0]!;
    expect(r.frozen.events.map((e) => [e.symbol, e.action, e.date])).to.deep.equal([["GONE", "sold", "2022-05-31"]]);
    expect(r.frozen.lossUsd).to.be.greaterThan(0);
    expect(readFileSync(join(out, "backtest.html"), "utf8")).to.match(
      /single\(GONE\): GONE sold on 2022-05-31 \(last close 2022-05-30\)/,
    );
    expect(rep.notes.survivorship).to.equal(
      "1 of 6 series end inside the range: GONE (last close 2022-05-30); positions in them are handled by the frozen-position policy",
    );
    expect(rep.notes.coverage).to.match(/starting later: LATE 2022-05-01/);
    const validation = rep.notes.validation as { seriesBounds: string[] };
    expect(validation.seriesBounds).to.deep.equal([
      "series_end GONE 2022-05-30: last close 50 bar(s) before the range ends",
      "series_start LATE 2022-05-01: first close 120 bar(s) after the range starts",
    ]);
    // The old behaviour, asked for: held at its last close, reported.
    const out2 = join(dir, "gone-hold");
    const res2 = await run([
      ...["--strategy", "single:GONE", "--frozen", "hold", "--benchmark", "none", "--data", daily, "--out", out2],
    ]);
    expect(res2.code, res2.err).to.equal(0);
    const held = report(out2).runs[0]!;
    expect(held.frozen.events.map((e) => e.action)).to.deep.equal(["held"]);
    expect(held.frozen.maxFraction).to.be.greaterThan(0.99);
  });

  it("holds one asset per underlying: equal weight never holds BTC and WBTC together", async () => {
    const out = join(dir, "dups");
    const res = await run(["--strategy", "equal-weight:24h", "--benchmark", "none", "--data", daily, "--out", out]);
    expect(res.code, res.err).to.equal(0);
    const w = report(out).runs[0]!.series.weights;
    expect(Math.max(...w.WBTC!)).to.equal(0);
    expect(Math.max(...w.BTC!)).to.be.greaterThan(0.2);
  });

  it("--test-start/--test-end restrict the scored range; --train-end must come before it", async () => {
    const out = join(dir, "range");
    const res = await run([
      ...["--strategy", "buy-and-hold", "--benchmark", "none", "--data", daily, "--out", out],
      ...["--train-end", "2022-03-31", "--test-start", "2022-04-01", "--test-end", "2022-06-30"],
    ]);
    expect(res.code, res.err).to.equal(0);
    const rep = report(out);
    expect(rep.dates[0]).to.equal("2022-04-01");
    expect(rep.dates[rep.dates.length - 1]).to.equal("2022-06-30");
    expect(rep.notes.range).to.deep.equal({ trainEnd: "2022-03-31", scored: "2022-04-01 .. 2022-06-30 (91 bars)" });
    // Without --test-start the scored range starts the bar after --train-end.
    const out2 = join(dir, "range2");
    const res2 = await run([
      ...["--strategy", "buy-and-hold", "--benchmark", "none", "--data", daily, "--out", out2],
      ...["--train-end", "2022-03-31"],
    ]);
    expect(res2.code, res2.err).to.equal(0);
    expect(report(out2).dates[0]).to.equal("2022-04-01");
  });

  it("rejects bad date ranges and frozen-policy flags with exit code 2 and a clear message", async () => {
    const base = ["--strategy", "buy-and-hold", "--benchmark", "none", "--data", daily, "--out", join(dir, "bad")];
    for (const [extra, message] of [
      [["--test-start", "2021-12-01"], /--test-start 2021-12-01 is outside the data \(2022-01-01 \.\. 2022-07-19\)/],
      [["--test-end", "2023-01-01"], /--test-end 2023-01-01 is outside the data/],
      [["--train-end", "2022-04-01", "--test-start", "2022-04-01"], /--test-start must come after --train-end/],
      [["--test-start", "2022-05-01", "--test-end", "2022-04-01"], /at least two bars/],
      [["--test-start", "2022-13-01"], /--test-start: not a valid date/],
      [["--test-start", "2022-04-01 10:00"], /--test-start must be YYYY-MM-DD on daily data/],
      [["--from", "2022-02-01", "--test-start", "2022-02-01"], /--from or --test-start, not both/],
      [["--frozen", "forget"], /--frozen must be sell, markdown or hold/],
      [["--frozen", "sell", "--haircut", "2"], /haircut/],
      [["--grace-bars", "3"], /--grace-bars needs --frozen markdown/],
      [["--min-coverage", "1.5"], /--min-coverage must be in \[0, 1\]/],
      [["--benchmark", "none", "--exclude-benchmark"], /--exclude-benchmark needs a --benchmark/],
    ] as const) {
      const res = await run([...base, ...extra]);
      expect(res.code, extra.join(" ")).to.equal(2);
      expect(res.err, extra.join(" ")).to.match(message);
    }
  });

  it("reads an hourly file (told apart by its first date) and labels bars by their close hour", async () => {
    const hourly = join(dir, "hourly.csv");
    writeHourly(hourly);
    const out = join(dir, "hourly");
    const args = ["--strategy", "equal-weight:24h", "--benchmark", "BTC", "--data", hourly];
    // Hourly closes carry no volume: without volume or pool depth the costs cannot be modelled.
    const none = await run([...args, "--out", out]);
    expect(none.code).to.equal(2);
    expect(none.err).to.match(/no volume.*--volume-data <daily csv> or --depth-usd/);
    const res = await run([
      ...args,
      ...["--depth-usd", "50000000", "--out", out],
      ...["--test-start", "2023-01-05", "--test-end", "2023-01-20 12:00"],
    ]);
    expect(res.code, res.err).to.equal(0);
    const rep = report(out);
    expect(rep.dates[0]).to.equal("2023-01-05 01:00");
    expect(rep.dates[rep.dates.length - 1]).to.equal("2023-01-20 12:00");
    // The file's last day ends at 2023-02-09 23:00 (no midnight bar): the day still names its bars.
    const last = await run([...args, "--depth-usd", "5e7", "--out", join(dir, "h-last"), "--test-end", "2023-02-09"]);
    expect(last.code, last.err).to.equal(0);
    const lastDates = report(join(dir, "h-last")).dates;
    expect(lastDates[lastDates.length - 1]).to.equal("2023-02-09 23:00");
    const outside = await run([...args, "--depth-usd", "5e7", "--out", join(dir, "h-x"), "--test-end", "2023-02-10"]);
    expect(outside.code).to.equal(2);
    expect(outside.err).to.match(
      /--test-end 2023-02-10 is outside the data \(2023-01-01 01:00 \.\. 2023-02-09 23:00\)/,
    );
    // Seasoned after 30 days of hourly bars (720), then invested.
    const out2 = join(dir, "hourly-depth");
    const res2 = await run([...args, "--depth-usd", "50000000", "--out", out2]);
    expect(res2.code, res2.err).to.equal(0);
    const w = report(out2).runs[0]!.series.weights;
    expect(Math.max(...w.BTC!.slice(0, 720))).to.equal(0);
    expect(w.BTC!.at(-1)).to.be.greaterThan(0.3);
    // The markdown policy's default grace is a week of bars: 168 on hourly data, 7 on daily.
    const res3 = await run([...args, "--depth-usd", "5e7", "--frozen", "markdown", "--out", join(dir, "h-md")]);
    expect(res3.code, res3.err).to.equal(0);
    expect(report(join(dir, "h-md")).notes.frozenPositions).to.match(/for 168 bar\(s\) without a price/);
    const res4 = await run([
      ...["--strategy", "buy-and-hold", "--benchmark", "none", "--data", daily, "--frozen", "markdown"],
      ...["--out", join(dir, "d-md")],
    ]);
    expect(res4.code, res4.err).to.equal(0);
    expect(report(join(dir, "d-md")).notes.frozenPositions).to.match(/for 7 bar\(s\) without a price/);
  });

  it("--volume-data fills an hourly file's volume from a daily file, one day late", async () => {
    const hourly = join(dir, "hourly.csv");
    const dailyVol = join(dir, "daily-volume.csv");
    const lines = ["date,symbol,close_usd,volume_usd,source"];
    for (let d = 0; d < 45; d++) {
      const date = new Date(Date.UTC(2022, 11, 20) + d * 86_400_000).toISOString().slice(0, 10);
      for (const s of ["USDC", "BTC", "ETH"]) lines.push(`${date},${s},1,${(d + 1) * 24e6},daily_test`);
    }
    writeFileSync(dailyVol, `${lines.join("\n")}\n`);
    const out = join(dir, "hourly-volume");
    const res = await run([
      ...["--strategy", "equal-weight:24h", "--benchmark", "none", "--data", hourly],
      ...["--volume-data", dailyVol, "--out", out],
    ]);
    expect(res.code, res.err).to.equal(0);
    const rep = report(out);
    expect(rep.notes.volume).to.match(/1\/24 of the previous day's volume .* \(3 assets\)/);
    expect(Math.max(...rep.runs[0]!.series.weights.ETH!)).to.be.greaterThan(0.3);
    const bad = await run([
      ...["--strategy", "buy-and-hold", "--benchmark", "none", "--data", daily],
      ...["--volume-data", dailyVol, "--out", out],
    ]);
    expect(bad.code).to.equal(2);
    expect(bad.err).to.match(/--volume-data fills an hourly file/);
  });
});
