/**
 * The research report: the backtester's JSON report and self-contained HTML page for the test
 * block (every chosen strategy, baseline and PPO seed), extended with the research results —
 * the out-of-sample table, PPO seed mean and spread, the validation grid, the deflated Sharpe
 * ratio and the probability of backtest overfitting. Pure: returns text, writes nothing.
 */

import { renderHtmlReport } from "../backtest/htmlReport.js";
import { buildReport } from "../backtest/report.js";
import type { MarketPanel } from "../core/types.js";
import { coverageNote, panelCoverage, survivorshipNote } from "../data/coverage.js";
import { barLabel } from "../data/time.js";
import type { ResearchConfig } from "./researchConfig.js";
import type { TestOutcome } from "./runResearch.js";
import type { Selection } from "./selection.js";

export interface ResearchReportText {
  readonly json: string;
  readonly html: string;
  /** The out-of-sample table as Markdown (for the console and notes). */
  readonly markdown: string;
}

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : "n/a");
const num = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : "n/a");
const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] ?? c);

export function buildResearchReport(args: {
  readonly panel: MarketPanel;
  readonly cfg: ResearchConfig;
  readonly selection: Selection;
  readonly outcome: TestOutcome;
  readonly chartJsSource: string;
  readonly now?: Date;
}): ResearchReportText {
  const { panel, cfg, selection, outcome } = args;
  const { test } = selection.blocks;
  const btc = panel.assets.findIndex((a) => a.symbol === "BTC");
  // Bars labelled as the data file labels them (a daily bar by its date, not its closing midnight).
  const date = (t: number) => barLabel(panel.timestamps[t]!, panel.freq);
  const testCoverage = panelCoverage(panel, test.from, test.to);
  const blocksText = Object.fromEntries(
    Object.entries(selection.blocks).map(([k, b]) => [
      k,
      `${date(b.from)} .. ${date(b.to)} (${b.to - b.from + 1} bars)`,
    ]),
  );
  const notes = {
    blocks: blocksText,
    selection: "best validation Sharpe (net of costs and fees) per family; test block scored once",
    chosenOverall: selection.chosenOverall,
    deflatedSharpe: selection.deflatedSharpe,
    pbo: selection.pbo,
    ppo: outcome.ppoSummary ?? "disabled",
    costModel: "see keeper/src/backtest/assumptions.ts",
    survivorship: survivorshipNote(testCoverage, date),
    coverage: coverageNote(testCoverage, date),
  };
  const report = buildReport({
    title: `Ballast research: out-of-sample test block ${date(test.from)} .. ${date(test.to)}`,
    results: outcome.results,
    benchmark: btc >= 0 ? { name: "BTC (price)", values: panel.close[btc]!.slice(test.from, test.to + 1) } : null,
    riskFreeRate: cfg.riskFreeRate,
    notes,
    ...(args.now ? { now: args.now } : {}),
  });
  const markdown = oosMarkdown(selection, outcome);
  const research = {
    config: cfg,
    dataHash: selection.dataHash,
    blocks: selection.blocks,
    chosenOverall: selection.chosenOverall,
    chosenPerFamily: selection.chosenPerFamily,
    outOfSample: outcome.rows,
    ppo: outcome.ppoSummary,
    deflatedSharpe: selection.deflatedSharpe,
    chosenTestProbabilisticSharpe: outcome.chosenTestPsr,
    pbo: selection.pbo,
    validationGrid: selection.scores,
  };
  const json = JSON.stringify({ research, backtest: report }, (_k, v: unknown) =>
    typeof v === "number" && !Number.isFinite(v) ? null : v,
  );
  const html = renderHtmlReport(report, { chartJsSource: args.chartJsSource }).replace(
    '<div class="chart">',
    `${researchHtml(selection, outcome)}\n<div class="chart">`,
  );
  return { json, html, markdown };
}

function oosMarkdown(selection: Selection, outcome: TestOutcome): string {
  const lines = [
    "| strategy (chosen on validation) | val Sharpe | test total | test ann. | test vol | test Sharpe | max DD | turnover/yr | cost drag |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  const rows = [...outcome.rows].sort((a, b) => (b.test.sharpe || -99) - (a.test.sharpe || -99));
  for (const r of rows) {
    const m = r.test;
    const mark = r.config === selection.chosenOverall ? " **(chosen)**" : "";
    lines.push(
      `| ${r.name}${mark} | ${num(r.validationSharpe)} | ${pct(m.totalReturn)} | ${pct(m.annualisedReturn)} | ${pct(m.volatility)} | ${num(m.sharpe)} | ${pct(m.maxDrawdown)} | ${num(m.turnoverAnnualised, 1)} | ${pct(m.costDrag)} |`,
    );
  }
  const p = outcome.ppoSummary;
  if (p) {
    lines.push(
      `| PPO mean ± std over ${p.seeds} seeds @${p.schedule} | | ${pct(p.mean.totalReturn)} ± ${pct(p.std.totalReturn)} | ${pct(p.mean.annualisedReturn)} ± ${pct(p.std.annualisedReturn)} | | ${num(p.mean.sharpe)} ± ${num(p.std.sharpe)} | ${pct(p.mean.maxDrawdown)} ± ${pct(p.std.maxDrawdown)} | | |`,
    );
  }
  const d = selection.deflatedSharpe;
  lines.push(
    "",
    `Chosen overall on validation: ${selection.chosenOverall}. Deflated Sharpe (validation, ${d.trials} trials): ${num(d.deflatedSharpe, 3)} ` +
      `(observed per-bar SR ${num(d.observedSharpe, 4)} vs expected max of null trials ${num(d.benchmarkSharpe, 4)}). ` +
      `PBO (CSCV, ${selection.pbo.splits} splits, ${selection.pbo.configurations} configurations): ${num(selection.pbo.pbo, 3)}. ` +
      `P(test Sharpe > 0) of the chosen configuration: ${outcome.chosenTestPsr === null ? "n/a" : num(outcome.chosenTestPsr, 3)}.`,
  );
  return lines.join("\n");
}

function researchHtml(selection: Selection, outcome: TestOutcome): string {
  const rows = outcome.rows
    .map(
      (r) =>
        `<tr><td>${esc(r.name)}${r.config === selection.chosenOverall ? " <b>(chosen)</b>" : ""}</td><td>${num(r.validationSharpe)}</td>` +
        `<td>${pct(r.test.totalReturn)}</td><td>${pct(r.test.annualisedReturn)}</td><td>${num(r.test.sharpe)}</td><td>${pct(r.test.maxDrawdown)}</td>` +
        `<td>${num(r.test.turnoverAnnualised, 1)}</td><td>${pct(r.test.costDrag)}</td></tr>`,
    )
    .join("");
  const p = outcome.ppoSummary;
  const ppo = p
    ? `<p>PPO over ${p.seeds} seeds (schedule ${esc(p.schedule)} chosen on validation): test Sharpe ${num(p.mean.sharpe)} ± ${num(p.std.sharpe)},
annualised ${pct(p.mean.annualisedReturn)} ± ${pct(p.std.annualisedReturn)}, max drawdown ${pct(p.mean.maxDrawdown)} ± ${pct(p.std.maxDrawdown)}.</p>`
    : "<p>PPO disabled for this run.</p>";
  const d = selection.deflatedSharpe;
  const grid = [...selection.scores]
    .sort((a, b) => a.family.localeCompare(b.family) || (b.sharpe || -99) - (a.sharpe || -99))
    .map(
      (s) =>
        `<tr><td>${esc(s.id)}</td><td>${esc(s.family)}</td><td>${esc(s.schedule)}</td><td>${num(s.sharpe)}</td><td>${pct(s.annualisedReturn)}</td><td>${pct(s.maxDrawdown)}</td><td>${num(s.turnoverAnnualised, 1)}</td></tr>`,
    )
    .join("");
  return `<h2>Out of sample (test block), every family's validation choice</h2>
<table><thead><tr><th>run</th><th>validation Sharpe</th><th>test total</th><th>test annualised</th><th>test Sharpe</th><th>max DD</th><th>turnover/yr</th><th>cost drag</th></tr></thead><tbody>${rows}</tbody></table>
${ppo}
<p>Chosen overall on validation: <b>${esc(selection.chosenOverall)}</b>. Deflated Sharpe ratio on validation (${d.trials} trials): ${num(d.deflatedSharpe, 3)};
probability of backtest overfitting (CSCV, ${selection.pbo.splits} splits over ${selection.pbo.configurations} configurations): ${num(selection.pbo.pbo, 3)};
probability that the chosen configuration's test Sharpe exceeds 0: ${outcome.chosenTestPsr === null ? "n/a" : num(outcome.chosenTestPsr, 3)}.</p>
<details><summary>Validation grid (${selection.scores.length} configurations)</summary>
<table><thead><tr><th>id</th><th>family</th><th>schedule</th><th>Sharpe</th><th>annualised</th><th>max DD</th><th>turnover/yr</th></tr></thead><tbody>${grid}</tbody></table></details>`;
}
