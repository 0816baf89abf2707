/**
 * Market data from Flipside's Arbitrum tables: hourly token prices
 * (`arbitrum.price.ez_prices_hourly`) and Uniswap V3 swap volume
 * (`arbitrum.defi.ez_dex_swaps`), turned into a validated panel.
 *
 * Conventions shared with the classifier SQL (universeSql.ts): a price row's `hour` is the
 * start of its hourly bar, so it closes at hour + 1h and the 23:00 row is the daily close;
 * a token's volume is the USD size of the Uniswap V3 swaps in which it was sold or bought.
 */
import { z } from "zod";
import { ProviderError } from "../../core/errors.js";
import { type Frequency, type MarketPanel, SECONDS_PER_BAR } from "../../core/types.js";
import { assetMeta } from "../assets.js";
import { buildPanel, type RawSeries } from "../panel.js";
import { lastPerBar } from "../resample.js";
import type { ValidationReport } from "../validation.js";
import type { FlipsideClient, FlipsideRecord } from "./client.js";
import { SNOWFLAKE, type SqlDialect, shiftIsoDate, sqlAddress } from "./sqlDialect.js";

/** Where the panel says its volume comes from (one venue: comparable across tokens). */
export const FLIPSIDE_VOLUME_SOURCE = "flipside:arbitrum-uniswap-v3";

export interface FlipsideToken {
  readonly symbol: string;
  readonly address: string;
}

/** Hourly prices of `tokens` for the UTC days `from`..`to` (inclusive, YYYY-MM-DD). */
export function arbitrumPricesSql(
  tokens: readonly FlipsideToken[],
  from: string,
  to: string,
  dialect: SqlDialect = SNOWFLAKE,
): string {
  return `SELECT hour, LOWER(token_address) AS token_address, symbol, price
FROM ${dialect.pricesTable}
WHERE LOWER(token_address) IN (${tokens.map((t) => sqlAddress(t.address)).join(", ")})
  AND hour >= ${dialect.midnight(from)} AND hour < ${dialect.midnight(shiftIsoDate(to, 1))}
ORDER BY token_address, hour`;
}

/** Uniswap V3 USD volume per token and bar (day or hour) for the UTC days `from`..`to`. */
export function arbitrumDexVolumeSql(
  tokens: readonly FlipsideToken[],
  from: string,
  to: string,
  freq: Frequency,
  dialect: SqlDialect = SNOWFLAKE,
): string {
  const bucket = freq === "24h" ? dialect.day("block_timestamp") : dialect.hour("block_timestamp");
  const where = `platform = 'uniswap-v3' AND block_timestamp >= ${dialect.midnight(from)} AND block_timestamp < ${dialect.midnight(shiftIsoDate(to, 1))}`;
  return `WITH sides AS (
  SELECT ${bucket} AS bucket, LOWER(token_in) AS token_address, amount_in_usd AS usd FROM ${dialect.swapsTable} WHERE ${where}
  UNION ALL
  SELECT ${bucket} AS bucket, LOWER(token_out) AS token_address, amount_out_usd AS usd FROM ${dialect.swapsTable} WHERE ${where}
)
SELECT bucket, token_address, SUM(usd) AS volume_usd
FROM sides
WHERE token_address IN (${tokens.map((t) => sqlAddress(t.address)).join(", ")})
GROUP BY bucket, token_address
ORDER BY token_address, bucket`;
}

const priceRow = z.object({
  hour: z.union([z.string(), z.number()]),
  token_address: z.string(),
  price: z.union([z.number(), z.string()]).nullable(),
});
const volumeRow = z.object({
  bucket: z.union([z.string(), z.number()]),
  token_address: z.string(),
  volume_usd: z.union([z.number(), z.string()]).nullable(),
});

/** Builds a validated panel from the records of the two queries above. */
export function flipsideRecordsToPanel(
  tokens: readonly FlipsideToken[],
  priceRecords: readonly FlipsideRecord[],
  volumeRecords: readonly FlipsideRecord[],
  freq: Frequency,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): { panel: MarketPanel; report: ValidationReport } {
  const step = SECONDS_PER_BAR[freq];
  const symbolOf = new Map(tokens.map((t) => [t.address.toLowerCase(), t.symbol.toUpperCase()]));
  const prices = new Map<string, { t: number; value: number }[]>();
  for (const rec of priceRecords) {
    const row = parseRow(priceRow, rec, "price");
    const symbol = symbolOf.get(row.token_address.toLowerCase());
    if (!symbol) continue;
    const list = prices.get(symbol) ?? [];
    // The row's hour opens its bar: the observation is that bar's close.
    list.push({ t: toSeconds(row.hour) + SECONDS_PER_BAR["1h"], value: toNumber(row.price) });
    prices.set(symbol, list);
  }
  const volumes = new Map<string, Map<number, number>>();
  for (const rec of volumeRecords) {
    const row = parseRow(volumeRow, rec, "volume");
    const symbol = symbolOf.get(row.token_address.toLowerCase());
    if (!symbol) continue;
    const byClose = volumes.get(symbol) ?? new Map<number, number>();
    byClose.set(toSeconds(row.bucket) + step, toNumber(row.volume_usd));
    volumes.set(symbol, byClose);
  }
  const series: RawSeries[] = [];
  for (const token of tokens) {
    const symbol = token.symbol.toUpperCase();
    const bars = lastPerBar(prices.get(symbol) ?? [], step, nowSeconds);
    if (bars.length === 0) continue;
    const vol = volumes.get(symbol);
    series.push({
      symbol,
      timestamps: bars.map((b) => b.t),
      close: bars.map((b) => b.value),
      volume: bars.map((b) => vol?.get(b.t) ?? Number.NaN),
      volumeSource: FLIPSIDE_VOLUME_SOURCE,
      meta: { ...assetMeta(symbol), address: token.address as `0x${string}` },
    });
  }
  if (series.length === 0) throw new ProviderError("flipside: no price rows for any requested token");
  return buildPanel(series, { freq });
}

/** Runs both queries on Flipside and builds the panel. */
export async function loadFlipsidePanel(
  client: FlipsideClient,
  tokens: readonly FlipsideToken[],
  range: { from: string; to: string; freq: Frequency },
): Promise<{ panel: MarketPanel; report: ValidationReport }> {
  const bounds = { from: Date.parse(`${range.from}T00:00:00Z`) / 1000, to: Date.parse(`${range.to}T00:00:00Z`) / 1000 };
  const priceRecords = await client.query(arbitrumPricesSql(tokens, range.from, range.to), bounds);
  const volumeRecords = await client.query(arbitrumDexVolumeSql(tokens, range.from, range.to, range.freq), bounds);
  return flipsideRecordsToPanel(tokens, priceRecords, volumeRecords, range.freq);
}

function parseRow<T>(schema: z.ZodType<T>, rec: FlipsideRecord, what: string): T {
  const parsed = schema.safeParse(rec);
  if (!parsed.success) throw new ProviderError(`flipside: unexpected ${what} row: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Flipside timestamps arrive as ISO strings ("2023-06-30T23:00:00.000Z") or "YYYY-MM-DD[ HH:MM:SS]". */
function toSeconds(value: string | number): number {
  if (typeof value === "number") return value > 1e12 ? Math.floor(value / 1000) : value;
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(value)
    ? `${value}T00:00:00Z`
    : value.includes("T")
      ? value
      : `${value.replace(" ", "T")}Z`;
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : `${iso}Z`);
  if (!Number.isFinite(ms)) throw new ProviderError(`flipside: unparseable timestamp ${value}`);
  return Math.floor(ms / 1000);
}

function toNumber(value: number | string | null): number {
  if (value === null) return Number.NaN;
  return typeof value === "number" ? value : Number(value);
}
