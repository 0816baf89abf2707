import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect } from "chai";
import { backtestCommand } from "../../../keeper/src/cli/commands/backtest.js";
import { runCaptured } from "../../helpers/captureCommand.js";
import { seeded } from "./fixtures.js";

const run = (argv: string[]) => runCaptured(backtestCommand, argv);

interface Report {
  runs: {
    name: string;
    metrics: { turnoverAnnualised: number };
    totals: { rebalancesExecuted: number; tradingCostUsd: number };
  }[];
}

/**
 * 60 days of hourly closes: 20 days calm (about 30% annualised), then 20 stressed (about
 * 200%), then calm again. Shared hourly format, no volume.
 */
function writeJumpy(path: string): void {
  const rand = seeded(21);
  const price: Record<string, number> = { USDC: 1, BTC: 30_000, ETH: 2_000 };
  const lines = ["timestamp_utc,symbol,close_usd,source"];
  for (let h = 1; h < 60 * 24; h++) {
    const ts = new Date(Date.UTC(2023, 0, 1) + h * 3_600_000).toISOString().slice(0, 19).replace("T", " ");
    const stressed = h >= 20 * 24 && h < 40 * 24;
    const size = (stressed ? 2.0 : 0.3) / Math.sqrt(8_760);
    for (const s of Object.keys(price)) {
      if (s !== "USDC") price[s] = price[s]! * Math.exp(size * Math.sqrt(12) * (rand() - 0.5));
      lines.push(`${ts},${s},${price[s]},test_hourly`);
    }
  }
  writeFileSync(path, `${lines.join("\n")}\n`);
}

describe("backtest command: the keeper's volatility steering on hourly bars", () => {
  let dir: string;
  let hourly: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "ballast-volsteer-"));
    hourly = join(dir, "hourly.csv");
    writeJumpy(hourly);
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const report = (out: string): Report => JSON.parse(readFileSync(join(out, "backtest.json"), "utf8")) as Report;
  const common = () => ["--data", hourly, "--benchmark", "none", "--depth-usd", "5e7"];

  it("rebalances more often in the stressed weeks than the plain schedule", async () => {
    const steering = join(dir, "steering.json");
    writeFileSync(steering, JSON.stringify({ minReturns: 24 }));
    const out = join(dir, "out");
    const res = await run([
      ...common(),
      ...["--strategy", "scheduled:48h:equal-weight:1h", "--strategy", "steered:48h:equal-weight:1h"],
      ...["--vol-steering", steering, "--out", out],
    ]);
    expect(res.code, res.err).to.equal(0);
    const [plain, steered] = report(out).runs;
    expect(plain?.name).to.equal("equal-weight(1)@48");
    expect(steered?.name).to.equal("equal-weight(1)+vol-steered@48");
    // Every 48 h after the 30-day seasoning: ~15 trades; stressed weeks at 12 h intervals add more.
    expect(plain!.totals.rebalancesExecuted).to.be.within(10, 20);
    expect(steered!.totals.rebalancesExecuted).to.be.greaterThan(plain!.totals.rebalancesExecuted);
  });

  it("with only the trade share steered, the same schedule trades less", async () => {
    const sizeOnly = join(dir, "size-only.json");
    const ones = { "very-low": 1, low: 1, medium: 1, high: 1, "very-high": 1 };
    writeFileSync(sizeOnly, JSON.stringify({ intervalMultiplier: ones, minReturns: 24 }));
    const out = join(dir, "size");
    const res = await run([
      ...common(),
      ...["--strategy", "scheduled:48h:equal-weight:1h", "--strategy", "steered:48h:equal-weight:1h"],
      ...["--vol-steering", sizeOnly, "--out", out],
    ]);
    expect(res.code, res.err).to.equal(0);
    const [plain, steered] = report(out).runs;
    expect(steered!.metrics.turnoverAnnualised).to.be.lessThan(plain!.metrics.turnoverAnnualised);
  });

  it("refuses a bad steering file or spec with exit code 2 and a clear message", async () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ tradeFraction: { calm: 1 } }));
    const res = await run([...common(), "--strategy", "steered:48h:equal-weight:1h", "--vol-steering", bad]);
    expect(res.code).to.equal(2);
    expect(res.err).to.match(/--vol-steering .*bad\.json: tradeFraction/);
    const missing = await run([
      ...common(),
      "--strategy",
      "steered:48h:equal-weight:1h",
      "--vol-steering",
      "nope.json",
    ]);
    expect(missing.code).to.equal(2);
    expect(missing.err).to.match(/not a readable JSON file/);
    const spec = await run([...common(), "--strategy", "steered:0h:equal-weight:1h"]);
    expect(spec.code).to.equal(2);
    expect(spec.err).to.match(/steered:0h:equal-weight:1h: the period must be a positive multiple of 1h/);
  });

  describe("on the real hourly data (../shared/data)", () => {
    const shared = resolve("../shared/data/market_hourly_close.csv");
    const volume = resolve("../shared/data/market_daily.csv");
    before(function () {
      if (!existsSync(shared) || !existsSync(volume)) {
        console.log("skipped: ../shared/data absent");
        this.skip();
      }
    });

    it("the steered schedule and size change what the keeper's baseline trades in 2022", async function () {
      this.timeout(120_000);
      const out = join(dir, "real");
      const res = await run([
        ...["--data", shared, "--volume-data", volume, "--benchmark", "BTC", "--max-weight", "0.4"],
        ...["--strategy", "scheduled:168h:inverse-vol:720h", "--strategy", "steered:168h:inverse-vol:720h"],
        ...["--test-start", "2022-01-01 00:00", "--test-end", "2022-12-31 23:00", "--out", out],
      ]);
      expect(res.code, res.err).to.equal(0);
      const [plain, steered] = report(out).runs;
      // 2022 had calm and stressed stretches: the steered run's rebalance count differs, and its
      // smaller trades in stress cut the costs (both read from the run, not fixed numbers).
      expect(plain!.totals.rebalancesExecuted).to.be.within(40, 60);
      expect(steered!.totals.rebalancesExecuted).to.not.equal(plain!.totals.rebalancesExecuted);
      expect(steered!.totals.tradingCostUsd).to.be.lessThan(plain!.totals.tradingCostUsd);
    });
  });
});
