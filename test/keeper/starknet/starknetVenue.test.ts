import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { RpcProvider, Signer } from "starknet";
import { parseStarknetConfig, type StarknetConfig } from "../../../keeper/src/config/starknetConfig.js";
import {
  ConfigError,
  DataError,
  InvalidInputError,
  ProviderError,
  WeightsRefusedError,
} from "../../../keeper/src/core/errors.js";
import type { OrderResult, VenueJournal } from "../../../keeper/src/core/venue.js";
import { LOCAL_STARKNET, proofStateStarknet, type StarknetLocal } from "../../../keeper/src/devchain/starknetLocal.js";
import { OracleHold } from "../../../keeper/src/execution/portfolioManager.js";
import { openStarknetVenue } from "../../../keeper/src/execution/starknet/openStarknetVenue.js";
import { oracleTargets } from "../../../keeper/src/execution/starknet/oracleTargets.js";
import { FileStarknetJournal, type StarknetPending } from "../../../keeper/src/execution/starknet/starknetJournal.js";
import { type StarknetRpc, StarknetVenue } from "../../../keeper/src/execution/starknet/starknetVenue.js";
import { PROOF_STATE, planForProof } from "../../../scripts/starknet/planProofSource.js";
import { expectAbsClose } from "../../helpers/approx.js";

const E18 = 10n ** 18n;
/** Keira, the keeper account; Olga, an owner who is not the keeper. */
const {
  vault: VAULT,
  weth: WETH,
  wsteth: WSTETH,
  reth: RETH,
  exchange: EXCHANGE,
  keeper: KEIRA,
  keeperKey: KEIRA_KEY,
} = LOCAL_STARKNET;
const OLGA = "0x4002";
const T0 = 1_700_000_000;
const TARGET = { WETH: 0.2, WSTETH: 0.25, RETH: 0.55 };

function node(owner: string, targetBps: number[] = [10_000, 0, 0]): StarknetLocal {
  // The vault state of the Cairo proof (scripts/starknet/planProof.ts): 100 WETH, 60 wstETH, 10 rETH.
  return proofStateStarknet({ owner, targetBps, time: T0 });
}

function config(rpcUrl: string, overrides: Record<string, unknown> = {}): StarknetConfig {
  return parseStarknetConfig({
    rpcUrl,
    vaultAddress: VAULT,
    accountAddress: KEIRA,
    exchangeAddress: EXCHANGE,
    setTargetsOnChain: true,
    maxSlippageBps: 100,
    assumedCostBps: 5,
    pollIntervalMs: 1,
    confirmTimeoutMs: 50,
    ...overrides,
  });
}

function venueOn(rpcUrl: string, overrides: Record<string, unknown> = {}): StarknetVenue {
  return openStarknetVenue(config(rpcUrl, overrides), { STARKNET_KEEPER_KEY: KEIRA_KEY });
}

/** Records what the venue journals, in memory; `crashOnPending` stops the run right after the record. */
class MemoryJournal implements VenueJournal<StarknetPending> {
  readonly records: StarknetPending[] = [];
  readonly settled: OrderResult[][] = [];
  constructor(private readonly crashOnPending = false) {}
  pending(record: StarknetPending): void {
    this.records.push(record);
    if (this.crashOnPending) throw new Error("crash after recording");
  }
  results(results: readonly OrderResult[]): void {
    this.settled.push([...results]);
  }
}

function weightsOf(local: StarknetLocal): number[] {
  const prices = [300_000_000_000n, 357_000_000_000n, 339_000_000_000n];
  const values = [WETH, WSTETH, RETH].map(
    (t, i) => (local.balanceOf(t, VAULT) * (prices[i] as bigint)) / (prices[0] as bigint),
  );
  const nav = values.reduce((a, b) => a + b, 0n);
  return values.map((v) => Number((v * 10_000n) / nav));
}

describe("Starknet venue against the local JSON-RPC stand-in", () => {
  let local: StarknetLocal;
  let url: string;
  let dir: string;

  async function startNode(owner: string = KEIRA, targetBps?: number[]): Promise<void> {
    local = node(owner, targetBps);
    url = await local.start();
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ballast-starknet-"));
  });

  afterEach(async () => {
    await local?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads the basket and positions from the vault's views, priced by its oracle", async () => {
    await startNode();
    const venue = venueOn(url);
    const universe = await venue.universe();
    expect(universe.map((m) => m.symbol)).to.deep.equal(["WETH", "WSTETH", "RETH"]);
    const account = await venue.positions();
    expect(account.time).to.equal(T0);
    // 100 + 60 * 1.19 + 10 * 1.13 = 182.7 WETH at 3000 USD.
    expectAbsClose(account.navUsd, 548_100, 1e-6, "NAV");
    expect(account.holdings.map((h) => h.size)).to.deep.equal([100, 60, 10]);
    expectAbsClose(account.holdings[1]?.weight, 71.4 / 182.7, 1e-9, "wstETH weight");
  });

  it("rebalances to the oracle's targets in one signed invoke: plan, simulate, sign, submit, confirm, reconcile", async () => {
    await startNode();
    const venue = venueOn(url);
    const snapshot = await venue.snapshot();
    const target = await oracleTargets({ name: "fixed", targetWeights: async () => TARGET }, venue, snapshot);
    const plan = await venue.plan(target, {}, snapshot);
    expect(plan.calls.map((c) => c.entrypoint)).to.deep.equal(["set_target_weights", "rebalance"]);
    expect(plan.orders.map((o) => [o.symbol, o.side])).to.deep.equal([
      ["WSTETH", "sell"],
      ["RETH", "buy"],
    ]);
    // The same swaps the Cairo proof executes against the compiled vault (same state, same targets).
    expect(plan.swaps.map((s) => s.amountIn)).to.deep.equal(planForProof(PROOF_STATE).swaps.map((s) => s.amountIn));
    const sim = await venue.simulate(plan);
    expect(sim.ok, sim.reason ?? "").to.equal(true);
    // 2.3M L2 gas at 3 gwei-fri with starknet.js's overhead, at 0.5 USD per STRK.
    expect(sim.estimatedFeesUsd).to.be.greaterThan(0).and.lessThan(0.05);
    local.requests.clear();
    const journal = new FileStarknetJournal(join(dir, "starknet-pending.json"));
    const result = await venue.execute(plan, journal);
    expect(result.kind, result.reason ?? "").to.equal("executed");
    expect(result.results.map((r) => r.status)).to.deep.equal(["filled", "filled"]);
    expect(local.targetBps()).to.deep.equal([2000, 2500, 5500]);
    const weights = weightsOf(local);
    for (const [i, t] of [2000, 2500, 5500].entries()) expect(Math.abs((weights[i] as number) - t)).to.be.at.most(5);
    expect(local.nonceOf(KEIRA)).to.equal(1n);
    expect(local.transactionCount()).to.equal(1);
    expect(journal.unsettled()).to.equal(null);
    expect(result.navAfterUsd).to.be.lessThan(result.navBeforeUsd as number);
    // Round trips of one execution (estimate, sign, send, confirm, reconcile).
    expect(local.requests.get("starknet_addInvokeTransaction")).to.equal(1);
    expect(local.requests.get("starknet_estimateFee")).to.equal(1);
    expect(local.requests.get("starknet_getNonce")).to.equal(1);
    expect(readFileSync(join(dir, "starknet-pending.json"), "utf8")).not.to.include(KEIRA_KEY.slice(2));
  });

  it("a rotation exit sells the asset in full whatever the target says", async () => {
    await startNode();
    const plan = await venueOn(url).plan(TARGET, { exit: ["RETH"] });
    const sell = plan.swaps.find((s) => s.side === "sell" && s.tokenIn === RETH);
    expect(sell?.amountIn).to.equal(10n * E18);
    expect(plan.targetWeights.RETH).to.equal(0);
  });

  it("refuses an asset the vault does not list", async () => {
    await startNode();
    const venue = venueOn(url);
    const error = await venue.plan({ WETH: 0.5, SFRXETH: 0.5 }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(WeightsRefusedError);
    expect((error as WeightsRefusedError).refusal).to.equal("unknown-asset");
  });

  it("refuses a stale vault price oracle before planning", async () => {
    await startNode();
    local.time = T0 + 3601;
    const error = await venueOn(url)
      .plan(TARGET)
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(DataError);
    expect((error as Error).message).to.match(/ETH\/USD is stale: updated 3601 s ago, the vault accepts 3600 s/);
  });

  it("refuses an LST whose price alone is stale (the vault's quote reverts STALE_PRICE)", async () => {
    await startNode();
    local.prices.set("RETH/USD", { price: 339_000_000_000n, updatedAt: T0 - 7200 });
    const error = await venueOn(url)
      .plan(TARGET)
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(DataError);
    expect((error as Error).message).to.include("RETH/USD is stale");
  });

  it("refuses when the target oracle holds (stale signals): nothing is planned", async () => {
    await startNode();
    const venue = venueOn(url);
    const stale = { name: "signals", targetWeights: async () => new OracleHold("scores are 3 days old") };
    const error = await oracleTargets(stale, venue, await venue.snapshot()).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(DataError);
    expect((error as Error).message).to.include("scores are 3 days old");
  });

  it("refuses a fee whose signed bound is over the cap, and sends nothing", async () => {
    await startNode();
    local.l2GasPrice = 10n ** 13n;
    const venue = venueOn(url, { maxFeeStrk: "5" });
    const plan = await venue.plan(TARGET);
    const sim = await venue.simulate(plan);
    expect(sim.ok).to.equal(false);
    expect(sim.reason).to.match(/fee bound [\d.]+ STRK is above the cap of 5 STRK/);
    const journal = new MemoryJournal();
    const result = await venue.execute(plan, journal);
    expect(result.kind).to.equal("failed");
    expect(journal.records).to.have.length(0);
    expect(local.transactionCount()).to.equal(0);
    expect(local.nonceOf(KEIRA)).to.equal(0n);
  });

  it("refuses a plan whose simulation reverts (a router paying under the vault's minimum), and sends nothing", async () => {
    await startNode();
    local.haircutBps = 150n;
    const venue = venueOn(url);
    const plan = await venue.plan(TARGET);
    const sim = await venue.simulate(plan);
    expect(sim.ok).to.equal(false);
    expect(sim.reason).to.include("Insufficient tokens received");
    const journal = new MemoryJournal();
    expect((await venue.execute(plan, journal)).kind).to.equal("failed");
    expect(journal.records).to.have.length(0);
    expect(local.transactionCount()).to.equal(0);
  });

  it("refuses a simulation the vault reverts for its cooldown", async () => {
    await startNode();
    local.lastRebalanceAt = T0 - 60;
    const sim = await venueOn(url).simulate(await venueOn(url).plan(TARGET));
    expect(sim.ok).to.equal(false);
    expect(sim.reason).to.include("COOLDOWN");
  });

  it("without the owner role, refuses oracle targets outside the vault's tolerance of the owner's", async () => {
    await startNode(OLGA, [10_000, 0, 0]);
    const error = await venueOn(url, { setTargetsOnChain: false })
      .plan(TARGET)
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(InvalidInputError);
    expect((error as Error).message).to.include("differ from the vault's by more than its tolerance (200 bps)");
  });

  it("without the owner role, rebalances to targets the owner already set, with no target write", async () => {
    await startNode(OLGA, [2000, 2500, 5500]);
    const venue = venueOn(url, { setTargetsOnChain: false });
    const plan = await venue.plan(TARGET);
    expect(plan.calls.map((c) => c.entrypoint)).to.deep.equal(["rebalance"]);
    expect((await venue.execute(plan, new MemoryJournal())).kind).to.equal("executed");
  });

  describe("resume after a crash never sends a second transaction for the nonce", () => {
    it("crash after recording, before sending: resume finds no such hash, nonce unchanged, sends the same signed bytes", async () => {
      await startNode();
      const venue = venueOn(url);
      const plan = await venue.plan(TARGET);
      const crashing = new MemoryJournal(true);
      await venue.execute(plan, crashing).then(
        () => expect.fail("the run should have crashed"),
        (e: unknown) => expect((e as Error).message).to.equal("crash after recording"),
      );
      expect(local.transactionCount()).to.equal(0);
      const pending = crashing.records[0] as StarknetPending;
      const file = new FileStarknetJournal(join(dir, "pending.json"));
      file.pending(pending);
      // A new process: a fresh venue and the record read back from disk.
      const recorded = file.unsettled() as StarknetPending;
      const result = await venueOn(url).resume(recorded, file);
      expect(result.kind, result.reason ?? "").to.equal("executed");
      expect(local.transactionCount()).to.equal(1);
      expect(local.nonceOf(KEIRA)).to.equal(1n);
      expect(file.unsettled()).to.equal(null);
      // Resuming again finds the accepted hash and sends nothing.
      local.requests.clear();
      expect((await venueOn(url).resume(recorded, new MemoryJournal())).kind).to.equal("executed");
      expect(local.requests.get("starknet_addInvokeTransaction")).to.equal(undefined);
      expect(local.transactionCount()).to.equal(1);
    });

    it("an answer lost after the node accepted: the hash is found, nothing is re-sent", async () => {
      await startNode();
      local.loseNextAnswer("starknet_addInvokeTransaction");
      const venue = venueOn(url);
      const result = await venue.execute(await venue.plan(TARGET), new MemoryJournal());
      expect(result.kind, result.reason ?? "").to.equal("executed");
      expect(local.requests.get("starknet_addInvokeTransaction")).to.equal(1);
      expect(local.transactionCount()).to.equal(1);
    });

    it("a request dropped before the node saw it: the hash is unknown, the same transaction goes again", async () => {
      await startNode();
      local.dropNextRequest("starknet_addInvokeTransaction");
      const venue = venueOn(url);
      const result = await venue.execute(await venue.plan(TARGET), new MemoryJournal());
      expect(result.kind, result.reason ?? "").to.equal("executed");
      expect(local.requests.get("starknet_addInvokeTransaction")).to.equal(2);
      expect(local.transactionCount()).to.equal(1);
      expect(local.nonceOf(KEIRA)).to.equal(1n);
    });

    it("a transaction still pending when confirmation times out stays journalled; resume confirms it without re-sending", async () => {
      await startNode();
      local.acceptAtOnce = false;
      const venue = venueOn(url);
      const journal = new FileStarknetJournal(join(dir, "pending.json"));
      const error = await venue.execute(await venue.plan(TARGET), journal).catch((e: unknown) => e);
      expect((error as Error).message).to.match(/not accepted after 50 ms: it stays in the journal/);
      const recorded = journal.unsettled() as StarknetPending;
      expect(recorded.transactionHash).to.match(/^0x[0-9a-f]+$/);
      local.acceptPending();
      local.requests.clear();
      const result = await venueOn(url).resume(recorded, journal);
      expect(result.kind).to.equal("executed");
      expect(local.requests.get("starknet_addInvokeTransaction")).to.equal(undefined);
      expect(local.transactionCount()).to.equal(1);
    });

    it("the nonce was used by another transaction meanwhile: the recorded one is never sent", async () => {
      await startNode();
      const venue = venueOn(url);
      const plan = await venue.plan(TARGET);
      const crashing = new MemoryJournal(true);
      await venue.execute(plan, crashing).catch(() => undefined);
      const stale = crashing.records[0] as StarknetPending;
      // Another run (an operator by hand) used nonce 0 for its own, different rebalance.
      const other = await venue.plan({ WETH: 0.3, WSTETH: 0.2, RETH: 0.5 });
      expect((await venue.execute(other, new MemoryJournal())).kind).to.equal("executed");
      local.requests.clear();
      const journal = new MemoryJournal();
      const result = await venueOn(url).resume(stale, journal);
      expect(result.kind).to.equal("failed");
      expect(result.reason).to.match(/nonce 0 was used by another transaction/);
      expect(result.results.map((r) => r.status)).to.deep.equal(["unknown", "unknown"]);
      expect(local.requests.get("starknet_addInvokeTransaction")).to.equal(undefined);
      expect(local.transactionCount()).to.equal(1);
      expect(journal.settled).to.have.length(1);
    });

    it("a reverted transaction is recorded as rejected with the vault's reason", async () => {
      await startNode();
      const venue = venueOn(url);
      const plan = await venue.plan(TARGET);
      const crashing = new MemoryJournal(true);
      await venue.execute(plan, crashing).catch(() => undefined);
      // Between signing and sending, the router starts paying under the vault's minimum.
      local.haircutBps = 150n;
      const result = await venueOn(url).resume(crashing.records[0] as StarknetPending, new MemoryJournal());
      expect(result.kind).to.equal("failed");
      expect(result.reason).to.include("Insufficient tokens received");
      expect(result.results.map((r) => r.status)).to.deep.equal(["rejected", "rejected"]);
      // A reverted transaction still consumes its nonce, as on Starknet.
      expect(local.nonceOf(KEIRA)).to.equal(1n);
    });
  });

  it("a dead RPC is a ProviderError that never shows the URL's key", async () => {
    await startNode();
    const venue = venueOn("http://127.0.0.1:9/rpc?apikey=sekret");
    const error = await venue.positions().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ProviderError);
    expect((error as Error).message).not.to.include("sekret");
  });

  it("refuses to resume a record of another vault", async () => {
    await startNode();
    const venue = venueOn(url);
    const crashing = new MemoryJournal(true);
    await venue.execute(await venue.plan(TARGET), crashing).catch(() => undefined);
    const other = venueOn(url, { vaultAddress: "0x1002" });
    const error = await other
      .resume(crashing.records[0] as StarknetPending, new MemoryJournal())
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(InvalidInputError);
    expect(local.transactionCount()).to.equal(0);
  });

  it("the node checks the signature: a transaction signed by another key is refused (55)", async () => {
    await startNode();
    const venue = new StarknetVenue({
      config: config(url),
      rpc: new RpcProvider({ nodeUrl: url }) as unknown as StarknetRpc,
      signer: new Signer("0x1234"),
    });
    const journal = new MemoryJournal();
    const result = await venue.execute(await venue.plan(TARGET), journal);
    expect(result.kind).to.equal("failed");
    expect(result.reason).to.match(/the node refused transaction 0x[0-9a-f]+ \(55\): "invalid signature"/);
    expect(journal.settled[0]?.map((r) => r.status)).to.deep.equal(["rejected", "rejected"]);
    expect(local.transactionCount()).to.equal(0);
    expect(local.nonceOf(KEIRA)).to.equal(0n);
  });
});

describe("Starknet venue config", () => {
  const base = {
    rpcUrl: "https://rpc.example/v0_10?key=secret",
    vaultAddress: VAULT,
    accountAddress: KEIRA,
    exchangeAddress: EXCHANGE,
  };

  it("applies defaults and reads the fee cap as exact STRK", () => {
    const c = parseStarknetConfig({ ...base, maxFeeStrk: "0.25" });
    expect(c.maxFeeStrk).to.equal(25n * 10n ** 16n);
    expect(c.keyEnv).to.equal("STARKNET_KEEPER_KEY");
    expect(parseStarknetConfig(base).maxFeeStrk).to.equal(5n * E18);
  });

  it("lists every problem in one ConfigError", () => {
    expect(() => parseStarknetConfig({ ...base, vaultAddress: "vault", maxFeeStrk: "1e3", extra: 1 }))
      .to.throw(ConfigError)
      .with.property("message")
      .that.matches(/vaultAddress.*maxFeeStrk/s);
  });

  it("names the key variable, never the key, when it is missing or malformed", () => {
    const c = parseStarknetConfig(base);
    expect(() => openStarknetVenue(c, {})).to.throw(ConfigError, /export STARKNET_KEEPER_KEY/);
    const bad = "not-a-key-but-a-secret";
    expect(() => openStarknetVenue(c, { STARKNET_KEEPER_KEY: bad }))
      .to.throw(ConfigError)
      .with.property("message")
      .that.does.not.include(bad);
  });
});
