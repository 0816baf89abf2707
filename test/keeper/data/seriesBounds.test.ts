import { expect } from "chai";
import type { MarketPanel } from "../../../keeper/src/core/types.js";
import { coverageNote, panelCoverage, survivorshipNote } from "../../../keeper/src/data/coverage.js";
import { buildPanel } from "../../../keeper/src/data/panel.js";
import { formatReport } from "../../../keeper/src/data/validation.js";

const DAY = 86_400;
const T0 = 1_700_006_400; // a UTC midnight
const N = Number.NaN;

/** FULL trades every bar; LATE lists on bar 3; GONE stops after bar 5; HOLE misses bar 4. */
function panel(): ReturnType<typeof buildPanel> {
  const ts = Array.from({ length: 10 }, (_, i) => T0 + i * DAY);
  const row = (f: (i: number) => number) => ts.map((_, i) => f(i));
  return buildPanel(
    [
      { symbol: "FULL", timestamps: ts, close: row((i) => 10 + i) },
      { symbol: "LATE", timestamps: ts, close: row((i) => (i < 3 ? N : 5 + i)) },
      { symbol: "GONE", timestamps: ts, close: row((i) => (i > 5 ? N : 20 - i)) },
      { symbol: "HOLE", timestamps: ts, close: row((i) => (i === 4 ? N : 7)) },
    ],
    { freq: "24h" },
  );
}

const label = (p: MarketPanel) => (bar: number) => String(p.timestamps[bar]);

describe("data validation: series that start or end inside the range", () => {
  it("reports every late start and every early end with its bar, alongside gaps", () => {
    const { report } = panel();
    const bounds = report.issues.filter((i) => i.kind === "series_start" || i.kind === "series_end");
    expect(bounds.map((i) => [i.kind, i.symbol, i.timestamp, i.bars])).to.deep.equal([
      ["series_start", "LATE", T0 + 3 * DAY, 3],
      ["series_end", "GONE", T0 + 5 * DAY, 4],
    ]);
    expect(report.counts.series_start).to.equal(1);
    expect(report.counts.series_end).to.equal(1);
    expect(report.counts.gap).to.equal(1);
    expect(formatReport(report, String)).to.match(/series_end GONE .* last close 4 bar\(s\) before the range ends/);
  });

  it("reports a series with no close in the requested range", () => {
    const ts = [T0, T0 + DAY, T0 + 2 * DAY];
    const { report } = buildPanel(
      [
        { symbol: "A", timestamps: ts, close: [1, 2, 3] },
        { symbol: "B", timestamps: ts, close: [N, N, N] },
      ],
      { freq: "24h" },
    );
    expect(report.issues.filter((i) => i.kind === "series_end").map((i) => [i.symbol, i.detail])).to.deep.equal([
      ["B", "no valid close in the range"],
    ]);
  });

  it("a range that ends before a series does reports no end for it", () => {
    const { report } = buildPanel([{ symbol: "A", timestamps: [T0, T0 + DAY, T0 + 2 * DAY], close: [1, 2, 3] }], {
      freq: "24h",
      end: T0 + DAY,
    });
    expect(report.counts.series_end).to.equal(0);
  });

  it("computes coverage and the survivorship note from the data", () => {
    const p = panel().panel;
    const cov = panelCoverage(p);
    expect(cov.map((c) => [c.symbol, c.firstBar, c.lastBar, c.fraction, c.startsLate, c.endsEarly])).to.deep.equal([
      ["FULL", 0, 9, 1, false, false],
      ["LATE", 3, 9, 0.7, true, false],
      ["GONE", 0, 5, 0.6, false, true],
      ["HOLE", 0, 9, 0.9, false, false],
    ]);
    const lab = label(p);
    expect(survivorshipNote(cov, lab)).to.equal(
      `1 of 4 series end inside the range: GONE (last close ${T0 + 5 * DAY}); positions in them are handled by the frozen-position policy`,
    );
    expect(coverageNote(cov, lab)).to.equal(
      `1 of 4 assets priced on every bar; starting later: LATE ${T0 + 3 * DAY}; with missing bars: HOLE 90.0%`,
    );
    // Over bars 0..5 nothing ends: the note says the data holds only survivors.
    expect(survivorshipNote(panelCoverage(p, 0, 5), lab)).to.match(
      /^all 4 assets have a close .* biased toward survivors$/,
    );
  });
});
