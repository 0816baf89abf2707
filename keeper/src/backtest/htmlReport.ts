/**
 * A single self-contained HTML page for a backtest report: Chart.js (passed in as source text,
 * inlined, so the page works offline and without a CDN), the report data as JSON, a metrics
 * table and four charts (NAV vs benchmark and baselines, drawdown, weights of the first run,
 * cumulative costs). Series longer than `maxPoints` are thinned for display only; the JSON
 * report beside the page keeps every bar.
 */
import type { BacktestReport } from "./report.js";

export interface HtmlReportOptions {
  /** Contents of node_modules/chart.js/dist/chart.umd.js. */
  readonly chartJsSource: string;
  readonly maxPoints?: number;
}

interface ChartData {
  readonly labels: string[];
  readonly benchmark: { name: string; nav: number[] } | null;
  readonly runs: { name: string; nav: number[]; drawdown: number[]; cumCost: number[]; cumFee: number[] }[];
  readonly weights: { symbol: string; values: number[] }[];
}

export function renderHtmlReport(report: BacktestReport, opts: HtmlReportOptions): string {
  const data = chartData(report, opts.maxPoints ?? 1500);
  const rows = report.runs.map((r) => {
    const m = r.metrics;
    const b = r.vsBenchmark;
    return `<tr><td>${esc(r.name)}</td>${[
      pct(m.totalReturn),
      pct(m.annualisedReturn),
      pct(m.volatility),
      num(m.sharpe),
      num(m.sortino),
      pct(m.maxDrawdown),
      num(m.calmar),
      num(m.turnoverAnnualised),
      pct(m.costDrag),
      pct(m.hitRate),
      b ? num(b.beta) : "",
      b ? pct(b.alpha) : "",
      b ? pct(b.capmExpectedReturn) : "",
      usd(r.totals.tradingCostUsd + r.totals.gasUsd),
      usd(r.totals.feeUsd),
    ]
      .map((c) => `<td>${c}</td>`)
      .join("")}</tr>`;
  });
  // Runs share the benchmark, so a coverage refusal is usually one sentence for all of them.
  const refusals = [...new Set(report.runs.map((r) => r.benchmarkNote).filter((x): x is string => x !== null))];
  const frozen = report.runs.flatMap((r) =>
    r.frozen.events.map(
      (e) =>
        `<li>${esc(r.name)}: ${esc(e.symbol)} ${esc(e.action.replace("_", " "))} on ${esc(e.date)} (last close ${esc(e.lastPricedDate)}), ${usd(e.valueUsd)} = ${pct(e.navFraction)} of the vault, loss ${usd(e.lossUsd)}</li>`,
    ),
  );
  const notes = Object.entries(report.notes)
    .map(([k, v]) => `<li><b>${esc(k)}</b>: ${esc(typeof v === "string" ? v : JSON.stringify(v))}</li>`)
    .join("");
  const benchName = report.benchmark ? esc(report.benchmark.name) : "none";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(report.title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;color:#222}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}
td:first-child,th:first-child{text-align:left}.chart{height:360px;margin:24px 0}
</style></head><body>
<h1>${esc(report.title)}</h1>
<p>Bars: ${report.dates.length} (${esc(report.freq)}), ${esc(report.dates[0] ?? "")} to ${esc(report.dates[report.dates.length - 1] ?? "")}.
Benchmark: ${benchName}. Risk-free rate: ${pct(report.riskFreeRate)}. Generated ${esc(report.generatedAt)}.</p>
<table><thead><tr><th>run</th><th>total</th><th>annualised</th><th>volatility</th><th>Sharpe</th><th>Sortino</th>
<th>max DD</th><th>Calmar</th><th>turnover/yr</th><th>cost drag</th><th>hit rate</th><th>beta</th><th>alpha</th>
<th>CAPM E[r]</th><th>trading+gas</th><th>fees</th></tr></thead><tbody>${rows.join("")}</tbody></table>
${refusals.map((x) => `<p><b>CAPM</b>: ${esc(x)}.</p>`).join("")}
<h2>Frozen positions</h2>${frozen.length > 0 ? `<ul>${frozen.join("")}</ul>` : "<p>No held position's price series ended.</p>"}
<div class="chart"><canvas id="nav"></canvas></div>
<div class="chart"><canvas id="drawdown"></canvas></div>
<div class="chart"><canvas id="weights"></canvas></div>
<div class="chart"><canvas id="costs"></canvas></div>
<h2>Notes</h2><ul>${notes}</ul>
<script>${opts.chartJsSource.replace(/<\/script/gi, "<\\/script")}</script>
<script id="report-data" type="application/json">${safeJson(data)}</script>
<script>${CHART_SCRIPT}</script>
</body></html>
`;
}

/** Builds the thinned chart series: every k-th bar plus the last one. */
function chartData(report: BacktestReport, maxPoints: number): ChartData {
  const n = report.dates.length;
  const step = Math.max(1, Math.ceil(n / maxPoints));
  const idx: number[] = [];
  for (let t = 0; t < n; t += step) idx.push(t);
  if (idx[idx.length - 1] !== n - 1) idx.push(n - 1);
  const pick = (a: readonly number[]) => idx.map((t) => a[t]!);
  const cumulative = (...series: (readonly number[])[]) => {
    const out: number[] = [];
    let acc = 0;
    for (let t = 0; t < n; t++) {
      for (const s of series) acc += s[t]!;
      out.push(acc);
    }
    return pick(out);
  };
  const first = report.runs[0];
  return {
    labels: idx.map((t) => report.dates[t]!),
    benchmark: report.benchmark ? { name: report.benchmark.name, nav: pick(report.benchmark.nav) } : null,
    runs: report.runs.map((r) => ({
      name: r.name,
      nav: pick(r.series.nav),
      drawdown: pick(r.series.drawdown),
      cumCost: cumulative(r.series.costUsd, r.series.gasUsd),
      cumFee: cumulative(r.series.feeUsd),
    })),
    weights: first
      ? Object.entries(first.series.weights)
          .filter(([, v]) => v.some((x) => x > 0.001))
          .map(([symbol, v]) => ({ symbol, values: pick(v) }))
      : [],
  };
}

/** Runs in the page: draws the four charts from the embedded JSON. */
const CHART_SCRIPT = `
const d = JSON.parse(document.getElementById("report-data").textContent);
const palette = ["#1f77b4","#ff7f0e","#2ca02c","#d62728","#9467bd","#8c564b","#e377c2","#7f7f7f","#bcbd22","#17becf"];
const color = (i) => palette[i % palette.length];
const line = (label, data, i, extra) => Object.assign({ label, data, borderColor: color(i), backgroundColor: color(i),
  borderWidth: 1.5, pointRadius: 0, spanGaps: true }, extra || {});
const base = (title, yType) => ({ responsive: true, maintainAspectRatio: false, animation: false, interaction: { mode: "index", intersect: false },
  plugins: { title: { display: true, text: title } }, scales: { y: { type: yType || "linear" } } });
const navSets = d.runs.map((r, i) => line(r.name, r.nav, i));
if (d.benchmark) navSets.push(line("benchmark: " + d.benchmark.name, d.benchmark.nav, d.runs.length, { borderDash: [6, 3] }));
new Chart(document.getElementById("nav"), { type: "line", data: { labels: d.labels, datasets: navSets }, options: base("NAV (USD, log scale)", "logarithmic") });
new Chart(document.getElementById("drawdown"), { type: "line", data: { labels: d.labels,
  datasets: d.runs.map((r, i) => line(r.name, r.drawdown.map((x) => -x), i)) }, options: base("Drawdown from peak") });
const wOpts = base("Weights of " + (d.runs[0] ? d.runs[0].name : ""));
wOpts.scales.y.stacked = true; wOpts.scales.y.max = 1;
new Chart(document.getElementById("weights"), { type: "line", data: { labels: d.labels,
  datasets: d.weights.map((w, i) => line(w.symbol, w.values, i, { fill: true })) }, options: wOpts });
const costSets = [];
d.runs.forEach((r, i) => { costSets.push(line(r.name + " trading+gas", r.cumCost, i)); costSets.push(line(r.name + " fees", r.cumFee, i, { borderDash: [4, 4] })); });
new Chart(document.getElementById("costs"), { type: "line", data: { labels: d.labels, datasets: costSets }, options: base("Cumulative costs (USD)") });
`;

function safeJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v)).replace(
    /</g,
    "\\u003c",
  );
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function pct(x: number): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(2)}%` : "n/a";
}

function num(x: number): string {
  return Number.isFinite(x) ? x.toFixed(2) : "n/a";
}

function usd(x: number): string {
  return Number.isFinite(x) ? `$${Math.round(x).toLocaleString("en-US")}` : "n/a";
}
