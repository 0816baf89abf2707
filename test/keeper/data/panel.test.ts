import { expect } from "chai";
import { ConfigError, DataError } from "../../../keeper/src/core/errors.js";
import { buildPanel, type RawSeries } from "../../../keeper/src/data/panel.js";
import { findSpikes, robustLogSigma } from "../../../keeper/src/data/validation.js";

const DAY = 86_400;
const T0 = 1_700_006_400; // a UTC midnight
const days = (n: number): number[] => Array.from({ length: n }, (_, i) => T0 + i * DAY);

/** A gently trending price path with small deterministic wiggles. */
function path(n: number, start = 100): number[] {
  return Array.from({ length: n }, (_, i) => start * (1 + 0.002 * i) * (1 + 0.01 * Math.sin(i * 1.7)));
}

describe("data/panel buildPanel + validation", () => {
  it("aligns series of different spans on one grid with NaN outside each asset's life", () => {
    const a: RawSeries = {
      symbol: "weth",
      timestamps: days(10),
      close: path(10),
      volume: path(10, 1e6),
      volumeSource: "x",
    };
    const b: RawSeries = { symbol: "ARB", timestamps: days(10).slice(4), close: path(6, 1) };
    const { panel, report } = buildPanel([a, b], { freq: "24h" });
    expect(panel.timestamps.length).to.equal(10);
    expect(panel.assets.map((x) => x.symbol)).to.deep.equal(["WETH", "ARB"]);
    expect(panel.assets[0]?.address).to.equal("0x82aF49447D8a07e3bd95BD0d56f35241523fBab1");
    expect(Number.isNaN(panel.close[1]?.[3] as number)).to.equal(true);
    expect(panel.close[1]?.[4]).to.equal(1);
    expect(panel.volumeSource?.[0]?.[0]).to.equal("x");
    // Leading NaN before a listing is not a gap; the late start is reported as a fact.
    expect(report.issues.map((i) => [i.kind, i.symbol, i.timestamp])).to.deep.equal([
      ["series_start", "ARB", T0 + 4 * DAY],
    ]);
    expect(report.counts.gap).to.equal(0);
  });

  it("drops non-positive and NaN prices, sorts unsorted input and keeps the last duplicate", () => {
    const ts = [T0 + 2 * DAY, T0, T0 + DAY, T0 + DAY, T0 + 3 * DAY];
    const { panel, report } = buildPanel(
      [{ symbol: "X", timestamps: ts, close: [3, 1, 2, 2.5, Number.NaN], volume: [1, 1, -5, 1, 1] }],
      { freq: "24h" },
    );
    expect([...(panel.close[0] as Float64Array)]).to.deep.equal([1, 2.5, 3]);
    expect(report.counts.duplicate_timestamp).to.equal(1);
    expect(report.counts.invalid_price).to.equal(1);
    expect(report.counts.invalid_volume).to.equal(1);
  });

  it("reports gaps and forward-fills at most ffillLimit bars of each; volume is never filled", () => {
    const close = path(12);
    for (const i of [3, 6, 7, 8]) close[i] = Number.NaN;
    const series: RawSeries = { symbol: "X", timestamps: days(12), close, volume: path(12, 10) };
    const none = buildPanel([series], { freq: "24h" });
    expect(none.report.counts.gap).to.equal(2);
    expect(none.report.filledBars).to.equal(0);
    const two = buildPanel([series], { freq: "24h", ffillLimit: 2 });
    const row = two.panel.close[0] as Float64Array;
    expect(row[3]).to.equal(row[2]);
    expect(row[6]).to.equal(row[5]);
    expect(row[7]).to.equal(row[5]);
    expect(Number.isNaN(row[8] as number)).to.equal(true); // third bar of the gap: past the limit
    expect(two.report.filledBars).to.equal(3);
    const long = two.report.issues.find((i) => i.kind === "gap" && i.bars === 3);
    expect(long?.action).to.equal("left_missing");
  });

  it("repairs one-bar spikes that revert, but keeps genuine jumps that do not revert", () => {
    const close = path(40);
    close[20] = (close[20] as number) * 3; // bad tick: back to normal next bar
    close[30] = (close[30] as number) * 2; // real jump: stays up
    for (let i = 31; i < 40; i++) close[i] = (close[i] as number) * 2;
    const { panel, report } = buildPanel([{ symbol: "X", timestamps: days(40), close }], { freq: "24h" });
    expect(report.counts.spike).to.equal(1);
    expect(report.issues.find((i) => i.kind === "spike")?.timestamp).to.equal(T0 + 20 * DAY);
    expect(Number.isNaN(panel.close[0]?.[20] as number)).to.equal(true);
    expect(panel.close[0]?.[30]).to.equal(close[30]);
    const flagged = buildPanel([{ symbol: "X", timestamps: days(40), close }], { freq: "24h", spikes: "flag" });
    expect(flagged.panel.close[0]?.[20]).to.equal(close[20]);
    expect(flagged.report.issues.find((i) => i.kind === "spike")?.action).to.equal("flagged");
  });

  it("never treats the last bar as a spike (nothing after it says whether it reverts)", () => {
    const close = path(30);
    close[29] = (close[29] as number) * 5;
    expect(findSpikes(Float64Array.from(close), { minLogMove: 0.3, sigmas: 8, revertFraction: 0.25 })).to.deep.equal(
      [],
    );
  });

  it("flags stablecoin depegs as episodes and never 'repairs' them as spikes", () => {
    const close = Array.from({ length: 20 }, () => 1);
    close[10] = 0.88; // one-day depeg that reverts: a spike shape, but it is real
    close[14] = 0.97;
    close[15] = 0.96;
    const { panel, report } = buildPanel([{ symbol: "USDC", timestamps: days(20), close }], { freq: "24h" });
    expect(report.counts.spike).to.equal(0);
    expect(panel.close[0]?.[10]).to.equal(0.88);
    const depegs = report.issues.filter((i) => i.kind === "depeg");
    expect(depegs.map((d) => d.bars)).to.deep.equal([1, 2]);
    expect(depegs[1]?.value).to.equal(0.96);
  });

  it("snaps off-grid timestamps only when asked, and rejects on request", () => {
    const ts = days(5).map((t, i) => (i === 2 ? t + 120 : t));
    const series: RawSeries = { symbol: "X", timestamps: ts, close: path(5) };
    const exact = buildPanel([series], { freq: "24h" });
    expect(exact.report.counts.misaligned_timestamp).to.equal(1);
    expect(Number.isNaN(exact.panel.close[0]?.[2] as number)).to.equal(true);
    const snapped = buildPanel([series], { freq: "24h", align: "nearest" });
    expect(snapped.panel.close[0]?.[2]).to.equal(path(5)[2]);
    expect(() => buildPanel([series], { freq: "24h", onInvalid: "reject" })).to.throw(DataError);
  });

  it("validates its options and inputs", () => {
    const ok: RawSeries = { symbol: "X", timestamps: days(3), close: [1, 2, 3] };
    expect(() => buildPanel([ok], { freq: "24h", ffillLimit: -1 })).to.throw(ConfigError);
    expect(() => buildPanel([ok, { ...ok, symbol: "x" }], { freq: "24h" })).to.throw(DataError);
    expect(() => buildPanel([{ ...ok, close: [1, 2] }], { freq: "24h" })).to.throw(DataError);
    expect(() => buildPanel([ok], { freq: "24h", start: T0 + 5 })).to.throw(ConfigError);
  });

  it("robust sigma ignores a few bad ticks", () => {
    const clean = Float64Array.from(path(200));
    const dirty = Float64Array.from(clean);
    dirty[50] = (dirty[50] as number) * 10;
    dirty[120] = (dirty[120] as number) / 10;
    expect(Math.abs(robustLogSigma(dirty) - robustLogSigma(clean)) <= robustLogSigma(clean) * 0.1).to.equal(true);
  });
});
