import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { yieldsCommand } from "../../../keeper/src/cli/commands/yields.js";
import { ConfigError, DataError, ProviderError } from "../../../keeper/src/core/errors.js";
import type { MarketPanel } from "../../../keeper/src/core/types.js";
import { DataCache } from "../../../keeper/src/data/cache.js";
import { loadProviderEnv } from "../../../keeper/src/data/env.js";
import { collectYields } from "../../../keeper/src/data/yields/collectYields.js";
import { LlamaYieldsClient } from "../../../keeper/src/data/yields/llamaYields.js";
import { panelYieldsFromSeries } from "../../../keeper/src/data/yields/panelYields.js";
import { parseYieldCollectorConfig } from "../../../keeper/src/data/yields/yieldConfig.js";
import { type ReplayHandler, type ReplayServer, startReplayServer } from "../../../keeper/src/devchain/replayServer.js";
import { expectAbsClose } from "../../helpers/approx.js";
import { runCaptured } from "../../helpers/captureCommand.js";
import { chartBody, DAYS, FIRST_DAY, POOL, poolsBody } from "./llamaYieldsReplay.js";

const DAY = 86_400;
/** Day d's bar close (the replayed points are at 23:01 on day d, so they close at the next midnight). */
const closeOf = (d: number) => FIRST_DAY + (d + 1) * DAY;
/** Mid-day of the last replayed day: its point has not closed yet. */
const NOW = FIRST_DAY + (DAYS - 1) * DAY + 12 * 3600;

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected a rejection");
}

const CONFIG = parseYieldCollectorConfig({
  filters: {
    chains: ["arbitrum"],
    protocols: ["aave-v3", "lido"],
    underlyings: ["usdc", "usdt", "dai", "wsteth"],
    minTvlUsd: 1_000_000,
  },
  adjustment: { rewardHaircut: 0.5, underlying: { WSTETH: { pool: POOL.lido } } },
  history: { maxGapDays: 3 },
  assets: [{ symbol: "wstETH", pool: POOL.aaveWsteth, accrual: "price" }],
});

/** The replayed market: a spike, short and long gaps in the USDC pool, a long gap in Lido's. */
const market: ReplayHandler = (req) => {
  if (req.url === "/pools") return { body: poolsBody() };
  const pool = decodeURIComponent(req.url.replace(/^\/chart\//, ""));
  if (pool === POOL.aaveUsdc)
    return {
      body: chartBody(pool, (d) => {
        if (d === 20) return { apyBase: 60, apyReward: 2 };
        if (d === 25 || d === 26 || (d >= 30 && d <= 34)) return null;
        if (d >= 36) return { apyBase: 8, apyReward: 2 };
        return undefined;
      }),
    };
  if (pool === POOL.lido) return { body: chartBody(pool, (d) => (d >= 12 && d <= 17 ? null : undefined)) };
  return { body: chartBody(pool) };
};

describe("data/yields: the DefiLlama yield collector (replayed HTTP)", () => {
  let open: ReplayServer | undefined;
  const serve = async (handler: ReplayHandler): Promise<ReplayServer> => {
    open = await startReplayServer(handler);
    return open;
  };
  afterEach(async () => {
    await open?.close();
    open = undefined;
  });
  const clientOf = (server: ReplayServer, extra: { cache?: DataCache; timeoutMs?: number; retries?: number } = {}) =>
    new LlamaYieldsClient({
      env: loadProviderEnv({
        DEFILLAMA_YIELDS_URL: server.baseUrl,
        HTTP_TIMEOUT_MS: String(extra.timeoutMs ?? 5_000),
        HTTP_RETRIES: String(extra.retries ?? 2),
      }),
      backoffMs: 1,
      ...(extra.cache ? { cache: extra.cache } : {}),
    });

  it("keeps the pools the filters allow, plus the pools an asset or an underlying needs", async () => {
    const server = await serve(market);
    const got = await collectYields(clientOf(server), CONFIG, NOW);
    // Lido is on Ethereum but is WSTETH's underlying; the Ethereum USDC pool, the small USDT
    // pool, GMX (protocol), the flagged DAI outlier and Rocket Pool are filtered out.
    expect(got.pools.map((p) => p.pool).sort()).to.deep.equal([POOL.lido, POOL.aaveUsdc, POOL.aaveWsteth].sort());
    expect(server.requests.map((r) => r.url).sort()).to.deep.equal(
      ["/pools", `/chart/${POOL.lido}`, `/chart/${POOL.aaveUsdc}`, `/chart/${POOL.aaveWsteth}`].sort(),
    );
  });

  it("adjusts APYs: reward haircut, the underlying's staking yield added, day closes, no unclosed day", async () => {
    const server = await serve(market);
    const got = await collectYields(clientOf(server), CONFIG, NOW);
    const usdc = got.series.get(POOL.aaveUsdc);
    const wsteth = got.series.get(POOL.aaveWsteth);
    const lido = got.series.get(POOL.lido);
    if (!usdc || !wsteth || !lido) throw new Error("missing series");
    // The last replayed day has not closed at NOW: 39 bars, closing at the midnights after each day.
    expect(usdc.timestamps.length).to.equal(DAYS - 1);
    expect(usdc.timestamps[0]).to.equal(closeOf(0));
    // 4% base + 50% of a 2% reward.
    expectAbsClose(usdc.apy[0], 0.05, 1e-12);
    expectAbsClose(usdc.baseApy[0], 0.04, 1e-12);
    expectAbsClose(usdc.rewardApy[0], 0.02, 1e-12);
    // Aave's 0.1% supply rate on wstETH plus Lido's 3% staking yield underneath it.
    expectAbsClose(wsteth.apy[0], 0.031, 1e-12);
    expectAbsClose(wsteth.underlyingApy[0], 0.03, 1e-12);
    // Lido is the underlying's own source: nothing added to itself.
    expectAbsClose(lido.apy[0], 0.03, 1e-12);
  });

  it("drops a one-day spike, carries short gaps, leaves long ones missing, accepts a level change that persists", async () => {
    const server = await serve(market);
    const got = await collectYields(clientOf(server), CONFIG, NOW);
    const usdc = got.series.get(POOL.aaveUsdc);
    if (!usdc) throw new Error("missing series");
    const at = (d: number) => usdc.apy[usdc.timestamps.indexOf(closeOf(d))] as number;
    const issuesOn = (kind: string, pool: string) =>
      got.issues.filter((i) => i.kind === kind && i.pool === pool).map((i) => (i.t - FIRST_DAY) / DAY - 1);
    expect(issuesOn("outlier", POOL.aaveUsdc)).to.deep.equal([20, 36]);
    expectAbsClose(at(20), 0.05, 1e-12); // spike replaced by the day before
    expectAbsClose(at(25), 0.05, 1e-12);
    expectAbsClose(at(26), 0.05, 1e-12);
    expect(issuesOn("gap_filled", POOL.aaveUsdc)).to.deep.equal([20, 25, 26, 30, 31, 32, 36]);
    expect(issuesOn("gap_left", POOL.aaveUsdc)).to.deep.equal([33, 34]);
    expect(Number.isNaN(at(33))).to.equal(true);
    // 8% base from day 36: the first day is held back as a possible spike, the second confirms it.
    expectAbsClose(at(36), 0.05, 1e-12);
    expectAbsClose(at(37), 0.09, 1e-12);
    expectAbsClose(at(38), 0.09, 1e-12);
    // Lido's 6-day gap: 3 days carried, then wstETH's total is missing and says why.
    expect(issuesOn("gap_left", POOL.lido)).to.deep.equal([15, 16, 17]);
    expect(issuesOn("underlying_missing", POOL.aaveWsteth)).to.deep.equal([15, 16, 17]);
  });

  it("serves a second run from the SQLite cache without a request", async () => {
    const server = await serve(market);
    const cache = new DataCache(":memory:");
    const first = await collectYields(clientOf(server, { cache }), CONFIG, NOW);
    const requests = server.requests.length;
    const second = await collectYields(clientOf(server, { cache }), CONFIG, NOW);
    expect(server.requests.length).to.equal(requests);
    expect(Array.from(second.series.get(POOL.aaveWsteth)?.apy ?? [])).to.deep.equal(
      Array.from(first.series.get(POOL.aaveWsteth)?.apy ?? []),
    );
    cache.close();
  });

  it("retries a 500 and then reads the pools", async () => {
    let calls = 0;
    const server = await serve(() =>
      ++calls === 1 ? { status: 500, body: { error: "internal" } } : { body: poolsBody() },
    );
    const pools = await clientOf(server).pools();
    expect(pools).to.have.length(8);
    expect(server.requests).to.have.length(2);
  });

  it("gives up with a ProviderError when every attempt is a 500", async () => {
    const server = await serve(() => ({ status: 500, body: { error: "internal" } }));
    const err = await rejection(clientOf(server, { retries: 1 }).pools());
    expect(err).to.be.instanceOf(ProviderError);
    expect((err as Error).message).to.match(/giving up after 2 attempt/);
    expect(server.requests).to.have.length(2);
  });

  it("times out a request that does not answer, and retries it", async () => {
    let calls = 0;
    const server = await serve(() =>
      ++calls === 1 ? { body: poolsBody(), delayMs: 2_000 } : { body: chartBody(POOL.lido) },
    );
    const chart = await clientOf(server, { timeoutMs: 200 }).chart(POOL.lido);
    expect(chart).to.have.length(DAYS);
    expect(server.requests).to.have.length(2);
  });

  it("refuses truncated JSON with a clear error and caches nothing, so the next run fetches again", async () => {
    let truncated = true;
    const server = await serve(() =>
      truncated ? { body: JSON.stringify(poolsBody()).slice(0, 700) } : { body: poolsBody() },
    );
    const cache = new DataCache(":memory:");
    const err = await rejection(clientOf(server, { cache }).pools());
    expect(err).to.be.instanceOf(ProviderError);
    expect((err as Error).message).to.match(/defillama: response is not JSON/);
    expect(cache.get({ provider: "defillama", query: "yields/pools", from: 0, to: 0 })).to.equal(null);
    truncated = false;
    expect(await clientOf(server, { cache }).pools()).to.have.length(8);
    expect(server.requests).to.have.length(2);
    cache.close();
  });

  it("waits as long as a 429's Retry-After says before asking again", async () => {
    let calls = 0;
    const server = await serve(() =>
      ++calls === 1
        ? { status: 429, body: { message: "Too Many Requests" }, headers: { "retry-after": "1" } }
        : { body: poolsBody() },
    );
    const started = Date.now();
    const pools = await clientOf(server).pools();
    // backoffMs is 1 ms: only the server's Retry-After explains a wait of a second.
    expect(Date.now() - started).to.be.at.least(950);
    expect(pools).to.have.length(8);
    expect(server.requests).to.have.length(2);
  });

  it("refuses a payload in the wrong shape and does not cache it", async () => {
    const server = await serve(() => ({ body: { status: "error", data: "rate limited" } }));
    const cache = new DataCache(":memory:");
    const err = await rejection(clientOf(server, { cache }).pools());
    expect(err).to.be.instanceOf(ProviderError);
    expect((err as Error).message).to.match(/unexpected yields\/pools payload/);
    expect(cache.get({ provider: "defillama", query: "yields/pools", from: 0, to: 0 })).to.equal(null);
    cache.close();
  });

  it("fetches afresh when a cached entry no longer passes the schema", async () => {
    const server = await serve(() => ({ body: poolsBody() }));
    const cache = new DataCache(":memory:");
    cache.set(
      { provider: "defillama", query: "yields/pools", from: 0, to: 0 },
      { status: "success", data: [{}] },
      3600,
    );
    expect(await clientOf(server, { cache }).pools()).to.have.length(8);
    expect(server.requests).to.have.length(1);
    expect(await clientOf(server, { cache }).pools()).to.have.length(8);
    expect(server.requests).to.have.length(1);
    cache.close();
  });

  it("fails loudly when an asset's pool is not in DefiLlama's list", async () => {
    const server = await serve(market);
    const cfg = parseYieldCollectorConfig({ assets: [{ symbol: "RETH", pool: "no-such-pool", accrual: "price" }] });
    const err = await rejection(collectYields(clientOf(server), cfg, NOW));
    expect(err).to.be.instanceOf(DataError);
    expect((err as Error).message).to.match(/RETH's pool no-such-pool/);
  });

  it("validates the config with zod and names the bad field", () => {
    const bad = (raw: unknown) => {
      try {
        parseYieldCollectorConfig(raw);
      } catch (err) {
        expect(err).to.be.instanceOf(ConfigError);
        return (err as Error).message;
      }
      throw new Error("expected a ConfigError");
    };
    expect(bad({ adjustment: { rewardHaircut: 1.5 } })).to.match(/rewardHaircut/);
    expect(bad({ filters: { minTvl: 5 } })).to.match(/minTvl/);
    expect(bad({ filters: { chains: [] } })).to.match(/chains/);
    expect(bad({ assets: [{ symbol: "RETH", pool: "p", accrual: "rebasing" }] })).to.match(/accrual/);
    expect(
      bad({
        assets: [
          { symbol: "reth", pool: "p", accrual: "price" },
          { symbol: "RETH", pool: "q", accrual: "price" },
        ],
      }),
    ).to.match(/RETH is listed twice/);
    const defaults = parseYieldCollectorConfig({});
    expect(defaults.filters.minTvlUsd).to.equal(1_000_000);
    expect(defaults.adjustment.rewardHaircut).to.equal(0.5);
  });

  it("joins a pool's series to a panel point in time, and not past the age limit", async () => {
    const server = await serve(market);
    const got = await collectYields(clientOf(server), CONFIG, NOW);
    const series = got.series.get(POOL.aaveUsdc);
    if (!series) throw new Error("missing series");
    // Hourly-ish bars at odd times: each sees the last day closed at or before it.
    const ts = [closeOf(0) - 1, closeOf(0), closeOf(0) + 5 * 3600, closeOf(35) + 1, closeOf(38) + 5 * DAY];
    const panel: MarketPanel = {
      freq: "24h",
      timestamps: Float64Array.from(ts),
      assets: [
        { symbol: "WETH", category: "l1", decimals: 18 },
        { symbol: "USDC", category: "stablecoin", decimals: 6 },
      ],
      close: [new Float64Array(ts.length).fill(2000), new Float64Array(ts.length).fill(1)],
      volume: [new Float64Array(ts.length), new Float64Array(ts.length)],
    };
    const y = panelYieldsFromSeries(panel, [{ symbol: "usdc", series, accrual: "balance" }], {
      source: "defillama",
      maxAgeSeconds: 3 * DAY,
    });
    expect(y.accrual).to.deep.equal([null, "balance"]);
    const row = Array.from(y.apy[1] ?? []);
    expect(Number.isNaN(row[0])).to.equal(true); // before the first close
    expectAbsClose(row[1], 0.05, 1e-12);
    expectAbsClose(row[2], 0.05, 1e-12);
    expectAbsClose(row[3], 0.05, 1e-12); // day 35 is the 5% level
    expect(Number.isNaN(row[4])).to.equal(true); // history ended 5 days earlier
    expect(Number.isNaN(y.apy[0]?.[1] ?? 0)).to.equal(true);
  });

  it("keeper yields --config: collects through the cache file, prints the kept pools, writes the series", async () => {
    const server = await serve(market);
    const dir = mkdtempSync(join(tmpdir(), "ballast-yields-"));
    const saved = { ...process.env };
    try {
      process.env.DEFILLAMA_YIELDS_URL = server.baseUrl;
      process.env.BALLAST_CACHE_PATH = join(dir, "cache.sqlite");
      const config = join(dir, "yields.json");
      writeFileSync(
        config,
        JSON.stringify({
          filters: { chains: ["Arbitrum"], protocols: ["aave-v3"], underlyings: ["USDC", "WSTETH"] },
          adjustment: { underlying: { WSTETH: { pool: POOL.lido } } },
        }),
      );
      const out = join(dir, "series.json");
      const first = await runCaptured(yieldsCommand, ["--config", config, "--json", out]);
      expect(first.code, first.err).to.equal(0);
      expect(first.out).to.include(`| ${POOL.aaveWsteth} | Arbitrum | aave-v3 | WSTETH |`);
      expect(first.out).to.match(/3 pool\(s\) kept; repairs: .*outlier/);
      const written = JSON.parse(readFileSync(out, "utf8")) as { series: Record<string, { apy: (number | null)[] }> };
      expect(Object.keys(written.series).sort()).to.deep.equal([POOL.lido, POOL.aaveUsdc, POOL.aaveWsteth].sort());
      const requests = server.requests.length;
      const second = await runCaptured(yieldsCommand, ["--config", config]);
      expect(second.code, second.err).to.equal(0);
      expect(server.requests.length).to.equal(requests); // served from the cache file
      writeFileSync(config, JSON.stringify({ adjustment: { rewardHaircut: 2 } }));
      const refused = await runCaptured(yieldsCommand, ["--config", config]);
      expect(refused.code).to.equal(2);
      expect(refused.err).to.match(/rewardHaircut/);
    } finally {
      process.env = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeper yields --lst: DefiLlama APYs (replayed) feed the LST study, priors fill what they miss", async () => {
    const server = await serve(market);
    const dir = mkdtempSync(join(tmpdir(), "ballast-lst-"));
    const saved = { ...process.env };
    try {
      process.env.DEFILLAMA_YIELDS_URL = server.baseUrl;
      process.env.BALLAST_CACHE_PATH = join(dir, "cache.sqlite");
      // A made-up LST market (not real prices): 160 days to the end of the replayed history.
      const rows = ["date,symbol,close_usd,volume_usd"];
      const rates = ["date,reth_eth_rate"];
      for (let d = 0; d < 160; d++) {
        const date = new Date((FIRST_DAY + (d - 120) * DAY) * 1000).toISOString().slice(0, 10);
        const eth = 2000 * (1 + 0.1 * Math.sin(d / 9));
        const reth = 1.08 * 1.03 ** (d / 365);
        rows.push(`${date},WETH,${eth},1000000`);
        rows.push(`${date},STETH,${eth * 0.999},1000000`);
        rows.push(`${date},WSTETH,${eth * 0.999 * 1.15 * 1.035 ** (d / 365)},1000000`);
        rows.push(`${date},RETH,${eth * reth},1000000`);
        rates.push(`${date},${reth}`);
      }
      writeFileSync(join(dir, "market.csv"), `${rows.join("\n")}\n`);
      writeFileSync(join(dir, "reth.csv"), `${rates.join("\n")}\n`);
      const config = join(dir, "yields.json");
      writeFileSync(
        config,
        JSON.stringify({
          filters: { protocols: ["none"] },
          adjustment: { underlying: { WSTETH: { pool: POOL.lido } } },
          assets: [
            { symbol: "WSTETH", pool: POOL.aaveWsteth, accrual: "price" },
            { symbol: "RETH", pool: POOL.rocket, accrual: "price" },
          ],
        }),
      );
      const out = join(dir, "report");
      const argv = [
        "--lst",
        "--config",
        config,
        "--data",
        join(dir, "market.csv"),
        "--reth-rate",
        join(dir, "reth.csv"),
      ];
      const res = await runCaptured(yieldsCommand, [
        ...argv,
        "--from",
        "2024-01-01",
        "--to",
        "2024-02-08",
        "--out",
        out,
      ]);
      expect(res.code, res.err).to.equal(0);
      expect(res.out).to.include("APY source: defillama, else prior");
      expect(res.out).to.match(/\| mean-variance\+yield \(default\) \|/);
      // wstETH: Aave's 0.1% + Lido's 3%; rETH: Rocket Pool's 2.8% (both replayed), over the block.
      expect(res.out).to.match(/\| WSTETH \| price \| defillama, else prior \| 3\.1\d% \|/);
      expect(res.out).to.match(
        /\| RETH \| price \| defillama, else prior \| 2\.8\d% \| 3\.00% \| on-chain rETH\/ETH rate \|/,
      );
      expect(readFileSync(join(out, "lst-yield.md"), "utf8")).to.include("APY used against realised yield");
      const bad = await runCaptured(yieldsCommand, [...argv, "--from", "2024-02-08", "--to", "2024-01-01"]);
      expect(bad.code).to.equal(2);
    } finally {
      process.env = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
