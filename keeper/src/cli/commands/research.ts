/**
 * `research`: classify -> train -> select (robust, on folds) -> test -> report. `research --help`
 * prints the flags.
 *
 * The selection (chosen configurations, validation grid, PPO policies) is cached under the
 * hash of the data file and the research config: a re-run with the same data and config
 * reuses it instead of searching again, so the test block can only ever score the
 * configuration chosen the first time. Writes research.json, research.html (self-contained,
 * Chart.js inlined) and oos-table.md to --out, then the release folder (--release, default
 * <out>/release): what the gate approved, or the baseline it fell back to, and why.
 *
 * Blocks: by default the history is split by fractions (train, validation, test). With
 * `--train-end` the strategies are trained and selected on bars up to that date only, and the
 * test block runs from `--test-start` (default: the next bar) to `--test-end` (default: the
 * last bar). Hourly files run with every parameter set in days (see ResearchConfig.barsPerDay).
 *
 * The robust selection (research/runFoldStudy.ts) runs every candidate over the bars after the
 * training block, cut into purged walk-forward and CSCV folds; its choice, fold distributions,
 * PBO, deflated Sharpe, cost drag and no-trade band go to folds.md and folds.json. The single
 * validation/test split above is kept beside it for comparison.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { ConfigError, DataError, InvalidInputError } from "../../core/errors.js";
import { BARS_PER_YEAR, type MarketPanel } from "../../core/types.js";
import { inferCsvFrequency, loadMarketCsv } from "../../data/csv.js";
import { spreadDailyVolume } from "../../data/dailyVolume.js";
import { foldReportMarkdown } from "../../research/foldReport.js";
import { gateInputFromResearch, releaseFromResearch } from "../../research/release/fromResearch.js";
import { runGate } from "../../research/release/gate.js";
import { POLICY_FILE, REPORT_FILE, releaseFiles } from "../../research/release/release.js";
import { DEFAULT_SCHEDULES, type ResearchConfig, researchConfigSchema } from "../../research/researchConfig.js";
import { buildResearchReport } from "../../research/researchReport.js";
import { runFoldStudy } from "../../research/runFoldStudy.js";
import {
  type ResearchProgress,
  researchBlocks,
  scoreOnTest,
  selectOnValidation,
  trainPpoSeeds,
} from "../../research/runResearch.js";
import { type Selection, selectionSchema } from "../../research/selection.js";
import { candidateAssets } from "../../research/universe.js";
import type { PpoPolicy } from "../../strategy/ppo/ppoPolicy.js";
import { initTf } from "../../strategy/ppo/tfBackend.js";
import { resolveDateRange } from "../dateRange.js";
import { type Progress, progressBar } from "../progress.js";
import { writeReleaseFolder } from "../releaseFolder.js";
import { answerHelp, describeUsageProblem, usageReporter } from "../usage.js";
import { loadPolicyFolder, savePolicyFolder } from "./train.js";

const USAGE = `usage: research [--data <csv>] [--freq 24h|1h] [--volume-data <daily csv>] [--out DIR] [--cache-dir DIR]
                [--train-end DATE] [--test-start DATE] [--test-end DATE]
                [--seeds 0,1,2] [--ppo-steps N] [--universe seasoned|classifier] [--no-ppo] [--fresh] [--release DIR]
                [--gate-margin X] [--gate-min-dsr P]
  --data             market CSV (default ../shared/data/market_daily.csv); hourly files work too
  --freq             bar length; default: told from the file's first date
  --volume-data      daily CSV whose volumes fill an hourly file without them (previous day / 24)
  --train-end        train and select on bars up to DATE only (default: the first two thirds by fraction)
  --test-start/-end  the scored test block (default: the bar after --train-end .. the last bar);
                     DATE as the file labels its bars (YYYY-MM-DD, or "YYYY-MM-DD HH:MM" hourly)
  --seeds            PPO seeds (default 0,1,2); --ppo-steps steps per seed (default 100000)
  --universe         seasoned (default) or the keeper's classifier
  --no-ppo           skip the PPO agent; --fresh ignores a cached selection
  --release DIR      where the release folder goes (default <out>/release)
  --gate-margin X    least mean excess net Sharpe over equal weight the gate asks (default 0.1)
  --gate-min-dsr P   least deflated Sharpe the gate asks, 0..1 (default 0.95)
  --help             this text`;

interface Flags {
  help: boolean;
  data: string;
  freq: string | undefined;
  volumeData: string | undefined;
  trainEnd: string | undefined;
  testStart: string | undefined;
  testEnd: string | undefined;
  out: string;
  release: string | undefined;
  cacheDir: string;
  seeds: number[];
  ppoSteps: number;
  ppo: boolean;
  fresh: boolean;
  universe: "seasoned" | "classifier";
  /** Gate rules given on the command line (the rest default); a rotation retrain passes its release's. */
  gate: { margin?: number; minDeflatedSharpe?: number };
}

function parseFlags(argv: string[]): Flags | string {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        help: { type: "boolean", short: "h", default: false },
        data: { type: "string", default: "../shared/data/market_daily.csv" },
        freq: { type: "string" },
        "volume-data": { type: "string" },
        "train-end": { type: "string" },
        "test-start": { type: "string" },
        "test-end": { type: "string" },
        out: { type: "string", default: "reports/research" },
        release: { type: "string" },
        "cache-dir": { type: "string", default: ".ballast/research-cache" },
        seeds: { type: "string", default: "0,1,2" },
        "ppo-steps": { type: "string", default: "100000" },
        "no-ppo": { type: "boolean", default: false },
        fresh: { type: "boolean", default: false },
        universe: { type: "string", default: "seasoned" },
        "gate-margin": { type: "string" },
        "gate-min-dsr": { type: "string" },
      },
      strict: true,
    }));
  } catch (err) {
    return describeUsageProblem(err, USAGE);
  }
  const seeds = String(values.seeds)
    .split(",")
    .map((s) => Number(s.trim()));
  const ppoSteps = Number(values["ppo-steps"]);
  if (seeds.length === 0 || seeds.some((s) => !Number.isInteger(s)))
    return "--seeds must be a comma-separated list of integers";
  if (!Number.isInteger(ppoSteps) || ppoSteps <= 0) return "--ppo-steps must be a positive integer";
  const universe = values.universe;
  if (universe !== "seasoned" && universe !== "classifier") return "--universe must be seasoned or classifier";
  const optional = (v: string | boolean | undefined): string | undefined => (typeof v === "string" ? v : undefined);
  const gate: Flags["gate"] = {};
  if (values["gate-margin"] !== undefined) {
    gate.margin = Number(values["gate-margin"]);
    if (!Number.isFinite(gate.margin) || gate.margin < 0) return "--gate-margin must be a number >= 0";
  }
  if (values["gate-min-dsr"] !== undefined) {
    gate.minDeflatedSharpe = Number(values["gate-min-dsr"]);
    const p = gate.minDeflatedSharpe;
    if (!Number.isFinite(p) || p < 0 || p > 1) return "--gate-min-dsr must be a number in 0..1";
  }
  if (values["test-end"] !== undefined && values["train-end"] === undefined && values["test-start"] === undefined) {
    return "--test-end needs --train-end or --test-start (where selection stops)";
  }
  return {
    help: values.help === true,
    data: String(values.data),
    freq: optional(values.freq),
    volumeData: optional(values["volume-data"]),
    trainEnd: optional(values["train-end"]),
    testStart: optional(values["test-start"]),
    testEnd: optional(values["test-end"]),
    out: String(values.out),
    release: typeof values.release === "string" ? values.release : undefined,
    cacheDir: String(values["cache-dir"]),
    seeds,
    ppoSteps,
    ppo: values["no-ppo"] !== true,
    fresh: values.fresh === true,
    universe,
    gate,
  };
}

function progressBars(): ResearchProgress {
  let bar: Progress | null = null;
  return {
    start(stage, total) {
      bar = progressBar(stage, `${stage.padEnd(24)} [{bar}] {value}/{total} | {duration_formatted}`);
      bar.start(total, 0);
    },
    tick(value) {
      bar?.update(value);
    },
    stop() {
      bar?.stop();
      bar = null;
    },
    log(message) {
      console.log(message);
    },
  };
}

const sha256 = (text: string | Buffer) => createHash("sha256").update(text).digest("hex");

/** The research config for `panel`: blocks from the date flags, parameters in days. */
function configFor(panel: MarketPanel, flags: Flags): ResearchConfig {
  const range = rangeOf(panel, flags);
  const barsPerDay = BARS_PER_YEAR[panel.freq] / 365;
  const parsed = researchConfigSchema.safeParse({
    universe: flags.universe,
    barsPerDay,
    // The default schedules are in days; on hourly bars each becomes that many hours.
    schedules: DEFAULT_SCHEDULES.map((sc) => ({ ...sc, decideEveryBars: sc.decideEveryBars * barsPerDay })),
    ...(range ? { range } : {}),
    ppo: { enabled: flags.ppo, seeds: flags.seeds, totalSteps: flags.ppoSteps, decideEveryBars: barsPerDay },
  });
  if (!parsed.success) throw new ConfigError(`research config: ${z.prettifyError(parsed.error)}`);
  // Blocks that cannot be cut are a usage error, reported before any work starts.
  researchBlocks(panel, parsed.data);
  return parsed.data;
}

/** The explicit blocks the date flags ask for; undefined without flags (the fraction split). */
function rangeOf(panel: MarketPanel, flags: Flags): ResearchConfig["range"] {
  if (flags.trainEnd === undefined && flags.testStart === undefined && flags.testEnd === undefined) return undefined;
  const r = resolveDateRange(panel, { trainEnd: flags.trainEnd, testStart: flags.testStart, testEnd: flags.testEnd });
  return { trainEnd: r.trainEnd ?? r.testStart - 1, testStart: r.testStart, testEnd: r.testEnd };
}

export async function researchCommand(argv: string[]): Promise<number> {
  const help = answerHelp(argv, USAGE);
  if (help !== null) return help;
  const bad = usageReporter("research", USAGE);
  const flags = parseFlags(argv);
  if (typeof flags === "string") return bad(flags);
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  if (!existsSync(flags.data)) return bad(`data file not found: ${flags.data}`);
  if (flags.volumeData !== undefined && !existsSync(flags.volumeData)) {
    return bad(`volume data file not found: ${flags.volumeData}`);
  }
  let panel: MarketPanel;
  let cfg: ResearchConfig;
  try {
    const freq = flags.freq ?? inferCsvFrequency(flags.data);
    if (freq !== "24h" && freq !== "1h") return bad("--freq must be 24h or 1h");
    panel = loadMarketCsv(flags.data, { freq }).panel;
    if (flags.volumeData !== undefined) {
      if (freq !== "1h") return bad("--volume-data fills an hourly file; the data is daily");
      panel = spreadDailyVolume(panel, loadMarketCsv(flags.volumeData, { freq: "24h" }).panel).panel;
    }
    cfg = configFor(panel, flags);
  } catch (err) {
    if (err instanceof InvalidInputError || err instanceof DataError || err instanceof ConfigError) return bad(err);
    throw err;
  }
  if (panel.volume.every((row) => row.every(Number.isNaN))) {
    return bad("the data has no volume, so trading costs cannot be modelled: give --volume-data <daily csv>");
  }
  const progress = progressBars();
  // The cache key covers every file the panel is built from.
  const dataHash =
    flags.volumeData === undefined
      ? sha256(readFileSync(flags.data))
      : sha256(sha256(readFileSync(flags.data)) + sha256(readFileSync(flags.volumeData)));
  const configHash = sha256(JSON.stringify(cfg));
  const cacheDir = join(flags.cacheDir, sha256(dataHash + configHash).slice(0, 16));
  const selectionPath = join(cacheDir, "selection.json");

  // classify
  const universe = candidateAssets(panel).map((i) => panel.assets[i]!.symbol);
  console.log(
    `research: ${panel.timestamps.length} bars, universe candidates (${universe.length}): ${universe.join(" ")}`,
  );

  let selection: Selection;
  let policies: PpoPolicy[] = [];
  if (!flags.fresh && existsSync(selectionPath)) {
    selection = readSelection(selectionPath);
    policies = (selection.ppo?.seeds ?? []).map((_, k) => loadPolicyFolder(join(cacheDir, `ppo-${k}`)));
    console.log(
      `research: reusing the cached selection ${selectionPath} (data ${dataHash.slice(0, 12)}); no re-tuning`,
    );
  } else {
    // train
    if (cfg.ppo.enabled) {
      const { tf, backend } = await initTf((m) => console.error(m));
      console.log(
        `research: training PPO (${cfg.ppo.grid.length} settings x ${cfg.ppo.seeds.length} seeds x ${cfg.ppo.totalSteps} steps, tfjs ${backend})`,
      );
      policies = await trainPpoSeeds(panel, cfg, tf, progress);
      policies.forEach((p, k) => {
        savePolicyFolder(p, join(cacheDir, `ppo-${k}`));
      });
    }
    // select
    selection = selectOnValidation(panel, cfg, policies, { dataHash, configHash }, progress);
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(
      selectionPath,
      JSON.stringify(selection, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v)),
    );
    console.log(`research: selection cached in ${selectionPath}`);
  }

  // test
  const scoredPath = join(cacheDir, "test-scored-at.txt");
  if (existsSync(scoredPath)) {
    console.log(
      `research: the test block was first scored at ${readFileSync(scoredPath, "utf8").trim()}; this is a deterministic re-run of the same selection`,
    );
  } else {
    writeFileSync(scoredPath, new Date().toISOString());
  }
  const outcome = scoreOnTest(panel, cfg, selection, policies, progress);

  // report
  const require = createRequire(import.meta.url);
  // chart.js exports no subpath for its UMD build: find it beside the package's main file.
  const chartJsSource = readFileSync(join(dirname(require.resolve("chart.js")), "chart.umd.js"), "utf8");
  const report = buildResearchReport({ panel, cfg, selection, outcome, chartJsSource });
  mkdirSync(flags.out, { recursive: true });
  writeFileSync(join(flags.out, "research.json"), report.json);
  writeFileSync(join(flags.out, "research.html"), report.html);
  writeFileSync(join(flags.out, "oos-table.md"), `${report.markdown}\n`);
  console.log(`\n${report.markdown}\n`);

  // robust selection on folds
  const folds = runFoldStudy(panel, cfg, policies, progress);
  const foldMarkdown = foldReportMarkdown(panel, folds);
  writeFileSync(join(flags.out, "folds.md"), `${foldMarkdown}\n`);
  writeFileSync(
    join(flags.out, "folds.json"),
    JSON.stringify(folds, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v)),
  );
  console.log(`\n${foldMarkdown}\n`);
  console.log(
    `research: report written to ${join(flags.out, "research.html")}, research.json, folds.md and folds.json`,
  );

  // release: what the gate approves, or the baseline it falls back to
  const verdict = runGate(gateInputFromResearch(selection, outcome), flags.gate);
  const manifest = releaseFromResearch({ panel, cfg, selection, verdict, dataHash, producedBy: "research" });
  const attachments: Record<string, string> = { [REPORT_FILE]: report.json };
  if (manifest.strategy.family === "ppo") {
    const seed = manifest.strategy.params.seed;
    const policy = policies.find((p) => p.meta.seed === seed);
    if (!policy) throw new DataError(`research: no trained policy for seed ${String(seed)}`);
    attachments[POLICY_FILE] = JSON.stringify(policy.toJSON());
  }
  const releaseDir = flags.release ?? join(flags.out, "release");
  writeReleaseFolder(releaseDir, releaseFiles(manifest, attachments));
  console.log(
    `research: gate ${verdict.approved ? "APPROVED" : "did not approve"} ${verdict.candidate.id}; release ${releaseDir} serves ${verdict.recommended.id}`,
  );
  for (const reason of verdict.reasons) console.log(`  - ${reason}`);
  return 0;
}

function readSelection(path: string): Selection {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new DataError(`cannot read cached selection ${path}`, { cause });
  }
  const parsed = selectionSchema.safeParse(raw);
  if (!parsed.success) throw new DataError(`cached selection ${path} is malformed: ${parsed.error.message}`);
  return parsed.data;
}
