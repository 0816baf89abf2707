/**
 * Builds the keeper's live market from its config: the bar source (Chainlink rounds, the
 * CoinGecko-style API, Flipside through its SDK, or the operator's CSV), the bar store in `<dataDir>/market.sqlite`, and
 * the Chainlink feed of every symbol (the vault's registered oracle for its assets, the address
 * book's for assets a rotation may add). Then backfills. Anything that makes trading
 * impossible from the start (a symbol no source can price, a backfill that fails or returns
 * nothing for the basket) is one `ConfigError` before the keeper opens.
 */
import { IndexVault__factory } from "../../../types/ethers-contracts/index.js";
import { type KeeperConfig, marketCachePath } from "../config/keeperConfig.js";
import { BallastError, ConfigError } from "../core/errors.js";
import { DataCache } from "../data/cache.js";
import { CoinGeckoClient } from "../data/coingecko.js";
import { loadProviderEnv } from "../data/env.js";
import { FlipsideClient } from "../data/flipside/client.js";
import { BarStore } from "../data/live/barStore.js";
import type { BarSource } from "../data/live/bars.js";
import { ChainlinkBarSource, type FeedBook, readLatestPrices } from "../data/live/chainlink.js";
import { CoinGeckoBarSource } from "../data/live/coingeckoBars.js";
import { CsvBarSource } from "../data/live/csvBars.js";
import { FlipsideBarSource } from "../data/live/flipsideBars.js";
import { type BackfillReport, LiveMarket } from "../data/live/liveMarket.js";
import type { FailoverRpc } from "../execution/failoverRpc.js";

export interface OpenedLiveMarket {
  readonly market: LiveMarket;
  readonly source: string;
  readonly backfill: BackfillReport;
  readonly feeds: FeedBook;
  /** The vault's assets' symbols, in the vault's order (base asset first). */
  readonly basket: readonly string[];
  close(): void;
}

export async function openLiveMarket(
  config: KeeperConfig,
  rpc: FailoverRpc,
  env: NodeJS.ProcessEnv = process.env,
): Promise<OpenedLiveMarket> {
  const symbols = config.tokens.map((t) => t.symbol);
  const feeds = await feedBook(config, rpc);
  const basket = await basketSymbols(config, rpc);
  const source = barSource(config, rpc, feeds, env);
  if (source instanceof CoinGeckoBarSource) {
    const unknown = source.unknown(basket);
    if (unknown.length > 0) {
      throw new ConfigError(`market: no CoinGecko coin id for ${unknown.join(", ")} (set market.coingeckoIds)`);
    }
  }
  if (source instanceof ChainlinkBarSource) {
    const unfed = basket.filter((s) => !feeds[s]);
    if (unfed.length > 0) throw new ConfigError(`market: no Chainlink feed for ${unfed.join(", ")}`);
  }
  const cache = new DataCache(marketCachePath(config));
  const market = new LiveMarket({
    symbols,
    required: basket,
    source,
    store: new BarStore(cache, source.name, config.market.historyBars),
    chainlink: () => rpc.read("chainlink feeds", (p) => readLatestPrices(p, feeds)),
    historyBars: config.market.historyBars,
    maxBarAgeSeconds: config.market.maxBarAgeSeconds,
    maxDeviation: config.market.maxChainlinkDeviation,
  });
  try {
    const now = await rpc.read("chain time", async (p) => (await p.getBlock("latest"))?.timestamp ?? 0);
    let backfill: BackfillReport;
    try {
      backfill = await market.backfill(now);
    } catch (error) {
      if (error instanceof BallastError) {
        throw new ConfigError(`market: backfill from ${source.name} failed: ${error.message}`);
      }
      throw error;
    }
    if (backfill.newestBarAt === null) {
      throw new ConfigError(`market: ${source.name} has no bars for every basket asset (${basket.join(", ")})`);
    }
    return { market, source: source.name, backfill, feeds, basket, close: () => cache.close() };
  } catch (error) {
    cache.close();
    throw error;
  }
}

function barSource(config: KeeperConfig, rpc: FailoverRpc, feeds: FeedBook, env: NodeJS.ProcessEnv): BarSource {
  switch (config.market.source) {
    case "csv":
      return new CsvBarSource(config.market.csvPath as string);
    case "coingecko": {
      const providerEnv = loadProviderEnv(env);
      return new CoinGeckoBarSource(new CoinGeckoClient({ env: providerEnv }), config.market.coingeckoIds);
    }
    case "flipside":
      return new FlipsideBarSource(
        new FlipsideClient({ env: loadProviderEnv(env) }),
        config.tokens.map((t) => ({ symbol: t.symbol, address: t.address })),
      );
    case "chainlink":
      return new ChainlinkBarSource(rpc.provider, feeds);
  }
}

/** Symbols of the vault's assets (the basket that must have data), in the vault's order. */
async function basketSymbols(config: KeeperConfig, rpc: FailoverRpc): Promise<string[]> {
  const assets = await rpc.read("vault assets", (p) => IndexVault__factory.connect(config.vault, p).assets());
  return assets.map((a) => {
    const token = config.tokens.find((t) => t.address.toLowerCase() === a.toLowerCase());
    if (!token) throw new ConfigError(`vault asset ${a} is not in the config's tokens`);
    return token.symbol;
  });
}

/** The vault's registered feed for each of its assets; the address book's for the others. */
async function feedBook(config: KeeperConfig, rpc: FailoverRpc): Promise<FeedBook> {
  const out: Record<string, string> = {};
  const vault = (p: Parameters<typeof IndexVault__factory.connect>[1]) => IndexVault__factory.connect(config.vault, p);
  const assets = await rpc.read("vault assets", (p) => vault(p).assets());
  for (const t of config.tokens) {
    const inVault = assets.some((a) => a.toLowerCase() === t.address.toLowerCase());
    if (inVault) {
      const oracle = await rpc.read(`oracle of ${t.symbol}`, (p) => vault(p).oracleOf(t.address));
      if (oracle.feed !== "0x0000000000000000000000000000000000000000") out[t.symbol] = oracle.feed;
    } else if (t.oracle) out[t.symbol] = t.oracle.feed;
  }
  return out;
}
