/**
 * The keeper as a process, against the local chain: a graceful SIGTERM (exit 0, journal
 * flushed, no cycle left half-done), and a vault address that is not an IndexVault refused at
 * start with a clear message.
 */
import { existsSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { ConfigError } from "../../keeper/src/core/errors.js";
import { KeeperStore } from "../../keeper/src/service/store/keeperStore.js";
import { spawnCli } from "../keeper/cli/spawnCli.js";
import { configFor, EQUAL, fixedOracle, KEYS_ENV, keeperFor, useWorld, writeMarketCsv } from "./harness.js";

const FINAL = new Set(["reconciled", "confirmed", "failed", "skipped", "dry-run"]);

describe("e2e: the keeper process", function () {
  this.timeout(180_000);
  const h = useWorld();

  it("SIGTERM once: the cycle in progress finishes, the store is closed, exit 0 within seconds", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ballast-sigterm-"));
    const dataDir = join(dir, "data");
    const configPath = join(dir, "keeper.json");
    const market = join(dir, "market.csv");
    writeMarketCsv(market, h.world.deployed.symbols);
    // pollSeconds 60: a stop that waited out the poll would take a minute.
    const config = configFor(h.world, { dataDir, schedule: { pollSeconds: 60 } });
    // The synthetic closes are not the local chain's prices: this test is about stopping, so the
    // live market's Chainlink cross-check is opened to its widest bound.
    writeFileSync(configPath, JSON.stringify({ ...config, market: { maxChainlinkDeviation: 1 } }));
    const cli = spawnCli(["run", "--config", configPath, "--market", market], KEYS_ENV, 150_000);
    await cli.waitFor(
      /"msg":"(rebalanced|partial rebalance|nothing to trade|rebalance failed|cycle failed|target weights rejected)"/,
      120_000,
    );
    const signalledAt = Date.now();
    cli.child.kill("SIGTERM");
    const res = await cli.done;
    expect(res.signal, res.stderr).to.equal(null);
    expect(res.code, res.stderr).to.equal(0);
    expect(Date.now() - signalledAt, "exit after SIGTERM").to.be.below(10_000);
    expect(res.stderr).to.include("SIGTERM: stopping");
    // The journal is flushed: closing SQLite checkpointed the WAL into the database file.
    const path = join(dataDir, "keeper.sqlite");
    const wal = `${path}-wal`;
    expect(!existsSync(wal) || statSync(wal).size === 0, "WAL checkpointed").to.equal(true);
    const store = await KeeperStore.openExisting(path);
    try {
      expect((await store.state()).running).to.equal(false);
      const cycles = await store.cycles(10);
      expect(cycles.length).to.be.at.least(1);
      for (const cycle of cycles) expect(FINAL.has(cycle.status), `cycle ${cycle.id} ${cycle.status}`).to.equal(true);
    } finally {
      await store.close();
    }
  });

  it("refuses a token address given as the vault, naming the token", async () => {
    const weth = h.world.local.tokens.WETH.address;
    const error = await keeperFor(
      h.world,
      fixedOracle(() => EQUAL),
      { config: { vault: weth } },
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(ConfigError);
    expect(String(error)).to.include(`vault ${weth} is the ERC-20 token "WETH"`);
    expect(String(error)).not.to.include("execution reverted");
  });

  it("refuses another contract, and an address with no code, as the vault", async () => {
    const factory = h.world.local.uniswap.factory.target as string;
    const other = await keeperFor(
      h.world,
      fixedOracle(() => EQUAL),
      { config: { vault: factory } },
    ).catch((e: unknown) => e);
    expect(other).to.be.instanceOf(ConfigError);
    expect(String(other)).to.include("is a contract that is not an IndexVault");
    const nobody = `0x${"12".repeat(20)}`;
    const empty = await keeperFor(
      h.world,
      fixedOracle(() => EQUAL),
      { config: { vault: nobody } },
    ).catch((e: unknown) => e);
    expect(empty).to.be.instanceOf(ConfigError);
    expect(String(empty)).to.match(/no contract at vault address/);
  });

  it("refuses an IndexVault whose base asset is not the config's first token", async () => {
    const config = configFor(h.world);
    const tokens = [...(config.tokens ?? [])];
    const [base, first] = [tokens[0], tokens[1]];
    if (!base || !first) throw new Error("tokens");
    const swapped = [first, base, ...tokens.slice(2)];
    const error = await keeperFor(
      h.world,
      fixedOracle(() => EQUAL),
      { config: { tokens: swapped } },
    ).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ConfigError);
    expect(String(error)).to.match(/base asset is 0x[0-9a-fA-F]{40}, but the config's first token is/);
  });
});
