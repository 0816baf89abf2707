/**
 * The store's load per keeper cycle, for one vault on each backend: statements sent to the
 * database (counted by the store itself) and the cycle's wall time, for the first rebalance
 * (plan, sign, submit, confirm, reconcile) and for an idle tick (nothing due: NAV, composition
 * and state only), on SQLite and on a throwaway local PostgreSQL (skipped with the reason when
 * it cannot start). The SQL is the same on both; the PostgreSQL figures add a round trip per
 * statement. A standby's tick sends none (it only renews or tries its lease: one statement per
 * `lease.renewMs`, plus one per fence, two fences per order).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet } from "ethers";
import { network } from "hardhat";
import { openKeeper } from "../keeper/src/cli/commands/openKeeper.js";
import { parseKeeperConfig } from "../keeper/src/config/keeperConfig.js";
import { parseUnits } from "../keeper/src/core/fixed.js";
import { deployArbitrumLocal } from "../keeper/src/devchain/arbitrumLocal.js";
import { deployVault, fundAndDeposit, vaultTokenEntries } from "../keeper/src/devchain/deployVault.js";
import { startRpcServer } from "../keeper/src/devchain/rpcServer.js";
import type { Oracle } from "../keeper/src/execution/portfolioManager.js";
import { createLogger } from "../keeper/src/service/logger.js";
import { createDatabase, type PostgresServer, startPostgres } from "../test/helpers/postgresServer.js";

const SIGNER_KEY = `0x${"5a".repeat(32)}`;
const SUBMITTER_KEY = `0x${"6b".repeat(32)}`;

export async function run(): Promise<void> {
  const connection = await network.create("arbitrumLocal");
  const local = await deployArbitrumLocal(connection.ethers);
  const deployed = await deployVault(local, {
    basket: ["WETH", "WBTC", "ARB"],
    keeperSigner: new Wallet(SIGNER_KEY).address,
  });
  const [, , , , , alice] = await local.ethers.getSigners();
  if (!alice) throw new Error("no depositor account");
  await fundAndDeposit(local, deployed.vault, [alice], parseUnits("500000", 6));
  await local.ethers.provider.send("hardhat_setBalance", [new Wallet(SUBMITTER_KEY).address, "0x56bc75e2d63100000"]);
  const rpc = await startRpcServer({
    request: ({ method, params }) => connection.provider.request({ method, params: params ? [...params] : [] }),
  });
  const oracle: Oracle = {
    name: "equal-weight",
    targetWeights: async () => ({ USDC: 0.01, WETH: 0.33, WBTC: 0.33, ARB: 0.33 }),
  };
  const pg = await startPostgres();
  let snapshot = (await local.ethers.provider.send("evm_snapshot", [])) as string;
  try {
    console.log("store statements per keeper tick, one 4-asset vault (USDC + 3):");
    const backends: [string, string | undefined][] = [["SQLite", undefined]];
    if (typeof pg === "string") console.log(`  PostgreSQL skipped: ${pg}`);
    else backends.push(["PostgreSQL", await createDatabase(pg as PostgresServer, "cycle_load")]);
    for (const [name, url] of backends) {
      if (!(await local.ethers.provider.send("evm_revert", [snapshot]))) throw new Error("evm_revert failed");
      snapshot = (await local.ethers.provider.send("evm_snapshot", [])) as string;
      const config = parseKeeperConfig({
        rpcUrls: [rpc.url],
        chainId: Number(local.chainId),
        vault: deployed.address,
        tokens: vaultTokenEntries(local, deployed),
        uniswapFactory: local.uniswap.factory.target as string,
        dataDir: mkdtempSync(join(tmpdir(), "ballast-bench-store-")),
        strategy: { maxWeight: 0.5 },
        gas: { maxFeePerGasGwei: 50, priorityFeeGwei: 0.01, stuckAfterMs: 5_000, pollMs: 50 },
        ...(url ? { store: { url, lease: { ttlMs: 10_000, renewMs: 2_000, marginMs: 3_000 } } } : {}),
      });
      const keeper = await openKeeper(config, {
        oracle,
        logger: createLogger({ level: "silent" }),
        env: { BALLAST_KEEPER_KEY: SIGNER_KEY, BALLAST_SUBMITTER_KEY: SUBMITTER_KEY },
      });
      await keeper.leadership.start(() => undefined);
      const measure = async () => {
        const before = keeper.store.queries;
        const started = performance.now();
        const cycle = await keeper.tick();
        return { statements: keeper.store.queries - before, ms: performance.now() - started, cycle };
      };
      const first = await measure();
      const idle = await measure();
      await keeper.close();
      console.log(
        `  ${name.padEnd(10)} rebalance tick: ${first.statements} statements, ${first.ms.toFixed(0)} ms ` +
          `(outcome ${first.cycle?.outcome ?? "none"}); idle tick: ${idle.statements} statements, ${idle.ms.toFixed(0)} ms`,
      );
    }
  } finally {
    if (typeof pg !== "string") await pg.stop();
    await rpc.close();
    await connection.close();
  }
}
