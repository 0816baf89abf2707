/**
 * `keeper run --venue hyperliquid|starknet` as a child process against each venue's local
 * stand-in (devchain/hyperliquidLocal.ts, devchain/starknetLocal.ts): cycles reach the signal
 * oracle's targets, a process killed while its orders are in flight resumes on restart without
 * sending anything twice, /api/status and /metrics show the venue's positions, SIGTERM stops it
 * cleanly; and bad configs are refused with one clear message before anything is signed.
 */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { Wallet } from "ethers";
import { type HyperliquidLocal, localBook, startHyperliquidLocal } from "../../keeper/src/devchain/hyperliquidLocal.js";
import { LOCAL_STARKNET, proofStateStarknet, StarknetLocal } from "../../keeper/src/devchain/starknetLocal.js";
import { KeeperStore } from "../../keeper/src/service/store/keeperStore.js";
import { VenueStore } from "../../keeper/src/service/store/venueStore.js";
import { expectAbsClose } from "../helpers/approx.js";
import { utcDate } from "../helpers/utcDate.js";
import { type CliRun, spawnCli } from "../keeper/cli/spawnCli.js";

const ALICE = Wallet.createRandom(); // the HyperLiquid account, signing for itself
/** Keira, the Starknet keeper account (also the vault's owner: it writes the oracle's targets). */
const {
  vault: VAULT,
  weth: WETH,
  wsteth: WSTETH,
  oracle: ORACLE,
  exchange: EXCHANGE,
  keeper: KEIRA,
  keeperKey: KEIRA_KEY,
} = LOCAL_STARKNET;
const T0 = 1_700_000_000; // 2023-11-14T22:13:20Z, the stand-in's block time

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function getJson(url: string): Promise<Record<string, unknown>> {
  const res = await fetch(url);
  expect(res.status, url).to.equal(200);
  return (await res.json()) as Record<string, unknown>;
}

async function stop(cli: CliRun): Promise<void> {
  cli.child.kill("SIGTERM");
  const res = await cli.done;
  expect(res.code, res.stderr).to.equal(0);
  expect(res.stderr).to.include("SIGTERM: stopping");
}

async function venueStore(dataDir: string, venue: string) {
  const store = await KeeperStore.openExisting(join(dataDir, "keeper.sqlite"));
  return { store, venue: new VenueStore(store.db, venue) };
}

describe("e2e: keeper run --venue", function () {
  this.timeout(180_000);

  describe("hyperliquid, against the local replay of the exchange API", () => {
    let hl: HyperliquidLocal;
    let dir: string;

    beforeEach(async () => {
      hl = await startHyperliquidLocal({
        ...localBook(ALICE.address),
        // The answer to the first order action arrives long after the process was killed.
        lateAnswerMs: 20_000,
      });
      dir = mkdtempSync(join(tmpdir(), "ballast-venue-hl-"));
      // Yesterday's scores (known since 00:00 UTC today): BTC best, SOL worst -> long BTC, short SOL.
      writeFileSync(
        join(dir, "scores.csv"),
        `date,symbol,score\n${utcDate(Date.now() / 1000 - 86_400)},BTC,0.9\n${utcDate(Date.now() / 1000 - 86_400)},ETH,0.5\n${utcDate(Date.now() / 1000 - 86_400)},SOL,0.1\n`,
      );
    });

    afterEach(async () => {
      await hl.close();
    });

    function writeConfig(overrides: Record<string, unknown> = {}): string {
      const path = join(dir, "hl.json");
      writeFileSync(
        path,
        JSON.stringify({
          venue: "hyperliquid",
          dataDir: join(dir, "data"),
          schedule: { pollSeconds: 0.3, everySeconds: 1, driftThresholdBps: 100 },
          signals: { path: join(dir, "scores.csv"), mode: "long-short", gross: 1, maxWeight: 0.5 },
          hyperliquid: {
            network: "testnet",
            apiUrl: hl.url,
            accountAddress: ALICE.address,
            maxGrossLeverage: 1.5,
            timeoutMs: 60_000,
          },
          ...overrides,
        }),
      );
      return path;
    }

    const env = { HYPERLIQUID_SIGNER_KEY: ALICE.privateKey };

    it("reaches the targets, resumes after a kill mid-order without a duplicate, and shows the positions", async () => {
      const config = writeConfig();
      const port = await freePort();
      hl.loseNextAnswer = true;
      const first = spawnCli(
        ["run", "--venue", "hyperliquid", "--config", config, "--port", String(port)],
        env,
        120_000,
      );
      // Killed while the order action is in flight: the exchange has filled it, the keeper has no answer.
      await until("the order action", () => hl.exchangeCalls >= 1, 60_000);
      first.child.kill("SIGKILL");
      await first.done;
      expect(hl.exchangeCalls).to.equal(1);
      {
        const { store, venue } = await venueStore(join(dir, "data"), "hyperliquid");
        const [cycle] = await venue.cycles(1);
        expect(cycle?.status, "recorded before sending, left pending by the kill").to.equal("pending");
        expect((await venue.orders(cycle?.id ?? 0)).map((o) => o.order.symbol).sort()).to.deep.equal(["BTC", "SOL"]);
        await store.close();
      }

      const second = spawnCli(
        ["run", "--venue", "hyperliquid", "--config", config, "--port", String(port)],
        env,
        120_000,
      );
      await second.waitFor(/resuming a recorded cycle/, 60_000);
      // A few more cycles after the resumed one: each finds the account at its targets.
      await until(
        "three finished cycles",
        async () => {
          const res = await fetch(`http://127.0.0.1:${port}/api/cycles?limit=10`).catch(() => null);
          if (!res?.ok) return false;
          const body = (await res.json()) as { cycles: { outcome: string | null }[] };
          return body.cycles.filter((c) => c.outcome !== null).length >= 3;
        },
        60_000,
      );
      const status = await getJson(`http://127.0.0.1:${port}/api/status`);
      const cycles = (await getJson(`http://127.0.0.1:${port}/api/cycles?limit=10`)).cycles as {
        outcome: string;
        distanceBps: number | null;
      }[];
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      await stop(second);

      // No order was sent twice: one action, each cloid placed once.
      expect(hl.exchangeCalls, "no second order action").to.equal(1);
      expect([...hl.placedByCloid.values()]).to.deep.equal([1, 1]);
      const oldest = cycles.at(-1);
      expect(oldest?.outcome, "the resumed cycle").to.equal("traded");
      expect(oldest?.distanceBps).to.be.below(20);
      expect(cycles.slice(0, -1).every((c) => c.outcome === "nothing-to-trade")).to.equal(true);
      // Long BTC and short SOL at half of net liquidity each, as the exchange holds them.
      const nav = hl.accountValue();
      expectAbsClose(((hl.positions.BTC ?? 0) * 100_000) / nav, 0.5, 0.002, "BTC held");
      expectAbsClose(((hl.positions.SOL ?? 0) * 200) / nav, -0.5, 0.002, "SOL held");
      const venue = status.venue as { name: string; account: { holdings: { symbol: string; weight: number }[] } };
      expect(venue.name).to.equal("hyperliquid");
      const shown = Object.fromEntries(venue.account.holdings.map((h) => [h.symbol, h.weight]));
      expectAbsClose(shown.BTC, 0.5, 0.002, "BTC shown");
      expectAbsClose(shown.SOL, -0.5, 0.002, "SOL shown");
      expect(JSON.stringify(status)).not.to.include(ALICE.privateKey.slice(2));
      expect(metrics).to.match(/keeper_venue_position_usd\{venue="hyperliquid",symbol="SOL"\} -\d+/);
    });

    it("holds every cycle while the KILL file exists: nothing is signed", async () => {
      const config = writeConfig();
      const { mkdirSync } = await import("node:fs");
      mkdirSync(join(dir, "data"), { recursive: true });
      writeFileSync(join(dir, "data", "KILL"), "");
      const cli = spawnCli(["run", "--venue", "hyperliquid", "--config", config, "--no-serve"], env, 60_000);
      await cli.waitFor(/"outcome":"held".*kill switch on/, 30_000);
      await stop(cli);
      expect(hl.exchangeCalls).to.equal(0);
    });

    it("dry run plans and simulates, records the orders, sends nothing", async () => {
      const config = writeConfig({ dryRun: true });
      const cli = spawnCli(["run", "--venue", "hyperliquid", "--config", config, "--no-serve"], env, 60_000);
      await cli.waitFor(/"outcome":"dry-run"/, 30_000);
      await stop(cli);
      expect(hl.exchangeCalls).to.equal(0);
      const { store, venue } = await venueStore(join(dir, "data"), "hyperliquid");
      const cycle = (await venue.cycles(10)).find((c) => c.outcome === "dry-run");
      const orders = await venue.orders(cycle?.id ?? 0);
      expect(orders.map((o) => o.result?.reason)).to.deep.equal(["dry run: not sent", "dry run: not sent"]);
      await store.close();
    });
  });

  describe("starknet, against the local JSON-RPC stand-in", () => {
    let local: StarknetLocal;
    let url: string;
    let dir: string;

    beforeEach(async () => {
      local = proofStateStarknet({ time: T0 });
      url = await local.start();
      dir = mkdtempSync(join(tmpdir(), "ballast-venue-sn-"));
      // Scores of the day before the block time: WSTETH best, then RETH; long only.
      const day = utcDate(T0 - 86_400);
      writeFileSync(
        join(dir, "scores.csv"),
        `date,symbol,score\n${day},WETH,0.1\n${day},WSTETH,0.9\n${day},RETH,0.6\n${day},XETH,0.3\n`,
      );
    });

    afterEach(async () => {
      await local.stop();
    });

    function writeConfig(overrides: Record<string, unknown> = {}): string {
      const path = join(dir, "sn.json");
      writeFileSync(
        path,
        JSON.stringify({
          venue: "starknet",
          dataDir: join(dir, "data"),
          schedule: { pollSeconds: 0.3, everySeconds: 86_400, driftThresholdBps: 300 },
          signals: { path: join(dir, "scores.csv"), mode: "long-only", gross: 1, maxWeight: 1, minCoverage: 0.5 },
          starknet: {
            rpcUrl: url,
            vaultAddress: VAULT,
            accountAddress: KEIRA,
            exchangeAddress: EXCHANGE,
            setTargetsOnChain: true,
            maxSlippageBps: 100,
            assumedCostBps: 5,
            pollIntervalMs: 50,
            confirmTimeoutMs: 60_000,
          },
          ...overrides,
        }),
      );
      return path;
    }

    const env = { STARKNET_KEEPER_KEY: KEIRA_KEY };

    it("rebalances to the oracle's targets, resumes a transaction sent before a kill, never sends it twice", async () => {
      const config = writeConfig();
      const port = await freePort();
      // The transaction stays RECEIVED (not in a block) until the test accepts it.
      local.acceptAtOnce = false;
      const first = spawnCli(["run", "--venue", "starknet", "--config", config, "--port", String(port)], env, 120_000);
      await until("the rebalance transaction", () => local.transactionCount() >= 1, 60_000);
      first.child.kill("SIGKILL");
      await first.done;
      local.acceptPending();

      const token = "t0ken-for-the-test";
      const second = spawnCli(
        ["run", "--venue", "starknet", "--config", config, "--port", String(port)],
        { ...env, BALLAST_API_TOKEN: token },
        120_000,
      );
      await second.waitFor(/resuming a recorded cycle/, 60_000);
      await second.waitFor(/"outcome":"traded"/, 60_000);
      // Two more cycles on demand (the schedule is daily): the vault is at its targets.
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`http://127.0.0.1:${port}/api/rebalance`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}` },
        });
        expect(res.status).to.equal(202);
        expect(((await res.json()) as { outcome: string }).outcome).to.equal("nothing-to-trade");
      }
      const status = await getJson(`http://127.0.0.1:${port}/api/status`);
      await stop(second);

      expect(local.requests.get("starknet_addInvokeTransaction"), "sent once").to.equal(1);
      expect(local.transactionCount()).to.equal(1);
      expect(local.nonceOf(KEIRA)).to.equal(1n);
      // Long only: of the vault's three assets only WSTETH ranks above the mean score (XETH is not listed).
      const venue = status.venue as { name: string; account: { holdings: { symbol: string; weight: number }[] } };
      expect(venue.name).to.equal("starknet");
      const shown = Object.fromEntries(venue.account.holdings.map((h) => [h.symbol, h.weight]));
      const target = (status.lastCycle as { targetWeights: Record<string, number> }).targetWeights;
      for (const symbol of ["WETH", "WSTETH", "RETH"]) {
        expectAbsClose(shown[symbol], target[symbol] ?? 0, 0.02, symbol);
      }
      expect(target.WSTETH).to.be.greaterThan(target.RETH ?? 0);
    });
  });

  describe("config refusals: one clear message, nothing signed", () => {
    it("an unknown venue", async () => {
      const res = await spawnCli(["run", "--venue", "binance", "--config", "/nonexistent.json"]).done;
      expect(res.code).to.equal(2);
      expect(res.stderr.trim()).to.equal('unknown venue "binance": use one of arbitrum, hyperliquid, starknet');
    });

    it("a venue without its section", async () => {
      const dir = mkdtempSync(join(tmpdir(), "ballast-venue-cfg-"));
      const path = join(dir, "c.json");
      writeFileSync(
        path,
        JSON.stringify({ dataDir: join(dir, "data"), signals: { path: "s.csv", mode: "long-short" } }),
      );
      const res = await spawnCli(["run", "--venue", "hyperliquid", "--config", path], {
        HYPERLIQUID_SIGNER_KEY: ALICE.privateKey,
      }).done;
      expect(res.code).to.equal(2);
      expect(res.stderr.trim()).to.equal('--venue hyperliquid needs a "hyperliquid" section in the config file');
      expect(existsSync(join(dir, "data")), "no store opened").to.equal(false);
    });

    it("short weights on the Starknet spot vault", async () => {
      const local = new StarknetLocal({
        vault: VAULT,
        weth: WETH,
        oracle: ORACLE,
        router: EXCHANGE,
        owner: KEIRA,
        keeper: KEIRA,
        lsts: [{ token: WSTETH, pairId: "WSTETH/USD" }],
        targetBps: [10_000, 0],
        risk: {
          weightToleranceBps: 200,
          maxSlippageBps: 100,
          maxNavLossBps: 50,
          rebalanceCooldown: 3600,
          maxPriceAge: 3600,
        },
        prices: { "ETH/USD": 300_000_000_000n, "WSTETH/USD": 357_000_000_000n, "STRK/USD": 50_000_000n },
        time: T0,
      });
      const rpcUrl = await local.start();
      try {
        const dir = mkdtempSync(join(tmpdir(), "ballast-venue-cfg-"));
        const path = join(dir, "c.json");
        writeFileSync(
          path,
          JSON.stringify({
            dataDir: join(dir, "data"),
            signals: { path: "s.csv", mode: "long-short" },
            starknet: { rpcUrl, vaultAddress: VAULT, accountAddress: KEIRA, exchangeAddress: EXCHANGE },
          }),
        );
        const res = await spawnCli(["run", "--venue", "starknet", "--config", path], {
          STARKNET_KEEPER_KEY: KEIRA_KEY,
        }).done;
        expect(res.code).to.equal(2);
        expect(res.stderr.trim()).to.equal(
          'starknet is a spot vault: signals.mode must be "long-only" (short weights are refused)',
        );
        expect(
          [...local.requests.values()].reduce((a, b) => a + b, 0),
          "no RPC request",
        ).to.equal(0);
        expect(existsSync(join(dir, "data"))).to.equal(false);
      } finally {
        await local.stop();
      }
    });
  });
});
