import { expect } from "chai";
import { ConfigError, ProviderError } from "../../../keeper/src/core/errors.js";
import { DataCache } from "../../../keeper/src/data/cache.js";
import { loadProviderEnv } from "../../../keeper/src/data/env.js";
import { FlipsideClient } from "../../../keeper/src/data/flipside/client.js";
import { FLIPSIDE_VOLUME_SOURCE, loadFlipsidePanel } from "../../../keeper/src/data/flipside/marketData.js";
import { dailyBarClose } from "../../../keeper/src/data/time.js";
import { type ReplayServer, startReplayServer } from "../../../keeper/src/devchain/replayServer.js";
import { flipsideApi, TOKENS } from "./flipsideReplay.js";

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected a rejection");
}

describe("data/flipside (replayed JSON-RPC through the official SDK)", () => {
  let server: ReplayServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const client = (s: ReplayServer, extra: { cache?: DataCache } = {}) =>
    new FlipsideClient({
      env: loadProviderEnv({ FLIPSIDE_API_URL: s.baseUrl, FLIPSIDE_API_KEY: "test-key" }),
      retryIntervalSeconds: 0.01,
      pageSize: 12,
      ...extra,
    });

  it("runs SQL, polls until the run succeeds, pages through results and builds a panel", async () => {
    server = await startReplayServer(flipsideApi());
    const { panel, report } = await loadFlipsidePanel(client(server), TOKENS, {
      from: "2024-03-26",
      to: "2024-03-30",
      freq: "24h",
    });

    const methods = server.requests.map((r) => (JSON.parse(r.body) as { method: string }).method);
    expect(methods.filter((m) => m === "createQueryRun")).to.have.length(2);
    expect(methods.filter((m) => m === "getQueryRunResults")).to.have.length(3); // prices: 2 pages, volumes: 1
    expect(server.requests.every((r) => r.headers["x-api-key"] === "test-key")).to.equal(true);
    const create = JSON.parse(server.requests[0]?.body ?? "{}") as { params: { sql: string; dataSource: string }[] };
    expect(create.params[0]?.sql).to.include("FROM arbitrum.price.ez_prices_hourly");
    expect(create.params[0]?.dataSource).to.equal("snowflake-default");

    expect(panel.assets.map((a) => a.symbol)).to.deep.equal(["WETH", "ARB"]);
    expect(panel.timestamps[0]).to.equal(dailyBarClose("2024-03-26"));
    expect(panel.timestamps.length).to.equal(5);
    // The 23:00 price closes the day (the 12:00 row is superseded).
    expect(panel.close[0]?.[0]).to.equal(3590.12);
    expect(panel.close[1]?.[4]).to.equal(1.5991);
    expect(panel.volume[1]?.[0]).to.equal(3.1e6);
    expect(Number.isNaN(panel.volume[1]?.[2] as number)).to.equal(true); // day without swaps: missing, not zero
    expect(panel.volumeSource?.[0]?.[0]).to.equal(FLIPSIDE_VOLUME_SOURCE);
    expect(panel.assets[0]?.address).to.equal("0x82aF49447D8a07e3bd95BD0d56f35241523fBab1");
    expect(report.issues).to.have.length(0);
  });

  it("caches query results by SQL text", async () => {
    server = await startReplayServer(flipsideApi());
    const cache = new DataCache(":memory:");
    const sql = "SELECT hour, token_address, symbol, price FROM arbitrum.price.ez_prices_hourly LIMIT 20";
    const first = await client(server, { cache }).query(sql);
    const count = server.requests.length;
    const second = await client(server, { cache }).query(sql);
    expect(second).to.deep.equal(first);
    expect(first).to.have.length(20);
    expect(first[0]).to.have.keys(["hour", "token_address", "symbol", "price"]);
    expect(server.requests.length).to.equal(count);
    cache.close();
  });

  it("turns a failed query run and a JSON-RPC error into ProviderErrors", async () => {
    server = await startReplayServer(flipsideApi({ failState: true }));
    const failed = await rejection(client(server).query("SELECT 1"));
    expect(failed).to.be.instanceOf(ProviderError);
    expect((failed as Error).message).to.match(/does not exist or not authorized/);
    await server.close();
    server = await startReplayServer(flipsideApi({ rpcError: true }));
    const limited = await rejection(client(server).query("SELECT 1"));
    expect(limited).to.be.instanceOf(ProviderError);
    expect((limited as Error).message).to.match(/rate limit/);
  });

  it("needs an API key", () => {
    expect(() => new FlipsideClient({ env: loadProviderEnv({}) })).to.throw(ConfigError);
  });
});
