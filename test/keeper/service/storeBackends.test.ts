/**
 * The same store tests on both backends: SQLite (a temp file) and PostgreSQL (a throwaway
 * server the suite starts: test/helpers/postgresServer.ts; skipped with the reason only when it
 * cannot start). Covers the schema and its migrations, every journal transition a restart or a
 * takeover relies on (pending cycle, one signed order per nonce, transaction order), state,
 * history upserts, rotations' all-or-nothing insert, exchange-rate snapshots, and on PostgreSQL
 * the per-vault leases and the fence of a keeper cut off from the database.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { expect } from "chai";
import { statusCommand } from "../../../keeper/src/cli/commands/status.js";
import { parseKeeperConfig } from "../../../keeper/src/config/keeperConfig.js";
import { DataError, LeaseLostError } from "../../../keeper/src/core/errors.js";
import type { RebalanceOrder } from "../../../keeper/src/execution/indexVault/rebalanceOrder.js";
import { learnLegs, type RouteArm, routeMetrics } from "../../../keeper/src/market/routeBandit.js";
import { KeeperMetrics } from "../../../keeper/src/service/keeperMetrics.js";
import { LeaseLeadership } from "../../../keeper/src/service/leadership/leaseLeadership.js";
import { createLogger } from "../../../keeper/src/service/logger.js";
import type { StatementSink } from "../../../keeper/src/service/store/countedDb.js";
import { KeeperStore } from "../../../keeper/src/service/store/keeperStore.js";
import { LeaseStore } from "../../../keeper/src/service/store/leaseStore.js";
import { forDialect, MIGRATIONS } from "../../../keeper/src/service/store/migrations.js";
import { leaseKey, vaultSchema } from "../../../keeper/src/service/store/openStore.js";
import { numberPlaceholders } from "../../../keeper/src/service/store/postgresDb.js";
import { VenueStore } from "../../../keeper/src/service/store/venueStore.js";
import { expectAbsClose } from "../../helpers/approx.js";
import { runCaptured } from "../../helpers/captureCommand.js";
import { createDatabase, type PostgresServer, startPostgres } from "../../helpers/postgresServer.js";
import { startTcpProxy } from "../../helpers/tcpProxy.js";

const ORDER: RebalanceOrder = {
  assets: ["0x0000000000000000000000000000000000000001", "0x0000000000000000000000000000000000000002"],
  targetWeightsBps: [5000, 5000],
  legs: [{ path: "0xabcd", amountIn: 10n ** 30n, minAmountOut: 123n }],
  nonce: 4n,
  deadline: 2_000_000_000n,
  maxSlippageBps: 50,
  submitter: "0x0000000000000000000000000000000000000003",
};

interface Backend {
  readonly name: string;
  /** A fresh, empty store (its own file or schema). */
  open(): Promise<KeeperStore>;
  /** The same store opened again (another process, or a restart), reporting its statements to `count`. */
  reopen(count?: StatementSink): Promise<KeeperStore>;
}

function storeSuite(backend: () => Backend): void {
  let b: Backend;
  let store: KeeperStore;
  beforeEach(async () => {
    b = backend();
    store = await b.open();
  });
  afterEach(async () => {
    await store.close();
  });

  it("applies every migration once and reopens at the same version", async () => {
    expect(await store.schemaVersion()).to.equal(MIGRATIONS.length);
    await store.close();
    store = await b.reopen();
    expect(await store.schemaVersion()).to.equal(MIGRATIONS.length);
    expect(await store.cycles(10)).to.deep.equal([]);
  });

  it("reports every statement to the store's counter: transactions, failed statements and calls side by side", async () => {
    await store.close();
    let counted = 0;
    store = await b.reopen((n) => {
      expect(n).to.be.greaterThan(0);
      counted += n;
    });
    // Opening checked the migrations: those statements count too.
    expect(counted).to.equal(store.queries).and.to.be.greaterThan(0);
    const before = counted;
    await Promise.all([store.cycles(5), store.state(), store.pendingCycle(), store.navHistory()]);
    const id = await store.beginCycle(1_000, { USDC: 0.5, WETH: 0.5 });
    await store.saveOrder(id, ORDER);
    await store.db.transaction(async (tx) => {
      await tx.get("SELECT COUNT(*) AS n FROM cycles");
    });
    await store.db.get("SELECT no_such_column FROM cycles").catch(() => undefined);
    expect(counted).to.equal(store.queries);
    expect(counted - before).to.be.greaterThan(6);
    // A plain store counts the same statements without reporting them anywhere.
    const plain = await b.reopen();
    try {
      await plain.cycles(5);
      expect(plain.queries).to.be.greaterThan(0);
    } finally {
      await plain.close();
    }
  });

  it("journals a venue cycle per venue: pending record and orders, results by client id, after a reopen", async () => {
    const hl = new VenueStore(store.db, "hyperliquid");
    const id = await hl.begin(1_000, "planned", { BTC: 0.5, SOL: -0.5 });
    const orders = [
      { clientId: "0xc1", symbol: "BTC", side: "buy" as const, size: "0.5", limitPrice: "100500", reduceOnly: false },
      { clientId: "0xc2", symbol: "SOL", side: "sell" as const, size: "250", limitPrice: "199", reduceOnly: false },
    ];
    await hl.recordPending(id, { plan: { planId: "p1" }, nonces: [7] }, orders);
    await hl.setState({ killSwitch: true, targetWeights: { BTC: 0.5 } });
    await hl.recordNav(1_000, 100_000);
    await hl.recordNav(1_000, 99_950);
    await store.close();
    store = await b.reopen();
    const again = new VenueStore(store.db, "hyperliquid");
    const unfinished = await again.unfinished();
    expect(unfinished?.cycle.id).to.equal(id);
    expect(unfinished?.pending).to.deep.equal({ plan: { planId: "p1" }, nonces: [7] });
    expect(await new VenueStore(store.db, "starknet").unfinished(), "another venue's cycle").to.equal(null);
    await again.recordResults(id, [
      {
        order: orders[1] as (typeof orders)[number],
        status: "partial",
        filledSize: "100",
        averagePrice: 199.5,
        venueOrderId: "42",
        reason: null,
      },
    ]);
    await again.update(id, { status: "done", outcome: "partial", finishedAt: 1_010, distanceBps: 300 });
    const stored = await again.orders(id);
    expect(stored.map((o) => o.order.clientId)).to.deep.equal(["0xc1", "0xc2"]);
    expect(stored[0]?.result).to.equal(null);
    expect(stored[1]?.result).to.deep.equal({
      status: "partial",
      filledSize: "100",
      averagePrice: 199.5,
      venueOrderId: "42",
      reason: null,
    });
    expect(await again.ordersWithClientId("0xc2")).to.equal(1);
    expect(await again.unfinished()).to.equal(null);
    expect((await again.cycles(5))[0]).to.include({ status: "done", outcome: "partial", distanceBps: 300 });
    expect((await again.state()).killSwitch).to.equal(true);
    expect((await new VenueStore(store.db, "starknet").state()).killSwitch, "state is per venue").to.equal(false);
    expect(await again.navHistory()).to.deep.equal([{ t: 1_000, navUsd: 99_950 }]);
    expect(await new VenueStore(store.db, "starknet").cycles(5)).to.deep.equal([]);
  });

  it("journals a cycle to signed and submitted, and finds it pending after a reopen", async () => {
    const id = await store.beginCycle(1_000, { USDC: 0.5, WETH: 0.5 });
    await store.saveOrder(id, ORDER);
    await store.updateCycle(id, { nonce: "4", sizing: "predicted cost $1.00" });
    expect(await store.pendingCycle()).to.equal(null);
    expect(await store.signedOrdersForNonce(4n)).to.equal(0);
    await store.saveSignature(id, "0xsig", "0xdigest", 500_000n);
    await store.updateCycle(id, { status: "signed" });
    await store.addTransaction(id, { hash: "0xaa", nonce: 7, maxFeePerGas: 10n, replaces: null }, 1_001);
    await store.addTransaction(id, { hash: "0xbb", nonce: 7, maxFeePerGas: 12n, replaces: "0xaa" }, 1_001);
    // A broadcast recorded twice (a retry after a timeout) is one transaction.
    await store.addTransaction(id, { hash: "0xbb", nonce: 7, maxFeePerGas: 12n, replaces: "0xaa" }, 1_002);
    await store.updateCycle(id, { status: "submitted", txHash: "0xbb" });
    await store.close();
    store = await b.reopen();
    const pending = await store.pendingCycle();
    expect(pending?.cycle.id).to.equal(id);
    expect(pending?.cycle.status).to.equal("submitted");
    expect(pending?.cycle.targetWeights).to.deep.equal({ USDC: 0.5, WETH: 0.5 });
    expect(pending?.pending.order).to.deep.equal(ORDER);
    expect(pending?.pending.signature).to.equal("0xsig");
    expect(pending?.pending.gasLimit).to.equal(500_000n);
    expect(pending?.pending.broadcasts.map((b) => b.hash)).to.deep.equal(["0xaa", "0xbb"]);
    expect((await store.transactions(id)).map((t) => [t.hash, t.txNonce, t.maxFeePerGas])).to.deep.equal([
      ["0xaa", 7, 10n],
      ["0xbb", 7, 12n],
    ]);
    expect(await store.signedOrdersForNonce(4n)).to.equal(1);
    await store.updateCycle(id, { status: "reconciled", outcome: "traded", distanceBps: 12, finishedAt: 1_010 });
    expect(await store.pendingCycle()).to.equal(null);
    expect((await store.status()).lastCycle).to.include({ id, status: "reconciled", outcome: "traded" });
  });

  it("refuses a signed cycle without its signed order, naming the cycle", async () => {
    const id = await store.beginCycle(1_000, {});
    await store.updateCycle(id, { status: "signed" });
    const error = await store.pendingCycle().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(DataError);
    expect((error as Error).message).to.equal(`cycle ${id} is signed without a signed order`);
  });

  it("closes cycles a previous run left before signing, and only those", async () => {
    const planned = await store.beginCycle(1_000, {});
    const simulated = await store.beginCycle(1_001, {});
    await store.updateCycle(simulated, { status: "simulated" });
    const signed = await store.beginCycle(1_002, {});
    await store.saveOrder(signed, ORDER);
    await store.saveSignature(signed, "0xsig", "0xdigest", 1n);
    await store.updateCycle(signed, { status: "signed" });
    expect(await store.abandonUnsigned("abandoned", 2_000)).to.have.members([planned, simulated]);
    expect(await store.cycle(planned)).to.include({ status: "failed", outcome: "failed", reason: "abandoned" });
    expect((await store.cycle(signed))?.status).to.equal("signed");
    expect((await store.pendingCycle())?.cycle.id).to.equal(signed);
    expect(await store.abandonUnsigned("again", 2_001)).to.deep.equal([]);
  });

  it("a new order for a cycle replaces the old one whole, signature included", async () => {
    const id = await store.beginCycle(1_000, {});
    await store.saveOrder(id, ORDER);
    await store.saveSignature(id, "0xsig", "0xdigest", 1n);
    await store.saveOrder(id, { ...ORDER, nonce: 5n });
    expect(await store.signedOrdersForNonce(4n)).to.equal(0);
    expect(await store.signedOrdersForNonce(5n)).to.equal(0);
  });

  it("stores fills beside their predicted and realised costs, in leg order", async () => {
    const id = await store.beginCycle(1_000, {});
    await store.saveOrder(id, ORDER, [
      { side: "sell", sizeUsd: 100, predictedCostBps: 3.5, capped: false } as never,
      { side: "buy", sizeUsd: 90, predictedCostBps: null, capped: true } as never,
    ]);
    const fill = (n: bigint) => ({ tokenIn: "0x01", tokenOut: "0x02", amountIn: n, amountOut: n * 2n, minOut: n });
    await store.addFills(id, [fill(10n ** 25n), fill(7n)], [{ valueInUsd: 100, realisedCostBps: 4.25 } as never]);
    const legs = await store.legs(id);
    expect(
      legs.map((l) => [l.legIndex, l.amountIn, l.predictedCostBps, l.realisedCostBps, l.valueInUsd]),
    ).to.deep.equal([
      [0, (10n ** 25n).toString(), 3.5, 4.25, 100],
      [1, "7", null, null, null],
    ]);
    expect(await store.fillCount(id)).to.equal(2);
  });

  it("records each fill's chosen route and keeps the route arms across a reopen, learning a cycle once", async () => {
    const id = await store.beginCycle(1_000, {});
    const route = {
      id: "sell:0xabcd",
      features: { sizeOverLiquidity: 0.01, volLevel: 2, gasGwei: 0.01 },
      scores: [
        { id: "sell:0xabcd", predictedCostBps: 30, correctionBps: 0, bonusBps: 5, correctedBps: 30, eligible: true },
        { id: "sell:0xef01", predictedCostBps: 32, correctionBps: 0, bonusBps: 5, correctedBps: 32, eligible: true },
      ],
    };
    await store.saveOrder(id, ORDER, [
      {
        asset: 1,
        side: "sell",
        amountIn: 1n,
        sizeUsd: 100,
        wantedUsd: 100,
        predictedCostBps: 30,
        analyticCostBps: 30,
        capped: false,
        route,
      },
    ]);
    const fill = { tokenIn: "0x01", tokenOut: "0x02", amountIn: 1n, amountOut: 2n, minOut: 1n };
    await store.addFills(id, [fill], [{ valueInUsd: 100, realisedCostBps: 45 }]);
    expect((await store.legs(id)).map((l) => l.route)).to.deep.equal(["sell:0xabcd"]);
    expect((await store.legPlans(id))[0]?.route).to.deep.equal(route);
    const legs = [
      { route: route.id, features: route.features, scores: route.scores, predictedCostBps: 30, realisedCostBps: 45 },
    ];
    expect(await store.routeStore.learn(id, 2_000, (arms) => learnLegs(arms, legs))).to.equal(true);
    await store.close();
    store = await b.reopen();
    // A cycle that finishes again (resumed) teaches nothing twice.
    expect(await store.routeStore.learn(id, 3_000, (arms) => learnLegs(arms, legs))).to.equal(false);
    const arms = await store.routeStore.arms();
    expect([...arms.keys()]).to.deep.equal(["sell:0xabcd"]);
    const metrics = routeMetrics("sell:0xabcd", arms.get("sell:0xabcd") as RouteArm);
    // Regret: realised 45 against the other route's expected 32.
    expect(metrics).to.deep.equal({
      route: "sell:0xabcd",
      picks: 1,
      updates: 1,
      meanErrorBps: 15,
      meanAbsErrorBps: 15,
      regretBps: 13,
    });
  });

  it("keeps the analytic cost beside a refitted prediction; refits read the analytic one", async () => {
    const id = await store.beginCycle(1_000, {});
    await store.saveOrder(id, ORDER, [
      { side: "sell", sizeUsd: 100, predictedCostBps: 41.5, analyticCostBps: 3.5, capped: false } as never,
      { side: "buy", sizeUsd: 90, predictedCostBps: 6, analyticCostBps: null, capped: false } as never,
    ]);
    expect((await store.legPlans(id)).map((p) => [p.predictedCostBps, p.analyticCostBps])).to.deep.equal([
      [41.5, 3.5],
      [6, null],
    ]);
    const fill = (n: bigint) => ({ tokenIn: "0x01", tokenOut: "0x02", amountIn: n, amountOut: n, minOut: n });
    const cost = { valueInUsd: 100, realisedCostBps: 40 };
    await store.addFills(id, [fill(1n), fill(2n)], [cost, cost]);
    expect((await store.legs(id)).map((l) => [l.predictedCostBps, l.analyticCostBps, l.realisedCostBps])).to.deep.equal(
      [
        [41.5, 3.5, 40],
        [6, null, 40],
      ],
    );
    // A leg without an analytic cost cannot be fitted on: it is left out of the refit's fills.
    expect((await store.costedLegs(10)).map((l) => l.amountIn)).to.deep.equal(["1"]);
  });

  it("reads a leg plan stored before recalibration (no analytic cost) as analytic", async () => {
    const id = await store.beginCycle(1_000, {});
    await store.saveOrder(id, ORDER, []);
    await store.db.run("UPDATE orders SET leg_plans = ? WHERE cycle_id = ?", [
      JSON.stringify([{ side: "sell", sizeUsd: 100, predictedCostBps: 3.5, capped: false }]),
      id,
    ]);
    expect((await store.legPlans(id))[0]?.analyticCostBps).to.equal(3.5);
  });

  it("keeps state as JSON, one upsert per patch, and redacts the RPC URL", async () => {
    await store.setState({
      running: true,
      currentWeights: { WETH: 0.25 },
      activeRpcUrl: "https://x.io/v2/abc123def456ghi789jkl",
    });
    await store.setState({ running: false, holdReason: "waiting" });
    const s = await store.state();
    expect(s).to.include({ running: false, holdReason: "waiting", activeRpcUrl: "https://x.io/v2/***" });
    expect(s.currentWeights).to.deep.equal({ WETH: 0.25 });
    expect(s.killSwitch).to.equal(false);
  });

  it("upserts NAV, composition and baselines by time, and reads them in order", async () => {
    await store.recordNav({ t: 20, navPerShare: 1.1, navUsd: 110, benchmark: null });
    await store.recordNav({ t: 10, navPerShare: 1, navUsd: 100, benchmark: 1 });
    await store.recordNav({ t: 20, navPerShare: 1.2, navUsd: 120, benchmark: 1.05 });
    await store.recordComposition(10, { WETH: 1 });
    await store.recordComposition(10, { WETH: 0.5, WBTC: 0.5 });
    await store.recordBaseline("ETH", 10, 1);
    await store.recordBaseline("ETH", 10, 1.01);
    expect(await store.navHistory()).to.deep.equal([
      { t: 10, navPerShare: 1, navUsd: 100, benchmark: 1 },
      { t: 20, navPerShare: 1.2, navUsd: 120, benchmark: 1.05 },
    ]);
    expect(await store.compositionHistory()).to.deep.equal([{ t: 10, weights: { WETH: 0.5, WBTC: 0.5 } }]);
    expect((await store.baselines()).ETH?.map((p) => p.navPerShare)).to.deep.equal([1.01]);
  });

  it("records a rotation with its steps in one transaction, or nothing when a step fails", async () => {
    const plan = { keep: ["WETH"], remove: ["ARB"], add: ["PENDLE"], rejected: [] };
    const id = await store.rotationStore.create(
      100,
      ["WETH", "PENDLE"],
      plan,
      [{ kind: "add", symbol: "PENDLE", token: "0x04", status: "pending", callData: "0x" }],
      "in-progress",
      null,
    );
    await store.rotationStore.updateStep((await store.rotationStore.active())?.steps[0]?.id ?? -1, 101, {
      status: "scheduled",
      readyAt: 200,
    });
    const bad = await store.rotationStore
      .create(
        300,
        [],
        plan,
        [{ kind: "add", symbol: "X", token: null as never, status: "pending", callData: null }],
        "in-progress",
        null,
      )
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(bad, "a NOT NULL step fails the whole rotation").to.be.instanceOf(Error);
    const rotations = await store.rotations(10);
    expect(rotations.map((r) => r.id)).to.deep.equal([id]);
    expect(rotations[0]?.steps.map((s) => [s.status, s.readyAt])).to.deep.equal([["scheduled", 200]]);
    expect(await store.rotationStore.lastStartedAt()).to.equal(100);
    await store.rotationStore.finish(id, 400, "done");
    expect(await store.rotationStore.active()).to.equal(null);
  });

  it("keeps exchange-rate snapshots per asset and time, and spans them first to last after a reopen", async () => {
    await store.yieldStore.record([
      { asset: "WSTETH", t: 2_592_100, rate: 1.21, source: "a" },
      { asset: "RETH", t: 100, rate: 1.1, source: "r" },
      // A rate that is not positive is never stored.
      { asset: "RETH", t: 150, rate: 0, source: "r" },
    ]);
    await store.yieldStore.record([{ asset: "WSTETH", t: 100, rate: 1.2, source: "a" }]);
    // The same time again replaces the reading.
    await store.yieldStore.record([{ asset: "WSTETH", t: 2_592_100, rate: 1.22, source: "b" }]);
    await store.close();
    store = await b.reopen();
    expect(await store.yieldStore.spans()).to.deep.equal([
      {
        asset: "RETH",
        first: { asset: "RETH", t: 100, rate: 1.1, source: "r" },
        last: { asset: "RETH", t: 100, rate: 1.1, source: "r" },
        snapshots: 1,
      },
      {
        asset: "WSTETH",
        first: { asset: "WSTETH", t: 100, rate: 1.2, source: "a" },
        last: { asset: "WSTETH", t: 2_592_100, rate: 1.22, source: "b" },
        snapshots: 2,
      },
    ]);
    const plan = {
      strategy: "s",
      assets: [
        { asset: "WSTETH", source: "prior", pool: null, apy: 0.04, rewardHaircut: null, asOf: 1, accrual: "price" },
      ],
    } as const;
    await store.setState({ yieldPlan: plan });
    const view = await store.yields();
    // Not chai's closeTo: the ethers matchers replace it with a bigint-only version.
    expectAbsClose(
      view.assets[0]?.realised,
      Math.expm1((Math.log(1.22 / 1.2) * 365 * 86_400) / (30 * 86_400)),
      1e-12,
      "realised yield",
    );
  });

  it("counts the statements it sends", async () => {
    const before = store.queries;
    await store.setState({ running: true, dryRun: false });
    await store.cycles(1);
    expect(store.queries - before).to.equal(2);
  });
}

describe("service/store backends", function () {
  this.timeout(60_000);

  describe("SQLite", () => {
    storeSuite(() => {
      const path = join(mkdtempSync(join(tmpdir(), "ballast-backend-")), "keeper.sqlite");
      return { name: "sqlite", open: () => KeeperStore.open(path), reopen: (count) => KeeperStore.open(path, count) };
    });
  });

  describe("PostgreSQL", () => {
    let server: PostgresServer | null = null;
    let url = "";
    let schemas = 0;
    before(async function () {
      this.timeout(60_000);
      const started = await startPostgres();
      if (typeof started === "string") {
        console.log(`      skipped: ${started}`);
        this.skip();
      }
      server = started as PostgresServer;
      url = await createDatabase(server, "backends");
    });
    after(async () => {
      await server?.stop();
    });
    const openAt = (schema: string, count?: StatementSink) =>
      KeeperStore.openPostgres({ url, schema, timeoutMs: 5_000 }, count);

    storeSuite(() => {
      const schema = `vault_test_${++schemas}`;
      return { name: "postgres", open: () => openAt(schema), reopen: (count) => openAt(schema, count) };
    });

    it("keepers starting together migrate a new schema once", async () => {
      const stores = await Promise.all([1, 2, 3].map(() => openAt("vault_race")));
      for (const s of stores) expect(await s.schemaVersion()).to.equal(MIGRATIONS.length);
      const rows = await stores[0]?.db.all("SELECT version FROM schema_migrations ORDER BY version");
      expect(rows?.map((r) => Number(r.version))).to.deep.equal(MIGRATIONS.map((_m, i) => i + 1));
      await Promise.all(stores.map((s) => s.close()));
    });

    it("keeps each vault's journal in its own schema", async () => {
      const a = await openAt("vault_a");
      const c = await openAt("vault_c");
      await a.beginCycle(1, {});
      expect(await a.cycles(10)).to.have.length(1);
      expect(await c.cycles(10)).to.have.length(0);
      await a.close();
      await c.close();
    });

    it("an unreachable server is a DataError within the timeout, with the password redacted", async () => {
      const started = Date.now();
      const error = await KeeperStore.openPostgres({
        url: "postgres://ballast:hunter2@127.0.0.1:1/postgres",
        schema: "vault_x",
        timeoutMs: 1_000,
      }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(DataError);
      expect((error as Error).message).to.match(/^PostgreSQL (connection|query) failed/);
      expect((error as Error).message).to.not.include("hunter2");
      expect(Date.now() - started).to.be.below(5_000);
    });

    it("`keeper status --config` reads the vault's journal and lease from PostgreSQL, URL redacted", async () => {
      const dir = mkdtempSync(join(tmpdir(), "ballast-status-"));
      const input = {
        rpcUrls: ["http://127.0.0.1:8545"],
        chainId: 42161,
        vault: `0x${"ab".repeat(20)}`,
        tokens: [
          { symbol: "USDC", address: `0x${"22".repeat(20)}`, decimals: 6 },
          { symbol: "WETH", address: `0x${"33".repeat(20)}`, decimals: 18 },
        ],
        dataDir: join(dir, "no-such-dir"),
        store: { url: url.replace("postgres://ballast@", "postgres://ballast:pw0rdXYZ@") },
      };
      const config = parseKeeperConfig(input);
      const seeded = await openAt(vaultSchema(config));
      const id = await seeded.beginCycle(1_000, {});
      await seeded.updateCycle(id, { status: "reconciled", outcome: "traded" });
      await new LeaseStore(seeded.db).acquire(leaseKey(config), "host-a:1:abc", 60_000);
      await seeded.close();
      const path = join(dir, "keeper.json");
      writeFileSync(path, JSON.stringify(input));
      const res = await runCaptured(statusCommand, ["--config", path]);
      expect(res.code, res.err).to.equal(0);
      const shown = JSON.parse(res.out) as { cycles: { id: number }[]; lease: { holder: string; token: number } };
      expect(shown.cycles.map((c) => c.id)).to.deep.equal([id]);
      expect(shown.lease).to.include({ holder: "host-a:1:abc", token: 1 });
      expect(res.out + res.err).to.not.include("pw0rdXYZ");
    });

    describe("leases", () => {
      let store: KeeperStore;
      let leases: LeaseStore;
      beforeEach(async () => {
        store = await openAt(`vault_lease_${++schemas}`);
        leases = new LeaseStore(store.db);
      });
      afterEach(async () => {
        await store.close();
      });

      it("one holder at a time; a new holder only after expiry, with the next fencing token", async () => {
        const alice = await leases.acquire("v", "alice", 300);
        expect(alice?.token).to.equal(1);
        expect(await leases.acquire("v", "bob", 300), "bob while alice holds").to.equal(null);
        expect((await leases.renew("v", "alice", 1, 300))?.holder).to.equal("alice");
        await new Promise((r) => setTimeout(r, 400));
        const bob = await leases.acquire("v", "bob", 300);
        expect(bob).to.include({ holder: "bob", token: 2 });
        // Alice comes back: her token is stale, her renewal refused.
        expect(await leases.renew("v", "alice", 1, 300)).to.equal(null);
        expect(await leases.acquire("v", "alice", 300)).to.equal(null);
        // Bob stops gracefully: the lease is free at once, and the token still grows.
        await leases.release("v", "bob", 2);
        expect(await leases.acquire("v", "alice", 300)).to.include({ holder: "alice", token: 3 });
        expect(await leases.acquire("w", "bob", 300), "another vault's lease is separate").to.include({ token: 1 });
      });

      it("of two keepers racing for a free lease exactly one wins", async () => {
        const got = await Promise.all(["a", "b", "c", "d"].map((h) => leases.acquire("race", h, 5_000)));
        expect(got.filter((g) => g !== null)).to.have.length(1);
      });
    });

    it("a holder cut off from the database stops signing before its lease can pass on", async () => {
      if (!server) return;
      const proxy = await startTcpProxy(server.port);
      const viaProxy = url.replace(`:${server.port}/`, `:${proxy.port}/`);
      const settings = { ttlMs: 2_000, renewMs: 200, marginMs: 600 };
      const lines: string[] = [];
      const logger = createLogger({
        level: "info",
        destination: new Writable({
          write(chunk: Buffer, _e, done) {
            lines.push(chunk.toString());
            done();
          },
        }),
      });
      const aStore = await KeeperStore.openPostgres({ url: viaProxy, schema: "vault_fence", timeoutMs: 500 });
      const bStore = await openAt("vault_fence");
      const aMetrics = new KeeperMetrics();
      const a = new LeaseLeadership({
        leases: new LeaseStore(aStore.db),
        vault: "v",
        self: "a",
        settings,
        logger,
        metrics: aMetrics,
      });
      const b = new LeaseLeadership({
        leases: new LeaseStore(bStore.db),
        vault: "v",
        self: "b",
        settings,
        logger,
        metrics: new KeeperMetrics(),
      });
      let bLeads = 0;
      await a.start(() => undefined);
      await b.start(() => bLeads++);
      try {
        expect(a.isLeader()).to.equal(true);
        expect(b.isLeader()).to.equal(false);
        await a.fence("sign");
        proxy.cut();
        const cutAt = Date.now();
        const error = await a.fence("sign").then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).to.be.instanceOf(LeaseLostError);
        expect((error as Error).message).to.match(/database unreachable.*will not sign/);
        const refusedAt = Date.now();
        expect(a.isLeader()).to.equal(false);
        // The standby takes over only after the lease expired: after A had stopped signing.
        while (bLeads === 0) await new Promise((r) => setTimeout(r, 50));
        const tookOverAt = Date.now();
        expect(refusedAt, "A refused before B took over").to.be.below(tookOverAt);
        expect(tookOverAt - cutAt).to.be.within(settings.ttlMs - settings.renewMs - 500, settings.ttlMs + 2_000);
        expect(b.view()).to.include({ role: "leader", holder: "b", token: 2 });
        await b.fence("sign");
        expect(lines.some((l) => l.includes("lease lost: this keeper stops signing"))).to.equal(true);
        expect(lines.some((l) => l.includes("lease taken over"))).to.equal(true);
        expect(await aMetrics.render()).to.match(/^keeper_lease_lost_total 1$/m);
        // A heals: its old token is refused; it stays a standby while B renews.
        proxy.heal();
        await new Promise((r) => setTimeout(r, 600));
        expect(a.isLeader()).to.equal(false);
        expect(a.view().holder).to.equal("b");
      } finally {
        await a.stop();
        await b.stop();
        await aStore.close();
        await bStore.close();
        await proxy.close();
      }
    });
  });
});

describe("service/store dialects", () => {
  it("maps SQLite's types to PostgreSQL's and numbers placeholders", () => {
    expect(forDialect("postgres", "id INTEGER PRIMARY KEY AUTOINCREMENT, t INTEGER, x REAL")).to.equal(
      "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, t BIGINT, x DOUBLE PRECISION",
    );
    expect(forDialect("sqlite", "t INTEGER")).to.equal("t INTEGER");
    expect(numberPlaceholders("UPDATE t SET a = ?, b = ? WHERE c = ?")).to.equal(
      "UPDATE t SET a = $1, b = $2 WHERE c = $3",
    );
  });
});
