/**
 * The keeper on live market data and a PPO release, end to end: the local chain (real
 * Uniswap V3 bytecode, the vault, Chainlink-interface feeds) and a local replay server speaking
 * the CoinGecko market-chart wire format. Opened through the CLI's session path (release
 * verified -> market backfilled -> universe checked -> preflight), then ticked like `keeper run`.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { openSession } from "../../keeper/src/cli/commands/keeperSession.js";
import type { TokenSymbol } from "../../keeper/src/config/addressBook.js";
import { parseKeeperConfig } from "../../keeper/src/config/keeperConfig.js";
import { ConfigError } from "../../keeper/src/core/errors.js";
import { currentPrices, followPrices } from "../../keeper/src/devchain/arbitrumLocal.js";
import { type ReplayServer, startReplayServer } from "../../keeper/src/devchain/replayServer.js";
import { coinGeckoReplay, DAY } from "../keeper/data/live/marketReplay.js";
import { advanceDays, configFor, KEYS_ENV, memoryLogger, useWorld } from "./harness.js";
import { PPO_ID, writeEqualWeightRelease, writePpoRelease } from "./releaseFixtures.js";

const SYMBOLS = ["USDC", "WETH", "WBTC", "ARB"] as const;
const MARKET = {
  source: "coingecko",
  historyBars: 60,
  maxBarAgeSeconds: 36 * 3_600,
  maxChainlinkDeviation: 0.03,
} as const;

describe("e2e: keeper on live market data with a PPO release", () => {
  const h = useWorld();
  let server: ReplayServer;
  let root: string;
  let ppoRelease: string;
  let narrowRelease: string;
  /** Price regimes the replay serves: the newest regime starting at or before t applies. */
  let regimes: { from: number; prices: Record<string, number> }[] = [];
  const replay = coinGeckoReplay((symbol, t) => {
    const regime = [...regimes].reverse().find((r) => r.from <= t) ?? regimes[0];
    const p = regime?.prices[symbol] ?? 1;
    // A small daily wiggle (at most 1%: within the 3% Chainlink bound) gives the features volatility.
    return symbol === "USDC" ? p : p * (1 + 0.01 * Math.sin(t / DAY));
  });

  before(async () => {
    server = await startReplayServer((req) => replay.handler(req));
    root = mkdtempSync(join(tmpdir(), "ballast-live-e2e-"));
    ppoRelease = await writePpoRelease(join(root, "ppo"), ["WETH", "WBTC", "ARB"]);
    // An equal-weight release researched on two of the vault's three assets.
    narrowRelease = writeEqualWeightRelease(join(root, "narrow"), ["WETH", "WBTC"]);
  });
  after(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  const env = () => ({ ...KEYS_ENV, COINGECKO_BASE_URL: server.baseUrl, HTTP_RETRIES: "0", HTTP_TIMEOUT_MS: "2000" });
  const config = () =>
    parseKeeperConfig(
      configFor(h.world, {
        market: MARKET,
      }),
    );
  const chainNow = async () => (await h.world.local.ethers.provider.getBlock("latest"))?.timestamp ?? 0;
  const feedPrices = async () => {
    const all = await currentPrices(h.world.local);
    return Object.fromEntries(SYMBOLS.map((s) => [s, all[s as TokenSymbol]]));
  };

  /** Sets every feed (the vault refuses answers older than the heartbeat) and moves the pools. */
  const refreshFeeds = (prices: Record<string, number | undefined>) =>
    followPrices(
      h.world.local,
      Object.fromEntries(SYMBOLS.map((s) => [s, prices[s] as number])) as Partial<Record<TokenSymbol, number>>,
    );

  beforeEach(async () => {
    replay.fault = "none";
    regimes = [{ from: 0, prices: await feedPrices() }];
  });

  it("refuses at start a release whose universe is not the vault's basket, and signs nothing", async () => {
    const { logger } = memoryLogger();
    let error: unknown;
    try {
      await openSession({ release: narrowRelease }, config(), env(), { logger });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as Error).message).to.equal(
      "release universe (USDC WBTC WETH) differs from the vault's basket (ARB USDC WBTC WETH): refusing to start",
    );
    expect(await h.world.deployed.vault.rebalanceNonce()).to.equal(0n);
  });

  it("refuses at start when the provider answers garbage during the backfill, with one clear message", async () => {
    replay.fault = "truncated";
    const { logger } = memoryLogger();
    let error: unknown;
    try {
      await openSession({ release: ppoRelease }, config(), env(), { logger });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as Error).message).to.equal(
      "market: backfill from coingecko failed: coingecko: response is not JSON",
    );
    expect(await h.world.deployed.vault.rebalanceNonce()).to.equal(0n);
  });

  it("with only an RPC URL, takes its history from the feeds' rounds on the chain", async () => {
    const { logger } = memoryLogger();
    const chainlinkOnly = () =>
      parseKeeperConfig(configFor(h.world, { market: { source: "chainlink", historyBars: 30 } }));
    // The local feeds were last updated at deployment, after the newest day close: no bar yet.
    let error: unknown;
    try {
      await openSession({}, chainlinkOnly(), KEYS_ENV, { logger });
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).to.equal(
      "market: chainlink has no bars for every basket asset (USDC, WETH, WBTC, ARB)",
    );
    // Once a day has closed after that update, each close is the round in force at it.
    await advanceDays(h.world, 2);
    const session = await openSession({}, chainlinkOnly(), KEYS_ENV, { logger });
    try {
      const reading = await (async () => {
        const prices = await feedPrices();
        await refreshFeeds(prices);
        return session.oracle.targetWeights({
          now: await chainNow(),
          currentWeights: {},
          universe: [...SYMBOLS],
        });
      })();
      expect(reading).to.not.equal(null);
      const snap = session.oracle.lastSnapshot;
      expect(snap?.panel.timestamps.length).to.equal(30);
      const newest = snap?.panel.timestamps.length ? (snap.panel.close[1]?.[29] as number) : Number.NaN;
      expect(newest).to.equal((await feedPrices()).WETH);
    } finally {
      await session.close();
    }
  });

  it("backfills, rebalances on the PPO release, refuses while data is stale or disputed, and recovers", async () => {
    const { logger, lines } = memoryLogger();
    const session = await openSession({ release: ppoRelease }, config(), env(), { logger });
    const { keeper, oracle } = session;
    try {
      expect(lines.some((l) => l.includes('"market backfilled"'))).to.equal(true);
      expect((await keeper.store.state()).strategy).to.equal("ppo(seed=2)@24h");

      // Cycle 1: the release's PPO weights, signed and executed.
      const first = await keeper.tick();
      expect(first?.status, first?.reason ?? "").to.equal("reconciled");
      const snap = oracle.lastSnapshot;
      expect(snap?.panel.timestamps.length).to.equal(60);
      expect(snap?.newestBarAt).to.equal(Math.floor((await chainNow()) / DAY) * DAY);
      const w = first?.targetWeights ?? {};
      expect(Math.abs(Object.values(w).reduce((a, b) => a + b, 0) - 1)).to.be.lessThan(1e-9);

      // A day later the market moved: the new bar is appended and the keeper trades again.
      await advanceDays(h.world, 1);
      const moved = { ...regimes[0]?.prices, WETH: (regimes[0]?.prices.WETH ?? 0) * 1.08 };
      regimes.push({ from: Math.floor((await chainNow()) / DAY) * DAY - 3_600, prices: moved });
      await refreshFeeds(moved);
      const second = await keeper.tick();
      expect(second?.status, second?.reason ?? "").to.equal("reconciled");
      expect(second?.nonce).to.equal("1");

      // The provider goes down for two days: the stored bars age past 36 h and the cycle refuses.
      replay.fault = "500";
      await advanceDays(h.world, 2);
      await refreshFeeds(moved);
      const stale = await keeper.tick();
      expect(stale?.outcome).to.equal("held");
      expect(stale?.reason).to.match(
        /^market data refused \(stale\): market data is stale: newest bar closed \d+\.\d h ago \(limit 36\.0 h\)/,
      );
      expect(await h.world.deployed.vault.rebalanceNonce()).to.equal(2n);

      // Chainlink moves 10% while the (recovered) provider does not: disputed, refused.
      replay.fault = "none";
      await refreshFeeds({ ...moved, WETH: (moved.WETH as number) * 1.1 });
      const disputed = await keeper.tick();
      expect(disputed?.outcome).to.equal("held");
      expect(disputed?.reason).to.match(
        /^market data refused \(disagreement\): WETH: coingecko close .* and Chainlink .* differ by/,
      );
      expect(await h.world.deployed.vault.rebalanceNonce()).to.equal(2n);
      // The refusal holds the keeper like the market guard does: the banner's reason is set.
      expect((await keeper.store.state()).holdReason ?? "").to.match(/^market data refused \(disagreement\)/);

      // A finished day's close does not change: the dispute lasts until the next bar closes at
      // the new price. Then fresh, agreeing data trades again.
      const nextClose = Math.floor((await chainNow()) / DAY) * DAY + DAY;
      regimes.push({ from: nextClose - 3_600, prices: { ...moved, WETH: (moved.WETH as number) * 1.1 } });
      await advanceDays(h.world, 1);
      await refreshFeeds({ ...moved, WETH: (moved.WETH as number) * 1.1 });
      const recovered = await keeper.tick();
      expect(recovered?.status, recovered?.reason ?? "").to.equal("reconciled");
      expect(await h.world.deployed.vault.rebalanceNonce()).to.equal(3n);
      expect(lines.some((l) => l.includes("cycle held") && l.includes("market data refused"))).to.equal(true);
    } finally {
      await session.close();
    }
  });

  it("`keeper run --release` starts the operator surfaces (API, dashboard, /metrics), trades, and stops on SIGTERM", async () => {
    const dir = mkdtempSync(join(root, "run-"));
    const configFile = join(dir, "keeper.json");
    writeFileSync(configFile, JSON.stringify(configFor(h.world, { dataDir: join(dir, "data"), market: MARKET })));
    const token = "run-e2e-token-0123456789";
    const child = spawn(
      join(process.cwd(), "node_modules/.bin/tsx"),
      ["keeper/src/cli/index.ts", "run", "--config", configFile, "--release", ppoRelease, "--port", "0"],
      { env: { ...process.env, ...env(), BALLAST_API_TOKEN: token }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    child.stdout.on("data", (b: Buffer) => {
      out += b.toString("utf8");
    });
    child.stderr.on("data", (b: Buffer) => {
      out += b.toString("utf8");
    });
    let exitCode: number | null | undefined;
    const exited = new Promise<number | null>((resolve) =>
      child.once("exit", (code) => {
        exitCode = code;
        resolve(code);
      }),
    );
    const alive = () => {
      if (exitCode !== undefined) throw new Error(`keeper run exited with ${exitCode}:\n${out}`);
    };
    try {
      const url = await waitFor(
        async () => {
          alive();
          return /operator server: (http:\/\/127\.0\.0\.1:\d+)\//.exec(out)?.[1] ?? null;
        },
        () => out,
      );
      const metrics = await fetch(`${url}/metrics`);
      expect(metrics.status).to.equal(200);
      expect(await metrics.text()).to.match(/^# (HELP|TYPE) /m);
      expect((await fetch(`${url}/`)).status).to.equal(200);
      // The first tick is due at once: the release's PPO weights are traded.
      const cycle = await waitFor(
        async () => {
          alive();
          const body = (await (await fetch(`${url}/api/cycles`)).json()) as unknown;
          const list = Array.isArray(body) ? body : ((body as { cycles?: unknown[] }).cycles ?? []);
          const done = (list as { status: string; startedAt: number }[]).find(
            (c) => c.status === "reconciled" || c.status === "failed",
          );
          return done ?? null;
        },
        () => out,
      );
      expect(cycle.status, out).to.equal("reconciled");
      // The scheduler's heartbeat: the chain time its last finished tick looked at (the demo's driver waits on it).
      const { startedAt } = cycle;
      const beat = await waitFor(
        async () => {
          const m = /^keeper_last_tick_chain_timestamp_seconds (\d+)$/m.exec(
            await (await fetch(`${url}/metrics`)).text(),
          );
          return m && Number(m[1]) >= startedAt ? Number(m[1]) : null;
        },
        () => out,
      );
      expect(beat).to.be.at.least(startedAt);
      const status = (await (await fetch(`${url}/api/status`)).json()) as Record<string, unknown>;
      expect(JSON.stringify(status)).to.include(PPO_ID);
      // The release in force and the market data's freshness are on the status (the dashboard shows them).
      const release = status.release as { serves?: string; dir?: string } | null;
      expect(release?.serves).to.equal(PPO_ID);
      expect(release?.dir).to.equal(ppoRelease);
      const market = status.market as { source?: string; ok?: boolean; newestBarAt?: number | null } | null;
      expect(market?.ok).to.equal(true);
      expect(market?.newestBarAt).to.be.a("number");
      // Without the token the only state-changing route is refused.
      expect((await fetch(`${url}/api/rebalance`, { method: "POST" })).status).to.equal(401);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited, out).to.equal(0);
  });
});

/** Polls `probe` every 200 ms until it returns a value (90 s at most). */
async function waitFor<T>(probe: () => Promise<T | null>, context: () => string): Promise<T> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== null) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out; output so far:\n${context()}`);
}
