/**
 * The keeper on live market data and a PPO release, end to end: the local chain (real
 * Uniswap V3 bytecode, the vault, Chainlink-interface feeds) and a local replay server speaking
 * the CoinGecko market-chart wire format. Opened through the CLI's session path (release
 * verified -> market backfilled -> universe checked -> preflight), then ticked like `keeper run`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { openSession } from "../../keeper/src/cli/commands/keeperSession.js";
import { writeReleaseFolder } from "../../keeper/src/cli/releaseFolder.js";
import type { TokenSymbol } from "../../keeper/src/config/addressBook.js";
import { parseKeeperConfig } from "../../keeper/src/config/keeperConfig.js";
import { ConfigError } from "../../keeper/src/core/errors.js";
import { generateSyntheticMarket } from "../../keeper/src/data/synthetic.js";
import { currentPrices, followPrices } from "../../keeper/src/devchain/arbitrumLocal.js";
import { runGate } from "../../keeper/src/research/release/gate.js";
import { POLICY_FILE, REPORT_FILE, releaseFiles, sha256 } from "../../keeper/src/research/release/release.js";
import { initTf } from "../../keeper/src/strategy/ppo/tfBackend.js";
import { trainPpoAgent } from "../../keeper/src/strategy/research/ppoAgent.js";
import { researchConfigSchema } from "../../keeper/src/strategy/research/researchConfig.js";
import { candidateAssets, researchEligibility } from "../../keeper/src/strategy/research/universe.js";
import { coinGeckoReplay, DAY } from "../keeper/data/live/marketReplay.js";
import { type ReplayServer, startReplayServer } from "../keeper/data/replayServer.js";
import { advanceDays, configFor, KEYS_ENV, memoryLogger, useWorld } from "./harness.js";

const SYMBOLS = ["USDC", "WETH", "WBTC", "ARB"] as const;

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
    // A small PPO policy on a synthetic market with the vault's assets (the test needs a policy,
    // not a good one; the gate verdict below is a fixture that approves it).
    const panel = generateSyntheticMarket({ seed: 21, bars: 160, freq: "24h", assets: [...SYMBOLS] });
    const cfg = researchConfigSchema.parse({});
    const { tf } = await initTf();
    const { policy } = await trainPpoAgent({
      tf,
      panel,
      universe: candidateAssets(panel),
      eligibility: researchEligibility(panel),
      assumptions: cfg.assumptions,
      from: 0,
      to: 100,
      ppo: {
        seed: 2,
        totalSteps: 256,
        numEnvs: 2,
        rolloutSteps: 64,
        minibatchSize: 64,
        epochs: 1,
        hiddenSizes: [16, 16],
      },
    });
    const block = (b: string, netSharpe: number) => ({ block: b, netSharpe, netReturn: 0 });
    const gate = runGate({
      candidate: {
        id: "ppo(seed=2)@24h",
        family: "ppo",
        selection: [block("validation", 1)],
        outOfSelection: [block("test", 1.4)],
        deflatedSharpe: 0.99,
      },
      equalWeight: {
        id: "equal-weight()@24h",
        family: "equal-weight",
        selection: [block("validation", 0.8)],
        outOfSelection: [block("test", 0.9)],
      },
      baselines: [],
    });
    const manifest = (assets: string[]) => ({
      createdAt: new Date(0).toISOString(),
      producedBy: "train" as const,
      strategy: { id: "ppo(seed=2)@24h", family: "ppo", params: { seed: 2 }, policyFile: POLICY_FILE },
      schedule: { label: "24h", decideEveryBars: 1 },
      universe: { base: "USDC", assets },
      researchConfig: { baseSymbol: "USDC" },
      data: {
        sha256: sha256("synthetic seed 21"),
        from: "2020-01-01",
        to: "2020-06-08",
        bars: 160,
        assets: [...SYMBOLS],
      },
      gate,
    });
    const attachments = { [POLICY_FILE]: JSON.stringify(policy.toJSON()), [REPORT_FILE]: "{}" };
    ppoRelease = join(root, "ppo");
    writeReleaseFolder(ppoRelease, releaseFiles(manifest(["WETH", "WBTC", "ARB"]), attachments));
    // An equal-weight release researched on two of the vault's three assets.
    const ew = {
      id: "equal-weight()@24h",
      family: "equal-weight",
      selection: [block("v", 1)],
      outOfSelection: [block("t", 1)],
    };
    narrowRelease = join(root, "narrow");
    writeReleaseFolder(
      narrowRelease,
      releaseFiles(
        {
          ...manifest(["WETH", "WBTC"]),
          strategy: { id: ew.id, family: ew.family, params: {}, policyFile: null },
          gate: runGate({ candidate: { ...ew, deflatedSharpe: 1 }, equalWeight: ew, baselines: [ew] }),
        },
        { [REPORT_FILE]: "{}" },
      ),
    );
  });
  after(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  const env = () => ({ ...KEYS_ENV, COINGECKO_BASE_URL: server.baseUrl, HTTP_RETRIES: "0", HTTP_TIMEOUT_MS: "2000" });
  const config = () =>
    parseKeeperConfig(
      configFor(h.world, {
        market: { source: "coingecko", historyBars: 60, maxBarAgeSeconds: 36 * 3_600, maxChainlinkDeviation: 0.03 },
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

  it("backfills, rebalances on the PPO release, refuses while data is stale or disputed, and recovers", async () => {
    const { logger, lines } = memoryLogger();
    const session = await openSession({ release: ppoRelease }, config(), env(), { logger });
    const { keeper, oracle } = session;
    try {
      expect(lines.some((l) => l.includes('"market backfilled"'))).to.equal(true);
      expect(keeper.store.state().strategy).to.equal("ppo(seed=2)@24h");

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
      expect(stale?.status).to.equal("skipped");
      expect(stale?.reason).to.match(
        /^market data refused \(stale\): market data is stale: newest bar closed \d+\.\d h ago \(limit 36\.0 h\)/,
      );
      expect(await h.world.deployed.vault.rebalanceNonce()).to.equal(2n);

      // Chainlink moves 10% while the (recovered) provider does not: disputed, refused.
      replay.fault = "none";
      await refreshFeeds({ ...moved, WETH: (moved.WETH as number) * 1.1 });
      const disputed = await keeper.tick();
      expect(disputed?.status).to.equal("skipped");
      expect(disputed?.reason).to.match(
        /^market data refused \(disagreement\): WETH: coingecko close .* and Chainlink .* differ by/,
      );
      expect(await h.world.deployed.vault.rebalanceNonce()).to.equal(2n);

      // A finished day's close does not change: the dispute lasts until the next bar closes at
      // the new price. Then fresh, agreeing data trades again.
      const nextClose = Math.floor((await chainNow()) / DAY) * DAY + DAY;
      regimes.push({ from: nextClose - 3_600, prices: { ...moved, WETH: (moved.WETH as number) * 1.1 } });
      await advanceDays(h.world, 1);
      await refreshFeeds({ ...moved, WETH: (moved.WETH as number) * 1.1 });
      const recovered = await keeper.tick();
      expect(recovered?.status, recovered?.reason ?? "").to.equal("reconciled");
      expect(await h.world.deployed.vault.rebalanceNonce()).to.equal(3n);
      expect(lines.some((l) => l.includes("oracle refused: no trade"))).to.equal(true);
    } finally {
      session.close();
    }
  });
});
