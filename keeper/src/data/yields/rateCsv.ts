/**
 * An exchange-rate CSV (`date,<rate column>,...`, one row per UTC day, e.g. the shared
 * `reth_eth_rate_daily.csv`) as bar closes: the row dated D closes at D+1 00:00 UTC like the
 * market CSVs. Rows with a non-positive or non-numeric rate are refused, not skipped.
 */
import { readFileSync } from "node:fs";
import { DataError } from "../../core/errors.js";
import { parseCsv } from "../csvParse.js";
import { dailyBarClose } from "../time.js";

export interface DailyRate {
  readonly timestamps: Float64Array;
  readonly rate: Float64Array;
}

export function loadDailyRateCsv(path: string, column: string): DailyRate {
  const rows = parseCsv(readFileSync(path, "utf8"));
  const header = rows[0]?.map((h) => h.trim().toLowerCase()) ?? [];
  const di = header.indexOf("date");
  const ri = header.indexOf(column.toLowerCase());
  if (di < 0 || ri < 0) throw new DataError(`${path}: needs columns date and ${column}`);
  const points = rows.slice(1).map((r, k) => {
    const rate = Number(r[ri]);
    if (!(rate > 0)) throw new DataError(`${path}: row ${k + 2} has no positive ${column}`);
    return { t: dailyBarClose(String(r[di]).trim()), rate };
  });
  points.sort((a, b) => a.t - b.t);
  return { timestamps: Float64Array.from(points, (p) => p.t), rate: Float64Array.from(points, (p) => p.rate) };
}
