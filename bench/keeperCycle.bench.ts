/**
 * One keeper cycle for a 10-asset vault (USDC + 9) on the local chain: HTTP round trips to the
 * RPC (counted at the HTTP layer: a JSON-RPC batch is one round trip) and wall time, with no
 * added latency and with 50 ms added to every HTTP request (a remote RPC). Each case starts
 * from the same chain snapshot and runs the first rebalance (plan, pool reads for sizing,
 * simulate, sign, submit, confirm, reconcile) through the keeper's own path, then the next
 * poll, when nothing is due, then a later rebalance of the same keeper (an hour on, to other
 * weights, on pools the first trade moved): the first cycle's pool hints come from the keeper's
 * start-up reads, the later one's from the first cycle (see PoolReadHint). Each case runs three times after one untimed warm-up; the wall
 * time is the median (the machine is shared, so single runs are noisy). Round trips are counted,
 * not timed, and do not vary between runs.
 */
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet } from "ethers";
import { network } from "hardhat";
import { openKeeper } from "../keeper/src/cli/commands/openKeeper.js";
import type { TokenSymbol } from "../keeper/src/config/addressBook.js";
import { parseKeeperConfig } from "../keeper/src/config/keeperConfig.js";
import { parseUnits } from "../keeper/src/core/fixed.js";
import { currentPrices, deployArbitrumLocal, followPrices } from "../keeper/src/devchain/arbitrumLocal.js";
import { deployVault, fundAndDeposit, vaultTokenEntries } from "../keeper/src/devchain/deployVault.js";
import { startRpcServer } from "../keeper/src/devchain/rpcServer.js";
import type { Oracle, Weights } from "../keeper/src/execution/portfolioManager.js";
import { createLogger } from "../keeper/src/service/logger.js";

const BASKET: TokenSymbol[] = ["WETH", "WBTC", "ARB", "LINK", "UNI", "GMX", "WSTETH", "RETH", "PENDLE"];
const SIGNER_KEY = `0x${"5a".repeat(32)}`;
const SUBMITTER_KEY = `0x${"6b".repeat(32)}`;

/** An HTTP proxy in front of the RPC server that counts requests and delays each by `latencyMs`. */
function countingProxy(target: string): {
  server: Server;
  count: () => number;
  calls: () => ReadonlyMap<string, number>;
  reset: (latencyMs: number) => void;
} {
  let requests = 0;
  let latency = 0;
  // JSON-RPC calls by method (a batch of n calls is one round trip and n calls).
  const calls = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests += 1;
      try {
        const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        for (const call of Array.isArray(parsed) ? parsed : [parsed]) {
          const method = String((call as { method?: unknown }).method);
          calls.set(method, (calls.get(method) ?? 0) + 1);
        }
      } catch {
        calls.set("(unparsable)", (calls.get("(unparsable)") ?? 0) + 1);
      }
      const forward = async () => {
        await new Promise((r) => setTimeout(r, latency));
        const answer = await fetch(target, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: Buffer.concat(chunks),
        });
        res.writeHead(answer.status, { "content-type": "application/json" });
        res.end(Buffer.from(await answer.arrayBuffer()));
      };
      forward().catch((error: unknown) => {
        res.writeHead(502);
        res.end(String(error));
      });
    });
  });
  return {
    server,
    count: () => requests,
    calls: () => calls,
    reset: (latencyMs) => {
      requests = 0;
      calls.clear();
      latency = latencyMs;
    },
  };
}

export async function run(): Promise<void> {
  const connection = await network.create("arbitrumLocal");
  const local = await deployArbitrumLocal(connection.ethers);
  const deployed = await deployVault(local, { basket: BASKET, keeperSigner: new Wallet(SIGNER_KEY).address });
  const [, , , , , alice] = await local.ethers.getSigners();
  if (!alice) throw new Error("no depositor account");
  await fundAndDeposit(local, deployed.vault, [alice], parseUnits("500000", 6));
  await local.ethers.provider.send("hardhat_setBalance", [new Wallet(SUBMITTER_KEY).address, "0x56bc75e2d63100000"]);
  const rpc = await startRpcServer({
    request: ({ method, params }) => connection.provider.request({ method, params: params ? [...params] : [] }),
  });
  const proxy = countingProxy(rpc.url);
  await new Promise<void>((r) => proxy.server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
  const equal: Weights = Object.fromEntries(
    deployed.symbols.map((s) => [s, s === "USDC" ? 0.01 : 0.99 / BASKET.length]),
  );
  // The second rebalance (a later cycle of the same keeper) moves to a tilted basket.
  const tilted: Weights = Object.fromEntries(
    deployed.symbols.map((s, i) => [s, s === "USDC" ? 0.01 : (0.99 * (i % 2 === 0 ? 1.1 : 0.9)) / BASKET.length]),
  );
  let target = equal;
  const oracle: Oracle = { name: "equal-then-tilted", targetWeights: async () => target };
  let snapshot = (await local.ethers.provider.send("evm_snapshot", [])) as string;
  try {
    console.log(
      "keeper cycle, 10-asset vault (USDC + 9), first rebalance after start, then a later one (target: at most 5 round trips):",
    );
    const runCase = async (latencyMs: number) => {
      // A snapshot is single-use: revert to it, then take the next one.
      const reverted = (await local.ethers.provider.send("evm_revert", [snapshot])) as boolean;
      if (!reverted) throw new Error("evm_revert failed: the cases would not start from the same state");
      snapshot = (await local.ethers.provider.send("evm_snapshot", [])) as string;
      const config = parseKeeperConfig({
        rpcUrls: [url],
        chainId: Number(local.chainId),
        vault: deployed.address,
        tokens: vaultTokenEntries(local, deployed),
        uniswapFactory: local.uniswap.factory.target as string,
        dataDir: mkdtempSync(join(tmpdir(), "ballast-bench-cycle-")),
        strategy: { maxWeight: 0.5 },
        gas: { maxFeePerGasGwei: 50, priorityFeeGwei: 0.01, stuckAfterMs: 5_000, pollMs: 50 },
      });
      target = equal;
      // Start-up checks are counted too (no added latency): they carry the first cycle's pool hints.
      proxy.reset(0);
      const keeper = await openKeeper(config, {
        oracle,
        logger: createLogger({ level: "silent" }),
        env: { BALLAST_KEEPER_KEY: SIGNER_KEY, BALLAST_SUBMITTER_KEY: SUBMITTER_KEY },
      });
      const startTrips = proxy.count();
      try {
        proxy.reset(latencyMs);
        const started = performance.now();
        const cycle = await keeper.tick();
        const wallMs = performance.now() - started;
        const trips = proxy.count();
        const calls = [...proxy.calls()].sort((a, b) => b[1] - a[1]);
        // The next poll right after: nothing is due (the most common cycle of a running keeper).
        proxy.reset(latencyMs);
        const pollStarted = performance.now();
        const poll = await keeper.tick();
        const pollMs = performance.now() - pollStarted;
        const pollTrips = proxy.count();
        // A later rebalance of the same keeper: past the hour cooldown, to other weights, after the
        // market moved 5% (feeds and pools; every pool is also arbitraged back to its feeds after
        // the first trade moved it).
        await local.ethers.provider.send("evm_increaseTime", [3_601]);
        await local.ethers.provider.send("evm_mine", []);
        const p = await currentPrices(local);
        await followPrices(local, { ...p, WETH: p.WETH * 1.05, WBTC: p.WBTC / 1.05, ARB: p.ARB * 1.05 });
        target = tilted;
        proxy.reset(latencyMs);
        const laterStarted = performance.now();
        const later = await keeper.tick();
        const laterMs = performance.now() - laterStarted;
        const laterTrips = proxy.count();
        const laterCalls = [...proxy.calls()].sort((a, b) => b[1] - a[1]);
        return {
          startTrips,
          laterTrips,
          laterCalls,
          laterMs,
          laterOutcome: `${later?.outcome ?? later?.status ?? "none"} ${later?.reason ?? ""}`,
          trips,
          calls,
          wallMs,
          outcome: cycle?.outcome ?? cycle?.status ?? "none",
          pollTrips,
          pollMs,
          pollOutcome: poll === null ? "nothing due" : (poll.outcome ?? poll.status),
        };
      } finally {
        await keeper.close();
      }
    };
    const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
    const seconds = (ms: number) => (ms / 1000).toFixed(2);
    // One untimed case first: module loading and JIT would otherwise land on the first timed one.
    await runCase(0);
    const REPEATS = 3;
    for (const latencyMs of [0, 50]) {
      const runs = [];
      for (let k = 0; k < REPEATS; k++) runs.push(await runCase(latencyMs));
      const first = runs[0] as Awaited<ReturnType<typeof runCase>>;
      const trips = [...new Set(runs.map((r) => r.trips))].join("/");
      const walls = runs.map((r) => r.wallMs);
      console.log(
        `  +${String(latencyMs).padStart(2)} ms per request: ${trips} HTTP round trips, wall median ${seconds(median(walls))} s (${walls.map(seconds).join(", ")}), outcome ${first.outcome}`,
      );
      const total = first.calls.reduce((s, [, n]) => s + n, 0);
      console.log(`    ${total} JSON-RPC calls: ${first.calls.map(([m, n]) => `${m} ${n}`).join(", ")}`);
      const pollTrips = [...new Set(runs.map((r) => r.pollTrips))].join("/");
      console.log(
        `    next poll (${first.pollOutcome}): ${pollTrips} round trips, wall median ${seconds(median(runs.map((r) => r.pollMs)))} s`,
      );
      const startTrips = [...new Set(runs.map((r) => r.startTrips))].join("/");
      console.log(`    keeper start-up (checks, before the first cycle): ${startTrips} round trips`);
      const laterTrips = [...new Set(runs.map((r) => r.laterTrips))].join("/");
      const laterWalls = runs.map((r) => r.laterMs);
      console.log(
        `    later rebalance (same keeper, an hour on, market moved 5%): ${laterTrips} round trips, wall median ${seconds(median(laterWalls))} s (${laterWalls.map(seconds).join(", ")}), outcome ${first.laterOutcome}`,
      );
      const laterTotal = first.laterCalls.reduce((s, [, n]) => s + n, 0);
      console.log(`      ${laterTotal} JSON-RPC calls: ${first.laterCalls.map(([m, n]) => `${m} ${n}`).join(", ")}`);
    }
  } finally {
    await new Promise((r) => proxy.server.close(r));
    await rpc.close();
    await connection.close();
  }
}
