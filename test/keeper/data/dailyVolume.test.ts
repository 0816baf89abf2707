import { expect } from "chai";
import { InvalidInputError } from "../../../keeper/src/core/errors.js";
import type { MarketPanel } from "../../../keeper/src/core/types.js";
import { spreadDailyVolume } from "../../../keeper/src/data/dailyVolume.js";

const DAY = 86_400;
const HOUR = 3_600;
const D0 = 1_672_531_200; // 2023-01-01 00:00 UTC

function panel(freq: "1h" | "24h", timestamps: number[], symbols: string[], volume: number[][]): MarketPanel {
  return {
    freq,
    timestamps: Float64Array.from(timestamps),
    assets: symbols.map((symbol) => ({ symbol, category: "l1" as const, decimals: 18 })),
    close: symbols.map(() => Float64Array.from(timestamps, () => 1)),
    volume: volume.map((v) => Float64Array.from(v)),
  };
}

describe("hourly volume from a daily file", () => {
  // Daily bars labelled 2022-12-31, 2023-01-01, 2023-01-02 (closes at the next midnight).
  const daily = panel("24h", [D0, D0 + DAY, D0 + 2 * DAY], ["BTC"], [[2400, 4800, 7200]]);

  it("gives each hour 1/24 of the previous day's volume, never its own day's", () => {
    // Hours of 2023-01-01 close at 01:00 .. 24:00; the first hour of 2023-01-02 closes at 01:00.
    const ts = Array.from({ length: 25 }, (_, h) => D0 + (h + 1) * HOUR);
    const hourly = panel("1h", ts, ["BTC", "XYZ"], [ts.map(() => Number.NaN), ts.map(() => Number.NaN)]);
    const out = spreadDailyVolume(hourly, daily);
    const v = out.panel.volume[0]!;
    // 2023-01-01's hours read 2022-12-31's volume (2400 / 24); 2023-01-02's first hour reads 2023-01-01's.
    expect(Array.from(v.subarray(0, 24))).to.deep.equal(Array.from({ length: 24 }, () => 100));
    expect(v[24]).to.equal(200);
    expect(out.panel.volumeSource?.[0]?.[0]).to.equal("daily (previous day / 24)");
    expect(out.filled).to.deep.equal(["BTC"]);
    expect(out.missing).to.deep.equal(["XYZ"]);
    expect(Number.isNaN(hourly.volume[0]![0]!)).to.equal(true); // input untouched
  });

  it("keeps an hour's own volume, and has none before the daily file starts", () => {
    const ts = [D0 - HOUR, D0 + HOUR];
    const hourly = panel("1h", ts, ["BTC"], [[Number.NaN, 5]]);
    const v = spreadDailyVolume(hourly, daily).panel.volume[0]!;
    expect(Number.isNaN(v[0]!)).to.equal(true);
    expect(v[1]).to.equal(5);
  });

  it("rejects panels of the wrong frequencies", () => {
    expect(() => spreadDailyVolume(daily, daily)).to.throw(InvalidInputError);
  });
});
