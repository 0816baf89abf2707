import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { DataError } from "../../../keeper/src/core/errors.js";
import { inferCsvFrequency, loadMarketCsv, parseMarketCsv } from "../../../keeper/src/data/csv.js";
import { barLabel } from "../../../keeper/src/data/time.js";

const SHARED_HOURLY = fileURLToPath(new URL("../../../../shared/data/market_hourly_close.csv", import.meta.url));

describe("data: bars labelled as the file labels them; hourly files", () => {
  it("a daily row dated D is labelled D (its bar closes at D+1 00:00)", () => {
    const text = "date,symbol,close_usd\n2023-03-01,BTC,1\n2023-03-02,BTC,2\n2023-03-03,BTC,3\n";
    const { panel } = parseMarketCsv(text);
    expect(Array.from(panel.timestamps, (ts) => barLabel(ts, "24h"))).to.deep.equal([
      "2023-03-01",
      "2023-03-02",
      "2023-03-03",
    ]);
    expect(new Date(panel.timestamps[0]! * 1000).toISOString()).to.equal("2023-03-02T00:00:00.000Z");
  });

  it("an hourly row (the shared file's format: timestamp_utc, no volume) is labelled by its close hour", () => {
    const text = [
      "timestamp_utc,symbol,close_usd,source",
      "2021-01-01 01:00:00,BTC,29000,binance",
      "2021-01-01 01:00:00,ETH,740,binance",
      "2021-01-01 02:00:00,BTC,29100,binance",
      "2021-01-01 02:00:00,ETH,742,binance",
      "2021-01-01 03:00:00,BTC,29050,binance",
    ].join("\n");
    const { panel, report } = parseMarketCsv(text, { freq: "1h" });
    expect(panel.freq).to.equal("1h");
    expect(Array.from(panel.timestamps, (ts) => barLabel(ts, "1h"))).to.deep.equal([
      "2021-01-01 01:00",
      "2021-01-01 02:00",
      "2021-01-01 03:00",
    ]);
    expect(panel.volume.every((row) => row.every(Number.isNaN))).to.equal(true);
    // ETH's last close is an hour before the range ends: reported.
    expect(report.issues.map((i) => [i.kind, i.symbol, barLabel(i.timestamp, "1h")])).to.deep.equal([
      ["series_end", "ETH", "2021-01-01 02:00"],
    ]);
  });

  it("tells a daily file from an hourly one by its first date", () => {
    const dir = mkdtempSync(join(tmpdir(), "ballast-freq-"));
    try {
      const daily = join(dir, "d.csv");
      const hourly = join(dir, "h.csv");
      const odd = join(dir, "x.csv");
      writeFileSync(daily, "date,symbol,close_usd\n2023-01-01,BTC,1\n");
      writeFileSync(hourly, "timestamp_utc,symbol,close_usd\n2023-01-01 01:00:00,BTC,1\n");
      writeFileSync(odd, "date,symbol,close_usd\n01/02/2023,BTC,1\n");
      expect(inferCsvFrequency(daily)).to.equal("24h");
      expect(inferCsvFrequency(hourly)).to.equal("1h");
      expect(() => inferCsvFrequency(odd)).to.throw(DataError, /cannot tell daily from hourly/);
      expect(() => inferCsvFrequency(join(dir, "missing.csv"))).to.throw(DataError, /cannot read CSV/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe("the shared hourly file", () => {
    before(function () {
      if (!existsSync(SHARED_HOURLY)) {
        console.log("skipped: ../shared/data absent");
        this.skip();
      }
    });

    it("loads as an hourly panel with its own labels and reports late listings", function () {
      this.timeout(60_000);
      expect(inferCsvFrequency(SHARED_HOURLY)).to.equal("1h");
      const { panel, report } = loadMarketCsv(SHARED_HOURLY, { freq: "1h" });
      expect(barLabel(panel.timestamps[0]!, "1h")).to.equal("2021-01-01 01:00");
      expect(barLabel(panel.timestamps[panel.timestamps.length - 1]!, "1h")).to.equal("2023-12-31 23:00");
      expect(panel.assets.map((a) => a.symbol)).to.include.members(["BTC", "ETH", "USDC", "WBTC", "WSTETH"]);
      const starts = new Map(
        report.issues.filter((i) => i.kind === "series_start").map((i) => [i.symbol, barLabel(i.timestamp, "1h")]),
      );
      expect(starts.get("WBTC")).to.equal("2023-04-28 11:00");
      expect(starts.get("ARB")).to.equal("2023-03-23 16:00");
      expect(report.counts.series_end).to.equal(0);
    });
  });
});
