import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { DataError } from "../../../keeper/src/core/errors.js";
import { loadMarketCsv, parseMarketCsv } from "../../../keeper/src/data/csv.js";
import { parseCsv } from "../../../keeper/src/data/csvParse.js";
import { dailyBarClose } from "../../../keeper/src/data/time.js";

const FIXTURE = fileURLToPath(new URL("../../fixtures/data/market_small.csv", import.meta.url));
const SHARED = fileURLToPath(new URL("../../../../shared/data/market_daily.csv", import.meta.url));

describe("data/csv", () => {
  it("parses quoted fields, doubled quotes and CRLF line ends", () => {
    const rows = parseCsv('a,b,c\r\n1,"x, y","say ""hi"""\r\n\r\n2,,3');
    expect(rows).to.deep.equal([
      ["a", "b", "c"],
      ["1", "x, y", 'say "hi"'],
      ["2", "", "3"],
    ]);
  });

  it("loads the documented schema into an aligned daily panel, ignoring extra columns", () => {
    const { panel } = loadMarketCsv(FIXTURE);
    expect(panel.freq).to.equal("24h");
    expect(panel.assets.map((a) => a.symbol)).to.deep.equal(["AAA", "USDC"]);
    // Row dated D is the close at the end of D: its bar closes at D+1 00:00 UTC.
    expect(panel.timestamps[0]).to.equal(dailyBarClose("2024-01-01"));
    expect(panel.timestamps.length).to.equal(8);
    for (let i = 1; i < panel.timestamps.length; i++) {
      expect((panel.timestamps[i] as number) - (panel.timestamps[i - 1] as number)).to.equal(86_400);
    }
    const usdc = panel.assets.findIndex((a) => a.symbol === "USDC");
    expect(panel.assets[usdc]?.category).to.equal("stablecoin");
    expect(panel.assets[usdc]?.decimals).to.equal(6);
    expect(panel.volumeSource?.[usdc]?.[0]).to.equal("venue-b");
  });

  it("reports every repair: invalid price, duplicate, spike, depeg, gap; empty volume stays missing", () => {
    const { panel, report } = loadMarketCsv(FIXTURE);
    const aaa = panel.assets.findIndex((a) => a.symbol === "AAA");
    const close = panel.close[aaa] as Float64Array;
    const volume = panel.volume[aaa] as Float64Array;
    expect(report.counts.invalid_price).to.equal(1); // -3 on 2024-01-04
    expect(Number.isNaN(close[3] as number)).to.equal(true);
    expect(report.counts.duplicate_timestamp).to.equal(1); // 2024-01-07 restated
    expect(close[6]).to.equal(11.5);
    expect(report.counts.spike).to.equal(1); // 30 between 11.2 and 11.5
    expect(Number.isNaN(close[5] as number)).to.equal(true);
    expect(report.counts.depeg).to.equal(1); // USDC 0.95
    const usdc = panel.assets.findIndex((a) => a.symbol === "USDC");
    expect(panel.close[usdc]?.[2]).to.equal(0.95); // flagged, not repaired
    expect(report.counts.gap).to.equal(2);
    expect(Number.isNaN(volume[2] as number)).to.equal(true);
    expect(report.filledBars).to.equal(0); // daily default: no forward fill
  });

  it("filters by symbol and date range, and fills forward only when asked", () => {
    const { panel, report } = parseMarketCsv(
      "date,symbol,close_usd\n2024-01-01,X,1\n2024-01-02,X,2\n2024-01-04,X,4\n2024-01-05,Y,1\n",
      { symbols: ["x"], from: "2024-01-02", to: "2024-01-04", build: { ffillLimit: 1 } },
    );
    expect(panel.assets.map((a) => a.symbol)).to.deep.equal(["X"]);
    expect([...(panel.close[0] as Float64Array)]).to.deep.equal([2, 2, 4]);
    expect(report.filledBars).to.equal(1);
    expect(Number.isNaN(panel.volume[0]?.[0] as number)).to.equal(true); // no volume column
  });

  it("rejects files without the required columns or with bad dates", () => {
    expect(() => parseMarketCsv("day,symbol,price\n2024-01-01,X,1\n")).to.throw(DataError);
    expect(() => parseMarketCsv("date,symbol,close_usd\n2024-13-01,X,1\n")).to.throw(DataError);
    expect(() => loadMarketCsv("/nonexistent/file.csv")).to.throw(DataError);
  });

  describe("on ../shared/data/market_daily.csv", () => {
    before(function () {
      if (!existsSync(SHARED)) {
        console.log("skipped: ../shared/data absent");
        this.skip();
      }
    });

    it("loads every symbol with volume sources and flags the March 2023 USDC depeg", () => {
      const { panel, report } = loadMarketCsv(SHARED);
      expect(panel.assets.length).to.be.greaterThan(25);
      const symbols = panel.assets.map((a) => a.symbol);
      for (const s of ["BTC", "WETH", "USDC", "ARB", "PEPE", "GMX"]) expect(symbols).to.include(s);
      const depegs = report.issues.filter((i) => i.kind === "depeg" && i.symbol === "USDC");
      expect(depegs.some((d) => d.timestamp === dailyBarClose("2023-03-11"))).to.equal(true);
      // GMX volume is Bybit perpetual turnover: the source must say so, per bar.
      const gmx = symbols.indexOf("GMX");
      const last = panel.timestamps.length - 1;
      expect(panel.volumeSource?.[gmx]?.[last]).to.match(/bybit/i);
    });
  });
});
