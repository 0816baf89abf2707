/**
 * The robust selection as Markdown: fold setup, the fold distribution of every family's best
 * candidate (and the chosen one), the selection procedure's own walk-forward record, PBO, the
 * deflated Sharpe ratio, and the band study. Cost drag is in every table. Dates are the
 * panel's bar labels.
 */
import type { MarketPanel } from "../core/types.js";
import { barLabel } from "../data/time.js";
import type { CandidateFolds } from "./folds/types.js";
import type { FoldStudyReport } from "./runFoldStudy.js";

export function foldReportMarkdown(panel: MarketPanel, report: FoldStudyReport): string {
  const { study, band } = report;
  const day = (t: number) => barLabel(panel.timestamps[t] as number, panel.freq);
  const wf = study.folds.filter((f) => f.kind === "walk-forward");
  const cscv = study.folds.length - wf.length;
  const byScore = [...study.candidates].sort((a, b) => b.robustScore - a.robustScore);
  const bestOfFamily = new Map<string, CandidateFolds>();
  for (const c of byScore) if (!bestOfFamily.has(c.family)) bestOfFamily.set(c.family, c);
  const shown = [...bestOfFamily.values()];
  const chosen = study.candidates.find((c) => c.id === study.chosen) as CandidateFolds;
  const ew = study.candidates.find((c) => c.id === study.equalWeightId) as CandidateFolds;
  const lines = [
    "## Robust selection (folds)",
    "",
    `Evaluation span ${day(study.span.from)} .. ${day(study.span.to)} (${study.span.to - study.span.from + 1} bars, after the PPO training block); ` +
      `${wf.length} purged walk-forward folds and ${cscv} CSCV folds; purge ${study.purgeBars} bars before and embargo ${study.embargoBars} bars after every scored block. ` +
      `All figures net of trading costs, gas and fees; excess = candidate - ${study.equalWeightId} on the same bars.`,
    "",
    `Chosen: **${study.chosen}** (robust score ${fmt(chosen.robustScore)}, shrinkage ${fmt(chosen.shrinkage)}). ` +
      `PBO ${fmt(study.pbo.pbo)} over ${study.pbo.configurations} configurations and ${study.pbo.splits} CSCV splits. ` +
      `Deflated Sharpe of the choice ${fmt(chosen.deflatedSharpe.deflatedSharpe)} (${chosen.deflatedSharpe.trials} trials).`,
    "",
    "Best candidate of every family, by robust score. Fold distribution = min / 25% / median / 75% / max of the excess Sortino over every fold.",
    "",
    "| candidate | robust score | shrinkage | median excess Sortino | fold distribution | folds beating EW | walk-forward excess Sortino | DSR | ann. return | Sortino | cost drag (bp/yr) | turnover/yr |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...[...new Set([chosen, ew, ...shown])].map((c) => row(c)),
    "",
    "The selection procedure out of sample: each walk-forward fold's choice on its own select bars, scored on its scored bars.",
    "",
    "| fold | scored bars | chosen on the select bars | excess Sortino vs EW |",
    "|---|---|---|---|",
    ...study.procedure.map((p) => {
      const f = wf.find((x) => x.id === p.foldId);
      const s = f?.score[0];
      return `| ${p.foldId} | ${s ? `${day(s.from)} .. ${day(s.to)}` : ""} | ${p.chosen} | ${fmt(p.excessSortino)} |`;
    }),
    "",
    `No-trade band on ${band.candidate}, best median fold Sortino with tracking error at most ${pct(band.maxTrackingErrorIncrease)} above no band (chosen: penalty ${band.chosen.penalty}, floor ${pct(band.chosen.minBand)}, min turnover ${pct(band.chosen.minTurnover)}):`,
    "",
    "| penalty | floor | min turnover | median fold Sortino | cost drag (bp/yr) | tracking error to targets | rebalances |",
    "|---|---|---|---|---|---|---|",
    ...band.rows.map(
      (r) =>
        `| ${r.band.penalty} | ${pct(r.band.minBand)} | ${pct(r.band.minTurnover)} | ${fmt(r.medianFoldSortino)} | ${r.costDragBpsPerYear.toFixed(0)} | ${r.trackingError === null ? "n/a" : pct(r.trackingError)} | ${r.rebalances} |`,
    ),
  ];
  return lines.join("\n");

  function row(c: CandidateFolds): string {
    const xs = c.folds.map((f) => f.excessSortino).sort((a, b) => a - b);
    const q = (p: number) => xs[Math.min(xs.length - 1, Math.floor(p * (xs.length - 1)))] as number;
    const beat = c.folds.filter((f) => f.excessSortino > 0).length;
    const wfx = c.folds.filter((f) => f.kind === "walk-forward").map((f) => fmt(f.excessSortino));
    const mark = c.id === study.chosen ? " (chosen)" : c.id === study.equalWeightId ? " (reference)" : "";
    return (
      `| ${c.id}${mark} | ${fmt(c.robustScore)} | ${fmt(c.shrinkage)} | ${fmt(c.medianExcessSortino)} | ` +
      `${[0, 0.25, 0.5, 0.75, 1].map((p) => fmt(q(p))).join(" / ")} | ${beat}/${c.folds.length} | ${wfx.join(" ")} | ` +
      `${fmt(c.deflatedSharpe.deflatedSharpe)} | ${pct(c.overall.annualisedReturn)} | ${fmt(c.overall.sortino)} | ` +
      `${c.overall.costDragBpsPerYear.toFixed(0)} | ${c.overall.turnoverAnnualised.toFixed(1)} |`
    );
  }
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toFixed(2) : "n/a";
}

function pct(x: number): string {
  return `${(x * 100).toFixed(x !== 0 && Math.abs(x) < 0.01 ? 2 : 1)}%`;
}
