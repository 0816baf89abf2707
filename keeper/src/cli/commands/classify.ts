/**
 * `classify`: prints the token universe the classifier selects at a date, with the reason
 * for every included and excluded token.
 *
 *   classify --source synthetic [--seed 1] [--date 2023-06-30]
 *   classify --source csv --csv my_history.csv --date 2023-06-30
 *   classify --source shared --date 2023-06-30      (../shared/data/market_daily.csv)
 *   options: --max N (universe size), --include SYM,SYM (override the meme filter), --json,
 *            --mode strict|ranked (strict: the seed's rules, the default; ranked: filters then a score)
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { classifyUniverse, type UniverseDecision } from "../../classifier/classify.js";
import type { ClassifierConfigInput } from "../../classifier/config.js";
import { BallastError } from "../../core/errors.js";
import type { MarketPanel } from "../../core/types.js";
import { loadMarketCsv } from "../../data/csv.js";
import { generateSyntheticMarket } from "../../data/synthetic.js";
import { barLabel, dailyBarClose, indexAtOrBefore } from "../../data/time.js";
import { formatReport, type ValidationReport } from "../../data/validation.js";
import { answerHelp, usageReporter } from "../usage.js";

const USAGE = `usage: classify --source synthetic|csv|shared [--csv <path>] [--date YYYY-MM-DD] [--max N]
                [--include SYM,SYM] [--mode strict|ranked] [--seed N] [--json]`;

/** Shared research data, relative to the repository root (where the CLI runs). */
export const SHARED_MARKET_CSV = "../shared/data/market_daily.csv";

export async function classifyCommand(argv: string[]): Promise<number> {
  const help = answerHelp(argv, USAGE);
  if (help !== null) return help;
  const bad = usageReporter("classify", USAGE);
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(argv).values;
  } catch (err) {
    return bad(err);
  }
  const source = values.source;
  if (source !== "synthetic" && source !== "csv" && source !== "shared")
    return bad("--source must be synthetic, csv or shared");
  if (source === "csv" && !values.csv) return bad("--source csv needs --csv <path>");
  if (values.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.date)) return bad("--date must be YYYY-MM-DD");
  const max = values.max === undefined ? undefined : Number(values.max);
  if (max !== undefined && !(Number.isInteger(max) && max >= 1)) return bad("--max must be a positive integer");
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) return bad("--seed must be an integer");
  const mode = values.mode;
  if (mode !== "strict" && mode !== "ranked") return bad("--mode must be strict or ranked");

  try {
    let panel: MarketPanel;
    let report: ValidationReport | null = null;
    if (source === "synthetic") {
      panel = generateSyntheticMarket({ seed, bars: 3 * 365, freq: "24h", start: "2021-01-01" });
    } else {
      const path = source === "csv" ? resolve(values.csv as string) : resolve(SHARED_MARKET_CSV);
      if (!existsSync(path)) {
        console.error(`classify: ${path} not found${source === "shared" ? " (is ../shared/data present?)" : ""}`);
        return 2;
      }
      ({ panel, report } = loadMarketCsv(path, { freq: "24h" }));
    }
    const t =
      values.date === undefined
        ? panel.timestamps.length - 1
        : indexAtOrBefore(panel.timestamps, dailyBarClose(values.date));
    if (t < 0)
      return bad(
        `--date ${values.date} is before the data starts (${barLabel(panel.timestamps[0] as number, panel.freq)})`,
      );
    const config: ClassifierConfigInput = {
      mode,
      ...(max !== undefined ? { maxAssets: max } : {}),
      ...(values.include
        ? {
            include: values.include
              .split(",")
              .map((s) => s.trim())
              .filter(Boolean),
          }
        : {}),
    };
    const decision = classifyUniverse(panel, t, config);
    if (values.json) {
      console.log(JSON.stringify({ date: barLabel(decision.timestamp, panel.freq), ...decision }, null, 2));
    } else {
      if (report) console.log(formatReport(report, (ts) => barLabel(ts, panel.freq), 5));
      console.log(renderTable(decision, panel));
    }
    return 0;
  } catch (err) {
    if (err instanceof BallastError) {
      console.error(`classify: ${err.code}: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      source: { type: "string", default: "synthetic" },
      csv: { type: "string" },
      date: { type: "string" },
      max: { type: "string" },
      include: { type: "string" },
      seed: { type: "string", default: "1" },
      json: { type: "boolean", default: false },
      mode: { type: "string", default: "strict" },
    },
  });
}

/** A readable table: included tokens first (by rank), then excluded ones, each with its reasons. */
export function renderTable(decision: UniverseDecision, panel: MarketPanel): string {
  const lines = [
    `universe at ${barLabel(decision.timestamp, panel.freq)}: ${decision.selected.length > 0 ? decision.selected.join(", ") : "(empty)"}`,
    `investable average return ${fmtPct(decision.averages.ret)}, relative volume ${decision.averages.volumeRatio?.toFixed(2) ?? "n/a"} (${decision.mode} mode)`,
    ...(decision.shortfall ? [`shortfall: ${decision.shortfall.message}`] : []),
    "",
    `${"".padEnd(4)}${"symbol".padEnd(9)}${"return".padStart(9)}  reasons`,
  ];
  const sorted = [...decision.decisions].sort(
    (a, b) =>
      Number(b.included) - Number(a.included) ||
      (a.rank ?? Number.POSITIVE_INFINITY) - (b.rank ?? Number.POSITIVE_INFINITY) ||
      (a.symbol < b.symbol ? -1 : 1),
  );
  for (const d of sorted) {
    const shown = d.included ? d.reasons.slice(0, 1) : d.reasons.filter((_, k) => k < 3);
    lines.push(
      `${(d.included ? "IN" : "out").padEnd(4)}${d.symbol.padEnd(9)}${fmtPct(d.metrics.ret).padStart(9)}  ${shown.join("; ")}`,
    );
  }
  return lines.join("\n");
}

function fmtPct(x: number | null): string {
  return x === null ? "n/a" : `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)}%`;
}
