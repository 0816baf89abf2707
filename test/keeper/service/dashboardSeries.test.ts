import { expect } from "chai";
import { loadDashboardSeries } from "../../helpers/dashboardSeries.js";

interface Point {
  t: number;
  navPerShare: number;
  benchmark: number | null;
}
interface Series {
  label: string;
  role: string;
  data: { x: number; y: number }[];
}
interface BallastSeries {
  seriesColor(i: number): string;
  navSeries(nav: { nav: Point[]; baselines: Record<string, Point[]> }): Series[];
  returnTone(value: number | null): string;
}

const { seriesColor, navSeries, returnTone } = loadDashboardSeries<BallastSeries>();

describe("dashboard series", () => {
  it("gives every asset of a large basket its own colour", () => {
    const colours = Array.from({ length: 40 }, (_, i) => seriesColor(i));
    expect(new Set(colours).size).to.equal(40);
    for (const c of colours) expect(c).to.match(/^#[0-9a-f]{6}$/);
  });

  it("draws a baseline that is the benchmark once, naming it in the benchmark's label", () => {
    const days = [0, 1, 2].map((d) => 1_700_000_000 + d * 86_400);
    const bench = [1, 1.02, 0.99];
    const nav = {
      nav: days.map((t, i) => ({ t, navPerShare: 1 + i * 0.01, benchmark: bench[i] as number })),
      baselines: {
        "equal-weight buy-and-hold": days.map((t, i) => ({ t, navPerShare: bench[i] as number, benchmark: null })),
        ETH: days.map((t, i) => ({ t, navPerShare: 1 + i * 0.05, benchmark: null })),
      },
    };
    const series = navSeries(nav);
    expect(series.map((s) => s.label)).to.deep.equal(["Vault", "Benchmark (equal-weight buy-and-hold)", "ETH"]);
    expect(series[1]?.data.map((p) => p.y)).to.deep.equal(bench);
  });

  it("keeps a baseline that differs from the benchmark anywhere", () => {
    const nav = {
      nav: [
        { t: 1, navPerShare: 1, benchmark: 1 },
        { t: 2, navPerShare: 1, benchmark: 1.1 },
      ],
      baselines: {
        other: [
          { t: 1, navPerShare: 1, benchmark: null },
          { t: 2, navPerShare: 1.2, benchmark: null },
        ],
      },
    };
    expect(navSeries(nav).map((s) => s.label)).to.deep.equal(["Vault", "Benchmark", "other"]);
  });

  it("colours a loss as a loss even when it beats the benchmark", () => {
    expect(returnTone(-0.05)).to.equal("down");
    expect(returnTone(0.03)).to.equal("up");
    expect(returnTone(0)).to.equal("");
    expect(returnTone(null)).to.equal("");
  });
});
