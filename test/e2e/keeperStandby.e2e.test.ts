/**
 * Two keeper processes (`keeper run`, as an operator starts them) on one local chain and one
 * PostgreSQL (a throwaway server; the suite skips with the reason only when it cannot start).
 * Only the lease holder signs. (1) The active keeper is killed (SIGKILL) between signing and
 * confirmation, at the moment it broadcasts: the standby takes the lease once it expires,
 * resumes the journal and lands the same signed order; the chain shows one rebalance per nonce
 * and the vault at its target. (2) The active keeper is cut off from the database (its
 * connections black-holed) in the middle of a cycle, after signing and before submitting: it
 * stops (no broadcast, "lease lost") before its lease can pass on, and the standby rebalances.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { parseKeeperConfig } from "../../keeper/src/config/keeperConfig.js";
import { currentPrices, followPrices } from "../../keeper/src/devchain/arbitrumLocal.js";
import { type RpcServer, startRpcServer } from "../../keeper/src/devchain/rpcServer.js";
import { indexVaultInterface } from "../../keeper/src/execution/indexVault/vaultAbi.js";
import { KeeperStore } from "../../keeper/src/service/store/keeperStore.js";
import { vaultSchema } from "../../keeper/src/service/store/openStore.js";
import { createDatabase } from "../helpers/postgresServer.js";
import { startTcpProxy, type TcpProxy } from "../helpers/tcpProxy.js";
import { until } from "../helpers/until.js";
import { usePostgres } from "../helpers/usePostgres.js";
import { spawnCli } from "../keeper/cli/spawnCli.js";
import { configFor, type E2eWorld, KEYS_ENV, useWorld, writeMarketCsv } from "./harness.js";

const LEASE = { ttlMs: 3_000, renewMs: 500, marginMs: 1_000 };
const TOKEN = "standby-e2e-token-0123456789";

interface LogLine {
  readonly time: number;
  readonly msg: string;
  readonly [k: string]: unknown;
}

function logLines(text: string): LogLine[] {
  return text
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as LogLine);
}

/** Every rebalance transaction to the vault since `fromBlock`: its order nonce and whether it succeeded. */
async function rebalancesOnChain(world: E2eWorld, fromBlock: number): Promise<{ nonce: bigint; ok: boolean }[]> {
  const provider = world.local.ethers.provider;
  const iface = indexVaultInterface();
  const out: { nonce: bigint; ok: boolean }[] = [];
  const latest = await provider.getBlockNumber();
  for (let n = fromBlock + 1; n <= latest; n++) {
    const block = await provider.getBlock(n, true);
    for (const tx of block?.prefetchedTransactions ?? []) {
      if (tx.to?.toLowerCase() !== world.deployed.address.toLowerCase()) continue;
      const parsed = iface.parseTransaction({ data: tx.data });
      if (parsed?.name !== "rebalance") continue;
      const receipt = await provider.getTransactionReceipt(tx.hash);
      out.push({ nonce: (parsed.args[0] as { nonce: bigint }).nonce, ok: receipt?.status === 1 });
    }
  }
  return out;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe("e2e: standby keepers on one PostgreSQL", function () {
  this.timeout(300_000);
  const h = useWorld();
  const pg = usePostgres();
  let databases = 0;

  /** Writes a keeper's config (its own data dir, RPC URL and store URL) and starts `keeper run`. */
  function startKeeper(dir: string, name: string, rpcUrl: string, storeUrl: string, market: string) {
    const configPath = join(dir, `${name}.json`);
    const config = configFor(h.world, {
      rpcUrls: [rpcUrl],
      dataDir: join(dir, name),
      schedule: { everySeconds: 7 * 86_400, driftThresholdBps: 500, pollSeconds: 1 },
    });
    writeFileSync(
      configPath,
      JSON.stringify({
        ...config,
        market: { maxChainlinkDeviation: 1 },
        store: { url: storeUrl, timeoutMs: 800, lease: { ...LEASE, holder: name } },
      }),
    );
    let out = "";
    const run = spawnCli(
      ["run", "--config", configPath, "--market", market, "--port", "0"],
      {
        ...KEYS_ENV,
        BALLAST_API_TOKEN: TOKEN,
      },
      280_000,
    );
    run.child.stdout?.on("data", (c: Buffer) => (out += c.toString()));
    return { run, configPath, lines: () => logLines(out), stdout: () => out };
  }

  async function world(): Promise<{ dir: string; market: string; url: string; startBlock: number }> {
    const server = pg.server();
    const dir = mkdtempSync(join(tmpdir(), "ballast-standby-"));
    const market = join(dir, "market.csv");
    writeMarketCsv(market, h.world.deployed.symbols);
    const url = await createDatabase(server, `standby_${++databases}`);
    return { dir, market, url, startBlock: await h.world.local.ethers.provider.getBlockNumber() };
  }

  /** An RPC URL in front of the chain whose `hook` sees every request first (and may stall it). */
  function rpcWithHook(hook: (method: string, params: readonly unknown[]) => Promise<void>): Promise<RpcServer> {
    return startRpcServer({
      request: async ({ method, params }) => {
        await hook(method, params ?? []);
        return h.world.local.ethers.provider.send(method, [...(params ?? [])]);
      },
    });
  }

  async function journal(url: string) {
    const config = parseKeeperConfig(configFor(h.world));
    return KeeperStore.openPostgres({ url, schema: vaultSchema(config), timeoutMs: 5_000 });
  }

  it("the active keeper killed between signing and confirmation: the standby takes over and lands the same order once", async () => {
    const w = await world();
    let killedAt = 0;
    let active: ReturnType<typeof startKeeper> | null = null;
    const standbyUp = deferred();
    const rpcA = await rpcWithHook(async (method) => {
      if (method !== "eth_sendRawTransaction" || !active) return;
      // Held until the standby is up and has seen A's lease (A keeps renewing meanwhile).
      await standbyUp.promise;
      // Signed, journaled as signed, fenced, and about to broadcast: the process dies here.
      killedAt = Date.now();
      active.run.child.kill("SIGKILL");
      throw new Error("keeper A was killed");
    });
    active = startKeeper(w.dir, "keeper-a", rpcA.url, w.url, w.market);
    let standby: ReturnType<typeof startKeeper> | null = null;
    try {
      await active.run.waitFor(/"msg":"lease acquired"/, 120_000);
      standby = startKeeper(w.dir, "keeper-b", h.world.server.url, w.url, w.market);
      const b = standby;
      const apiB = await until(
        "B's operator server",
        120_000,
        () => /operator server: (http:\/\/\S+)\//.exec(b.stdout())?.[1] ?? null,
        100,
      );
      await new Promise((r) => setTimeout(r, 2 * LEASE.renewMs));
      const before = (await (await fetch(`${apiB}/api/status`)).json()) as {
        leadership: { role: string; holder: string };
      };
      expect(before.leadership).to.include({ role: "standby", holder: "keeper-a" });
      standbyUp.resolve();

      const resA = await active.run.done;
      expect(resA.signal, "A was killed").to.equal("SIGKILL");
      expect(killedAt).to.be.greaterThan(0);
      const store = await journal(w.url);
      try {
        const left = await store.pendingCycle();
        expect(left?.cycle.status, "A left the cycle signed, not sent").to.equal("signed");
        const nonce = left?.pending.order.nonce ?? -1n;

        await b.run.waitFor(/"msg":"lease taken over: this keeper now leads the vault"/, 60_000);
        await b.run.waitFor(/"msg":"(rebalanced|partial rebalance)"/, 60_000);
        const takeover = b.lines().find((l) => l.msg.startsWith("lease taken over"));
        const landed = b.lines().find((l) => l.msg === "rebalanced" || l.msg === "partial rebalance");
        console.log(
          `      failover: lease taken over ${(takeover?.time ?? 0) - killedAt} ms after the kill, ` +
            `order landed ${(landed?.time ?? 0) - killedAt} ms after it (lease ttl ${LEASE.ttlMs} ms, renew ${LEASE.renewMs} ms)`,
        );
        expect((takeover?.time ?? 0) - killedAt).to.be.within(LEASE.ttlMs - LEASE.renewMs - 1_000, LEASE.ttlMs + 3_000);
        expect(b.lines().some((l) => l.msg === "resuming cycle" && l.cycle === left?.cycle.id)).to.equal(true);

        // The journal: the same cycle finished, one signed order for its nonce, nothing pending.
        const cycle = await store.cycle(left?.cycle.id ?? -1);
        expect(cycle?.status, cycle?.reason ?? "").to.equal("reconciled");
        expect(cycle?.outcome, cycle?.reason ?? "").to.be.oneOf(["traded", "partial"]);
        expect(await store.signedOrdersForNonce(nonce)).to.equal(1);
        expect(await store.pendingCycle()).to.equal(null);
        // The sizing caps each order's legs (pool depth), so the first move can stop short of the
        // target; the new leader carries on once the vault's cooldown has passed, until it is there.
        let last = cycle;
        for (let round = 0; round < 6 && last?.outcome === "partial"; round++) {
          // An hour on, arbitrage has put the pools back at the feeds' prices (the feeds answer anew).
          await advanceSeconds(h.world, 3_601);
          const feeds = await currentPrices(h.world.local);
          await followPrices(
            h.world.local,
            Object.fromEntries(h.world.deployed.symbols.map((sym) => [sym, feeds[sym]])),
          );
          const seen = last.id;
          last = await until(
            "B's next cycle",
            60_000,
            async () => {
              const next = (await store.cycles(1))[0];
              return next && next.id !== seen && next.finishedAt !== null && next.status !== "signed" ? next : null;
            },
            100,
          );
        }
        expect(last?.outcome, last?.reason ?? "").to.be.oneOf(["traded", "nothing-to-trade"]);
        // The chain: exactly one rebalance transaction per nonce, each successful, A's signed order once.
        const onChain = await rebalancesOnChain(h.world, w.startBlock);
        const finalNonce = await h.world.deployed.vault.rebalanceNonce();
        expect(onChain).to.deep.equal(
          Array.from({ length: Number(finalNonce - nonce) }, (_v, i) => ({ nonce: nonce + BigInt(i), ok: true })),
        );
        for (let n = nonce; n < finalNonce; n++) expect(await store.signedOrdersForNonce(n)).to.equal(1);
        console.log(
          `      the vault reached its target after ${Number(finalNonce - nonce)} rebalance(s), the first resumed`,
        );

        const after = (await (await fetch(`${apiB}/api/status`)).json()) as {
          leadership: { role: string; holder: string; token: number };
        };
        expect(after.leadership).to.include({ role: "leader", holder: "keeper-b", token: 2 });
        const metrics = await (await fetch(`${apiB}/metrics`)).text();
        expect(metrics).to.match(/^keeper_leader 1$/m);
        expect(metrics).to.match(/^keeper_lease_acquired_total 1$/m);
        const queries = Number(/^keeper_store_queries_last_cycle (\d+)$/m.exec(metrics)?.[1]);
        console.log(`      store statements in B's last tick: ${queries}`);
        expect(queries).to.be.greaterThan(0);
      } finally {
        await store.close();
      }
    } finally {
      active.run.child.kill("SIGKILL");
      standby?.run.child.kill("SIGTERM");
      await standby?.run.done;
      await rpcA.close();
    }
  });

  it("the active keeper cut off from the database mid-cycle stops before it submits; the standby rebalances", async () => {
    const w = await world();
    let proxy: TcpProxy | null = null;
    let cutAt = 0;
    const standbyUp = deferred();
    const rpcA = await rpcWithHook(async (method, params) => {
      const call = params[0] as { to?: string } | undefined;
      // After A signed (the venue simulates the signed order with estimateGas), its database goes silent.
      if (
        method === "eth_estimateGas" &&
        call?.to?.toLowerCase() === h.world.deployed.address.toLowerCase() &&
        proxy &&
        cutAt === 0
      ) {
        await standbyUp.promise;
        cutAt = Date.now();
        proxy.cut();
      }
    });
    const server = pg.server();
    proxy = await startTcpProxy(server.port);
    const viaProxy = w.url.replace(`:${server.port}/`, `:${proxy.port}/`);
    // A starts first and takes the lease; its first cycle is due at once.
    const a = startKeeper(w.dir, "keeper-a", rpcA.url, viaProxy, w.market);
    let b: ReturnType<typeof startKeeper> | null = null;
    try {
      await a.run.waitFor(/"msg":"lease acquired"/, 120_000);
      b = startKeeper(w.dir, "keeper-b", h.world.server.url, w.url, w.market);
      const standby = b;
      await until(
        "B's operator server",
        120_000,
        () => (/operator server: /.test(standby.stdout()) ? true : null),
        100,
      );
      await new Promise((r) => setTimeout(r, 2 * LEASE.renewMs));
      standbyUp.resolve();
      await a.run.waitFor(/"msg":"lease lost: this keeper stops signing"/, 120_000);
      await standby.run.waitFor(/"msg":"lease taken over: this keeper now leads the vault"/, 60_000);
      await standby.run.waitFor(/"msg":"(rebalanced|partial rebalance)"/, 60_000);
      expect(cutAt).to.be.greaterThan(0);
      const lost = a.lines().find((l) => l.msg === "lease lost: this keeper stops signing");
      const takeover = standby.lines().find((l) => l.msg.startsWith("lease taken over"));
      console.log(
        `      partition: A gave up its lease ${(lost?.time ?? 0) - cutAt} ms after the cut, ` +
          `B took over ${(takeover?.time ?? 0) - cutAt} ms after it`,
      );
      expect(lost?.time ?? Number.POSITIVE_INFINITY, "A stopped before B took over").to.be.below(takeover?.time ?? 0);
      // A says so on its own /metrics, though its store is out of reach.
      const apiA = /operator server: (http:\/\/\S+)\//.exec(a.stdout())?.[1];
      const metricsA = await (await fetch(`${apiA}/metrics`)).text();
      expect(metricsA).to.match(/^keeper_leader 0$/m);
      expect(metricsA).to.match(/^keeper_lease_lost_total 1$/m);
      // A never broadcast anything, and keeps standing by while B leads.
      expect(a.lines().some((l) => l.msg === "transaction sent")).to.equal(false);
      expect(a.run.child.exitCode).to.equal(null);
      const onChain = await rebalancesOnChain(h.world, w.startBlock);
      expect(onChain).to.deep.equal([{ nonce: 0n, ok: true }]);
      const store = await journal(w.url);
      try {
        expect(await store.signedOrdersForNonce(0n)).to.equal(1);
        const [last, abandoned] = await store.cycles(2);
        expect(last?.outcome).to.be.oneOf(["traded", "partial"]);
        // A's cycle never reached the journal as signed: the new leader closed it.
        expect(abandoned).to.include({ status: "failed", outcome: "failed" });
        expect(abandoned?.reason).to.match(/^abandoned before signing/);
      } finally {
        await store.close();
      }
      // A's database comes back: its token is stale, so it stays a standby.
      proxy.heal();
      await new Promise((r) => setTimeout(r, 2 * LEASE.renewMs + 500));
      expect(a.lines().some((l) => l.msg === "transaction sent")).to.equal(false);
      expect(
        a.lines().some((l) => l.msg.startsWith("lease taken over") || (l.msg === "lease acquired" && l.time > cutAt)),
      ).to.equal(false);
    } finally {
      a.run.child.kill("SIGTERM");
      b?.run.child.kill("SIGTERM");
      await a.run.done;
      await b?.run.done;
      await rpcA.close();
      await proxy.close();
    }
  });
});

async function advanceSeconds(world: E2eWorld, seconds: number): Promise<void> {
  await world.local.ethers.provider.send("evm_increaseTime", [seconds]);
  await world.local.ethers.provider.send("evm_mine", []);
}
