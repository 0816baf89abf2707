/**
 * DefiLlama's yields API (yields.llama.fi): `GET /pools`, the latest snapshot of every pool it
 * tracks, and `GET /chart/{pool}`, one pool's history (about one point a day). Both answer
 * `{ status: "success", data: [...] }`; APYs are percent (4.2 = 4.2%), timestamps in the chart
 * are ISO strings. Only the fields the collector uses are required; the rest pass through
 * unchecked, so a new field DefiLlama adds never breaks a run, while a missing or mistyped one
 * that we rely on fails loudly. Answers are validated before they are cached, so a malformed
 * payload is never stored and the next run fetches again.
 */
import { z } from "zod";
import { ProviderError } from "../../core/errors.js";
import type { DataCache } from "../cache.js";
import type { ProviderEnv } from "../env.js";
import { getJson } from "../http.js";

const num = z.number().finite();

export const llamaPoolSchema = z.object({
  /** DefiLlama's pool id (a UUID for most pools), the key of `/chart/{pool}`. */
  pool: z.string().min(1),
  chain: z.string(),
  project: z.string(),
  symbol: z.string(),
  tvlUsd: num,
  apy: num.nullable(),
  apyBase: num.nullable().optional(),
  apyReward: num.nullable().optional(),
  rewardTokens: z.array(z.string()).nullable().optional(),
  underlyingTokens: z.array(z.string()).nullable().optional(),
  stablecoin: z.boolean().optional(),
  exposure: z.string().optional(),
  poolMeta: z.string().nullable().optional(),
  /** DefiLlama's own flag for a pool whose APY it considers an outlier. */
  outlier: z.boolean().optional(),
});
const poolsSchema = z.object({ status: z.literal("success"), data: z.array(llamaPoolSchema) });

export const llamaChartPointSchema = z.object({
  timestamp: z.iso.datetime({ offset: true }),
  tvlUsd: num,
  apy: num.nullable(),
  apyBase: num.nullable().optional(),
  apyReward: num.nullable().optional(),
});
const chartSchema = z.object({ status: z.literal("success"), data: z.array(llamaChartPointSchema) });

export type LlamaPool = z.infer<typeof llamaPoolSchema>;
export type LlamaChartPoint = z.infer<typeof llamaChartPointSchema>;

export interface LlamaYieldsOptions {
  readonly env: Pick<ProviderEnv, "DEFILLAMA_YIELDS_URL" | "HTTP_TIMEOUT_MS" | "HTTP_RETRIES">;
  readonly cache?: DataCache;
  /** Seconds a cached answer stays fresh (DefiLlama refreshes hourly; the default is 6 h). */
  readonly ttlSeconds?: number;
  readonly refresh?: boolean;
  readonly backoffMs?: number;
}

export class LlamaYieldsClient {
  constructor(private readonly opts: LlamaYieldsOptions) {}

  /** Every pool DefiLlama tracks (tens of thousands; filter with `selectPools`). */
  async pools(): Promise<LlamaPool[]> {
    const body = await this.fetchValid("yields/pools", `${this.base()}/pools`, poolsSchema);
    return body.data;
  }

  /** One pool's history, oldest first. */
  async chart(pool: string): Promise<LlamaChartPoint[]> {
    const body = await this.fetchValid(
      `yields/chart:${pool}`,
      `${this.base()}/chart/${encodeURIComponent(pool)}`,
      chartSchema,
    );
    return [...body.data].sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
  }

  private base(): string {
    return this.opts.env.DEFILLAMA_YIELDS_URL.replace(/\/+$/, "");
  }

  private async fetchValid<S extends z.ZodType>(query: string, url: string, schema: S): Promise<z.output<S>> {
    const { env, cache } = this.opts;
    const fetchOnce = async (): Promise<z.output<S>> => {
      const body = await getJson(url, {
        provider: "defillama",
        timeoutMs: env.HTTP_TIMEOUT_MS,
        retries: env.HTTP_RETRIES,
        ...(this.opts.backoffMs !== undefined ? { backoffMs: this.opts.backoffMs } : {}),
      });
      const parsed = schema.safeParse(body);
      if (!parsed.success)
        throw new ProviderError(
          `defillama: unexpected ${query.split(":")[0]} payload: ${z.prettifyError(parsed.error)}`,
        );
      return parsed.data;
    };
    if (!cache) return fetchOnce();
    const key = { provider: "defillama", query, from: 0, to: 0 };
    const ttlSeconds = this.opts.ttlSeconds ?? 6 * 3600;
    // A cached value was validated when stored; parse it again so an entry written by an older
    // version (or edited by hand) is fetched afresh instead of trusted.
    const value = await cache.getOrFetch(key, { ttlSeconds, refresh: this.opts.refresh ?? false }, fetchOnce);
    const again = schema.safeParse(value);
    if (again.success) return again.data;
    return cache.getOrFetch(key, { ttlSeconds, refresh: true }, fetchOnce);
  }
}
