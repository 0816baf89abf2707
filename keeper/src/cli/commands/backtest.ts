/**
 * `backtest`: runs strategies over market history with the full cost model and writes a JSON
 * report and a self-contained HTML report (Chart.js inlined). `backtest --help` prints the
 * flags. Strategies: `buy-and-hold`, `equal-weight:<hours>h` (rebalanced every so many hours),
 * `single:<SYMBOL>`, `inverse-vol:<hours>h` (lookback), and the keeper's schedule around any of them:
 * `scheduled:<hours>h:<spec>` trades the inner target every so many hours, `steered:<hours>h:<spec>`
 * the same with the keeper's volatility steering (`--vol-steering FILE`, the keeper config's
 * `schedule.volSteering` object; defaults otherwise). `--baselines` adds buy-and-hold, equal weight at 24h/48h/168h, BTC, ETH.
 * Timing: decisions at bar t's close, execution at bar t+lag's close (lag >= 1) with costs.
 * Data: read with the data layer's `loadMarketCsv` (validated panel, asset registry metadata);
 * daily or hourly, told apart by the file's first date unless `--freq` says.
 * Universe: seasoned assets, one per underlying exposure (BTC stands for WBTC while both
 * trade); the benchmark is a yardstick and stays holdable unless `--exclude-benchmark`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { defaultCosts, defaultRules, parseAssumptions } from "../../backtest/assumptions.js";
import { type BacktestResult, runBacktest } from "../../backtest/backtester.js";
import {
  describeFrozenPolicy,
  type FrozenPolicy,
  type FrozenPolicyInput,
  parseFrozenPolicy,
} from "../../backtest/frozenPositions.js";
import { renderHtmlReport } from "../../backtest/htmlReport.js";
import { trailingLiquidity } from "../../backtest/liquidityEstimates.js";
import { DEFAULT_MIN_BENCHMARK_COVERAGE } from "../../backtest/metrics.js";
import { type BacktestReport, buildReport, reportToJson } from "../../backtest/report.js";
import { onePerUnderlying, seasonedUniverse } from "../../backtest/seasonedUniverse.js";
import { type VolSteeringConfigInput, volSteeringConfigSchema } from "../../config/volSteeringConfig.js";
import { BallastError, InvalidInputError } from "../../core/errors.js";
import { BARS_PER_YEAR, type Frequency, type MarketPanel, type Strategy } from "../../core/types.js";
import { coverageNote, panelCoverage, survivorshipNote } from "../../data/coverage.js";
import { inferCsvFrequency, loadMarketCsv } from "../../data/csv.js";
import { spreadDailyVolume } from "../../data/dailyVolume.js";
import { barLabel } from "../../data/time.js";
import { duplicateExposures } from "../../data/underlying.js";
import { InverseVolatilityStrategy } from "../../strategy/baselines/inverseVolatility.js";
import { buyAndHold, equalWeight, singleAsset } from "../../strategy/baselines/simple.js";
import { VolSteeredStrategy } from "../../strategy/risk/volSteeredStrategy.js";
import { type BarRange, resolveDateRange } from "../dateRange.js";
import { progressBar } from "../progress.js";
import { answerHelp, usageReporter } from "../usage.js";

const USAGE = `usage: backtest --strategy <spec> [--strategy <spec> ...] [--baselines] [--data <csv>] [--freq 24h|1h]
                [--train-end DATE] [--test-start DATE] [--test-end DATE] [--from DATE] [--to DATE]
                [--volume-data <daily csv>] [--benchmark SYMBOL|none] [--exclude-benchmark] [--min-coverage F]
                [--rf RATE] [--out DIR]
                [--lag BARS] [--exclude SYM,SYM] [--nav USD] [--mgmt-bps N] [--perf-bps N] [--max-weight F]
                [--gas-usd N] [--impact-k N] [--max-slippage F] [--depth-usd N] [--hub-depth-usd N]
                [--tolerance-bps N] [--frozen sell|markdown|hold] [--haircut F] [--grace-bars N] [--json]
                [--vol-steering <json file>]
strategies: buy-and-hold | equal-weight:<hours>h | single:<SYMBOL> | inverse-vol:<hours>h
            | scheduled:<hours>h:<strategy> | steered:<hours>h:<strategy>
  scheduled          the keeper's schedule: the inner strategy's target traded every <hours>h
  steered            the same with the keeper's volatility steering: the held basket's 1/4/24/168 h
                     volatility level scales the interval and the share of the move each trade makes
  --vol-steering     JSON file with the steering settings (as schedule.volSteering in the keeper
                     config; "enabled" is implied by steered:); default: the keeper's defaults
  --data             market CSV (default ../shared/data/market_daily.csv); hourly files work too
  --freq             bar length; default: told from the file's first date
  --train-end        last bar a strategy's settings were chosen on; the scored range must start after it
  --test-start/-end  first and last bar scored (default: the whole file); DATE as the file labels
                     its bars (YYYY-MM-DD, or "YYYY-MM-DD HH:MM" on hourly data); --from/--to are aliases
  --benchmark        CAPM yardstick (default DPI); it stays holdable unless --exclude-benchmark
  --min-coverage     least fraction of periods with benchmark data for CAPM figures (default 0.9)
  --volume-data      daily CSV whose volumes fill an hourly file without them (1/24 of the previous
                     day's volume per hour); the cost model needs volume unless --depth-usd is given
  --exclude          symbols never held (default none; wrapped duplicates are grouped by underlying)
  --frozen           a held asset whose prices stop: sell at the last close less --haircut
                     (default, 0.1), markdown after --grace-bars unpriced bars (default 7 days) by
                     --haircut (default 1 = written off), or hold at the last close (reported only)
  --help             this text`;

const BASE_SYMBOL = "USDC";
const BASELINE_SPECS = [
  "buy-and-hold",
  "equal-weight:24h",
  "equal-weight:48h",
  "equal-weight:168h",
  "single:BTC",
  "single:ETH",
];

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      help: { type: "boolean", short: "h", default: false },
      strategy: { type: "string", multiple: true, default: [] },
      baselines: { type: "boolean", default: false },
      data: { type: "string", default: "../shared/data/market_daily.csv" },
      "volume-data": { type: "string" },
      freq: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      "train-end": { type: "string" },
      "test-start": { type: "string" },
      "test-end": { type: "string" },
      benchmark: { type: "string", default: "DPI" },
      "exclude-benchmark": { type: "boolean", default: false },
      "min-coverage": { type: "string", default: String(DEFAULT_MIN_BENCHMARK_COVERAGE) },
      frozen: { type: "string", default: "sell" },
      haircut: { type: "string" },
      "grace-bars": { type: "string" },
      rf: { type: "string", default: "0" },
      out: { type: "string", default: "reports/backtest" },
      lag: { type: "string", default: "1" },
      exclude: { type: "string" },
      nav: { type: "string", default: "1000000" },
      "mgmt-bps": { type: "string", default: "0" },
      "perf-bps": { type: "string", default: "0" },
      "max-weight": { type: "string", default: "1" },
      "gas-usd": { type: "string", default: "0.3" },
      "impact-k": { type: "string", default: "0.5" },
      "max-slippage": { type: "string", default: "0.03" },
      "depth-usd": { type: "string" },
      "hub-depth-usd": { type: "string", default: "1000000000" },
      "tolerance-bps": { type: "string", default: "25" },
      json: { type: "boolean", default: false },
      "vol-steering": { type: "string" },
    },
  });
}

/** Path of Chart.js's UMD build (not in the package's exports map, so found beside its main file). */
export function chartJsUmdPath(): string {
  return join(dirname(createRequire(import.meta.url).resolve("chart.js")), "chart.umd.js");
}

/** Builds a strategy from its spec; a string is an error message. */
export function strategyFromSpec(
  spec: string,
  freq: Frequency,
  steering: VolSteeringConfigInput = {},
  maxWeight = 1,
): Strategy | string {
  if (spec === "buy-and-hold") return buyAndHold({ baseSymbol: BASE_SYMBOL });
  const barHours = 24 * (365 / BARS_PER_YEAR[freq]);
  const wrapped = /^(steered|scheduled):(\d+)h:(.+)$/.exec(spec);
  if (wrapped) {
    const hours = Number(wrapped[2]);
    if (!(hours > 0) || hours % barHours !== 0)
      return `${spec}: the period must be a positive multiple of ${barHours}h`;
    const inner = strategyFromSpec(wrapped[3]!, freq, steering, maxWeight);
    if (typeof inner === "string") return inner;
    return new VolSteeredStrategy(inner, {
      everyBars: hours / barHours,
      steering: { ...steering, enabled: wrapped[1] === "steered" },
      baseSymbol: BASE_SYMBOL,
      maxWeight,
    });
  }
  const iv = /^inverse-vol:(\d+)h$/.exec(spec);
  if (iv) {
    const hours = Number(iv[1]);
    if (!(hours > 0) || hours % barHours !== 0 || hours / barHours < 2)
      return `${spec}: the lookback must be a multiple of ${barHours}h of at least two bars`;
    return new InverseVolatilityStrategy({ lookback: hours / barHours, maxWeight, baseSymbol: BASE_SYMBOL });
  }
  const ew = /^equal-weight:(\d+)h$/.exec(spec);
  if (ew) {
    const hours = Number(ew[1]);
    if (!(hours > 0) || hours % barHours !== 0)
      return `${spec}: the period must be a positive multiple of ${barHours}h`;
    return equalWeight({ rebalanceEveryBars: hours / barHours, baseSymbol: BASE_SYMBOL });
  }
  const single = /^single:([A-Za-z0-9]+)$/.exec(spec);
  if (single) return singleAsset(single[1]!.toUpperCase());
  return `unknown strategy "${spec}"`;
}

/** The frozen-position policy the flags ask for. */
function frozenFromFlags(values: ReturnType<typeof parse>["values"], freq: Frequency): FrozenPolicy {
  const optional = (name: "haircut" | "grace-bars"): number | undefined => {
    const raw = values[name];
    if (raw === undefined) return undefined;
    const x = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(x)) throw new InvalidInputError(`--${name} must be a number`);
    return x;
  };
  const haircut = optional("haircut");
  const graceBars = optional("grace-bars");
  const policy = values.frozen;
  if (policy !== "sell" && policy !== "markdown" && policy !== "hold") {
    throw new InvalidInputError(`--frozen must be sell, markdown or hold, got "${policy}"`);
  }
  if (graceBars !== undefined && policy !== "markdown")
    throw new InvalidInputError("--grace-bars needs --frozen markdown");
  if (haircut !== undefined && policy === "hold")
    throw new InvalidInputError("--haircut does not apply to --frozen hold");
  return parseFrozenPolicy({
    policy,
    ...(haircut !== undefined ? { haircut } : {}),
    // The default grace is a week whatever the bar: 7 daily bars or 168 hourly ones.
    ...(policy === "markdown" ? { graceBars: graceBars ?? (7 * BARS_PER_YEAR[freq]) / 365 } : {}),
  } as FrozenPolicyInput);
}

export async function backtestCommand(argv: string[]): Promise<number> {
  const help = answerHelp(argv, USAGE);
  if (help !== null) return help;
  const bad = usageReporter("backtest", USAGE);
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(argv).values;
  } catch (err) {
    return bad(err);
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const path = resolve(values.data);
  if (!existsSync(path)) return bad(`${path} not found (is ../shared/data present?)`);
  let freqText: string;
  try {
    freqText = values.freq ?? inferCsvFrequency(path);
  } catch (err) {
    return bad(err);
  }
  if (freqText !== "24h" && freqText !== "1h") return bad("--freq must be 24h or 1h");
  const freq: Frequency = freqText;
  if (values.from !== undefined && values["test-start"] !== undefined)
    return bad("give --from or --test-start, not both");
  if (values.to !== undefined && values["test-end"] !== undefined) return bad("give --to or --test-end, not both");
  let frozen: FrozenPolicy;
  try {
    frozen = frozenFromFlags(values, freq);
  } catch (err) {
    return bad(err);
  }
  const specs = [...(values.strategy ?? []), ...(values.baselines ? BASELINE_SPECS : [])];
  if (specs.length === 0) return bad("give at least one --strategy, or --baselines");
  let steering: VolSteeringConfigInput = {};
  if (values["vol-steering"] !== undefined) {
    const file = resolve(values["vol-steering"]);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, "utf8"));
    } catch {
      return bad(`--vol-steering: ${file} is not a readable JSON file`);
    }
    const parsed = volSteeringConfigSchema.safeParse(raw);
    if (!parsed.success)
      return bad(
        `--vol-steering ${file}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`,
      );
    steering = raw as VolSteeringConfigInput;
  }
  const maxWeight = Number(values["max-weight"]);
  const strategies: Strategy[] = [];
  for (const spec of specs) {
    const s = strategyFromSpec(spec, freq, steering, Number.isFinite(maxWeight) && maxWeight > 0 ? maxWeight : 1);
    if (typeof s === "string") return bad(s);
    strategies.push(s);
  }
  const num = (name: string, raw: string | undefined): number | string => {
    const x = Number(raw);
    return raw !== undefined && raw.trim() !== "" && Number.isFinite(x) ? x : `--${name} must be a number`;
  };
  const numbers: Record<string, number> = {};
  for (const name of [
    "rf",
    "lag",
    "nav",
    "mgmt-bps",
    "perf-bps",
    "max-weight",
    "gas-usd",
    "impact-k",
    "max-slippage",
    "tolerance-bps",
    "hub-depth-usd",
    "min-coverage",
  ] as const) {
    const x = num(name, values[name]);
    if (typeof x === "string") return bad(x);
    numbers[name] = x;
  }
  const depth = values["depth-usd"] === undefined ? Number.NaN : num("depth-usd", values["depth-usd"]);
  if (typeof depth === "string") return bad(depth);
  const lag = numbers.lag!;
  if (!Number.isInteger(lag) || lag < 1)
    return bad("--lag must be an integer >= 1 (a decision cannot trade on the bar it reads)");
  const minCoverage = numbers["min-coverage"]!;
  if (!(minCoverage >= 0 && minCoverage <= 1)) return bad("--min-coverage must be in [0, 1]");

  try {
    const assumptions = parseAssumptions({
      sqrtImpactK: numbers["impact-k"],
      gasUsdPerLeg: numbers["gas-usd"],
      maxSlippage: numbers["max-slippage"],
      poolDepthUsd: depth,
      hubDepthUsd: numbers["hub-depth-usd"],
      managementFeeBps: numbers["mgmt-bps"],
      performanceFeeBps: numbers["perf-bps"],
      maxWeight: numbers["max-weight"],
      toleranceBps: numbers["tolerance-bps"],
    });
    const loaded = loadMarketCsv(path, { freq });
    const validation = loaded.report;
    let panel = loaded.panel;
    let volumeNote = "volumes from the data file";
    if (values["volume-data"] !== undefined) {
      const volumePath = resolve(values["volume-data"]);
      if (freq !== "1h") return bad("--volume-data fills an hourly file; the data is daily");
      if (!existsSync(volumePath)) return bad(`${volumePath} not found`);
      const spread = spreadDailyVolume(panel, loadMarketCsv(volumePath, { freq: "24h" }).panel);
      panel = spread.panel;
      volumeNote = `hourly volume = 1/24 of the previous day's volume in ${volumePath} (${spread.filled.length} assets${spread.missing.length > 0 ? `; none for ${spread.missing.join(", ")}` : ""})`;
    }
    if (Number.isNaN(assumptions.poolDepthUsd) && panel.volume.every((row) => row.every(Number.isNaN))) {
      return bad(
        "the data has no volume, so trading costs cannot be modelled: give --volume-data <daily csv> or --depth-usd",
      );
    }
    const base = panel.assets.findIndex((a) => a.symbol === BASE_SYMBOL);
    if (base < 0) return bad(`the data has no ${BASE_SYMBOL} (the vault's base asset)`);
    const benchmarkSymbol = values.benchmark.toUpperCase();
    const bench = benchmarkSymbol === "NONE" ? -1 : panel.assets.findIndex((a) => a.symbol === benchmarkSymbol);
    if (benchmarkSymbol !== "NONE" && bench < 0) return bad(`benchmark ${benchmarkSymbol} is not in the data`);
    if (values["exclude-benchmark"] && bench < 0) return bad("--exclude-benchmark needs a --benchmark");
    let range: BarRange;
    try {
      range = resolveDateRange(panel, {
        trainEnd: values["train-end"],
        testStart: values["test-start"] ?? values.from,
        testEnd: values["test-end"] ?? values.to,
      });
    } catch (err) {
      if (err instanceof InvalidInputError) return bad(err);
      throw err;
    }
    const from = range.testStart;
    const to = range.testEnd;

    // The benchmark is a yardstick: it stays holdable unless the user asks otherwise.
    const exclude = new Set(
      [...(values.exclude ?? "").split(","), ...(values["exclude-benchmark"] ? [benchmarkSymbol] : [])]
        .map((s) => s.trim().toUpperCase())
        .filter(Boolean),
    );
    const barsPerDay = BARS_PER_YEAR[freq] / 365;
    const eligibility = onePerUnderlying(
      seasonedUniverse({
        exclude,
        baseSymbol: BASE_SYMBOL,
        minHistoryBars: Math.round(30 * barsPerDay),
        requireVolume: Number.isNaN(assumptions.poolDepthUsd),
      }),
    );
    const costs = defaultCosts(panel, BASE_SYMBOL, assumptions);
    const rules = defaultRules(panel, base, assumptions);
    const liquidity = trailingLiquidity(panel, 30);

    const results: BacktestResult[] = [];
    for (const strategy of strategies) {
      const bar = progressBar(
        `backtest ${strategy.name}`,
        `${strategy.name.padEnd(22)} [{bar}] {percentage}% | {value}/{total} bars`,
      );
      bar.start(to - from + 1, 0);
      results.push(
        runBacktest({
          panel,
          strategy,
          costs,
          rules,
          baseAssetIndex: base,
          eligibility,
          liquidity,
          frozen,
          settings: { from, to, executionLagBars: lag, initialNavUsd: numbers.nav },
          onProgress: (done) => bar.update(done),
        }),
      );
      bar.stop();
    }

    const benchmark =
      bench >= 0
        ? { name: benchmarkSymbol, values: Float64Array.from(panel.close[bench]!.subarray(from, to + 1)) }
        : null;
    const label = (bar: number) => barLabel(panel.timestamps[bar]!, freq);
    const coverage = panelCoverage(panel, from, to);
    const bounds = validation.issues.filter((i) => i.kind === "series_start" || i.kind === "series_end");
    const report = buildReport({
      title: `Backtest ${label(from)} to ${label(to)} (${freq})`,
      results,
      benchmark,
      riskFreeRate: numbers.rf!,
      minBenchmarkCoverage: minCoverage,
      notes: {
        data: `${path} via loadMarketCsv (validated; spikes repaired, ${freq === "24h" ? "no forward fill on daily bars" : "hourly gaps of up to 2 bars filled forward"})`,
        range: {
          trainEnd: range.trainEnd === null ? null : label(range.trainEnd),
          scored: `${label(from)} .. ${label(to)} (${to - from + 1} bars)`,
        },
        validation: {
          counts: validation.counts,
          seriesBounds: bounds.map((i) => `${i.kind} ${i.symbol} ${barLabel(i.timestamp, freq)}: ${i.detail}`),
        },
        frozenPositions: describeFrozenPolicy(frozen),
        timing: `decision at bar t's close on data up to t; execution at bar t+${lag}'s close with modelled costs`,
        costs:
          "Uniswap V3 fee per hop (USDC->WETH 5bp ->token 30bp; majors 5bp; LSTs 5bp+1bp; stables 1bp); the token's hop pays square-root impact k*sigma_daily*sqrt(trade/ADV) on 30-day trailing volume (or constant-product impact with --depth-usd); the USDC/WETH hub hop pays constant-product impact on --hub-depth-usd; gas per leg; legs above the slippage bound are skipped",
        assumptions,
        universe: `priced for the last 30 days${Number.isNaN(assumptions.poolDepthUsd) ? " with some volume" : ""}; one asset per underlying exposure (${duplicateNote(panel)}); excluded: ${[...exclude].join(", ") || "none"}; base ${BASE_SYMBOL} holds unspent cash`,
        survivorship: survivorshipNote(coverage, label),
        coverage: coverageNote(coverage, label),
        volume: `${volumeNote}; volumes are all-venue or single-venue CEX figures, not Arbitrum DEX volume: impact is likely understated`,
      },
    });
    const outDir = resolve(values.out);
    mkdirSync(outDir, { recursive: true });
    const jsonPath = join(outDir, "backtest.json");
    const htmlPath = join(outDir, "backtest.html");
    writeFileSync(jsonPath, reportToJson(report));
    writeFileSync(htmlPath, renderHtmlReport(report, { chartJsSource: readFileSync(chartJsUmdPath(), "utf8") }));
    if (values.json) console.log(JSON.stringify(summary(report), null, 2));
    else console.log(renderSummaryTable(report));
    console.log(`\nreports: ${jsonPath}\n         ${htmlPath}`);
    return 0;
  } catch (err) {
    if (err instanceof BallastError) {
      console.error(`backtest: ${err.code}: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

/** Which wrappers the panel holds next to the asset that stands for them. */
function duplicateNote(panel: MarketPanel): string {
  const dups = duplicateExposures(panel.assets.map((a) => a.symbol));
  return dups.length === 0
    ? "no duplicates in the data"
    : `${dups.map((d) => `${d.symbol} only while ${d.keptAs} is not in the universe`).join(", ")}`;
}

function summary(report: BacktestReport) {
  return report.runs.map((r) => ({
    name: r.name,
    metrics: r.metrics,
    vsBenchmark: r.vsBenchmark,
    benchmarkNote: r.benchmarkNote,
    frozen: { ...r.frozen, events: r.frozen.events.length },
    totals: r.totals,
  }));
}

/** Markdown table of the main metrics, one row per run. */
export function renderSummaryTable(report: BacktestReport): string {
  const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : "n/a");
  const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "n/a");
  const bench = report.benchmark?.name ?? "benchmark";
  const header = `| strategy | total | CAGR | vol | Sharpe | Sortino | max DD | Calmar | turnover/yr | cost drag | hit rate | beta vs ${bench} | alpha | CAPM E[r] | costs+gas $ | max frozen | frozen loss $ | max unpriced |`;
  const rows = report.runs.map((r) => {
    const m = r.metrics;
    const b = r.vsBenchmark;
    return `| ${r.name} | ${pct(m.totalReturn)} | ${pct(m.annualisedReturn)} | ${pct(m.volatility)} | ${f2(m.sharpe)} | ${f2(m.sortino)} | ${pct(m.maxDrawdown)} | ${f2(m.calmar)} | ${f2(m.turnoverAnnualised)} | ${pct(m.costDrag)} | ${pct(m.hitRate)} | ${b ? f2(b.beta) : "n/a"} | ${b ? pct(b.alpha) : "n/a"} | ${b ? pct(b.capmExpectedReturn) : "n/a"} | ${Math.round(r.totals.tradingCostUsd + r.totals.gasUsd).toLocaleString("en-US")} | ${pct(r.frozen.maxFraction)} | ${Math.round(r.frozen.lossUsd).toLocaleString("en-US")} | ${pct(r.frozen.maxUnpricedFraction)} |`;
  });
  // One line per distinct refusal (every run shares the benchmark, so usually one), else the coverage.
  const refusals = [...new Set(report.runs.map((r) => r.benchmarkNote).filter((x): x is string => x !== null))];
  const covered = report.runs.find((r) => r.vsBenchmark !== null)?.vsBenchmark;
  const capm = [
    ...refusals.map((x) => `\nCAPM: ${x}`),
    ...(refusals.length === 0 && covered
      ? [`\nCAPM: benchmark ${covered.benchmark} has data on ${pct(covered.coverage)} of the periods`]
      : []),
  ];
  return [header, `|${"---|".repeat(18)}`, ...rows, ...capm].join("\n");
}
