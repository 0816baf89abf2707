import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { ConfigError } from "../../keeper/src/core/errors.js";
import { movePoolToPrice } from "../../keeper/src/devchain/arbitrumLocal.js";
import { startRpcServer } from "../../keeper/src/devchain/rpcServer.js";
import { configFor, EQUAL, fixedOracle, keeperFor, SIGNER_KEY, SUBMITTER_KEY, useWorld } from "./harness.js";

describe("e2e: keeper faults", () => {
  const h = useWorld();

  it("resumes a cycle killed between signing and confirmation without wasting a nonce", async () => {
    const crash = new Error("simulated crash after signing");
    const first = await keeperFor(
      h.world,
      fixedOracle(() => EQUAL),
      {
        hooks: {
          afterSigned: async () => {
            throw crash;
          },
        },
      },
    );
    const dataDir = first.keeper.deps.config.dataDir;
    let thrown: unknown;
    try {
      await first.keeper.tick();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).to.equal(crash);
    const pending = await first.keeper.store.pendingCycle();
    expect(pending?.cycle.status).to.equal("signed");
    await first.keeper.close();
    expect(await h.world.deployed.vault.rebalanceNonce()).to.equal(0n);

    // A new process on the same data directory: resumes the same signed order, signs nothing new.
    const second = await keeperFor(
      h.world,
      fixedOracle(() => EQUAL),
      { dataDir },
    );
    const resumed = await second.keeper.resumePending();
    expect(resumed?.id).to.equal(pending?.cycle.id);
    expect(resumed?.status, resumed?.reason ?? "").to.equal("reconciled");
    expect(await h.world.deployed.vault.rebalanceNonce()).to.equal(1n);
    expect(await second.keeper.store.signedOrdersForNonce(0n)).to.equal(1);
    // The next tick does not rebalance again (the resumed cycle counts as the last rebalance).
    expect(await second.keeper.tick()).to.equal(null);
    await second.keeper.close();
  });

  it("resumes a submitted transaction that was still pending when the keeper died", async () => {
    const provider = h.world.local.ethers.provider;
    const first = await keeperFor(
      h.world,
      fixedOracle(() => EQUAL),
      {
        config: {
          gas: { maxFeePerGasGwei: 50, stuckAfterMs: 60_000, pollMs: 50, waitTimeoutMs: 400, maxReplacements: 0 },
        },
      },
    );
    const dataDir = first.keeper.deps.config.dataDir;
    await provider.send("evm_setAutomine", [false]);
    const cycle = await first.keeper.tick().catch((error: unknown) => error);
    expect(cycle).to.be.instanceOf(Error);
    expect((await first.keeper.store.pendingCycle())?.cycle.status).to.equal("submitted");
    await first.keeper.close();
    await provider.send("evm_mine", []);
    await provider.send("evm_setAutomine", [true]);
    const second = await keeperFor(
      h.world,
      fixedOracle(() => EQUAL),
      { dataDir },
    );
    const resumed = await second.keeper.resumePending();
    expect(resumed?.status, resumed?.reason ?? "").to.equal("reconciled");
    expect(await second.keeper.store.transactions(resumed?.id ?? -1)).to.have.length(1);
    expect(await h.world.deployed.vault.rebalanceNonce()).to.equal(1n);
    await second.keeper.close();
  });

  it("fails over from a dead RPC URL to a live one and reports the active URL", async () => {
    const dead = await startRpcServer({ request: async () => 0 });
    const deadUrl = dead.url;
    await dead.close();
    const { keeper, lines } = await keeperFor(
      h.world,
      fixedOracle(() => EQUAL),
      {
        config: { rpcUrls: [deadUrl, h.world.server.url] },
      },
    );
    const cycle = await keeper.tick();
    expect(cycle?.status, cycle?.reason ?? "").to.equal("reconciled");
    expect((await keeper.store.state()).activeRpcUrl).to.equal(h.world.server.url);
    expect(lines.some((l) => l.includes("rpc failover"))).to.equal(true);
    // Each failed attempt on the dead URL is an RPC error; moving off it is one failover.
    const metrics = await keeper.deps.metrics.render();
    expect(metrics).to.match(/^keeper_rpc_failovers_total 1$/m);
    expect(Number(/^keeper_rpc_errors_total (\d+)$/m.exec(metrics)?.[1])).to.be.at.least(2);
    await keeper.close();
  });

  it("reports a sandwiched order's decoded revert and retries safely on the next cycle", async () => {
    const pool = h.world.local.pools.find((p) => p.key === "ARB/USDC/500");
    if (!pool) throw new Error("pool");
    let sandwich = true;
    const { keeper } = await keeperFor(
      h.world,
      fixedOracle(() => EQUAL),
      {
        hooks: {
          beforeSubmit: async () => {
            if (!sandwich) return;
            // Push ARB 30% up right before the order lands: buying ARB now costs far more than the oracle says.
            const usd = { ARB: 1.3, USDC: 1 };
            await movePoolToPrice(
              h.world.local,
              pool,
              pool.token0 === "ARB" ? usd.ARB : usd.USDC,
              pool.token0 === "ARB" ? usd.USDC : usd.ARB,
            );
          },
        },
      },
    );
    const failed = await keeper.tick();
    expect(failed?.status).to.equal("failed");
    expect(failed?.txHash).to.match(/^0x[0-9a-f]{64}$/);
    expect(failed?.reason).to.match(
      /transaction reverted: .*(Too little received|NavLossTooHigh|WeightOutOfTolerance).*; order 0 cancelled/,
    );
    // The reverted order is public now: the keeper cancelled it (M-2), so nonce 0 is dead.
    expect(await h.world.deployed.vault.rebalanceNonce()).to.equal(1n);
    // The pool returns to the oracle price; the next cycle signs a fresh order for the next nonce.
    sandwich = false;
    await movePoolToPrice(h.world.local, pool, 1, 1);
    const retried = await keeper.tick();
    expect(retried?.status, retried?.reason ?? "").to.equal("reconciled");
    expect(retried?.nonce).to.equal("1");
    expect(await h.world.deployed.vault.rebalanceNonce()).to.equal(2n);
    await keeper.close();
  });

  it("replaces a stuck transaction with a higher fee, within the cap", async () => {
    const provider = h.world.local.ethers.provider;
    const { keeper } = await keeperFor(
      h.world,
      fixedOracle(() => EQUAL),
      {
        config: {
          gas: { maxFeePerGasGwei: 50, stuckAfterMs: 300, pollMs: 50, waitTimeoutMs: 20_000, maxReplacements: 3 },
        },
      },
    );
    await provider.send("evm_setAutomine", [false]);
    const running = keeper.tick();
    // Mine only once the keeper has replaced its first transaction.
    let cycleId = -1;
    for (let i = 0; i < 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const last = (await keeper.store.cycles(1))[0];
      if (last && (await keeper.store.transactions(last.id)).length >= 2) {
        cycleId = last.id;
        break;
      }
    }
    expect(cycleId).to.be.greaterThan(0);
    await provider.send("evm_mine", []);
    const cycle = await running;
    await provider.send("evm_setAutomine", [true]);
    expect(cycle?.status, cycle?.reason ?? "").to.equal("reconciled");
    const txs = await keeper.store.transactions(cycleId);
    expect(txs[1]?.replaces).to.equal(txs[0]?.hash);
    expect(txs[1]?.txNonce).to.equal(txs[0]?.txNonce);
    expect((txs[1]?.maxFeePerGas ?? 0n) > (txs[0]?.maxFeePerGas ?? 0n)).to.equal(true);
    expect(txs.every((t) => t.maxFeePerGas <= 50_000_000_000n)).to.equal(true);
    expect(txs.map((t) => t.hash)).to.include(cycle?.txHash);
    await keeper.close();
  });

  it("rejects a bad config with a clear error before anything is sent", async () => {
    const before = await h.world.local.ethers.provider.getBlockNumber();
    let error: unknown;
    try {
      await keeperFor(
        h.world,
        fixedOracle(() => EQUAL),
        { config: { rpcUrls: ["not a url"], vault: "0x1234" } },
      );
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ConfigError);
    expect(String((error as Error).message))
      .to.include("rpcUrls.0")
      .and.to.include("vault");
    // A wrong signer key for this vault is caught by the preflight (reads only).
    const wrong = await keeperFor(
      h.world,
      fixedOracle(() => EQUAL),
      {},
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(wrong).to.equal(null);
    const { openKeeper } = await import("../../keeper/src/cli/commands/openKeeper.js");
    const { parseKeeperConfig } = await import("../../keeper/src/config/keeperConfig.js");
    const { createLogger } = await import("../../keeper/src/service/logger.js");
    const mismatch = await openKeeper(parseKeeperConfig(configFor(h.world)), {
      oracle: fixedOracle(() => EQUAL),
      logger: createLogger({ level: "silent" }),
      env: { BALLAST_KEEPER_KEY: `0x${"77".repeat(32)}`, BALLAST_SUBMITTER_KEY: SUBMITTER_KEY },
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(mismatch).to.be.instanceOf(ConfigError);
    expect(String((mismatch as Error).message)).to.include("keeper signer");
    expect(String((mismatch as Error).message)).not.to.include("77".repeat(32));
    expect(await h.world.local.ethers.provider.getBlockNumber()).to.equal(before);
  });

  it("stops every cycle while the kill file exists and never logs the keys", async () => {
    const { keeper, lines } = await keeperFor(
      h.world,
      fixedOracle(() => EQUAL),
    );
    writeFileSync(join(keeper.deps.config.dataDir, "KILL"), "");
    expect(await keeper.tick()).to.equal(null);
    expect((await keeper.triggerRebalance()).accepted).to.equal(false);
    expect((await keeper.store.status()).killSwitch).to.equal(true);
    expect(await h.world.deployed.vault.rebalanceNonce()).to.equal(0n);
    const all = lines.join("");
    expect(all).not.to.include(SIGNER_KEY.slice(2));
    expect(all).not.to.include(SUBMITTER_KEY.slice(2));
    await keeper.close();
  });
});
