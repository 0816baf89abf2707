import { expect } from "chai";
import type { BacktestResult } from "../../../keeper/src/backtest/backtester.js";
import { classifyUniverse } from "../../../keeper/src/classifier/classify.js";
import { InvalidInputError } from "../../../keeper/src/core/errors.js";
import type { MarketPanel } from "../../../keeper/src/core/types.js";
import { generateSyntheticMarket } from "../../../keeper/src/data/synthetic.js";
import { foldReportMarkdown } from "../../../keeper/src/research/foldReport.js";
import { cscvFolds, walkForwardFolds } from "../../../keeper/src/research/folds/makeFolds.js";
import { NetSeries } from "../../../keeper/src/research/folds/netSeries.js";
import { type CandidateRun, robustSelection } from "../../../keeper/src/research/folds/robustSelection.js";
import type { Span } from "../../../keeper/src/research/folds/types.js";
import { researchConfigSchema } from "../../../keeper/src/research/researchConfig.js";
import { evaluationSpan, runFoldStudy } from "../../../keeper/src/research/runFoldStudy.js";
import { trainPpoSeeds } from "../../../keeper/src/research/runResearch.js";
import { researchEligibility } from "../../../keeper/src/research/universe.js";
import { Prng } from "../../../keeper/src/strategy/math/prng.js";
import { initTf } from "../../../keeper/src/strategy/ppo/tfBackend.js";
import { expectAbsClose } from "../../helpers/approx.js";

const bars = (spans: readonly Span[]) =>
  spans.flatMap((s) => Array.from({ length: s.to - s.from + 1 }, (_, i) => s.from + i));

/** A run with the given per-bar net returns (bar 0 is the start), costs `cost` of NAV per bar. */
function runOf(returns: readonly number[], cost = 0): BacktestResult {
  const n = returns.length + 1;
  const nav = new Float64Array(n);
  nav[0] = 1_000_000;
  returns.forEach((r, k) => {
    nav[k + 1] = (nav[k] as number) * (1 + r);
  });
  const costUsd = Float64Array.from(nav, (_, k) => (k === 0 ? 0 : (nav[k - 1] as number) * cost));
  const panel: MarketPanel = generateSyntheticMarket({ seed: 1, bars: n, freq: "24h", assets: ["USDC", "WETH"] });
  return {
    strategy: "fixture",
    panel,
    from: 0,
    to: n - 1,
    timestamps: panel.timestamps,
    nav,
    grossNav: nav,
    weights: [],
    turnover: new Float64Array(n).fill(0.01),
    costUsd,
    gasUsd: new Float64Array(n),
    feeUsd: new Float64Array(n),
    yieldUsd: new Float64Array(n),
    frozenUsd: new Float64Array(n),
    unpricedUsd: new Float64Array(n),
    frozenEvents: [],
    rebalances: [],
    decisions: n,
  };
}

describe("research: folds", () => {
  const span = { from: 100, to: 699 };
  const o = { purgeBars: 7, embargoBars: 5 };

  it("walk-forward folds: expanding select bars strictly before the scored block, purged", () => {
    const folds = walkForwardFolds(span, 5, o);
    expect(folds.map((f) => f.id)).to.deep.equal(["wf-0", "wf-1", "wf-2", "wf-3", "wf-4"]);
    const scored = folds.flatMap((f) => bars(f.score));
    expect(new Set(scored).size).to.equal(scored.length); // disjoint scored blocks
    expect(scored.at(-1)).to.equal(699);
    for (const f of folds) {
      const s = f.score[0] as Span;
      const sel = bars(f.select);
      expect(sel[0]).to.equal(100);
      expect(Math.max(...sel)).to.equal(s.from - o.purgeBars - 1); // purge: no select bar in the 7 before
      for (const b of sel) expect(b < s.from - o.purgeBars).to.equal(true);
    }
    expect(() => walkForwardFolds(span, 0, o)).to.throw(InvalidInputError);
  });

  it("CSCV folds: every half of the blocks once, no select bar inside the purge or embargo of a scored block", () => {
    const folds = cscvFolds(span, 6, o);
    expect(folds.length).to.equal(20); // C(6, 3)
    const timesScored = new Map<number, number>();
    for (const f of folds) {
      expect(f.score.length).to.equal(3);
      const sel = new Set(bars(f.select));
      for (const s of f.score) {
        timesScored.set(s.from, (timesScored.get(s.from) ?? 0) + 1);
        for (let b = s.from - o.purgeBars; b <= s.to + o.embargoBars; b++)
          expect(sel.has(b), `bar ${b}`).to.equal(false);
      }
      // Everything else of the span is select bars: nothing more is dropped than purge and embargo.
      const gaps = f.score.reduce(
        (n, s) => n + (s.from > span.from ? o.purgeBars : 0) + (s.to < span.to ? o.embargoBars : 0),
        0,
      );
      expect(sel.size + bars(f.score).length).to.be.within(600 - gaps, 600);
    }
    // Symmetric: each block is scored in exactly half the folds.
    expect([...timesScored.values()]).to.deep.equal(Array(6).fill(10));
    expect(() => cscvFolds(span, 5, o)).to.throw(InvalidInputError);
  });

  it("NetSeries sums any spans exactly: return, Sortino, cost drag", () => {
    const rng = new Prng(4);
    const rets = Array.from({ length: 300 }, () => 0.01 * rng.normal());
    const series = new NetSeries(runOf(rets, 0.0001), 365);
    const spans = [
      { from: 10, to: 59 },
      { from: 200, to: 249 },
    ];
    const picked = bars(spans).map((b) => rets[b - 1] as number);
    const s = series.stats(spans);
    expect(s.bars).to.equal(100);
    expectAbsClose(s.netReturn, picked.reduce((a, r) => a * (1 + r), 1) - 1, 1e-9);
    const mean = picked.reduce((a, b) => a + b, 0) / 100;
    const down = Math.sqrt(picked.reduce((a, r) => a + Math.min(r, 0) ** 2, 0) / 100);
    expectAbsClose(s.sortino, (mean / down) * Math.sqrt(365), 1e-9);
    expectAbsClose(s.costDragBpsPerYear, 0.0001 * 365 * 1e4, 1e-6);
    expectAbsClose(s.turnoverAnnualised, 0.01 * 365, 1e-9);
    expect(() => series.stats([{ from: 0, to: 10 }])).to.throw(InvalidInputError);
  });

  describe("robust selection", () => {
    const T = 720;
    const rng = new Prng(11);
    const market = Array.from({ length: T }, () => 0.0005 + 0.02 * rng.normal());
    const run = (id: string, rets: number[], family = id): CandidateRun => ({
      id,
      family,
      series: new NetSeries(runOf(rets), 365),
      selectable: true,
    });
    const study = (runs: CandidateRun[]) =>
      robustSelection(
        runs,
        { from: 2, to: T },
        {
          walkForwardFolds: 5,
          cscvBlocks: 8,
          purgeBars: 7,
          embargoBars: 7,
          equalWeightId: "ew",
        },
      );

    it("shrinks a noisy edge more than a steady one of the same size, and chooses the strongest steady edge", () => {
      const steady = market.map((r) => r + 0.0008);
      // Same average edge, but it comes and goes in long spells: the folds disagree.
      const noisy = market.map((r, t) => r + (Math.floor(t / 119) % 2 === 0 ? 0.004 : -0.0024));
      // A field of steady edges of different sizes: the spread the shrinkage weighs noise against.
      const field = [1, 2, 3, 4, 5, 6].map((k) =>
        run(
          `edge-${k}`,
          market.map((r) => r + 0.0003 * k),
        ),
      );
      const s = study([run("ew", market), run("steady", steady), run("noisy", noisy), ...field]);
      const by = (id: string) => s.candidates.find((c) => c.id === id)!;
      expect(by("ew").robustScore).to.equal(0);
      expect(by("noisy").shrinkage).to.be.greaterThan(by("steady").shrinkage);
      expect(by("steady").robustScore).to.be.greaterThan(0);
      expect(by("steady").robustScore).to.be.at.most(by("steady").medianExcessSortino);
      expect(by("steady").robustScore).to.be.greaterThan(by("noisy").robustScore);
      // Larger constant edges also vary more from fold to fold: the choice is a steady edge, never the noisy one.
      expect(s.chosen).to.match(/^edge-|^steady$/);
      expect(s.folds.length).to.equal(5 + 70);
      for (const c of s.candidates) expect(c.folds.length).to.equal(75);
      expect(s.procedure.length).to.equal(5);
      expect(by("steady").deflatedSharpe.trials).to.equal(9);
      // Each fold's own choice is recorded on exactly one candidate.
      for (let f = 0; f < 75; f++) expect(s.candidates.filter((c) => c.folds[f]!.chosenInFold).length).to.equal(1);
    });

    it("on pure noise it keeps equal weight and PBO is high; on a real edge PBO is low", () => {
      const noise = Array.from({ length: 12 }, (_, k) =>
        run(
          `noise-${k}`,
          market.map((r) => r + 0.01 * rng.normal()),
        ),
      );
      const s = study([run("ew", market), ...noise]);
      const top = Math.max(...s.candidates.map((c) => c.robustScore));
      expect(s.pbo.pbo).to.be.greaterThan(0.25);
      expect(s.chosen === "ew" || top < 0.5).to.equal(true);
      // Medians that differ by noise only are mostly shrunk away.
      const shrink = s.candidates.filter((c) => c.id !== "ew").map((c) => c.shrinkage);
      expect(shrink.reduce((a, b) => a + b, 0) / shrink.length).to.be.greaterThan(0.5);
      const edges = Array.from({ length: 6 }, (_, k) =>
        run(
          `edge-${k}`,
          market.map((r) => r + 0.0003 * k + 0.002 * rng.normal()),
        ),
      );
      const e = study([run("ew", market), ...edges]);
      expect(e.pbo.pbo).to.be.lessThan(0.2);
      expect(e.chosen).to.equal("edge-5");
    });

    it("never chooses a reference, and needs the equal-weight run", () => {
      const ref = {
        ...run(
          "single",
          market.map((r) => r + 0.002),
        ),
        selectable: false,
      };
      const s = study([run("ew", market), ref]);
      expect(s.chosen).to.equal("ew");
      expect(() => study([run("other", market)])).to.throw(/equal-weight reference ew/);
    });
  });

  it("end to end on a synthetic market: families, a small PPO search and its seed ensemble, the band and the report", async function () {
    this.timeout(120_000);
    const panel = generateSyntheticMarket({ seed: 5, bars: 540, freq: "24h" });
    const cfg = researchConfigSchema.parse({
      families: ["equal-weight", "inverse-vol", "ts-momentum"],
      schedules: [
        { label: "24h", decideEveryBars: 1 },
        { label: "168h", decideEveryBars: 7 },
      ],
      trainFraction: 0.3,
      validationFraction: 0.3,
      ppo: {
        seeds: [0, 1],
        totalSteps: 1024,
        grid: [{ label: "a" }, { label: "b", learningRate: 1e-3 }],
      },
      folds: { walkForward: 4, cscvBlocks: 6 },
    });
    const { tf } = await initTf();
    const policies = await trainPpoSeeds(panel, cfg, tf);
    expect(policies.length).to.equal(4);
    const report = runFoldStudy(panel, cfg, policies);
    const ids = report.study.candidates.map((c) => c.id);
    expect(ids).to.include("equal-weight()@168h");
    expect(ids).to.include("ppo(hyper=b,seed=1)@24h");
    expect(ids).to.include("ppo-ensemble(hyper=a,seeds=2)@168h");
    // 2 EW + 4 inverse-vol + 6 ts-momentum + (4 policies + 2 ensembles) x 2 schedules
    expect(ids.length).to.equal(2 + 4 + 6 + 12);
    expect(report.study.span).to.deep.equal(evaluationSpan(panel, cfg));
    expect(report.study.pbo.pbo).to.be.within(0, 1);
    expect(report.band.rows.length).to.equal(cfg.bandGrid.length);
    expect(report.band.rows[0]!.costDragBpsPerYear).to.be.greaterThan(0);
    // The band chosen: the best median fold Sortino within the tracking-error limit.
    const limit = (report.band.rows[0]!.trackingError ?? 0) + cfg.bandMaxTrackingErrorIncrease;
    const within = report.band.rows.filter((r) => r.trackingError !== null && r.trackingError <= limit);
    const chosenRow = report.band.rows.find((r) => r.band === report.band.chosen)!;
    expect(within).to.include(chosenRow);
    for (const r of within) expect(chosenRow.medianFoldSortino).to.be.at.least(r.medianFoldSortino);
    const md = foldReportMarkdown(panel, report);
    expect(md).to.match(/Chosen: \*\*/);
    expect(md).to.match(/\| cost drag \(bp\/yr\) \|/);
    expect(md).to.match(/PBO \d\.\d\d/);
  });
});

describe("research: classifier universe policies", () => {
  // Every non-base token falls hard from bar 250: the strict classifier then selects nothing.
  const panel = generateSyntheticMarket({
    seed: 2,
    bars: 330,
    freq: "24h",
    assets: ["USDC", "WETH", "WBTC", "LINK", "UNI", "GMX"],
  });
  const falling: MarketPanel = {
    ...panel,
    close: panel.close.map((row, i) =>
      i === 0 ? row : row.map((v, t) => (t >= 250 ? v * Math.exp(-0.03 * (t - 250)) : v)),
    ),
  };
  const strict = { mode: "strict" as const, minAssets: 1 };

  it("decides every N bars and holds the universe in between", () => {
    const e = researchEligibility(panel, "USDC", "classifier", { mode: "ranked" }, 30);
    expect(e(panel, 241)).to.deep.equal(e(panel, 269)); // same decision bar 240
  });

  it("on a shortfall, hold keeps the last universe and base holds only the base asset", () => {
    const t = 300; // decision bar 300: falling for 50 bars
    expect(classifyUniverse(falling, t, strict).shortfall).to.not.equal(null);
    const hold = researchEligibility(falling, "USDC", "classifier", strict, 30)(falling, t);
    const base = researchEligibility(
      falling,
      "USDC",
      "classifier",
      { ...strict, belowMinimum: "base" },
      30,
    )(falling, t);
    expect(base.filter(Boolean).length).to.equal(1);
    // "hold": the latest earlier decision bar (a multiple of 30) whose universe was full.
    let k = t - 30;
    while (k >= 0 && classifyUniverse(falling, k, strict).shortfall !== null) k -= 30;
    expect(k, "some decision before the fall selected tokens").to.be.at.least(0);
    const expected = classifyUniverse(falling, k, strict).selected;
    const held = falling.assets.filter((_, i) => hold[i]).map((a) => a.symbol);
    expect(held.filter((x) => x !== "USDC")).to.have.members(expected);
    // Ranked mode still yields a universe on the same bar.
    expect(classifyUniverse(falling, t, { mode: "ranked" }).selected.length).to.be.at.least(3);
  });
});
