/**
 * One place that turns the validated environment into ready clients sharing one persistent
 * cache, so a CLI command only has to pass its `--refresh` flag through.
 */
import { DataCache } from "./cache.js";
import { CoinGeckoClient } from "./coingecko.js";
import { DefiLlamaClient } from "./defillama.js";
import type { ProviderEnv } from "./env.js";
import { FlipsideClient } from "./flipside/client.js";

export interface Providers {
  readonly cache: DataCache;
  readonly coingecko: CoinGeckoClient;
  readonly defillama: DefiLlamaClient;
  /** Null when FLIPSIDE_API_KEY is not set. */
  readonly flipside: FlipsideClient | null;
  close(): void;
}

export function createProviders(env: ProviderEnv, opts: { refresh?: boolean } = {}): Providers {
  const cache = new DataCache(env.BALLAST_CACHE_PATH);
  const shared = { cache, ttlSeconds: env.BALLAST_CACHE_TTL_S, refresh: opts.refresh ?? false };
  return {
    cache,
    coingecko: new CoinGeckoClient({ env, ...shared }),
    defillama: new DefiLlamaClient({ env, ...shared }),
    flipside: env.FLIPSIDE_API_KEY ? new FlipsideClient({ env, ...shared }) : null,
    close: () => cache.close(),
  };
}
