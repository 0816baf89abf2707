/**
 * `keeper dry-run --venue hyperliquid|starknet` and `keeper rebalance --venue ...` as child
 * processes against each venue's local stand-in (devchain/hyperliquidLocal.ts,
 * devchain/starknetLocal.ts): a dry run prints its plan, sends nothing and exits 0; a rebalance
 * sends once and exits 0 (1 when there was nothing it could do); Arbitrum-only flags are refused
 * (exit 2) before anything is read, signed or stored; an unreachable venue is exit 1 with one
 * clear line and no cycle in the store; a Starknet send whose connection fails (before or after
 * the node saw it) lands once, with one nonce, and leaves nothing to resume.
 */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { Wallet } from "ethers";
import { type HyperliquidLocal, localBook, startHyperliquidLocal } from "../../keeper/src/devchain/hyperliquidLocal.js";
import { LOCAL_STARKNET, proofStateStarknet, type StarknetLocal } from "../../keeper/src/devchain/starknetLocal.js";
import { KeeperStore } from "../../keeper/src/service/store/keeperStore.js";
import { VenueStore } from "../../keeper/src/service/store/venueStore.js";
import { freePort } from "../helpers/postgresServer.js";
import { utcDate } from "../helpers/utcDate.js";
import { spawnCli } from "../keeper/cli/spawnCli.js";

const ALICE = Wallet.createRandom(); // the HyperLiquid account, signing for itself
const { vault: VAULT, exchange: EXCHANGE, keeper: KEIRA, keeperKey: KEIRA_KEY } = LOCAL_STARKNET;
const T0 = 1_700_000_000; // the Starknet stand-in's block time
const HL_ENV = { HYPERLIQUID_SIGNER_KEY: ALICE.privateKey };
const SN_ENV = { STARKNET_KEEPER_KEY: KEIRA_KEY };

interface Printed {
  readonly accepted: boolean;
  readonly outcome: string | null;
  readonly cycle: {
    readonly outcome: string;
    readonly targetWeights: Record<string, number>;
    readonly distanceBps: number | null;
  } | null;
  readonly orders: readonly { readonly order: { readonly symbol: string }; readonly result: unknown }[];
}

/** The command's pretty-printed answer: the multi-line JSON after the one-line log records. */
function printed(stdout: string): Printed {
  const lines = stdout.split("\n");
  const start = lines.indexOf("{");
  const end = lines.indexOf("}", start);
  expect(start, `no answer printed:\n${stdout}`).to.be.at.least(0);
  return JSON.parse(lines.slice(start, end + 1).join("\n")) as Printed;
}

async function cyclesIn(dataDir: string, venue: string) {
  const store = await KeeperStore.openExisting(join(dataDir, "keeper.sqlite"));
  try {
    return await new VenueStore(store.db, venue).cycles(100);
  } finally {
    await store.close();
  }
}

function writeHlConfig(dir: string, apiUrl: string): string {
  const day = utcDate(Date.now() / 1000 - 86_400);
  writeFileSync(join(dir, "scores.csv"), `date,symbol,score\n${day},BTC,0.9\n${day},ETH,0.5\n${day},SOL,0.1\n`);
  const path = join(dir, "hl.json");
  writeFileSync(
    path,
    JSON.stringify({
      venue: "hyperliquid",
      dataDir: join(dir, "data"),
      signals: { path: join(dir, "scores.csv"), mode: "long-short", gross: 1, maxWeight: 0.5 },
      hyperliquid: {
        network: "testnet",
        apiUrl,
        accountAddress: ALICE.address,
        maxGrossLeverage: 1.5,
        timeoutMs: 5_000,
      },
    }),
  );
  return path;
}

function writeSnConfig(dir: string, rpcUrl: string): string {
  const day = utcDate(T0 - 86_400);
  writeFileSync(join(dir, "scores.csv"), `date,symbol,score\n${day},WETH,0.1\n${day},WSTETH,0.9\n${day},RETH,0.6\n`);
  const path = join(dir, "sn.json");
  writeFileSync(
    path,
    JSON.stringify({
      venue: "starknet",
      dataDir: join(dir, "data"),
      signals: { path: join(dir, "scores.csv"), mode: "long-only", gross: 1, maxWeight: 1, minCoverage: 0.5 },
      starknet: {
        rpcUrl,
        vaultAddress: VAULT,
        accountAddress: KEIRA,
        exchangeAddress: EXCHANGE,
        setTargetsOnChain: true,
        maxSlippageBps: 100,
        assumedCostBps: 5,
        pollIntervalMs: 50,
        confirmTimeoutMs: 5_000,
      },
    }),
  );
  return path;
}

/** A local URL nothing listens on. */
async function deadUrl(path: string): Promise<string> {
  return `http://127.0.0.1:${await freePort()}${path}`;
}

describe("e2e: keeper dry-run|rebalance --venue", function () {
  this.timeout(120_000);

  describe("--help", () => {
    for (const command of ["dry-run", "rebalance"]) {
      it(`${command} --help documents --venue`, async () => {
        const res = await spawnCli([command, "--help"]).done;
        expect(res.code).to.equal(0);
        expect(res.stdout).to.include("--venue arbitrum|hyperliquid|starknet");
        expect(res.stdout).to.match(/--venue V\s+arbitrum \(default: the basket vault\), hyperliquid/);
      });
    }
  });

  describe("hyperliquid, against the local replay of the exchange API", () => {
    let hl: HyperliquidLocal;
    let dir: string;

    beforeEach(async () => {
      hl = await startHyperliquidLocal(localBook(ALICE.address));
      dir = mkdtempSync(join(tmpdir(), "ballast-venue-once-hl-"));
    });

    afterEach(async () => {
      await hl.close();
    });

    it("dry-run prints the plan (long BTC, short SOL), sends nothing, exits 0", async () => {
      const res = await spawnCli(["dry-run", "--venue", "hyperliquid", "--config", writeHlConfig(dir, hl.url)], HL_ENV)
        .done;
      expect(res.code, res.stderr).to.equal(0);
      const answer = printed(res.stdout);
      expect(answer.cycle?.outcome).to.equal("dry-run");
      expect(answer.cycle?.targetWeights).to.deep.equal({ BTC: 0.5, SOL: -0.5 });
      expect(answer.orders.map((o) => o.order.symbol).sort()).to.deep.equal(["BTC", "SOL"]);
      expect(hl.exchangeCalls, "no order action").to.equal(0);
      expect(hl.positions).to.deep.equal({});
      expect(res.stdout + res.stderr).not.to.include(ALICE.privateKey.slice(2));
    });

    it("rebalance sends one order action and exits 0; a second finds nothing to trade and sends nothing", async () => {
      const config = writeHlConfig(dir, hl.url);
      const res = await spawnCli(["rebalance", "--venue", "hyperliquid", "--config", config], HL_ENV).done;
      expect(res.code, res.stderr).to.equal(0);
      expect(printed(res.stdout).cycle?.outcome).to.equal("traded");
      expect(hl.exchangeCalls).to.equal(1);
      expect([...hl.placedByCloid.values()]).to.deep.equal([1, 1]);
      expect(Object.keys(hl.positions).sort()).to.deep.equal(["BTC", "SOL"]);

      const again = await spawnCli(["rebalance", "--venue", "hyperliquid", "--config", config], HL_ENV).done;
      expect(again.code, again.stderr).to.equal(0);
      expect(printed(again.stdout).cycle?.outcome).to.equal("nothing-to-trade");
      expect(hl.exchangeCalls, "still one order action").to.equal(1);
    });

    it("an unreachable API: exit 1 with one clear line, no cycle recorded", async () => {
      const res = await spawnCli(
        ["rebalance", "--venue", "hyperliquid", "--config", writeHlConfig(dir, await deadUrl(""))],
        HL_ENV,
      ).done;
      expect(res.code).to.equal(1);
      expect(res.stderr.trim().split("\n")).to.have.length(1);
      expect(res.stderr.trim()).to.equal("ProviderError: hyperliquid /info: request failed");
      // Nothing was planned, so nothing is in the store to resume or to explain.
      if (existsSync(join(dir, "data", "keeper.sqlite"))) {
        expect(await cyclesIn(join(dir, "data"), "hyperliquid")).to.deep.equal([]);
      }
    });
  });

  describe("starknet, against the local JSON-RPC stand-in", () => {
    let local: StarknetLocal;
    let url: string;
    let dir: string;

    beforeEach(async () => {
      local = proofStateStarknet({ time: T0 });
      url = await local.start();
      dir = mkdtempSync(join(tmpdir(), "ballast-venue-once-sn-"));
    });

    afterEach(async () => {
      await local.stop();
    });

    it("dry-run prints the plan, invokes nothing, exits 0", async () => {
      const res = await spawnCli(["dry-run", "--venue", "starknet", "--config", writeSnConfig(dir, url)], SN_ENV).done;
      expect(res.code, res.stderr).to.equal(0);
      const answer = printed(res.stdout);
      expect(answer.cycle?.outcome).to.equal("dry-run");
      // Long only: of the three assets only WSTETH scores above the mean.
      expect(answer.cycle?.targetWeights.WSTETH).to.be.greaterThan(0.5);
      expect(answer.orders.length).to.be.at.least(1);
      expect(local.requests.get("starknet_addInvokeTransaction") ?? 0, "no invoke").to.equal(0);
      expect(local.nonceOf(KEIRA)).to.equal(0n);
      expect(local.targetBps(), "targets untouched").to.deep.equal([10_000, 0, 0]);
    });

    it("rebalance invokes once, reaches the targets and exits 0; a second is refused by the cooldown (exit 1)", async () => {
      const config = writeSnConfig(dir, url);
      const res = await spawnCli(["rebalance", "--venue", "starknet", "--config", config], SN_ENV).done;
      expect(res.code, res.stderr).to.equal(0);
      const answer = printed(res.stdout);
      expect(answer.cycle?.outcome).to.equal("traded");
      // Within the vault's weight tolerance (200 bps) of the targets after the swaps.
      expect(answer.cycle?.distanceBps).to.be.a("number").and.below(200);
      expect(local.requests.get("starknet_addInvokeTransaction")).to.equal(1);
      expect(local.nonceOf(KEIRA)).to.equal(1n);
      const onChain = local.targetBps();
      expect(onChain.reduce((a, b) => a + b, 0)).to.equal(10_000);
      expect(onChain[1], "WSTETH's target written on chain").to.equal(
        Math.round((answer.cycle?.targetWeights.WSTETH ?? 0) * 10_000),
      );

      // New scores, but the vault's cooldown has not passed (block time unchanged).
      const day = utcDate(T0 - 86_400);
      writeFileSync(
        join(dir, "scores.csv"),
        `date,symbol,score\n${day},WETH,0.1\n${day},WSTETH,0.2\n${day},RETH,0.9\n`,
      );
      const again = await spawnCli(["rebalance", "--venue", "starknet", "--config", config], SN_ENV).done;
      expect(again.code).to.equal(1);
      expect(again.stderr).to.match(/^rebalance --venue starknet failed: .*COOLDOWN/);
      expect(local.requests.get("starknet_addInvokeTransaction"), "still one invoke").to.equal(1);
    });

    // A send whose connection drops before the node saw it (the venue re-sends the same signed
    // transaction) or after it (the answer is lost: the venue finds the hash and sends nothing
    // again): either way one transaction lands and one nonce is used.
    const sends = { dropNextRequest: 2, loseNextAnswer: 1 } as const;
    for (const fault of ["dropNextRequest", "loseNextAnswer"] as const) {
      it(`the invoke's connection fails (${fault}): the same transaction lands once, exit 0, nothing left to resume`, async () => {
        const config = writeSnConfig(dir, url);
        local[fault]("starknet_addInvokeTransaction");
        const res = await spawnCli(["rebalance", "--venue", "starknet", "--config", config], SN_ENV).done;
        expect(res.code, res.stderr).to.equal(0);
        expect(printed(res.stdout).cycle?.outcome).to.equal("traded");
        expect(local.requests.get("starknet_addInvokeTransaction"), "sends").to.equal(sends[fault]);
        expect(local.transactionCount(), "one transaction").to.equal(1);
        expect(local.nonceOf(KEIRA)).to.equal(1n);
        const cycles = await cyclesIn(join(dir, "data"), "starknet");
        expect(cycles.map((c) => c.outcome)).to.deep.equal(["traded"]);
        // The next one-shot has nothing to resume and nothing to trade: no invoke.
        const again = await spawnCli(["rebalance", "--venue", "starknet", "--config", config], SN_ENV).done;
        expect(again.code, again.stderr).to.equal(0);
        expect(printed(again.stdout).cycle?.outcome).to.equal("nothing-to-trade");
        expect(again.stdout).not.to.include("resuming a recorded cycle");
        expect(local.requests.get("starknet_addInvokeTransaction")).to.equal(sends[fault]);
      });
    }

    it("an unreachable RPC: exit 1 with one clear line, no cycle recorded", async () => {
      const res = await spawnCli(
        ["rebalance", "--venue", "starknet", "--config", writeSnConfig(dir, await deadUrl("/rpc"))],
        SN_ENV,
      ).done;
      expect(res.code).to.equal(1);
      expect(res.stderr.trim().split("\n")).to.have.length(1);
      expect(res.stderr.trim()).to.equal("ProviderError: starknet_getBlockWithTxHashes failed: fetch failed");
      expect(await cyclesIn(join(dir, "data"), "starknet"), "no cycle recorded").to.deep.equal([]);
      expect(local.requests.size, "the live stand-in was never asked").to.equal(0);
    });
  });

  describe("Arbitrum-only flags are refused before anything is read or stored", () => {
    const cases: readonly (readonly [string, readonly string[]])[] = [
      ["rpc-url", ["--rpc-url", "http://127.0.0.1:1"]],
      ["release", ["--release", "/nonexistent"]],
      ["market", ["--market", "/nonexistent.csv"]],
      ["allow-reckless-limits", ["--allow-reckless-limits"]],
    ];
    // Every flag on dry-run; one on rebalance (the same check runs for both).
    for (const command of ["dry-run", "rebalance"]) {
      for (const [flag, args] of command === "dry-run" ? cases : cases.slice(0, 1)) {
        it(`${command} --venue starknet --${flag}: exit 2`, async () => {
          const local = proofStateStarknet({ time: T0 });
          const url = await local.start();
          try {
            const dir = mkdtempSync(join(tmpdir(), "ballast-venue-once-flag-"));
            const res = await spawnCli(
              [command, "--venue", "starknet", "--config", writeSnConfig(dir, url), ...args],
              SN_ENV,
            ).done;
            expect(res.code).to.equal(2);
            expect(res.stderr.trim()).to.equal(`${command}: --${flag} applies to --venue arbitrum only`);
            expect(local.requests.size, "no RPC request").to.equal(0);
            expect(existsSync(join(dir, "data")), "no store opened").to.equal(false);
          } finally {
            await local.stop();
          }
        });
      }
    }
  });
});
