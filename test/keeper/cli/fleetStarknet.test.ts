/**
 * A Starknet vault in a fleet really runs: the fleet file's Starknet vault is opened the way
 * `keeper run --fleet` opens it (fleetRun.ts vaultSpec -> venueSession.ts openVenueKeeper) and
 * cycles under the fleet supervisor against the local JSON-RPC stand-in
 * (devchain/starknetLocal.ts) until the stand-in's vault holds the signal oracle's targets; its
 * series are labelled by vault, its store statements counted, and it stops and closes on `stop()`.
 * Then one process with both venue vaults (HyperLiquid and Starknet) and an Arbitrum vault whose
 * RPC nobody listens on: the venue vaults reach their targets while the Arbitrum one is failed
 * and retried.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { Wallet } from "ethers";
import { vaultSpec } from "../../../keeper/src/cli/commands/fleetRun.js";
import { loadFleet } from "../../../keeper/src/config/fleetConfig.js";
import {
  type HyperliquidLocal,
  localBook,
  startHyperliquidLocal,
} from "../../../keeper/src/devchain/hyperliquidLocal.js";
import { LOCAL_STARKNET, proofStateStarknet, type StarknetLocal } from "../../../keeper/src/devchain/starknetLocal.js";
import { FleetSupervisor } from "../../../keeper/src/service/fleet/fleetSupervisor.js";
import { startFleetServer } from "../../../keeper/src/service/http/fleetServer.js";
import { createLogger } from "../../../keeper/src/service/logger.js";
import { KeeperStore } from "../../../keeper/src/service/store/keeperStore.js";
import { VenueStore } from "../../../keeper/src/service/store/venueStore.js";
import { expectAbsClose } from "../../helpers/approx.js";
import { createDatabase, type PostgresServer, startPostgres } from "../../helpers/postgresServer.js";
import { utcDate } from "../../helpers/utcDate.js";

const ALICE = Wallet.createRandom(); // the HyperLiquid account, signing for itself
const SN = LOCAL_STARKNET;
const T0 = 1_700_000_000; // the Starknet stand-in's block time
const E18 = 10n ** 18n;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** Writes the Starknet vault's scores and keeper config into `dir`; returns the config's file name. */
function writeStarknetVault(dir: string, rpcUrl: string): string {
  // Scores of the day before the block time: WSTETH best, then RETH, WETH last; long only.
  const day = utcDate(T0 - 86_400);
  writeFileSync(
    join(dir, "sn-scores.csv"),
    `date,symbol,score\n${day},WETH,0.1\n${day},WSTETH,0.9\n${day},RETH,0.6\n${day},XETH,0.3\n`,
  );
  writeFileSync(
    join(dir, "sn.json"),
    JSON.stringify({
      venue: "starknet",
      dataDir: join(dir, "lst-sn"),
      schedule: { pollSeconds: 0.2, everySeconds: 86_400, driftThresholdBps: 300 },
      signals: { path: join(dir, "sn-scores.csv"), mode: "long-only", gross: 1, maxWeight: 1, minCoverage: 0.5 },
      starknet: {
        rpcUrl,
        vaultAddress: SN.vault,
        accountAddress: SN.keeper,
        exchangeAddress: SN.exchange,
        setTargetsOnChain: true,
        maxSlippageBps: 100,
        assumedCostBps: 5,
        pollIntervalMs: 50,
        confirmTimeoutMs: 20_000,
      },
    }),
  );
  return "sn.json";
}

/** Writes the HyperLiquid vault's scores and keeper config into `dir`; returns the config's file name. */
function writeHyperliquidVault(dir: string, apiUrl: string): string {
  const yesterday = utcDate(Date.now() / 1000 - 86_400);
  // BTC best, SOL worst -> long BTC, short SOL, half of net liquidity each.
  writeFileSync(
    join(dir, "hl-scores.csv"),
    `date,symbol,score\n${yesterday},BTC,0.9\n${yesterday},ETH,0.5\n${yesterday},SOL,0.1\n`,
  );
  writeFileSync(
    join(dir, "hl.json"),
    JSON.stringify({
      venue: "hyperliquid",
      dataDir: join(dir, "perps"),
      schedule: { pollSeconds: 0.2, everySeconds: 1, driftThresholdBps: 100 },
      signals: { path: join(dir, "hl-scores.csv"), mode: "long-short", gross: 1, maxWeight: 0.5 },
      hyperliquid: {
        network: "testnet",
        apiUrl,
        accountAddress: ALICE.address,
        maxGrossLeverage: 1.5,
        timeoutMs: 10_000,
      },
    }),
  );
  return "hl.json";
}

const TOKEN = "fleet-starknet-test-token";

/** The fleet as `keeper run --fleet` runs it in process: the supervisor and its operator server. */
async function startFleet(fleetPath: string, env: NodeJS.ProcessEnv) {
  const fleet = loadFleet(fleetPath, env);
  const logger = createLogger({ level: "silent" });
  const supervisor = new FleetSupervisor({
    vaults: fleet.vaults.map((v) => vaultSpec(v, env)),
    logger,
    restart: fleet.restart,
  });
  const server = await startFleetServer({ fleet: supervisor, authToken: TOKEN, host: "127.0.0.1", port: 0, logger });
  const running = supervisor.run();
  const stop = async () => {
    supervisor.stop();
    await running;
    await server.close();
  };
  return { supervisor, url: server.url, stop };
}

async function get(url: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url);
  return { status: res.status, text: await res.text() };
}

/** POST /api/vaults/<name>/rebalance with the operator's token: one cycle now, outside the schedule. */
async function rebalanceNow(url: string, name: string): Promise<{ status: number; outcome: unknown }> {
  const res = await fetch(`${url}/api/vaults/${name}/rebalance`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  return { status: res.status, outcome: ((await res.json()) as { outcome?: unknown }).outcome };
}

function sample(metrics: string, name: string, vault: string): number | null {
  const line = new RegExp(`^${name}\\{vault="${vault}"\\} (\\S+)$`, "m").exec(metrics);
  return line ? Number(line[1]) : null;
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>, detail: () => string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${detail()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The Starknet vault's weights as the stand-in holds them: balances at the oracle's prices. */
function starknetWeights(local: StarknetLocal): Record<string, number> {
  const slots = [
    { symbol: "WETH", token: SN.weth, pair: "ETH/USD" },
    { symbol: "WSTETH", token: SN.wsteth, pair: "WSTETH/USD" },
    { symbol: "RETH", token: SN.reth, pair: "RETH/USD" },
  ];
  const values = slots.map((s) => {
    const price = local.prices.get(s.pair)?.price ?? 0n;
    return Number((local.balanceOf(s.token, SN.vault) * price) / E18) / 1e8;
  });
  const total = values.reduce((a, b) => a + b, 0);
  return Object.fromEntries(slots.map((s, i) => [s.symbol, (values[i] ?? 0) / total]));
}

/** The Starknet vault reached the oracle's targets, as the stand-in's vault state shows them. */
function expectStarknetAtTargets(local: StarknetLocal, target: Readonly<Record<string, number>>) {
  expect(local.requests.get("starknet_addInvokeTransaction"), "one rebalance sent").to.equal(1);
  expect(local.transactionCount()).to.equal(1);
  expect(local.nonceOf(SN.keeper)).to.equal(1n);
  // Long only, WSTETH scored best: it gets the largest weight (the oracle's rule, not restated here).
  expect(target.WSTETH).to.be.greaterThan(0.5);
  expect(target.WSTETH)
    .to.be.greaterThan(target.RETH ?? 0)
    .and.greaterThan(target.WETH ?? 0);
  // The targets written on chain are the oracle's, in the vault's slot order (WETH, WSTETH, RETH).
  const onChain = local.targetBps();
  ["WETH", "WSTETH", "RETH"].forEach((symbol, i) => {
    expect(Math.abs((onChain[i] ?? 0) - (target[symbol] ?? 0) * 10_000), `${symbol} target on chain`).to.be.at.most(1);
  });
  const held = starknetWeights(local);
  for (const symbol of ["WETH", "WSTETH", "RETH"]) expectAbsClose(held[symbol], target[symbol] ?? 0, 0.02, symbol);
}

describe("cli fleet: a Starknet vault in a fleet", function () {
  this.timeout(90_000);
  let local: StarknetLocal;
  let rpcUrl: string;

  beforeEach(async () => {
    local = proofStateStarknet({ time: T0 });
    rpcUrl = await local.start();
  });

  afterEach(async () => {
    await local.stop();
  });

  it("rebalances under the supervisor to the oracle's targets, labels its metrics, then stops and closes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ballast-fleet-sn-"));
    const config = writeStarknetVault(dir, rpcUrl);
    writeFileSync(join(dir, "fleet.json"), JSON.stringify({ vaults: [{ name: "lst-sn", venue: "starknet", config }] }));
    const env = { STARKNET_KEEPER_KEY: SN.keeperKey };
    const fleet = await startFleet(join(dir, "fleet.json"), env);
    const { supervisor } = fleet;
    let target: Readonly<Record<string, number>> = {};
    try {
      await until(
        "a traded cycle",
        30_000,
        async () => {
          const cycles = (await supervisor.member("lst-sn")?.readModel.cycles(10)) ?? [];
          return cycles.some((c) => c.outcome === "traded");
        },
        () => JSON.stringify(supervisor.status()),
      );
      // Once more on demand (the schedule is daily): the vault is at its targets.
      expect(await rebalanceNow(fleet.url, "lst-sn")).to.deep.equal({ status: 202, outcome: "nothing-to-trade" });
      target = (await supervisor.member("lst-sn")?.readModel.targetWeights()) ?? {};
      expect(supervisor.status()[0]).to.include({ name: "lst-sn", venue: "starknet", state: "running", failures: 0 });

      const status = await get(`${fleet.url}/api/vaults/lst-sn/status`);
      expect(status.status).to.equal(200);
      expect((JSON.parse(status.text) as { venue: { name: string } }).venue.name).to.equal("starknet");
      expect(status.text).not.to.include(SN.keeperKey.slice(2));

      const metrics = await get(`${fleet.url}/metrics`);
      expect(metrics.status).to.equal(200);
      expect(sample(metrics.text, "keeper_fleet_vault_running", "lst-sn")).to.equal(1);
      expect(sample(metrics.text, "keeper_fleet_vault_failures_total", "lst-sn")).to.equal(0);
      const statements = sample(metrics.text, "keeper_store_queries_total", "lst-sn") ?? 0;
      expect(statements).to.be.greaterThan(0);
      const lastTick = sample(metrics.text, "keeper_store_queries_last_cycle", "lst-sn") ?? 0;
      expect(lastTick).to.be.greaterThan(0).and.to.be.at.most(statements);
      expect(metrics.text).to.match(
        /^keeper_venue_position_usd\{venue="starknet",symbol="WSTETH",vault="lst-sn"\} [1-9]/m,
      );
      console.log(
        `      Starknet vault in a fleet: ${statements} store statements so far, ${lastTick} in its last tick (SQLite)`,
      );
    } finally {
      await fleet.stop();
    }
    expect(supervisor.status()[0]?.state).to.equal("stopped");
    expect(supervisor.member("lst-sn")).to.equal(null);
    expectStarknetAtTargets(local, target);
    // Closed with its journal on disk: the traded cycle is recorded done, nothing left pending.
    const store = await KeeperStore.openExisting(join(dir, "lst-sn", "keeper.sqlite"));
    try {
      const cycles = await new VenueStore(store.db, "starknet").cycles(10);
      expect(cycles.find((c) => c.outcome === "traded")?.status, "the traded cycle").to.equal("done");
      expect(
        cycles.filter((c) => c.status === "pending"),
        "no cycle left pending",
      ).to.deep.equal([]);
    } finally {
      await store.close();
    }
  });

  describe("beside a HyperLiquid vault and an Arbitrum vault whose RPC is dead", () => {
    let hl: HyperliquidLocal;

    beforeEach(async () => {
      hl = await startHyperliquidLocal(localBook(ALICE.address));
    });

    afterEach(async () => {
      await hl.close();
    });

    let postgres: PostgresServer | string | null = null;
    after(async () => {
      if (postgres !== null && typeof postgres !== "string") await postgres.stop();
    });

    it("both venue vaults reach their targets while the Arbitrum vault is failed and retried", async () => {
      await runMixedFleet(null);
    });

    it("the same with every vault's store in one PostgreSQL (the fleet's store.url)", async function () {
      postgres = await startPostgres();
      if (typeof postgres === "string") {
        console.log(`      skipped: ${postgres}`);
        this.skip();
      }
      await runMixedFleet(await createDatabase(postgres as PostgresServer, "fleet_starknet"));
    });

    /** The three-vault fleet with each vault on SQLite (`storeUrl` null) or on the PostgreSQL at `storeUrl`. */
    async function runMixedFleet(storeUrl: string | null): Promise<void> {
      const backend = storeUrl === null ? "SQLite" : "PostgreSQL";
      const dir = mkdtempSync(join(tmpdir(), "ballast-fleet-mixed-"));
      const snConfig = writeStarknetVault(dir, rpcUrl);
      const hlConfig = writeHyperliquidVault(dir, hl.url);
      const deadRpc = `http://127.0.0.1:${await freePort()}`;
      writeFileSync(
        join(dir, "bluechip.json"),
        JSON.stringify({
          rpcUrls: [deadRpc],
          chainId: 42161,
          vault: `0x${"11".repeat(20)}`,
          dataDir: join(dir, "bluechip"),
          tokens: [
            { symbol: "USDC", address: `0x${"22".repeat(20)}`, decimals: 6 },
            { symbol: "WETH", address: `0x${"33".repeat(20)}`, decimals: 18 },
          ],
          rpc: { retries: 1, backoffMs: 10, timeoutMs: 2_000 },
        }),
      );
      writeFileSync(
        join(dir, "fleet.json"),
        JSON.stringify({
          vaults: [
            { name: "bluechip", config: "bluechip.json" },
            { name: "perps", venue: "hyperliquid", config: hlConfig },
            { name: "lst-sn", venue: "starknet", config: snConfig },
          ],
          restart: { initialMs: 100, maxMs: 400 },
          ...(storeUrl === null ? {} : { store: { url: storeUrl } }),
        }),
      );
      const env = {
        HYPERLIQUID_SIGNER_KEY: ALICE.privateKey,
        STARKNET_KEEPER_KEY: SN.keeperKey,
        BALLAST_KEEPER_KEY: Wallet.createRandom().privateKey,
        BALLAST_SUBMITTER_KEY: Wallet.createRandom().privateKey,
      };
      const fleet = await startFleet(join(dir, "fleet.json"), env);
      const { supervisor } = fleet;
      const byName = (name: string) => supervisor.status().find((s) => s.name === name);
      let snTarget: Readonly<Record<string, number>> = {};
      try {
        await until(
          "both venue vaults settled and the Arbitrum vault retried",
          60_000,
          async () => {
            const hlCycles = (await supervisor.member("perps")?.readModel.cycles(10)) ?? [];
            const snCycles = (await supervisor.member("lst-sn")?.readModel.cycles(10)) ?? [];
            return (
              hlCycles.some((c) => c.outcome === "nothing-to-trade") &&
              snCycles.some((c) => c.outcome === "traded") &&
              (byName("bluechip")?.failures ?? 0) >= 2
            );
          },
          () => JSON.stringify(supervisor.status()),
        );
        expect(await rebalanceNow(fleet.url, "lst-sn")).to.deep.equal({ status: 202, outcome: "nothing-to-trade" });
        snTarget = (await supervisor.member("lst-sn")?.readModel.targetWeights()) ?? {};

        const blue = byName("bluechip");
        expect(blue?.state, "between retries or retrying").to.be.oneOf(["failed", "starting"]);
        expect(blue?.lastError, "the failure names its cause").to.be.a("string").and.include("ECONNREFUSED");
        expect(supervisor.member("bluechip")).to.equal(null);
        for (const name of ["perps", "lst-sn"])
          expect(byName(name), name).to.include({ state: "running", failures: 0 });
        expect((await get(`${fleet.url}/api/vaults/bluechip/status`)).status, "the dead vault's routes").to.equal(503);
        expect(JSON.parse((await get(`${fleet.url}/health`)).text)).to.include({ status: "degraded" });

        const nav = hl.accountValue();
        expectAbsClose(((hl.positions.BTC ?? 0) * 100_000) / nav, 0.5, 0.002, "BTC held");
        expectAbsClose(((hl.positions.SOL ?? 0) * 200) / nav, -0.5, 0.002, "SOL held");

        const metrics = (await get(`${fleet.url}/metrics`)).text;
        expect(sample(metrics, "keeper_fleet_vault_running", "bluechip")).to.equal(0);
        expect(sample(metrics, "keeper_fleet_vault_running", "perps")).to.equal(1);
        expect(sample(metrics, "keeper_fleet_vault_running", "lst-sn")).to.equal(1);
        const failures = sample(metrics, "keeper_fleet_vault_failures_total", "bluechip") ?? 0;
        expect(failures).to.be.at.least(2);
        const statements = ["perps", "lst-sn"].map((name) => sample(metrics, "keeper_store_queries_total", name) ?? 0);
        for (const n of statements) expect(n, "store statements").to.be.greaterThan(0);
        expect(metrics).to.match(/^keeper_venue_position_usd\{venue="hyperliquid",symbol="SOL",vault="perps"\} -\d/m);
        expect(metrics).to.match(
          /^keeper_venue_position_usd\{venue="starknet",symbol="WSTETH",vault="lst-sn"\} [1-9]/m,
        );
        console.log(
          `      ${backend}: Arbitrum vault failed ${failures} times (${blue?.lastError}); store statements so far: perps ${statements[0]}, lst-sn ${statements[1]}`,
        );
      } finally {
        await fleet.stop();
      }
      expect(supervisor.status().map((s) => s.state)).to.deep.equal(["stopped", "stopped", "stopped"]);
      expectStarknetAtTargets(local, snTarget);
    }
  });
});
