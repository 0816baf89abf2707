/**
 * Provider configuration from the environment, validated once with zod so a typo in a URL
 * or a non-numeric timeout fails at start-up with a `ConfigError`, not mid-run.
 */
import { z } from "zod";
import { ConfigError } from "../core/errors.js";

const schema = z.object({
  COINGECKO_BASE_URL: z.url().default("https://api.coingecko.com/api/v3"),
  COINGECKO_API_KEY: z.string().min(1).optional(),
  /** CoinGecko sends demo keys and pro keys in different headers. */
  COINGECKO_API_PLAN: z.enum(["demo", "pro"]).default("demo"),
  DEFILLAMA_COINS_URL: z.url().default("https://coins.llama.fi"),
  DEFILLAMA_YIELDS_URL: z.url().default("https://yields.llama.fi"),
  FLIPSIDE_API_URL: z.url().default("https://api-v2.flipsidecrypto.xyz"),
  FLIPSIDE_API_KEY: z.string().min(1).optional(),
  ARBITRUM_RPC_URL: z.url().optional(),
  HTTP_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
  HTTP_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
  BALLAST_CACHE_PATH: z.string().min(1).default(".ballast/cache.sqlite"),
  /** Seconds a cached provider answer stays fresh. */
  BALLAST_CACHE_TTL_S: z.coerce
    .number()
    .int()
    .min(0)
    .default(6 * 3600),
});

export type ProviderEnv = z.infer<typeof schema>;

/** Reads and validates the provider settings (empty strings count as unset). */
export function loadProviderEnv(env: Readonly<Record<string, string | undefined>> = process.env): ProviderEnv {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== "") picked[key] = value;
  }
  const parsed = schema.safeParse(picked);
  if (!parsed.success) throw new ConfigError(`provider environment: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
