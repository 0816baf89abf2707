/**
 * CoinGecko market charts (`/coins/{id}/market_chart/range`): USD prices and all-venue USD
 * volumes. CoinGecko picks the granularity from the range (5-minutely up to 1 day, hourly up
 * to 90 days, daily beyond), so points are resampled to the panel's bars with `lastPerBar`.
 * Daily points are 00:00 UTC snapshots, i.e. exactly the close of the previous day.
 * `total_volumes` is a rolling 24h volume: a daily bar takes it as is, an hourly bar takes a
 * 24th of it (CoinGecko publishes no per-hour volume; the approximation is labelled in the
 * volume source).
 */
import { z } from "zod";
import { ProviderError } from "../core/errors.js";
import { type Frequency, type MarketPanel, SECONDS_PER_BAR } from "../core/types.js";
import type { DataCache } from "./cache.js";
import type { ProviderEnv } from "./env.js";
import { getJson } from "./http.js";
import { buildPanel, type RawSeries } from "./panel.js";
import { lastPerBar } from "./resample.js";
import type { ValidationReport } from "./validation.js";

const pair = z.tuple([z.number(), z.number().nullable()]);
const marketChartSchema = z.object({
  prices: z.array(pair),
  total_volumes: z.array(pair),
  market_caps: z.array(pair).optional(),
});

export type MarketChart = z.infer<typeof marketChartSchema>;

/** CoinGecko coin ids of the registry symbols. */
export const COINGECKO_IDS: Readonly<Record<string, string>> = {
  USDC: "usd-coin",
  WETH: "weth",
  ETH: "ethereum",
  WBTC: "wrapped-bitcoin",
  BTC: "bitcoin",
  ARB: "arbitrum",
  LINK: "chainlink",
  UNI: "uniswap",
  GMX: "gmx",
  WSTETH: "wrapped-steth",
  RETH: "rocket-pool-eth",
  PEPE: "pepe",
};

export interface CoinGeckoClientOptions {
  readonly env: Pick<
    ProviderEnv,
    "COINGECKO_BASE_URL" | "COINGECKO_API_KEY" | "COINGECKO_API_PLAN" | "HTTP_TIMEOUT_MS" | "HTTP_RETRIES"
  >;
  readonly cache?: DataCache;
  readonly ttlSeconds?: number;
  readonly refresh?: boolean;
  readonly backoffMs?: number;
}

export class CoinGeckoClient {
  constructor(private readonly opts: CoinGeckoClientOptions) {}

  /** Raw market chart of `id` between `from` and `to` (unix seconds). */
  async marketChartRange(id: string, from: number, to: number): Promise<MarketChart> {
    const { env } = this.opts;
    const url = `${env.COINGECKO_BASE_URL}/coins/${encodeURIComponent(id)}/market_chart/range?vs_currency=usd&from=${from}&to=${to}`;
    const headers: Record<string, string> = {};
    if (env.COINGECKO_API_KEY) {
      headers[env.COINGECKO_API_PLAN === "pro" ? "x-cg-pro-api-key" : "x-cg-demo-api-key"] = env.COINGECKO_API_KEY;
    }
    const fetchOnce = async (): Promise<MarketChart> => {
      const body = await getJson(url, {
        provider: "coingecko",
        headers,
        timeoutMs: env.HTTP_TIMEOUT_MS,
        retries: env.HTTP_RETRIES,
        ...(this.opts.backoffMs !== undefined ? { backoffMs: this.opts.backoffMs } : {}),
      });
      const parsed = marketChartSchema.safeParse(body);
      if (!parsed.success) {
        throw new ProviderError(
          `coingecko: unexpected market_chart payload for ${id}: ${z.prettifyError(parsed.error)}`,
        );
      }
      return parsed.data;
    };
    const cache = this.opts.cache;
    if (!cache) return fetchOnce();
    return cache.getOrFetch(
      { provider: "coingecko", query: `market_chart/range:${id}`, from, to },
      { ttlSeconds: this.opts.ttlSeconds ?? 6 * 3600, refresh: this.opts.refresh ?? false },
      fetchOnce,
    );
  }

  /** A validated panel of `symbols` (CoinGecko ids from `ids`, default `COINGECKO_IDS`). */
  async panel(
    symbols: readonly string[],
    range: { from: number; to: number; freq: Frequency; now?: number },
    ids: Readonly<Record<string, string>> = COINGECKO_IDS,
  ): Promise<{ panel: MarketPanel; report: ValidationReport }> {
    const series: RawSeries[] = [];
    for (const symbol of symbols) {
      const id = ids[symbol.toUpperCase()];
      if (!id) throw new ProviderError(`coingecko: no coin id known for ${symbol}`);
      const chart = await this.marketChartRange(id, range.from, range.to);
      series.push(marketChartToSeries(symbol, chart, range.freq, range.now ?? Math.floor(Date.now() / 1000)));
    }
    return buildPanel(series, { freq: range.freq });
  }
}

/** Resamples a market chart to bar closes (see the module comment for the volume rule). */
export function marketChartToSeries(
  symbol: string,
  chart: MarketChart,
  freq: Frequency,
  nowSeconds: number,
): RawSeries {
  const step = SECONDS_PER_BAR[freq];
  const toPoints = (rows: readonly (readonly [number, number | null])[]) =>
    rows.map(([ms, v]) => ({ t: ms / 1000, value: v ?? Number.NaN }));
  const prices = lastPerBar(toPoints(chart.prices), step, nowSeconds);
  const volumeScale = freq === "1h" ? 1 / 24 : 1;
  const volumes = new Map(lastPerBar(toPoints(chart.total_volumes), step, nowSeconds).map((p) => [p.t, p.value]));
  return {
    symbol,
    timestamps: prices.map((p) => p.t),
    close: prices.map((p) => p.value),
    volume: prices.map((p) => (volumes.get(p.t) ?? Number.NaN) * volumeScale),
    volumeSource: freq === "1h" ? "coingecko-24h-rolling/24" : "coingecko",
  };
}
