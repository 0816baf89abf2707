import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { JsonRpcProvider, Network } from "ethers";
import { ProviderError } from "../../../../keeper/src/core/errors.js";
import { DataCache } from "../../../../keeper/src/data/cache.js";
import { CoinGeckoClient } from "../../../../keeper/src/data/coingecko.js";
import { loadProviderEnv } from "../../../../keeper/src/data/env.js";
import { FlipsideClient } from "../../../../keeper/src/data/flipside/client.js";
import { BarStore } from "../../../../keeper/src/data/live/barStore.js";
import { ChainlinkBarSource, readLatestPrices } from "../../../../keeper/src/data/live/chainlink.js";
import { CoinGeckoBarSource } from "../../../../keeper/src/data/live/coingeckoBars.js";
import { FlipsideBarSource } from "../../../../keeper/src/data/live/flipsideBars.js";
import { LiveMarket, type MarketReading, type MarketSnapshot } from "../../../../keeper/src/data/live/liveMarket.js";
import type { FeedAnswer } from "../../../../keeper/src/data/onchain.js";
import { dailyBarClose } from "../../../../keeper/src/data/time.js";
import { type ReplayServer, startReplayServer } from "../../../../keeper/src/devchain/replayServer.js";
import { expectAbsClose } from "../../../helpers/approx.js";
import { flipsideApi, TOKENS } from "../flipsideReplay.js";
import { coinGeckoReplay, DAY, type FeedRound, feedRpcReplay, pricePath } from "./marketReplay.js";

const SYMBOLS = ["USDC", "WETH", "WBTC"];
/** A day close in 2024 plus three hours: the keeper's chain time in these tests. */
const T0 = 19_800 * DAY + 3 * 3_600;

function ok(r: MarketReading): MarketSnapshot {
  if (!r.ok) throw new Error(`expected a snapshot, got a refusal: ${r.reason}`);
  return r;
}

describe("data/live: the live market service (replayed CoinGecko, Chainlink stand-in)", () => {
  let server: ReplayServer;
  let dir: string;
  let cache: DataCache;
  const replay = coinGeckoReplay();
  /** What the WETH feed answers, relative to the path; tests move it. */
  let chainlinkScale = 1;
  let now = T0;

  const chainlink = async (): Promise<Record<string, FeedAnswer>> =>
    Object.fromEntries(
      SYMBOLS.map((s) => {
        const price = pricePath(s, now) * (s === "WETH" ? chainlinkScale : 1);
        return [
          s,
          {
            feed: "0x",
            description: `${s} / USD`,
            roundId: 1n,
            answer: BigInt(Math.round(price * 1e8)),
            decimals: 8,
            updatedAt: now,
            price,
          },
        ];
      }),
    );

  const market = (historyBars = 60) =>
    new LiveMarket({
      symbols: SYMBOLS,
      source: new CoinGeckoBarSource(
        new CoinGeckoClient({
          env: loadProviderEnv({ COINGECKO_BASE_URL: server.baseUrl, HTTP_TIMEOUT_MS: "100", HTTP_RETRIES: "1" }),
          backoffMs: 1,
        }),
      ),
      store: new BarStore(cache, "coingecko", historyBars),
      chainlink,
      historyBars,
      maxBarAgeSeconds: 36 * 3_600,
      maxDeviation: 0.03,
    });

  before(async () => {
    server = await startReplayServer((req) => replay.handler(req));
  });
  after(async () => {
    await server.close();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ballast-live-"));
    cache = new DataCache(join(dir, "market.sqlite"));
    replay.fault = "none";
    replay.scale = 1;
    chainlinkScale = 1;
    now = T0;
  });
  afterEach(() => {
    cache.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("backfills the history the strategy needs, once: a restart on the same store fetches nothing", async () => {
    const m = market(60);
    const report = await m.backfill(now);
    const newest = Math.floor(now / DAY) * DAY;
    expect(report.newestBarAt).to.equal(newest);
    expect(report.fetched).to.deep.equal({ USDC: 60, WETH: 60, WBTC: 60 });
    const snap = ok(await m.snapshot(now));
    expect(snap.panel.timestamps.length).to.equal(60);
    expect(snap.panel.timestamps[59]).to.equal(newest);
    expect(snap.panel.assets.map((a) => a.symbol)).to.deep.equal(SYMBOLS);
    // Closes are the provider's 00:00 UTC points: the close of the bar ending at t is the price at t.
    expectAbsClose(snap.panel.close[1]?.[59], pricePath("WETH", newest), 1e-9);
    expectAbsClose(snap.chainlinkUsd.WETH, pricePath("WETH", now), 1e-6);

    const requests = server.requests.length;
    cache.close();
    cache = new DataCache(join(dir, "market.sqlite"));
    const again = await market(60).backfill(now);
    expect(again.fetched).to.deep.equal({});
    expect(server.requests.length).to.equal(requests);
  });

  it("appends the bar that closed since the last cycle, asking only for the missing range", async () => {
    const m = market(30);
    await m.backfill(now);
    const before = server.requests.length;
    now += DAY;
    const snap = ok(await m.snapshot(now));
    expect(snap.newestBarAt).to.equal(Math.floor(now / DAY) * DAY);
    expect(snap.panel.timestamps.length).to.equal(30);
    const asked = server.requests.slice(before).map((r) => new URLSearchParams(r.url.split("?")[1]));
    expect(asked).to.have.length(SYMBOLS.length);
    // One new bar: from its open to its close.
    for (const p of asked) expect(Number(p.get("to")) - Number(p.get("from"))).to.equal(DAY);
    // Same bar, same cycle: nothing is asked again.
    const count = server.requests.length;
    ok(await m.snapshot(now + 60));
    expect(server.requests.length).to.equal(count);
  });

  it("refuses while the newest bar is older than the limit (provider down: 500), and trades again when it recovers", async () => {
    const m = market(30);
    await m.backfill(now);
    replay.fault = "500";
    now += DAY; // one day missed: the stored bar is 27 h old, within 36 h
    const tolerated = ok(await m.snapshot(now));
    expect(tolerated.warning).to.match(/coingecko: .*HTTP 500|giving up/);
    now += DAY; // two days missed: 51 h
    const refused = await m.snapshot(now);
    expect(refused.ok).to.equal(false);
    if (refused.ok) return;
    expect(refused.code).to.equal("stale");
    expect(refused.reason).to.match(/market data is stale: newest bar closed 51\.0 h ago \(limit 36\.0 h\)/);
    expect(refused.reason).to.match(/HTTP 500/);
    replay.fault = "none";
    const recovered = ok(await m.snapshot(now));
    expect(recovered.newestBarAt).to.equal(Math.floor(now / DAY) * DAY);
    expect(recovered.warning).to.equal(null);
  });

  for (const fault of ["timeout", "truncated"] as const) {
    it(`keeps the stored bars and reports a ${fault} answer while appending, without trading on it`, async () => {
      const m = market(30);
      await m.backfill(now);
      replay.fault = fault;
      now += DAY;
      const snap = ok(await m.snapshot(now));
      expect(snap.newestBarAt).to.equal(Math.floor(now / DAY) * DAY - DAY);
      expect(snap.warning).to.match(fault === "timeout" ? /timed out|giving up/ : /not JSON/);
      replay.fault = "none";
      expect(ok(await m.snapshot(now)).newestBarAt).to.equal(Math.floor(now / DAY) * DAY);
    });
  }

  it("waits out a 429 with Retry-After and appends the bar", async () => {
    const m = market(30);
    await m.backfill(now);
    replay.fault = "429";
    replay.limited = 0;
    now += DAY;
    const snap = ok(await m.snapshot(now));
    expect(snap.warning).to.equal(null);
    expect(snap.newestBarAt).to.equal(Math.floor(now / DAY) * DAY);
    expect(replay.limited).to.equal(1);
  });

  it("refuses when the provider and Chainlink disagree beyond the bound, and trades again when they agree", async () => {
    const m = market(30);
    await m.backfill(now);
    chainlinkScale = 1.1;
    const refused = await m.snapshot(now);
    expect(refused.ok).to.equal(false);
    if (refused.ok) return;
    expect(refused.code).to.equal("disagreement");
    expect(refused.reason).to.match(/^WETH: coingecko close .* and Chainlink .* differ by 9\.\d\d% \(limit 3\.00%\)$/);
    chainlinkScale = 1;
    ok(await m.snapshot(now));
  });

  it("refuses when a feed cannot be read", async () => {
    const m = new LiveMarket({
      symbols: SYMBOLS,
      source: { name: "csv", bars: async () => ({}) },
      store: new BarStore(cache, "x", 10),
      chainlink: async () => {
        const { ProviderError } = await import("../../../../keeper/src/core/errors.js");
        throw new ProviderError("chainlink: reading feed 0xabc failed");
      },
      historyBars: 10,
      maxBarAgeSeconds: DAY,
      maxDeviation: 0.03,
    });
    const r = await m.snapshot(now);
    expect(r.ok).to.equal(false);
    if (!r.ok)
      expect([r.code, r.reason]).to.deep.equal([
        "chainlink",
        "cannot read Chainlink: chainlink: reading feed 0xabc failed",
      ]);
  });

  it("refuses with no-data when the source has nothing for a basket asset", async () => {
    const m = new LiveMarket({
      symbols: SYMBOLS,
      source: { name: "csv", bars: async () => ({ USDC: [{ t: T0 - 3 * 3600, close: 1, volume: 0 }] }) },
      store: new BarStore(cache, "y", 10),
      chainlink,
      historyBars: 10,
      maxBarAgeSeconds: DAY,
      maxDeviation: 0.03,
    });
    const r = await m.snapshot(now);
    expect(r.ok).to.equal(false);
    if (!r.ok) expect(r.code).to.equal("no-data");
  });
});

describe("data/live: Chainlink history from past rounds (replayed JSON-RPC)", () => {
  let server: ReplayServer;
  const FEED = "0x00000000000000000000000000000000000000f1";
  // Hourly rounds over 20 days, answer = 1000 + round number (8 decimals).
  const start = 19_800 * DAY;
  const rounds: FeedRound[] = Array.from({ length: 20 * 24 }, (_, k) => ({
    answer: BigInt(1000 + k) * 10n ** 8n,
    updatedAt: start + 1_800 + k * 3_600,
  }));
  const rpc = feedRpcReplay({ [FEED]: { phase: 3n, rounds } });

  before(async () => {
    server = await startReplayServer((req) => rpc.handler(req));
  });
  after(async () => {
    await server.close();
  });

  it("builds daily closes from the last round at or before each close, within the current phase", async () => {
    const provider = new JsonRpcProvider(server.baseUrl, Network.from(42_161), { staticNetwork: true });
    try {
      const source = new ChainlinkBarSource(provider, { WETH: FEED });
      const from = start - 2 * DAY; // before the phase's first round: those bars do not exist
      const to = start + 19 * DAY;
      const bars = (await source.bars(["WETH", "WBTC"], from, to)).WETH ?? [];
      expect(bars.map((b) => b.t)).to.deep.equal(Array.from({ length: 19 }, (_, d) => start + (d + 1) * DAY));
      // The close at start + d days is the round updated at start + d days - 30 min: index 24d - 1.
      bars.forEach((b, i) => {
        const d = i + 1;
        expect(b.close).to.equal(1000 + 24 * d - 1);
      });
      // Bisection, not a walk over all 480 rounds.
      expect(rpc.calls).to.be.lessThan(200);
      const latest = await readLatestPrices(provider, { WETH: FEED });
      expect(latest.WETH?.price).to.equal(1000 + rounds.length - 1);
    } finally {
      provider.destroy();
    }
  });
});

describe("data/live: Flipside as a bar source (replayed JSON-RPC through the official SDK)", () => {
  let server: ReplayServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const client = (s: ReplayServer) =>
    new FlipsideClient({
      env: loadProviderEnv({ FLIPSIDE_API_URL: s.baseUrl, FLIPSIDE_API_KEY: "test-key" }),
      retryIntervalSeconds: 0.01,
      pageSize: 12,
    });

  it("serves the 23:00 price of each day as its close, for the days the range covers", async () => {
    server = await startReplayServer(flipsideApi());
    const source = new FlipsideBarSource(client(server), TOKENS);
    const from = dailyBarClose("2024-03-26");
    const to = dailyBarClose("2024-03-30");
    const bars = await source.bars(["WETH", "ARB"], from, to);
    expect(bars.WETH?.map((b) => b.t)).to.deep.equal([0, 1, 2, 3, 4].map((d) => from + d * DAY));
    expect(bars.WETH?.[0]?.close).to.equal(3590.12);
    expect(bars.ARB?.[4]?.close).to.equal(1.5991);
    const sql = server.requests.map((r) => JSON.parse(r.body) as { method: string; params: { sql?: string }[] });
    const priceSql = sql.find((r) => r.method === "createQueryRun")?.params[0]?.sql ?? "";
    expect(priceSql).to.include("hour >= '2024-03-26 00:00:00'").and.include("hour < '2024-03-31 00:00:00'");
  });

  it("a failed query run is a ProviderError; a symbol without an address is refused", async () => {
    server = await startReplayServer(flipsideApi({ failState: true }));
    const source = new FlipsideBarSource(client(server), TOKENS);
    const from = dailyBarClose("2024-03-26");
    let error: unknown;
    try {
      await source.bars(["WETH"], from, from);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ProviderError);
    let missing: unknown;
    try {
      await source.bars(["GMX"], from, from);
    } catch (e) {
      missing = e;
    }
    expect((missing as Error).message).to.equal("flipside: no address known for GMX");
  });
});
