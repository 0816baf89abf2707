/**
 * The few SQL spellings that differ between Flipside (Snowflake) and SQLite. Queries are
 * written once against this interface: Flipside runs the Snowflake text, and tests run the
 * SQLite text on recorded rows to check the SQL computes what the TypeScript rules compute.
 */
import { InvalidInputError } from "../../core/errors.js";

export interface SqlDialect {
  readonly name: "snowflake" | "sqlite";
  /** Flipside's hourly token prices (hour, token_address, symbol, price). */
  readonly pricesTable: string;
  /** Flipside's DEX swaps (block_timestamp, platform, token_in/out, amount_in/out_usd). */
  readonly swapsTable: string;
  /** UTC day of a timestamp column. */
  day(expr: string): string;
  /** Start of the UTC hour of a timestamp column. */
  hour(expr: string): string;
  /** A date literal from `YYYY-MM-DD`. */
  date(iso: string): string;
  /** A timestamp literal at 00:00 UTC of `YYYY-MM-DD` (for comparisons with timestamp columns). */
  midnight(iso: string): string;
  /** `expr` (a date) shifted by `days`. */
  addDays(expr: string, days: number): string;
  /** Whole days from `earlier` to `later` (both dates). */
  dayDiff(later: string, earlier: string): string;
  /** Larger of two numbers. */
  greatest(a: string, b: string): string;
}

export const SNOWFLAKE: SqlDialect = {
  name: "snowflake",
  pricesTable: "arbitrum.price.ez_prices_hourly",
  swapsTable: "arbitrum.defi.ez_dex_swaps",
  day: (e) => `DATE_TRUNC('day', ${e})::DATE`,
  hour: (e) => `DATE_TRUNC('hour', ${e})`,
  date: (iso) => `'${iso}'::DATE`,
  midnight: (iso) => `'${iso} 00:00:00'::TIMESTAMP_NTZ`,
  addDays: (e, n) => `DATEADD(day, ${n}, ${e})`,
  dayDiff: (later, earlier) => `DATEDIFF(day, ${earlier}, ${later})`,
  greatest: (a, b) => `GREATEST(${a}, ${b})`,
};

/** SQLite over tables named like Flipside's last path segment; timestamps as 'YYYY-MM-DD HH:MM:SS' text. */
export const SQLITE: SqlDialect = {
  name: "sqlite",
  pricesTable: "ez_prices_hourly",
  swapsTable: "ez_dex_swaps",
  day: (e) => `date(${e})`,
  hour: (e) => `strftime('%Y-%m-%d %H:00:00', ${e})`,
  date: (iso) => `'${iso}'`,
  midnight: (iso) => `'${iso} 00:00:00'`,
  addDays: (e, n) => `date(${e}, '${n >= 0 ? "+" : ""}${n} days')`,
  dayDiff: (later, earlier) => `CAST(julianday(${later}) - julianday(${earlier}) AS INTEGER)`,
  greatest: (a, b) => `max(${a}, ${b})`,
};

/** A SQL string literal (single quotes doubled). */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Rejects anything but a 0x-prefixed 20-byte hex address, then lower-cases it (Flipside stores lower case). */
export function sqlAddress(address: string): string {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) throw new InvalidInputError(`not an address: ${address}`);
  return `'${address.toLowerCase()}'`;
}

/** Adds `days` to a `YYYY-MM-DD` date. */
export function shiftIsoDate(iso: string, days: number): string {
  const ms = Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000;
  return new Date(ms).toISOString().slice(0, 10);
}
