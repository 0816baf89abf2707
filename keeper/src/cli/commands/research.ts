/**
 * `research`: classify -> train -> select (robust, on folds) -> test -> report.
 *
 *   research [--data ../shared/data/market_daily.csv] [--out reports/research]
 *            [--cache-dir .ballast/research-cache] [--seeds 0,1,2] [--ppo-steps 100000]
 *            [--universe seasoned|classifier] [--no-ppo] [--fresh]
 *
 * The selection (chosen configurations, validation grid, PPO policies) is cached under the
 * hash of the data file and the research config: a re-run with the same data and config
 * reuses it instead of searching again, so the test block can only ever score the
 * configuration chosen the first time. Writes research.json, research.html (self-contained,
 * Chart.js inlined) and oos-table.md to --out.
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
import cliProgress from "cli-progress";
import { DataError } from "../../core/errors.js";
import { loadMarketCsv } from "../../data/csv.js";
import { foldReportMarkdown } from "../../research/foldReport.js";
import { type ResearchConfig, researchConfigSchema } from "../../research/researchConfig.js";
import { buildResearchReport } from "../../research/researchReport.js";
import { runFoldStudy } from "../../research/runFoldStudy.js";
import { type ResearchProgress, scoreOnTest, selectOnValidation, trainPpoSeeds } from "../../research/runResearch.js";
import { type Selection, selectionSchema } from "../../research/selection.js";
import { candidateAssets } from "../../research/universe.js";
import type { PpoPolicy } from "../../strategy/ppo/ppoPolicy.js";
import { initTf } from "../../strategy/ppo/tfBackend.js";
import { loadPolicyFolder, savePolicyFolder } from "./train.js";

interface Flags {
  data: string;
  out: string;
  cacheDir: string;
  seeds: number[];
  ppoSteps: number;
  ppo: boolean;
  fresh: boolean;
  universe: "seasoned" | "classifier";
}

function parseFlags(argv: string[]): Flags | string {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        data: { type: "string", default: "../shared/data/market_daily.csv" },
        out: { type: "string", default: "reports/research" },
        "cache-dir": { type: "string", default: ".ballast/research-cache" },
        seeds: { type: "string", default: "0,1,2" },
        "ppo-steps": { type: "string", default: "100000" },
        "no-ppo": { type: "boolean", default: false },
        fresh: { type: "boolean", default: false },
        universe: { type: "string", default: "seasoned" },
      },
      strict: true,
    }));
  } catch (err) {
    return (err as Error).message;
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
  return {
    data: String(values.data),
    out: String(values.out),
    cacheDir: String(values["cache-dir"]),
    seeds,
    ppoSteps,
    ppo: values["no-ppo"] !== true,
    fresh: values.fresh === true,
    universe,
  };
}

function progressBars(): ResearchProgress {
  let bar: cliProgress.SingleBar | null = null;
  return {
    start(stage, total) {
      bar = new cliProgress.SingleBar(
        { format: `${stage.padEnd(24)} [{bar}] {value}/{total} | {duration_formatted}` },
        cliProgress.Presets.shades_classic,
      );
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

export async function researchCommand(argv: string[]): Promise<number> {
  const flags = parseFlags(argv);
  if (typeof flags === "string") {
    console.error(`research: ${flags}`);
    return 2;
  }
  if (!existsSync(flags.data)) {
    console.error(`research: data file not found: ${flags.data}`);
    return 2;
  }
  const progress = progressBars();
  const dataHash = sha256(readFileSync(flags.data));
  const { panel } = loadMarketCsv(flags.data);
  const cfg: ResearchConfig = researchConfigSchema.parse({
    universe: flags.universe,
    ppo: { enabled: flags.ppo, seeds: flags.seeds, totalSteps: flags.ppoSteps },
  });
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
