/**
 * Failover of whole keeper processes over repeated kills: `keeper run` processes on the local
 * chain and one throwaway PostgreSQL (skipped with the reason when it cannot start). Each round
 * the leader is SIGKILLed between signing and confirmation (when it broadcasts a rebalance, at
 * its own RPC proxy); the standby takes the lease, resumes the journal and lands the same
 * signed order. Measured per round: kill -> "lease taken over" and kill -> order landed
 * ("rebalanced" or "partial rebalance"), and that the chain has exactly one rebalance per
 * nonce. A fresh standby is started for the next round; the chain then moves an hour on with
 * prices moved (arbitrage sets pools to the feeds), so a new rebalance is due.
 * Lease: ttl 3 s, renew 0.5 s, margin 1 s (as the e2e test).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet } from "ethers";
import { network } from "hardhat";
import type { TokenSymbol } from "../keeper/src/config/addressBook.js";
import { parseUnits } from "../keeper/src/core/fixed.js";
import { currentPrices, deployArbitrumLocal, followPrices } from "../keeper/src/devchain/arbitrumLocal.js";
import { deployVault, fundAndDeposit, vaultTokenEntries } from "../keeper/src/devchain/deployVault.js";
import { type RpcServer, startRpcServer } from "../keeper/src/devchain/rpcServer.js";
import { indexVaultInterface } from "../keeper/src/execution/indexVault/vaultAbi.js";
import { writeMarketCsv } from "../test/e2e/harness.js";
import { createDatabase, startPostgres } from "../test/helpers/postgresServer.js";
import { until } from "../test/helpers/until.js";
import { type CliRun, spawnCli } from "../test/keeper/cli/spawnCli.js";

const SIGNER_KEY = `0x${"5a".repeat(32)}`;
const SUBMITTER_KEY = `0x${"6b".repeat(32)}`;
const BASKET: TokenSymbol[] = ["WETH", "WBTC", "ARB"];
const LEASE = { ttlMs: 3_000, renewMs: 500, marginMs: 1_000 };
const ROUNDS = 5;

interface Keeper {
  readonly name: string;
  readonly run: CliRun;
  readonly rpc: RpcServer;
  armed: boolean;
  killedAt: number;
  out: string;
}

const msgTime = (k: Keeper, pattern: RegExp, after: number): number | null => {
  for (const line of k.out.split("\n")) {
    if (!line.startsWith("{")) continue;
    const e = JSON.parse(line) as { time: number; msg: string };
    if (e.time >= after && pattern.test(e.msg)) return e.time;
  }
  return null;
};

export async function run(): Promise<void> {
  const pg = await startPostgres();
  if (typeof pg === "string") {
    console.log(`skipped: ${pg}`);
    return;
  }
  const connection = await network.create("arbitrumLocal");
  const local = await deployArbitrumLocal(connection.ethers);
  const deployed = await deployVault(local, { basket: BASKET, keeperSigner: new Wallet(SIGNER_KEY).address });
  const [, , , , , alice] = await local.ethers.getSigners();
  if (!alice) throw new Error("no depositor account");
  await fundAndDeposit(local, deployed.vault, [alice], parseUnits("500000", 6));
  await local.ethers.provider.send("hardhat_setBalance", [new Wallet(SUBMITTER_KEY).address, "0x56bc75e2d63100000"]);
  const provider = local.ethers.provider;
  const startBlock = await provider.getBlockNumber();
  const dir = mkdtempSync(join(tmpdir(), "ballast-bench-standby-"));
  const market = join(dir, "market.csv");
  writeMarketCsv(market, deployed.symbols);
  const url = await createDatabase(pg, "standby_bench");
  const keepers: Keeper[] = [];
  let seq = 0;

  const start = async (): Promise<Keeper> => {
    const name = `keeper-${++seq}`;
    const holder: { k: Keeper | null } = { k: null };
    const rpc = await startRpcServer({
      request: async ({ method, params }) => {
        const k = holder.k;
        if (k?.armed && method === "eth_sendRawTransaction") {
          k.killedAt = Date.now();
          k.run.child.kill("SIGKILL");
          throw new Error("killed");
        }
        return provider.send(method, [...(params ?? [])]);
      },
    });
    const config = {
      rpcUrls: [rpc.url],
      chainId: Number(local.chainId),
      vault: deployed.address,
      tokens: vaultTokenEntries(local, deployed),
      uniswapFactory: local.uniswap.factory.target as string,
      dataDir: join(dir, name),
      strategy: { maxWeight: 0.5 },
      schedule: { everySeconds: 3_600, driftThresholdBps: 500, pollSeconds: 1 },
      gas: { maxFeePerGasGwei: 50, priorityFeeGwei: 0.01, stuckAfterMs: 5_000, pollMs: 50 },
      market: { maxChainlinkDeviation: 1 },
      store: { url, timeoutMs: 800, lease: { ...LEASE, holder: name } },
    };
    const path = join(dir, `${name}.json`);
    writeFileSync(path, JSON.stringify(config));
    const cli = spawnCli(
      ["run", "--config", path, "--market", market, "--no-serve"],
      {
        BALLAST_KEEPER_KEY: SIGNER_KEY,
        BALLAST_SUBMITTER_KEY: SUBMITTER_KEY,
      },
      600_000,
    );
    const k: Keeper = { name, run: cli, rpc, armed: false, killedAt: 0, out: "" };
    cli.child.stdout?.on("data", (c: Buffer) => (k.out += c.toString()));
    holder.k = k;
    keepers.push(k);
    await until(`${name} up`, 120_000, () => (msgTime(k, /^(lease acquired|store: PostgreSQL)$/, 0) ? true : null));
    return k;
  };

  const takeovers: number[] = [];
  const landings: number[] = [];
  let resumed = 0;
  try {
    let leader = await start();
    await until("the first lease", 30_000, () => msgTime(leader, /^lease acquired$/, 0));
    // The first rebalance is due at once: let it land unkilled, so every round starts alike.
    await until("the first rebalance", 120_000, () => msgTime(leader, /^(rebalanced|partial rebalance)$/, 0));
    let standby = await start();
    for (let round = 0; round < ROUNDS; round++) {
      await new Promise((r) => setTimeout(r, 2 * LEASE.renewMs));
      leader.armed = true;
      // An hour on, prices moved 10% (the vault drifts off target): a rebalance is due.
      await provider.send("evm_increaseTime", [3_601]);
      await provider.send("evm_mine", []);
      const p = await currentPrices(local);
      const factor = round % 2 === 0 ? 1.1 : 1 / 1.1;
      await followPrices(local, { WETH: p.WETH * factor, WBTC: p.WBTC / factor, ARB: p.ARB * factor, USDC: p.USDC });
      const was = leader;
      await until(`round ${round + 1}: the kill`, 120_000, () => (was.killedAt > 0 ? true : null));
      const next = standby;
      const took = await until(`round ${round + 1}: takeover`, 30_000, () =>
        msgTime(next, /^lease taken over/, was.killedAt),
      );
      const landed = await until(`round ${round + 1}: the resumed order`, 60_000, () =>
        msgTime(next, /^(rebalanced|partial rebalance)$/, was.killedAt),
      );
      if (msgTime(next, /^resuming cycle$/, was.killedAt) !== null) resumed++;
      takeovers.push(took - was.killedAt);
      landings.push(landed - was.killedAt);
      leader = next;
      standby = await start();
    }
    const iface = indexVaultInterface();
    const nonces: bigint[] = [];
    let reverted = 0;
    for (let n = startBlock + 1; n <= (await provider.getBlockNumber()); n++) {
      const block = await provider.getBlock(n, true);
      for (const tx of block?.prefetchedTransactions ?? []) {
        if (tx.to?.toLowerCase() !== deployed.address.toLowerCase()) continue;
        const parsed = iface.parseTransaction({ data: tx.data });
        if (parsed?.name !== "rebalance") continue;
        if ((await provider.getTransactionReceipt(tx.hash))?.status !== 1) reverted++;
        nonces.push((parsed.args[0] as { nonce: bigint }).nonce);
      }
    }
    const distinct = new Set(nonces.map(String)).size;
    const stats = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return `min ${s[0]} ms, median ${s[Math.floor(s.length / 2)]} ms, max ${s.at(-1)} ms`;
    };
    console.log(
      `keeper processes, ${ROUNDS} kills between signing and broadcast (lease ttl ${LEASE.ttlMs} ms, renew ${LEASE.renewMs} ms):`,
    );
    console.log(`  kill -> standby takes the lease: ${stats(takeovers)}`);
    console.log(
      `  kill -> the killed leader's signed order landed by the standby: ${stats(landings)} (resumed from the journal in ${resumed} of ${ROUNDS} rounds)`,
    );
    console.log(
      `  chain: ${nonces.length} rebalance transactions for ${distinct} nonces (${reverted} reverted); vault nonce ${await deployed.vault.rebalanceNonce()}`,
    );
  } finally {
    for (const k of keepers) k.run.child.kill("SIGKILL");
    await Promise.all(keepers.map((k) => k.run.done));
    for (const k of keepers) await k.rpc.close();
    await connection.close();
    await pg.stop();
  }
}
