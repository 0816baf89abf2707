/**
 * DefiLlama: token prices by chain address (coins.llama.fi). DefiLlama publishes no volume,
 * so series built from it carry NaN volume with source "none". Its yields API
 * (yields.llama.fi) is read by data/yields/.
 */
import { z } from "zod";
import { ProviderError } from "../core/errors.js";
import { type Frequency, SECONDS_PER_BAR } from "../core/types.js";
import type { DataCache } from "./cache.js";
import type { ProviderEnv } from "./env.js";
import { getJson } from "./http.js";
import type { RawSeries } from "./panel.js";
import { lastPerBar } from "./resample.js";

const coinPriceSchema = z.object({
  price: z.number(),
  symbol: z.string(),
  timestamp: z.number(),
  decimals: z.number().optional(),
  confidence: z.number().optional(),
});
const historicalSchema = z.object({ coins: z.record(z.string(), coinPriceSchema) });
const chartSchema = z.object({
  coins: z.record(
    z.string(),
    z.object({
      symbol: z.string(),
      decimals: z.number().optional(),
      confidence: z.number().optional(),
      prices: z.array(z.object({ timestamp: z.number(), price: z.number() })),
    }),
  ),
});

export type LlamaCoinPrice = z.infer<typeof coinPriceSchema>;

export interface DefiLlamaClientOptions {
  readonly env: Pick<ProviderEnv, "DEFILLAMA_COINS_URL" | "HTTP_TIMEOUT_MS" | "HTTP_RETRIES">;
  readonly cache?: DataCache;
  readonly ttlSeconds?: number;
  readonly refresh?: boolean;
  readonly backoffMs?: number;
}

/** DefiLlama's coin key of an Arbitrum token, e.g. "arbitrum:0x82af...". */
export function arbitrumCoinKey(address: string): string {
  return `arbitrum:${address.toLowerCase()}`;
}

export class DefiLlamaClient {
  constructor(private readonly opts: DefiLlamaClientOptions) {}

  /** Prices of `coins` (DefiLlama keys) at unix second `at`, keyed by lower-cased coin key. */
  async historicalPrices(coins: readonly string[], at: number): Promise<Map<string, LlamaCoinPrice>> {
    const url = `${this.opts.env.DEFILLAMA_COINS_URL}/prices/historical/${at}/${coins.map(encodeURIComponent).join(",")}`;
    const body = await this.cached(`prices/historical:${[...coins].sort().join(",")}`, at, at, url);
    const parsed = historicalSchema.safeParse(body);
    if (!parsed.success)
      throw new ProviderError(`defillama: unexpected prices payload: ${z.prettifyError(parsed.error)}`);
    return new Map(Object.entries(parsed.data.coins).map(([k, v]) => [k.toLowerCase(), v]));
  }

  /** Daily (or hourly) price series of one coin from `start` for `span` points. */
  async chart(coin: string, start: number, span: number, freq: Frequency): Promise<{ t: number; price: number }[]> {
    const period = freq === "24h" ? "1d" : "1h";
    const url = `${this.opts.env.DEFILLAMA_COINS_URL}/chart/${encodeURIComponent(coin)}?start=${start}&span=${span}&period=${period}`;
    const body = await this.cached(`chart:${coin}:${period}:${span}`, start, start + span * SECONDS_PER_BAR[freq], url);
    const parsed = chartSchema.safeParse(body);
    if (!parsed.success)
      throw new ProviderError(`defillama: unexpected chart payload: ${z.prettifyError(parsed.error)}`);
    const entry = Object.entries(parsed.data.coins).find(([k]) => k.toLowerCase() === coin.toLowerCase())?.[1];
    if (!entry) throw new ProviderError(`defillama: chart has no series for ${coin}`);
    return entry.prices.map((p) => ({ t: p.timestamp, price: p.price }));
  }

  private async cached(query: string, from: number, to: number, url: string): Promise<unknown> {
    const { env, cache } = this.opts;
    const fetchOnce = (): Promise<unknown> =>
      getJson(url, {
        provider: "defillama",
        timeoutMs: env.HTTP_TIMEOUT_MS,
        retries: env.HTTP_RETRIES,
        ...(this.opts.backoffMs !== undefined ? { backoffMs: this.opts.backoffMs } : {}),
      });
    if (!cache) return fetchOnce();
    return cache.getOrFetch(
      { provider: "defillama", query, from, to },
      { ttlSeconds: this.opts.ttlSeconds ?? 6 * 3600, refresh: this.opts.refresh ?? false },
      fetchOnce,
    );
  }
}

/** A DefiLlama chart as a panel series (no volume). */
export function llamaChartToSeries(
  symbol: string,
  points: readonly { t: number; price: number }[],
  freq: Frequency,
  nowSeconds: number,
): RawSeries {
  const bars = lastPerBar(
    points.map((p) => ({ t: p.t, value: p.price })),
    SECONDS_PER_BAR[freq],
    nowSeconds,
  );
  return {
    symbol,
    timestamps: bars.map((b) => b.t),
    close: bars.map((b) => b.value),
    volumeSource: "none",
  };
}
