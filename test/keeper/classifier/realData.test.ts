import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { classifyUniverse } from "../../../keeper/src/classifier/classify.js";
import { MEME_LIST } from "../../../keeper/src/classifier/memeList.js";
import type { MarketPanel } from "../../../keeper/src/core/types.js";
import { loadMarketCsv } from "../../../keeper/src/data/csv.js";
import { dailyBarClose, indexAtOrBefore } from "../../../keeper/src/data/time.js";
import { underlyingOf } from "../../../keeper/src/data/underlying.js";

const SHARED = fileURLToPath(new URL("../../../../shared/data/market_daily.csv", import.meta.url));
const DATES = ["2021-03-31", "2022-06-30", "2023-06-30", "2023-12-31"];

describe("classifier on ../shared/data/market_daily.csv", () => {
  let panel: MarketPanel;
  before(function () {
    if (!existsSync(SHARED)) {
      console.log("skipped: ../shared/data absent");
      this.skip();
    }
    // Spikes only flagged: repairing one needs the next bar, which a run at t cannot see.
    panel = loadMarketCsv(SHARED, { build: { spikes: "flag" } }).panel;
  });

  it("ranked mode: at least the minimum on every week from mid-2020, one token per underlying", () => {
    const start = indexAtOrBefore(panel.timestamps, dailyBarClose("2020-07-31"));
    const sizes: number[] = [];
    for (let t = start; t < panel.timestamps.length; t += 7) {
      const u = classifyUniverse(panel, t, { mode: "ranked" });
      sizes.push(u.selected.length);
      expect(u.shortfall, `week at bar ${t}`).to.equal(null);
      const underlying = u.selected.map((s) => underlyingOf(s));
      expect(new Set(underlying).size, u.selected.join(" ")).to.equal(underlying.length);
    }
    expect(Math.min(...sizes)).to.be.at.least(3);
  });

  it("selects investable, non-meme, non-stable tokens that pass every rule", () => {
    let nonEmpty = 0;
    for (const date of DATES) {
      const t = indexAtOrBefore(panel.timestamps, dailyBarClose(date));
      const u = classifyUniverse(panel, t);
      expect(u.selected.length, date).to.be.at.most(8);
      if (u.selected.length > 0) nonEmpty++;
      for (const symbol of u.selected) {
        const d = u.decisions.find((x) => x.symbol === symbol);
        expect(d?.included).to.equal(true);
        expect(
          Object.values(d?.checks ?? {}).every((c) => c !== false),
          `${symbol} at ${date}`,
        ).to.equal(true);
        expect(MEME_LIST).to.not.include(symbol);
        expect(["USDC", "DAI"]).to.not.include(symbol);
      }
      // Tokens listed after the date cannot be judged on data they do not have.
      const pendle = u.decisions.find((x) => x.symbol === "PENDLE");
      if (date < "2023-07-03") expect(pendle?.reasons[0]).to.equal("no close at t");
    }
    expect(nonEmpty).to.be.greaterThan(1);
  });

  it("is point in time on real data: a file cut at the date gives the same universe", () => {
    for (const date of DATES.slice(0, 3)) {
      const full = classifyUniverse(panel, indexAtOrBefore(panel.timestamps, dailyBarClose(date)));
      const cut = loadMarketCsv(SHARED, { to: date, build: { spikes: "flag" } }).panel;
      const sameAssets = cut.assets.map((a) => a.symbol);
      const fromCut = classifyUniverse(cut, cut.timestamps.length - 1);
      expect(fromCut.selected, date).to.deep.equal(full.selected);
      // Assets first seen after the date are absent from the cut file; the rest decide identically.
      for (const d of fromCut.decisions) {
        expect(d, `${d.symbol} at ${date}`).to.deep.equal(full.decisions.find((x) => x.symbol === d.symbol));
      }
      expect(sameAssets.length).to.be.at.most(panel.assets.length);
    }
  });
});
