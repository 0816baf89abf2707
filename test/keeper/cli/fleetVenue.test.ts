/**
 * A venue vault in a fleet really runs: the fleet file's HyperLiquid vault is opened the way
 * `keeper run --fleet` opens it (fleetRun.ts vaultSpec -> venueSession.ts openVenueKeeper), its
 * keeper cycles under the fleet supervisor against the local stand-in of the exchange
 * (devchain/hyperliquidLocal.ts) until the account holds the signal oracle's targets, with its
 * series labelled by vault, its store statements counted, and it stops and closes on `stop()`.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
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
import { FleetSupervisor } from "../../../keeper/src/service/fleet/fleetSupervisor.js";
import { createLogger } from "../../../keeper/src/service/logger.js";
import { expectAbsClose } from "../../helpers/approx.js";
import { utcDate } from "../../helpers/utcDate.js";

const ALICE = Wallet.createRandom();

describe("cli fleet: a HyperLiquid vault in a fleet", function () {
  this.timeout(60_000);
  let hl: HyperliquidLocal;

  before(async () => {
    hl = await startHyperliquidLocal(localBook(ALICE.address));
  });

  after(async () => {
    await hl.close();
  });

  it("runs under the supervisor until the account holds its targets, then stops and closes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ballast-fleet-venue-"));
    const yesterday = utcDate(Date.now() / 1000 - 86_400);
    // BTC best, SOL worst -> long BTC, short SOL, half of net liquidity each.
    writeFileSync(
      join(dir, "scores.csv"),
      `date,symbol,score\n${yesterday},BTC,0.9\n${yesterday},ETH,0.5\n${yesterday},SOL,0.1\n`,
    );
    writeFileSync(
      join(dir, "hl.json"),
      JSON.stringify({
        venue: "hyperliquid",
        dataDir: join(dir, "perps"),
        schedule: { pollSeconds: 0.2, everySeconds: 1, driftThresholdBps: 100 },
        signals: { path: join(dir, "scores.csv"), mode: "long-short", gross: 1, maxWeight: 0.5 },
        hyperliquid: {
          network: "testnet",
          apiUrl: hl.url,
          accountAddress: ALICE.address,
          maxGrossLeverage: 1.5,
          timeoutMs: 10_000,
        },
      }),
    );
    writeFileSync(
      join(dir, "fleet.json"),
      JSON.stringify({ vaults: [{ name: "perps", venue: "hyperliquid", config: "hl.json" }] }),
    );
    const env = { HYPERLIQUID_SIGNER_KEY: ALICE.privateKey };
    const fleet = loadFleet(join(dir, "fleet.json"), env);
    const supervisor = new FleetSupervisor({
      vaults: fleet.vaults.map((v) => vaultSpec(v, env)),
      logger: createLogger({ level: "silent" }),
      restart: fleet.restart,
    });
    const running = supervisor.run();
    try {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const member = supervisor.member("perps");
        const cycles = member ? await member.readModel.cycles(10) : [];
        if (cycles.some((c) => c.outcome === "nothing-to-trade")) break;
        if (Date.now() > deadline)
          throw new Error(`no settled cycle: ${JSON.stringify(supervisor.status())} ${JSON.stringify(cycles)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(supervisor.status()[0]).to.include({ name: "perps", venue: "hyperliquid", state: "running", failures: 0 });
      const nav = hl.accountValue();
      expectAbsClose(((hl.positions.BTC ?? 0) * 100_000) / nav, 0.5, 0.002, "BTC held");
      expectAbsClose(((hl.positions.SOL ?? 0) * 200) / nav, -0.5, 0.002, "SOL held");
      const metrics = await supervisor.metrics.render();
      expect(metrics).to.match(/^keeper_fleet_vault_running\{vault="perps"\} 1$/m);
      const statements = Number(/^keeper_store_queries_total\{vault="perps"\} (\d+)$/m.exec(metrics)?.[1]);
      expect(statements).to.be.greaterThan(0);
      const lastTick = Number(/^keeper_store_queries_last_cycle\{vault="perps"\} (\d+)$/m.exec(metrics)?.[1]);
      expect(lastTick).to.be.greaterThan(0).and.to.be.at.most(statements);
      console.log(
        `      HyperLiquid vault in a fleet: ${statements} store statements so far, ${lastTick} in its last tick (SQLite)`,
      );
    } finally {
      supervisor.stop();
      await running;
    }
    expect(supervisor.status()[0]?.state).to.equal("stopped");
    expect(supervisor.member("perps")).to.equal(null);
  });
});
