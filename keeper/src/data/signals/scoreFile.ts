/**
 * Reads external per-asset scores (a Numerai-style meta-model: one score per asset and date)
 * from a CSV or JSON file or an HTTP endpoint, into a `ScoreHistory`. Formats (documented in
 * keeper/src/data/README.md, "Signal scores"):
 *
 * - CSV: header with `date` (YYYY-MM-DD, or a UTC datetime), `symbol`, `score`, and optionally
 *   `published_at` (UTC datetime the score became known). Without `published_at`, a score dated
 *   D is known at the end of D (00:00 UTC of D + 1), so a backtest can never trade on it early.
 * - JSON (file or HTTP body): `{ "snapshots": [ { "date": "...", "published_at"?: "...",
 *   "scores": { "BTC": 0.71, "ETH": null } } ] }`.
 *
 * A malformed file (bad header, date or number, the same asset twice on one date) is a
 * `DataError` listing the rows. An empty cell or a JSON null is kept as NaN: the publisher
 * named the asset without a value, and the consumer refuses the snapshot rather than guess.
 * Staleness, coverage and unknown assets depend on the decision time and the universe, so
 * they are checked where the scores are used (strategy/signals/scoreWeights.ts).
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { DataError } from "../../core/errors.js";
import type { ScoreHistory, ScoreSnapshot } from "../../core/signals.js";
import { parseCsv } from "../csvParse.js";
import { getJson, type HttpOptions } from "../http.js";
import { dailyBarClose, parseUtcSeconds } from "../time.js";

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

const jsonSchema = z.object({
  snapshots: z.array(
    z.object({
      date: z.string(),
      published_at: z.string().optional(),
      scores: z.record(z.string(), z.number().nullable()),
    }),
  ),
});

/** When a score dated `date` became known. */
function knownAt(date: string, publishedAt: string | undefined): number {
  if (publishedAt !== undefined && publishedAt.trim() !== "") return parseUtcSeconds(publishedAt);
  const d = date.trim();
  return DATE_ONLY.test(d) ? dailyBarClose(d) : parseUtcSeconds(d);
}

export function parseScoreCsv(text: string, label = "score CSV"): ScoreHistory {
  const rows = parseCsv(text);
  const header = (rows[0] ?? []).map((h) => h.trim().toLowerCase());
  const iDate = header.indexOf("date");
  const iSymbol = header.indexOf("symbol");
  const iScore = header.indexOf("score");
  const iPublished = header.indexOf("published_at");
  if (iDate < 0 || iSymbol < 0 || iScore < 0) {
    throw new DataError(`${label}: header must contain date, symbol and score`, { details: { header } });
  }
  const problems: string[] = [];
  const byTime = new Map<number, Record<string, number>>();
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r] as string[];
    if (row.length === 1 && (row[0] ?? "").trim() === "") continue;
    const symbol = (row[iSymbol] ?? "").trim().toUpperCase();
    let asOf: number;
    try {
      asOf = knownAt(row[iDate] ?? "", iPublished >= 0 ? row[iPublished] : undefined);
    } catch {
      problems.push(`row ${r + 1}: bad date ${JSON.stringify(row[iDate])}`);
      continue;
    }
    const cell = (row[iScore] ?? "").trim();
    const score = cell === "" || cell.toLowerCase() === "nan" ? Number.NaN : Number(cell);
    if (symbol === "") problems.push(`row ${r + 1}: no symbol`);
    else if (cell !== "" && cell.toLowerCase() !== "nan" && !Number.isFinite(score)) {
      problems.push(`row ${r + 1}: score ${JSON.stringify(cell)} is not a number`);
    } else {
      const scores = byTime.get(asOf) ?? {};
      if (symbol in scores) problems.push(`row ${r + 1}: ${symbol} scored twice for the same date`);
      scores[symbol] = score;
      byTime.set(asOf, scores);
    }
  }
  return finish(byTime, problems, label);
}

export function parseScoreJson(json: unknown, label = "score JSON"): ScoreHistory {
  const parsed = jsonSchema.safeParse(json);
  if (!parsed.success) {
    throw new DataError(`${label}: not in the score format`, {
      details: { issues: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".")}: ${i.message}`) },
    });
  }
  const problems: string[] = [];
  const byTime = new Map<number, Record<string, number>>();
  parsed.data.snapshots.forEach((snap, k) => {
    let asOf: number;
    try {
      asOf = knownAt(snap.date, snap.published_at);
    } catch {
      problems.push(`snapshot ${k}: bad date ${JSON.stringify(snap.date)}`);
      return;
    }
    if (byTime.has(asOf)) problems.push(`snapshot ${k}: a second snapshot for the same time`);
    byTime.set(
      asOf,
      Object.fromEntries(Object.entries(snap.scores).map(([s, v]) => [s.toUpperCase(), v ?? Number.NaN])),
    );
  });
  return finish(byTime, problems, label);
}

function finish(byTime: Map<number, Record<string, number>>, problems: string[], label: string): ScoreHistory {
  if (problems.length > 0) {
    throw new DataError(`${label}: ${problems.length} problem(s): ${problems.slice(0, 5).join("; ")}`, {
      details: { problems },
    });
  }
  if (byTime.size === 0) throw new DataError(`${label}: no scores`);
  return [...byTime].sort((a, b) => a[0] - b[0]).map(([asOf, scores]): ScoreSnapshot => ({ asOf, scores }));
}

/** Reads a score file: `.json` as JSON, anything else as CSV. */
export function loadScoreFile(path: string): ScoreHistory {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new DataError(`cannot read score file ${path}`, { cause });
  }
  if (!path.toLowerCase().endsWith(".json")) return parseScoreCsv(text, path);
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch (cause) {
    throw new DataError(`${path}: not JSON`, { cause });
  }
  return parseScoreJson(json, path);
}

/** GETs the JSON score format from `url` (timeouts, retries on 429/5xx: data/http.ts). */
export async function fetchScores(url: string, http: Omit<HttpOptions, "provider"> = {}): Promise<ScoreHistory> {
  return parseScoreJson(await getJson(url, { provider: "signal-scores", ...http }), "signal endpoint");
}
