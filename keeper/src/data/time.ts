/**
 * Time conventions of the data layer. Panel timestamps are unix seconds at the *close* of
 * each bar (see `MarketPanel`): the daily bar of date D closes at D+1 00:00 UTC, so a daily
 * CSV row dated D (a close "at the end of that day") lands on D+1 00:00. Keeping the close
 * convention everywhere means "data up to t" never includes a bar that closes after t.
 */
import { InvalidInputError } from "../core/errors.js";
import { type Frequency, SECONDS_PER_BAR } from "../core/types.js";

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]00:?00)?$/;

/** Unix seconds of `YYYY-MM-DD` at 00:00 UTC, or of `YYYY-MM-DD[T ]HH:MM[:SS][Z]` (UTC). */
export function parseUtcSeconds(text: string): number {
  const trimmed = text.trim();
  const d = DATE_RE.exec(trimmed);
  const m = d ?? DATETIME_RE.exec(trimmed);
  if (!m) throw new InvalidInputError(`not a UTC date or datetime: ${JSON.stringify(text)}`);
  const [, y, mo, da, h = "0", mi = "0", s = "0"] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(da), Number(h), Number(mi), Number(s));
  const back = new Date(ms);
  // Date.UTC silently rolls 2023-02-30 into March; reject such dates instead.
  if (back.getUTCDate() !== Number(da) || back.getUTCMonth() !== Number(mo) - 1) {
    throw new InvalidInputError(`invalid calendar date: ${JSON.stringify(text)}`);
  }
  return ms / 1000;
}

/** Close timestamp of the daily bar dated `date` (YYYY-MM-DD): the next midnight UTC. */
export function dailyBarClose(date: string): number {
  if (!DATE_RE.test(date.trim())) throw new InvalidInputError(`not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  return parseUtcSeconds(date) + SECONDS_PER_BAR["24h"];
}

/** Human label of a bar: its date (daily) or its close time (hourly), UTC. */
export function barLabel(closeSeconds: number, freq: Frequency): string {
  if (freq === "24h") return new Date((closeSeconds - SECONDS_PER_BAR["24h"]) * 1000).toISOString().slice(0, 10);
  return new Date(closeSeconds * 1000).toISOString().slice(0, 16).replace("T", " ");
}

/** Index of the last timestamp <= `ts` in an ascending array, or -1 when all are later. */
export function indexAtOrBefore(timestamps: ArrayLike<number>, ts: number): number {
  let lo = 0;
  let hi = timestamps.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((timestamps[mid] as number) <= ts) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}
