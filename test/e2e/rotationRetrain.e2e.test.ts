/**
 * Rotation retrains end to end: the local chain, a CoinGecko-style replay server, and a keeper
 * opened through the CLI's session path on an equal-weight release. A rotation starts `keeper
 * research` in a child process on the live panel up to the rotation while the test keeps
 * ticking the keeper (cycles trade meanwhile); then the keeper switches to the new release when
 * its gate approved (judged by the rules of the release in force) or keeps the old one and says
 * why, and a restarted keeper serves what the state records as in force.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import type { KeeperSession } from "../../keeper/src/cli/commands/keeperSession.js";
import { openSession } from "../../keeper/src/cli/commands/keeperSession.js";
import { loadRelease } from "../../keeper/src/cli/releaseFolder.js";
import { parseKeeperConfig } from "../../keeper/src/config/keeperConfig.js";
import { followPrices } from "../../keeper/src/devchain/arbitrumLocal.js";
import { coinGeckoReplay } from "../../keeper/src/devchain/coinGeckoReplay.js";
import { type ReplayServer, startReplayServer } from "../../keeper/src/devchain/replayServer.js";
import { keeperScheduleOf } from "../../keeper/src/research/release/release.js";
import { startOperatorServer } from "../../keeper/src/service/http/server.js";
import type { RetrainRecord } from "../../keeper/src/service/readModel.js";
import { IDS } from "../keeper/data/live/marketReplay.js";
import { advanceDays, configFor, KEYS_ENV, memoryLogger, useWorld } from "./harness.js";
import { writeEqualWeightRelease } from "./releaseFixtures.js";

const DAY = 86_400;
const SYMBOLS = ["USDC", "WETH", "WBTC", "ARB"] as const;
const EW_ID = "equal-weight()@24h";

describe("e2e: a rotation retrains in a child process and switches only on the gate's approval", function () {
  this.timeout(240_000);
  const h = useWorld();
  let server: ReplayServer;
  let root: string;
  /** Day 0 of the price path (set per test from chain time). */
  let t0 = 0;
  /** Trends research can tell apart: WBTC rises calmly, ARB falls, WETH swings around a level. */
  const price = (symbol: string, t: number): number => {
    const d = (t - t0) / DAY;
    const wiggle = Math.sin(d / 1.7);
    if (symbol === "USDC") return 1;
    if (symbol === "WBTC") return 30_000 * Math.exp(0.003 * d) * (1 + 0.004 * wiggle);
    if (symbol === "WETH") return 2_000 * (1 + 0.012 * wiggle);
    return 1.2 * Math.exp(-0.004 * d) * (1 + 0.025 * wiggle);
  };
  const replay = coinGeckoReplay({ price, ids: IDS, volume: () => 1e9 });

  before(async () => {
    server = await startReplayServer((req) => replay.handler(req));
    root = mkdtempSync(join(tmpdir(), "ballast-retrain-e2e-"));
  });
  after(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  const env = () => ({ ...KEYS_ENV, COINGECKO_BASE_URL: server.baseUrl, HTTP_RETRIES: "0", HTTP_TIMEOUT_MS: "5000" });
  const chainNow = async () => (await h.world.local.ethers.provider.getBlock("latest"))?.timestamp ?? 0;
  /** Feeds and pools at the path's price now (the newest closed bar is within the 3% bound). */
  const refresh = async () => {
    const now = await chainNow();
    await followPrices(h.world.local, Object.fromEntries(SYMBOLS.map((s) => [s, price(s, now)])));
  };
  const config = (dataDir: string) =>
    parseKeeperConfig(
      configFor(h.world, {
        dataDir,
        strategy: { maxWeight: 0.5, rotationDays: 30, rotationMinAssets: 3 },
        market: { source: "coingecko", historyBars: 220, maxBarAgeSeconds: 36 * 3_600, maxChainlinkDeviation: 0.03 },
      }),
    );

  beforeEach(async () => {
    replay.fault = "none";
    // 260 days of path behind chain time: the keeper backfills 220 of them.
    t0 = (await chainNow()) - 260 * DAY;
    await refresh();
  });

  /** Opens the keeper, ticks once (the rotation clock starts), and moves to the day a rotation is due. */
  async function untilRotation(release: string, dataDir: string) {
    const log = memoryLogger();
    let session = await openSession({ release }, config(dataDir), env(), { logger: log.logger });
    expect(session.retrainer).to.not.equal(null);
    expect((await session.keeper.tick())?.status).to.equal("reconciled");
    await advanceDays(h.world, 30);
    await refresh();
    await session.keeper.tick();
    const rotation = (await session.keeper.store.rotations(1))[0];
    expect(rotation, "a rotation started").to.not.equal(undefined);
    const reopen = async () => {
      await session.close();
      session = await openSession({ release }, config(dataDir), env(), { logger: log.logger });
      return session;
    };
    return { session: () => session, reopen, log, rotationId: rotation?.id as number };
  }

  /** Ticks a day at a time while research runs; returns the ticks and trades that happened meanwhile. */
  async function tickWhileRetraining(session: KeeperSession) {
    const nonce0 = await h.world.deployed.vault.rebalanceNonce();
    const started = Date.now();
    let ticks = 0;
    let cycles = 0;
    let record: RetrainRecord | null = await session.retrainer!.poll();
    while (record?.status === "running" && Date.now() - started < 180_000) {
      await advanceDays(h.world, 1);
      await refresh();
      const cycle = await session.keeper.tick();
      // Each cycle trades or holds on the release in force (equal weight holds between drifts).
      if (cycle) {
        expect(cycle.status, cycle.reason ?? "").to.be.oneOf(["reconciled", "held"]);
        cycles++;
      }
      ticks++;
      record = await session.retrainer!.poll();
    }
    const trades = Number((await h.world.deployed.vault.rebalanceNonce()) - nonce0);
    console.log(
      `      retrain: ${((Date.now() - started) / 1000).toFixed(1)} s wall, ${ticks} keeper tick(s), ${cycles} cycle(s) and ${trades} rebalance(s) meanwhile`,
    );
    return { record, ticks, cycles };
  }

  it("switches to the retrained release when its gate approves, and a restarted keeper serves it", async () => {
    const dataDir = mkdtempSync(join(root, "approve-"));
    // Judged by the rules of the release in force: here, beat equal weight at all (margin 0).
    const release = writeEqualWeightRelease(join(root, "ew-lenient"), ["WETH", "WBTC", "ARB"], {
      margin: 0,
      minDeflatedSharpe: 0,
    });
    const run = await untilRotation(release, dataDir);
    const { record, ticks, cycles } = await tickWhileRetraining(run.session());
    expect(record?.status, record?.reason ?? "").to.equal("switched");
    expect(ticks, "the cycle loop kept running during research").to.be.greaterThan(0);
    expect(cycles, "cycles ran on the old release meanwhile").to.be.greaterThan(0);
    expect(record?.rotationId).to.equal(run.rotationId);
    expect(record?.reason).to.match(/^the gate approved /);
    const dir = record?.dir as string;
    expect(dir.startsWith(join(dataDir, "releases", `rotation-${run.rotationId}-`))).to.equal(true);

    const { keeper, oracle } = run.session();
    const status = await keeper.readModel.status();
    expect(status.release?.dir).to.equal(dir);
    expect(status.release?.approved).to.equal(true);
    expect(status.retrain?.status).to.equal("switched");
    const served = status.release?.serves as string;
    expect(served).to.not.equal(EW_ID);
    expect(oracle.name).to.equal(served);
    expect(run.log.lines.some((l) => l.includes('"release switched"') && l.includes(dir))).to.equal(true);
    // The release's schedule switched with its strategy.
    const { everySeconds } = keeperScheduleOf(loadRelease(dir).manifest.schedule);
    expect(
      run.log.lines.some((l) => l.includes('"schedule in force"') && l.includes(`"everySeconds":${everySeconds}`)),
    ).to.equal(true);
    // What the operator sees, over HTTP: the status and the metrics.
    const server = await startOperatorServer({
      readModel: keeper.readModel,
      control: keeper,
      authToken: "retrain-e2e-token-0123456789",
      host: "127.0.0.1",
      port: 0,
      metrics: keeper.deps.metrics,
    });
    try {
      const body = (await (await fetch(`${server.url}/api/status`)).json()) as {
        release?: { dir?: string; serves?: string };
        retrain?: { status?: string; rotationId?: number; reason?: string };
      };
      expect(body.release?.dir).to.equal(dir);
      expect(body.retrain?.status).to.equal("switched");
      expect(body.retrain?.rotationId).to.equal(run.rotationId);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).to.match(/^keeper_rotation_retrains_total\{result="switched"\} 1$/m);
      expect(metrics).to.match(/^keeper_rotation_retrain_duration_seconds \d+$/m);
    } finally {
      await server.close();
    }

    // The next cycle asks the new release's strategy. Its weights are not equal weight; where
    // they exceed the vault's per-asset cap (cs-momentum concentrates), the keeper clips them to
    // the cap and leaves the excess in USDC: the cap is the vault's, whatever the release says.
    await advanceDays(h.world, 1);
    await refresh();
    const weights = await oracle.targetWeights({ now: await chainNow(), currentWeights: {}, universe: [...SYMBOLS] });
    expect(weights).to.be.an("object");
    const basketWeights = ["WETH", "WBTC", "ARB"].map((s) => (weights as Record<string, number>)[s] ?? 0);
    expect(Math.max(...basketWeights) - Math.min(...basketWeights)).to.be.greaterThan(0.05);
    const next = await keeper.tick();
    expect((await keeper.store.state()).strategy).to.equal(served);
    expect(next?.status, next?.reason ?? "").to.be.oneOf(["reconciled", "held"]);
    for (const s of ["WETH", "WBTC", "ARB"]) expect(next?.targetWeights?.[s] ?? 0).to.be.at.most(0.5 + 1e-9);

    // Restarted on the same --release, the keeper serves the release recorded as in force.
    const again = await run.reopen();
    try {
      expect(again.oracle.name).to.equal(served);
      expect((await again.keeper.readModel.status()).release?.dir).to.equal(dir);
      expect(run.log.lines.some((l) => l.includes('"release in force restored"'))).to.equal(true);
      // The same rotation is not retrained twice.
      expect((await again.retrainer!.poll())?.status).to.equal("switched");
    } finally {
      await again.close();
    }
  });

  it("keeps the release in force when the gate rejects, also after a restart in the middle of research", async () => {
    const dataDir = mkdtempSync(join(root, "reject-"));
    // A margin no candidate reaches: the gate falls back, so the keeper must keep its release.
    const release = writeEqualWeightRelease(join(root, "ew-strict"), ["WETH", "WBTC", "ARB"], { margin: 100 });
    const run = await untilRotation(release, dataDir);
    const first = await run.session().retrainer!.poll();
    expect(first?.status).to.equal("running");
    // Killed mid-research: no release folder exists yet (research renames it into place at the end).
    const again = await run.reopen();
    try {
      expect(existsSync(first?.dir as string)).to.equal(false);
      expect(again.oracle.name).to.equal(EW_ID);
      const { record } = await tickWhileRetraining(again);
      expect(run.log.lines.some((l) => l.includes('"rotation retrain restarted"'))).to.equal(true);
      expect(record?.status).to.equal("kept");
      expect(record?.reason).to.match(/^the gate did not approve .*below the margin 100\.00/);
      // The rejected folder is complete and verifiable; it is just not served.
      expect(existsSync(join(record?.dir as string, "release.json"))).to.equal(true);
      const status = await again.keeper.readModel.status();
      expect(status.release?.dir).to.equal(release);
      expect(status.retrain?.status).to.equal("kept");
      expect(again.oracle.name).to.equal(EW_ID);
      expect(run.log.lines.some((l) => l.includes('"release kept"'))).to.equal(true);
      expect(await again.keeper.deps.metrics.registry.metrics()).to.match(
        /^keeper_rotation_retrains_total\{result="kept"\} 1$/m,
      );
    } finally {
      await again.close();
    }
  });
});
