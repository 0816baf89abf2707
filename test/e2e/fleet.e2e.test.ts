/**
 * One `keeper run --fleet` process (a child process, as an operator starts it) serving the
 * local chain's two indexes: the blue-chip vault over the chain's RPC, and the LST vault over an
 * RPC URL nobody listens on. The blue-chip vault keeps cycling until the chain shows it at its
 * targets; the LST vault is reported failed in /api/fleet with its error and retried (its
 * failures grow); /metrics labels both; SIGTERM stops the process with exit code 0. Prints the
 * store's statements per tick per vault (measured, for docs/operator.md).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { Wallet } from "ethers";
import { currentPrices, followPrices } from "../../keeper/src/devchain/arbitrumLocal.js";
import { deployVault, LST_BASKET, vaultTokenEntries } from "../../keeper/src/devchain/deployVault.js";
import { createDatabase, freePort, type PostgresServer, startPostgres } from "../helpers/postgresServer.js";
import { until } from "../helpers/until.js";
import { spawnCli } from "../keeper/cli/spawnCli.js";
import { configFor, type E2eWorld, KEYS_ENV, SIGNER_KEY, useWorld, writeMarketCsv } from "./harness.js";

interface FleetVaultView {
  readonly name: string;
  readonly state: string;
  readonly failures: number;
  readonly lastError: string | null;
}

interface CycleView {
  readonly id: number;
  readonly status: string;
  readonly outcome: string | null;
  readonly reason: string | null;
  readonly finishedAt: number | null;
}

/** Null while the vault is not running yet (503), so a probe tries again. */
async function whenRunning<T>(url: string): Promise<T | null> {
  const res = await fetch(url);
  if (res.status === 503) return null;
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** One sample of a vault's series on the fleet's /metrics. */
function sample(metrics: string, name: string, vault: string): number | null {
  const line = new RegExp(`^${name}\\{vault="${vault}"\\} (\\S+)$`, "m").exec(metrics);
  return line ? Number(line[1]) : null;
}

/** The ticks a vault's keeper logged (debug): the statements each sent to the store, and its cycle if any. */
function storeTicks(stdout: string, vault: string): { storeQueries: number; cycle: number | null }[] {
  return stdout
    .split("\n")
    .filter((l) => l.startsWith("{") && l.includes('"tick: store statements"'))
    .map((l) => JSON.parse(l) as { vault?: string; storeQueries: number; cycle: number | null })
    .filter((l) => l.vault === vault);
}

/** The vault's weights as the chain holds them: balances at the feeds' prices. */
async function weightsOnChain(world: E2eWorld): Promise<Record<string, number>> {
  const prices = await currentPrices(world.local);
  const values: Record<string, number> = {};
  for (const symbol of world.deployed.symbols) {
    const token = world.local.tokens[symbol];
    const erc20 = await world.local.ethers.getContractAt("MockERC20", token.address);
    const balance = (await erc20.getFunction("balanceOf")(world.deployed.address)) as bigint;
    values[symbol] = (Number(balance) / 10 ** token.decimals) * (prices[symbol] ?? 0);
  }
  const total = Object.values(values).reduce((a, b) => a + b, 0);
  return Object.fromEntries(Object.entries(values).map(([s, v]) => [s, v / total]));
}

describe("e2e: one fleet process, two vaults, one of them unreachable", function () {
  this.timeout(300_000);
  const h = useWorld();

  let postgres: PostgresServer | string | null = null;
  after(async () => {
    if (postgres !== null && typeof postgres !== "string") await postgres.stop();
  });

  it("the reachable vault reaches its targets while the dead one is failed and retried; /metrics labels both; SIGTERM exits 0", async () => {
    await runFleet(null);
  });

  it("the same with both vaults' stores in one PostgreSQL (the fleet's store.url)", async function () {
    this.timeout(360_000);
    postgres = await startPostgres();
    if (typeof postgres === "string") {
      console.log(`      skipped: ${postgres}`);
      this.skip();
    }
    await runFleet(await createDatabase(postgres as PostgresServer, "fleet"));
  });

  /** Runs the fleet with each vault on SQLite (`storeUrl` null) or on the PostgreSQL at `storeUrl`. */
  async function runFleet(storeUrl: string | null): Promise<void> {
    const backend = storeUrl === null ? "SQLite" : "PostgreSQL";
    const world = h.world;
    // The LST index beside the blue-chip one (after the suite's snapshot was restored).
    const lst = await deployVault(world.local, {
      index: "lst",
      basket: LST_BASKET,
      keeperSigner: new Wallet(SIGNER_KEY).address,
    });
    const dir = mkdtempSync(join(tmpdir(), "ballast-fleet-"));
    const blueMarket = join(dir, "bluechip.csv");
    writeMarketCsv(blueMarket, world.deployed.symbols);
    const lstMarket = join(dir, "lst.csv");
    writeMarketCsv(lstMarket, lst.symbols);
    const deadRpc = `http://127.0.0.1:${await freePort()}`;
    const blue = configFor(world, { dataDir: join(dir, "bluechip") });
    const lstConfig = configFor(world, {
      dataDir: join(dir, "lst"),
      rpcUrls: [deadRpc],
      vault: lst.address,
      tokens: vaultTokenEntries(world.local, lst),
    });
    // The synthetic closes are not the local chain's prices: the Chainlink cross-check is opened wide.
    writeFileSync(join(dir, "bluechip.json"), JSON.stringify({ ...blue, market: { maxChainlinkDeviation: 1 } }));
    writeFileSync(join(dir, "lst.json"), JSON.stringify({ ...lstConfig, market: { maxChainlinkDeviation: 1 } }));
    const fleetPath = join(dir, "fleet.json");
    writeFileSync(
      fleetPath,
      JSON.stringify({
        vaults: [
          { name: "bluechip", config: "bluechip.json", market: "bluechip.csv" },
          { name: "lst", config: "lst.json", market: "lst.csv" },
        ],
        http: { port: 0 },
        restart: { initialMs: 200, maxMs: 1_000 },
        ...(storeUrl === null ? {} : { store: { url: storeUrl } }),
      }),
    );
    const cli = spawnCli(
      ["run", "--fleet", fleetPath],
      // Debug: each tick logs the statements it sent to its vault's store.
      { ...KEYS_ENV, BALLAST_API_TOKEN: "fleet-e2e-token-0123456789", LOG_LEVEL: "debug" },
      280_000,
    );
    let out = "";
    cli.child.stdout?.on("data", (c: Buffer) => (out += c.toString()));
    try {
      const api = await until(
        "the fleet's operator server",
        120_000,
        async () => {
          return /operator server: (http:\/\/\S+)\//.exec(out)?.[1] ?? null;
        },
        200,
      );
      const vault = (name: string, route: string) => `${api}/api/vaults/${name}/${route}`;

      // The dead vault: failed with its error, and tried again and again.
      const firstFailure = await until(
        "the LST vault's first failure",
        120_000,
        async () => {
          const { vaults } = await getJson<{ vaults: FleetVaultView[] }>(`${api}/api/fleet`);
          const view = vaults.find((v) => v.name === "lst");
          return view && view.failures >= 1 && view.state === "failed" ? view : null;
        },
        200,
      );
      expect(firstFailure.lastError, "the failure names its cause").to.be.a("string").and.not.equal("");
      console.log(`      lst vault failed: ${firstFailure.lastError}`);

      // The reachable vault: cycles until the chain shows it at its targets. The sizing caps each
      // order's legs (pool depth), so it may take several rebalances, each after the cooldown.
      const seen = new Set<number>();
      let final: CycleView | null = null;
      for (let round = 0; round < 8 && final === null; round++) {
        const cycle = await until(
          "the blue-chip vault's next cycle",
          90_000,
          async () => {
            const next = (await whenRunning<{ cycles: CycleView[] }>(vault("bluechip", "cycles?limit=1")))?.cycles[0];
            return next && !seen.has(next.id) && next.finishedAt !== null && next.status !== "signed" ? next : null;
          },
          200,
        );
        seen.add(cycle.id);
        expect(cycle.outcome, cycle.reason ?? "").to.be.oneOf(["traded", "partial", "nothing-to-trade"]);
        if (cycle.outcome !== "partial") {
          final = cycle;
          break;
        }
        // An hour on, arbitrage has put the pools back at the feeds' prices (the cooldown has passed).
        await world.local.ethers.provider.send("evm_increaseTime", [3_601]);
        await world.local.ethers.provider.send("evm_mine", []);
        const feeds = await currentPrices(world.local);
        await followPrices(world.local, Object.fromEntries(world.deployed.symbols.map((s) => [s, feeds[s]])));
      }
      expect(final, "the blue-chip vault finished at its targets").to.not.equal(null);
      expect(await world.deployed.vault.rebalanceNonce(), "rebalances landed on chain").to.be.greaterThan(0n);
      const { target } = await getJson<{ target: Record<string, number> }>(vault("bluechip", "weights"));
      const onChain = await weightsOnChain(world);
      for (const symbol of world.deployed.symbols) {
        // Within the drift threshold (500 bps) of every target, read from the chain itself.
        expect(Math.abs((onChain[symbol] ?? 0) - (target[symbol] ?? 0)), `${symbol} on chain vs target`).to.be.below(
          0.05,
        );
      }

      // Meanwhile the dead vault kept being retried.
      const { vaults } = await getJson<{ vaults: FleetVaultView[] }>(`${api}/api/fleet`);
      const lstView = vaults.find((v) => v.name === "lst");
      const blueView = vaults.find((v) => v.name === "bluechip");
      expect(blueView).to.include({ state: "running", failures: 0 });
      expect(lstView?.state).to.be.oneOf(["failed", "starting"]);
      expect(lstView?.failures ?? 0, "the LST vault was retried").to.be.greaterThan(firstFailure.failures);
      const unavailable = await fetch(vault("lst", "status"));
      expect(unavailable.status).to.equal(503);

      // /metrics: both vaults labelled, the store's statements counted per vault.
      const metrics = await (await fetch(`${api}/metrics`)).text();
      for (const name of ["bluechip", "lst"]) {
        expect(metrics).to.include(`vault="${name}"`);
        expect(sample(metrics, "keeper_fleet_vault_failures_total", name)).to.not.equal(null);
      }
      expect(sample(metrics, "keeper_fleet_vault_running", "bluechip")).to.equal(1);
      expect(sample(metrics, "keeper_fleet_vault_running", "lst")).to.equal(0);
      expect(sample(metrics, "keeper_fleet_vault_failures_total", "lst")).to.equal(lstView?.failures ?? -1);
      const total = sample(metrics, "keeper_store_queries_total", "bluechip") ?? 0;
      const lstTotal = sample(metrics, "keeper_store_queries_total", "lst");
      expect(total, "the blue-chip vault's statements are counted").to.be.greaterThan(0);
      expect(lstTotal, "the dead vault's counter is there").to.not.equal(null);
      // Two idle ticks after the last cycle, for the idle load.
      const ticks = await until(
        "two idle ticks of the blue-chip vault",
        30_000,
        async () => {
          const all = storeTicks(out, "bluechip");
          return all.filter((t) => t.cycle === null).length >= 2 ? all : null;
        },
        200,
      );
      const cycleTicks = ticks.filter((t) => t.cycle !== null).map((t) => t.storeQueries);
      const idleTicks = ticks.filter((t) => t.cycle === null).map((t) => t.storeQueries);
      console.log(
        `      store statements per tick, bluechip (${backend}, USDC + 3 assets): ticks with a cycle [${cycleTicks.join(", ")}], ` +
          `idle ticks min ${Math.min(...idleTicks)} max ${Math.max(...idleTicks)} (${idleTicks.length} ticks); ` +
          `${total} in all at the last /metrics read (migrations and API reads included); ` +
          `lst (its keeper never opened): ${lstTotal}; lst ticks logged: ${storeTicks(out, "lst").length}`,
      );
      for (const n of [...cycleTicks, ...idleTicks])
        expect(Number.isFinite(n) && n > 0, `statements ${n}`).to.equal(true);
      expect(cycleTicks.length).to.be.greaterThan(0);
      expect(storeTicks(out, "lst")).to.deep.equal([]);

      const signalledAt = Date.now();
      cli.child.kill("SIGTERM");
      const res = await cli.done;
      expect(res.signal, res.stderr).to.equal(null);
      expect(res.code, res.stderr).to.equal(0);
      expect(Date.now() - signalledAt, "exit after SIGTERM").to.be.below(15_000);
    } finally {
      if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill("SIGKILL");
      await cli.done;
    }
  }
});
