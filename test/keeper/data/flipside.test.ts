import { readFileSync } from "node:fs";
import { expect } from "chai";
import { ConfigError, ProviderError } from "../../../keeper/src/core/errors.js";
import { DataCache } from "../../../keeper/src/data/cache.js";
import { loadProviderEnv } from "../../../keeper/src/data/env.js";
import { FlipsideClient } from "../../../keeper/src/data/flipside/client.js";
import { FLIPSIDE_VOLUME_SOURCE, loadFlipsidePanel } from "../../../keeper/src/data/flipside/marketData.js";
import { dailyBarClose } from "../../../keeper/src/data/time.js";
import { type ReplayRequest, type ReplayServer, startReplayServer } from "./replayServer.js";

type Json = Record<string, unknown>;
const fixture = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`../../fixtures/data/flipside/${name}`, import.meta.url), "utf8")) as Json;

const TOKENS = [
  { symbol: "WETH", address: "0x82aF49447D8a07e3bd95BD0d56f35241523fBab1" },
  { symbol: "ARB", address: "0x912CE59144191C1204E64559FE8253a0e49E6548" },
];

/** Replays Flipside's JSON-RPC API: two runs (prices, volumes), each RUNNING once, then SUCCESS. */
function flipsideApi(opts: { failState?: boolean; rpcError?: boolean } = {}) {
  const polls = new Map<string, number>();
  const withRunId = (doc: Json, id: string): Json => {
    const copy = structuredClone(doc) as { result: Record<string, Record<string, unknown>> };
    for (const key of ["queryRun", "originalQueryRun"]) if (copy.result[key]) copy.result[key].id = id;
    return copy as unknown as Json;
  };
  return (req: ReplayRequest) => {
    if (req.url !== "/json-rpc" || req.method !== "POST") return { status: 404, body: "not found" };
    const rpc = JSON.parse(req.body) as { method: string; params: Json[] };
    const params = rpc.params[0] as Json;
    if (opts.rpcError)
      return {
        body: { jsonrpc: "2.0", id: 1, result: null, error: { code: -32000, message: "query run rate limit" } },
      };
    switch (rpc.method) {
      case "createQueryRun": {
        const id = String(params.sql).includes("ez_dex_swaps") ? "run-volume" : "run-prices";
        return { body: withRunId(fixture("rpc_create_query_run.json"), id) };
      }
      case "getQueryRun": {
        const id = String(params.queryRunId);
        const n = (polls.get(id) ?? 0) + 1;
        polls.set(id, n);
        const doc = opts.failState
          ? "rpc_get_query_run_failed.json"
          : n === 1
            ? "rpc_get_query_run_running.json"
            : "rpc_get_query_run_success.json";
        return { body: withRunId(fixture(doc), id) };
      }
      case "getQueryRunResults": {
        const id = String(params.queryRunId);
        const page = (params.page as { number: number }).number;
        const doc = id === "run-volume" ? "rpc_results_dex_volume.json" : `rpc_results_prices_page${page}.json`;
        return { body: withRunId(fixture(doc), id) };
      }
      default:
        return { status: 400, body: { error: `unknown method ${rpc.method}` } };
    }
  };
}

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
