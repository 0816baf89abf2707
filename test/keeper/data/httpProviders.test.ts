import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { ConfigError, ProviderError } from "../../../keeper/src/core/errors.js";
import { DataCache } from "../../../keeper/src/data/cache.js";
import { CoinGeckoClient, marketChartToSeries } from "../../../keeper/src/data/coingecko.js";
import { arbitrumCoinKey, DefiLlamaClient, llamaChartToSeries } from "../../../keeper/src/data/defillama.js";
import { loadProviderEnv } from "../../../keeper/src/data/env.js";
import { getJson } from "../../../keeper/src/data/http.js";
import { createProviders } from "../../../keeper/src/data/providers.js";
import { dailyBarClose } from "../../../keeper/src/data/time.js";
import { type ReplayServer, startReplayServer } from "../../../keeper/src/devchain/replayServer.js";

/** A recorded response body, replayed verbatim. */
const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/data/${name}`, import.meta.url), "utf8");

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected a rejection");
}

describe("data/http + providers (replayed HTTP)", () => {
  let server: ReplayServer;
  let open: ReplayServer | undefined;
  const serve = async (...args: Parameters<typeof startReplayServer>): Promise<ReplayServer> => {
    open = await startReplayServer(...args);
    return open;
  };
  afterEach(async () => {
    await open?.close();
    open = undefined;
  });

  describe("getJson", () => {
    it("retries 429 and 5xx with backoff, honouring Retry-After, then succeeds", async () => {
      let calls = 0;
      server = await serve(() => {
        calls++;
        if (calls === 1) return { status: 429, body: { status: { error_code: 429 } }, headers: { "retry-after": "0" } };
        if (calls === 2) return { status: 503, body: "upstream down" };
        return { body: { ok: true } };
      });
      expect(await getJson(`${server.baseUrl}/x`, { provider: "t", backoffMs: 1 })).to.deep.equal({ ok: true });
      expect(calls).to.equal(3);
    });

    it("gives up after the retry budget with a ProviderError", async () => {
      server = await serve(() => ({ status: 502, body: "bad gateway" }));
      const err = await rejection(getJson(`${server.baseUrl}/x`, { provider: "t", retries: 2, backoffMs: 1 }));
      expect(err).to.be.instanceOf(ProviderError);
      expect((err as Error).message).to.match(/giving up after 3/);
      expect(server.requests).to.have.length(3);
    });

    it("does not retry client errors, and rejects non-JSON bodies", async () => {
      server = await serve((req) =>
        req.url === "/missing" ? { status: 404, body: "nope" } : { body: "<html>maintenance</html>" },
      );
      const notFound = await rejection(getJson(`${server.baseUrl}/missing`, { provider: "t", backoffMs: 1 }));
      expect((notFound as ProviderError).details.status).to.equal(404);
      expect(server.requests).to.have.length(1);
      expect(await rejection(getJson(`${server.baseUrl}/html`, { provider: "t" }))).to.be.instanceOf(ProviderError);
    });

    it("times out slow responses", async () => {
      server = await serve(() => ({ body: {}, delayMs: 500 }));
      const err = await rejection(getJson(`${server.baseUrl}/slow`, { provider: "t", timeoutMs: 50, retries: 0 }));
      expect(err).to.be.instanceOf(ProviderError);
      expect(String((err as ProviderError).cause)).to.match(/timed out/);
    });
  });

  describe("env", () => {
    it("applies defaults, coerces numbers and rejects bad values", () => {
      const env = loadProviderEnv({ HTTP_TIMEOUT_MS: "2500", COINGECKO_API_KEY: "" });
      expect(env.HTTP_TIMEOUT_MS).to.equal(2500);
      expect(env.COINGECKO_API_KEY).to.equal(undefined);
      expect(env.COINGECKO_BASE_URL).to.equal("https://api.coingecko.com/api/v3");
      expect(() => loadProviderEnv({ COINGECKO_BASE_URL: "not a url" })).to.throw(ConfigError);
      expect(() => loadProviderEnv({ HTTP_RETRIES: "many" })).to.throw(ConfigError);
    });
  });

  describe("CoinGecko market_chart/range", () => {
    it("requests the documented endpoint with the API key header and builds daily bars", async () => {
      server = await serve(() => ({ body: fixture("coingecko_market_chart_range_weth.json") }));
      const env = loadProviderEnv({ COINGECKO_BASE_URL: server.baseUrl, COINGECKO_API_KEY: "demo-key" });
      const client = new CoinGeckoClient({ env, backoffMs: 1 });
      const from = dailyBarClose("2023-05-31") - 86_400;
      const to = dailyBarClose("2023-06-10");
      // "now" is the moment the recording was taken: 2023-06-10 14:23 UTC.
      const now = Date.UTC(2023, 5, 10, 14, 23, 11) / 1000;
      const { panel, report } = await client.panel(["WETH"], { from, to, freq: "24h", now });
      const req = server.requests[0];
      expect(req?.url).to.equal(`/coins/weth/market_chart/range?vs_currency=usd&from=${from}&to=${to}`);
      expect(req?.headers["x-cg-demo-api-key"]).to.equal("demo-key");
      // 00:00 snapshots close the previous day; the mid-day "current" point is an unfinished bar.
      expect(panel.timestamps[0]).to.equal(dailyBarClose("2023-05-31"));
      expect(panel.timestamps.length).to.equal(10);
      expect(panel.close[0]?.[1]).to.equal(1907.58);
      expect(panel.volume[0]?.[1]).to.equal(6.32e9);
      expect(panel.volumeSource?.[0]?.[0]).to.equal("coingecko");
      expect(report.issues).to.have.length(0);
    });

    it("scales rolling 24h volume to hourly bars and labels it", () => {
      const chart = {
        prices: [
          [Date.UTC(2023, 0, 1, 0, 5), 100],
          [Date.UTC(2023, 0, 1, 1, 4), 101],
        ] as [number, number][],
        total_volumes: [
          [Date.UTC(2023, 0, 1, 0, 5), 2400],
          [Date.UTC(2023, 0, 1, 1, 4), 4800],
        ] as [number, number][],
      };
      const s = marketChartToSeries("X", chart, "1h", Date.UTC(2023, 0, 2) / 1000);
      expect(s.timestamps).to.deep.equal([Date.UTC(2023, 0, 1, 1) / 1000, Date.UTC(2023, 0, 1, 2) / 1000]);
      expect(s.volume).to.deep.equal([100, 200]);
      expect(s.volumeSource).to.match(/24h-rolling/);
    });

    it("fails loudly on a malformed payload", async () => {
      server = await serve(() => ({ body: { prices: [[1, "high"]], total_volumes: [] } }));
      const client = new CoinGeckoClient({ env: loadProviderEnv({ COINGECKO_BASE_URL: server.baseUrl }) });
      const err = await rejection(client.marketChartRange("weth", 0, 1));
      expect(err).to.be.instanceOf(ProviderError);
      expect((err as Error).message).to.match(/unexpected market_chart payload/);
    });

    it("serves repeated requests from the cache, and --refresh goes back to the provider", async () => {
      server = await serve(() => ({ body: fixture("coingecko_market_chart_range_weth.json") }));
      const env = loadProviderEnv({ COINGECKO_BASE_URL: server.baseUrl });
      const cache = new DataCache(":memory:");
      const a = await new CoinGeckoClient({ env, cache }).marketChartRange("weth", 1, 2);
      const b = await new CoinGeckoClient({ env, cache }).marketChartRange("weth", 1, 2);
      expect(b).to.deep.equal(a);
      expect(server.requests).to.have.length(1);
      await new CoinGeckoClient({ env, cache, refresh: true }).marketChartRange("weth", 1, 2);
      expect(server.requests).to.have.length(2);
      cache.close();
    });
  });

  describe("createProviders", () => {
    it("wires every client to one persistent cache from the environment; refresh bypasses it", async () => {
      server = await serve(() => ({ body: fixture("coingecko_market_chart_range_weth.json") }));
      const dir = mkdtempSync(join(tmpdir(), "ballast-providers-"));
      try {
        const env = loadProviderEnv({ COINGECKO_BASE_URL: server.baseUrl, BALLAST_CACHE_PATH: join(dir, "c.sqlite") });
        const first = createProviders(env);
        expect(first.flipside).to.equal(null); // no FLIPSIDE_API_KEY
        await first.coingecko.marketChartRange("weth", 1, 2);
        first.close();
        const again = createProviders(env);
        await again.coingecko.marketChartRange("weth", 1, 2);
        again.close();
        expect(server.requests).to.have.length(1); // second run served from the file cache
        const refreshed = createProviders(env, { refresh: true });
        await refreshed.coingecko.marketChartRange("weth", 1, 2);
        refreshed.close();
        expect(server.requests).to.have.length(2);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe("DefiLlama", () => {
    it("reads historical prices by Arbitrum address", async () => {
      server = await serve(() => ({ body: fixture("defillama_prices_historical.json") }));
      const client = new DefiLlamaClient({ env: loadProviderEnv({ DEFILLAMA_COINS_URL: server.baseUrl }) });
      const weth = arbitrumCoinKey("0x82aF49447D8a07e3bd95BD0d56f35241523fBab1");
      const arb = arbitrumCoinKey("0x912CE59144191C1204E64559FE8253a0e49E6548");
      const prices = await client.historicalPrices([weth, arb], 1686182400);
      expect(server.requests[0]?.url).to.equal(
        `/prices/historical/1686182400/${encodeURIComponent(weth)},${encodeURIComponent(arb)}`,
      );
      expect(prices.get(weth)?.price).to.equal(1850.07);
      expect(prices.get(arb)?.symbol).to.equal("ARB");
    });

    it("reads a price chart into daily bars without volume", async () => {
      server = await serve(() => ({ body: fixture("defillama_chart_arb.json") }));
      const client = new DefiLlamaClient({ env: loadProviderEnv({ DEFILLAMA_COINS_URL: server.baseUrl }) });
      const coin = arbitrumCoinKey("0x912CE59144191C1204E64559FE8253a0e49E6548");
      const start = Date.UTC(2023, 5, 1) / 1000;
      const points = await client.chart(coin, start, 10, "24h");
      expect(server.requests[0]?.url).to.equal(`/chart/${encodeURIComponent(coin)}?start=${start}&span=10&period=1d`);
      const series = llamaChartToSeries("ARB", points, "24h", Date.UTC(2023, 6, 1) / 1000);
      expect(series.timestamps.length).to.equal(10);
      expect(series.close[0]).to.equal(1.1401);
      expect(series.volumeSource).to.equal("none");
    });
  });
});
