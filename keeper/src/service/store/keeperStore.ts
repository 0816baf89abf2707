/**
 * The keeper's store: cycles and their state transitions, signed orders, transactions, fills,
 * NAV and composition history, baselines, and the keeper's live state. Every transition is
 * written (and awaited) before the next step starts, which is what makes a restart, or a
 * standby's takeover, in the middle of a cycle safe. It also serves the operator surfaces as
 * the `KeeperReadModel`. The active RPC URL is stored and read redacted.
 *
 * Two backends behind one `SqlDb` interface and the same SQL: SQLite (node:sqlite), the
 * embedded default, owner-only on disk (a data directory it creates is 0700, the database and
 * its WAL and shared-memory files 0600, since it holds signed orders); and PostgreSQL (`pg`),
 * selected by `store.url`, shared by keepers on several machines, one schema per vault.
 */
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { z } from "zod";
import { redactUrl, redactUrlsIn } from "../../config/redactUrl.js";
import { DataError } from "../../core/errors.js";
import type { VenueAccount } from "../../core/venue.js";
import { prepareOwnerOnlyFiles } from "../../data/ownerOnlyFiles.js";
import type { FillCost } from "../../execution/indexVault/fillCost.js";
import { decodePath, type RebalanceOrder } from "../../execution/indexVault/rebalanceOrder.js";
import type { LegPlan, LegRoute } from "../../execution/indexVault/sizeLegs.js";
import type { Fill, PendingOrder } from "../../execution/indexVault/vaultVenue.js";
import type { BroadcastRecord } from "../../execution/txSender.js";
import { type RouteArm, routeMetrics } from "../../market/routeBandit.js";
import {
  type CompositionPoint,
  CYCLE_OUTCOMES,
  type CycleOutcome,
  type CycleRecord,
  type CycleStatus,
  type KeeperReadModel,
  type KeeperStatus,
  type LegRecord,
  type MarketFreshness,
  type NavPoint,
  type RefitView,
  type ReleaseInForce,
  type RetrainRecord,
  type RiskLevel,
  type RotationRecord,
  type RouteView,
  type SteeringStatus,
  type VenueView,
  type YieldPlan,
  type YieldsView,
} from "../readModel.js";
import { yieldsView } from "../yieldsView.js";
import { CountedDb, type StatementSink } from "./countedDb.js";
import { forDialect, MIGRATIONS } from "./migrations.js";
import { PostgresDb, type PostgresOptions } from "./postgresDb.js";
import { RotationStore } from "./rotationStore.js";
import { RouteStore } from "./routeStore.js";
import type { SqlDb } from "./sqlDb.js";
import { SqliteDb } from "./sqliteDb.js";
import { YieldStore } from "./yieldStore.js";

export interface CyclePatch {
  readonly status?: CycleStatus;
  readonly finishedAt?: number | null;
  readonly nonce?: string | null;
  readonly txHash?: string | null;
  readonly reason?: string | null;
  readonly navBefore?: number | null;
  readonly navAfter?: number | null;
  readonly costUsd?: number | null;
  readonly gasUsed?: string | null;
  readonly sizing?: string | null;
  readonly outcome?: CycleOutcome | null;
  readonly distanceBps?: number | null;
}

/** What the store keeps of a planned leg, to set its prediction beside the fill. */
export interface StoredLegPlan {
  readonly side: "sell" | "buy";
  readonly sizeUsd: number;
  readonly predictedCostBps: number | null;
  readonly analyticCostBps: number | null;
  readonly capped: boolean;
  /** The route the bandit chose (route learning), with its features and candidates' scores. */
  readonly route?: LegRoute;
}

/** Live keeper facts the store does not derive from history. */
export interface KeeperState {
  readonly running: boolean;
  readonly killSwitch: boolean;
  readonly dryRun: boolean;
  readonly chainId: number;
  readonly vault: string;
  readonly strategy: string;
  readonly nextRunAt: number | null;
  readonly riskLevel: RiskLevel;
  /** The last cycle's volatility steering; its level is the hysteresis' previous level, across restarts. */
  readonly steering: SteeringStatus | null;
  readonly activeRpcUrl: string;
  readonly currentWeights: Readonly<Record<string, number>>;
  readonly targetWeights: Readonly<Record<string, number>>;
  /** Symbols the last validated target could weight (a rotation changing them triggers a rebalance). */
  readonly targetUniverse: readonly string[] | null;
  /** Chain time the rotation clock starts from (the first tick), until the first rotation. */
  readonly rotationAnchor: number | null;
  /** Why the keeper is not trading now (market guard, vault cooldown); null when it may. */
  readonly holdReason: string | null;
  /** The live market data's last reading (status, dashboard). */
  readonly market: MarketFreshness | null;
  /** The research release in force (status, dashboard). */
  readonly release: ReleaseInForce | null;
  /** The last rotation retrain; a restarted keeper resumes one still running. */
  readonly retrain: RetrainRecord | null;
  /** What the strategy in force counts as yield per asset (/api/yields); null before a keeper wrote it. */
  readonly yieldPlan: YieldPlan | null;
  /** Per asset, why its exchange rate could not be read at the last cycle. */
  readonly yieldRateIssues: Readonly<Record<string, string>>;
  /** The impact refits the last cycle sized with (impact recalibration on; /metrics). */
  readonly impactRefits: readonly RefitView[];
  /** The vault as a venue: its name, where it is, and its account as last read (status `venue`). */
  readonly venueAccount: { readonly name: string; readonly describes: string; readonly account: VenueAccount } | null;
  /** The legs of the last cycle that planned an order, as venue-neutral orders with how each ended. */
  readonly venueOrders: { readonly cycleId: number; readonly orders: VenueView["lastOrders"] } | null;
}

const DEFAULT_STATE: KeeperState = {
  running: false,
  killSwitch: false,
  dryRun: false,
  chainId: 0,
  vault: "",
  strategy: "",
  nextRunAt: null,
  riskLevel: "medium",
  steering: null,
  activeRpcUrl: "",
  currentWeights: {},
  targetWeights: {},
  targetUniverse: null,
  rotationAnchor: null,
  holdReason: null,
  market: null,
  release: null,
  retrain: null,
  yieldPlan: null,
  yieldRateIssues: {},
  impactRefits: [],
  venueAccount: null,
  venueOrders: null,
};

const COLUMN: Readonly<Record<keyof CyclePatch, string>> = {
  status: "status",
  finishedAt: "finished_at",
  nonce: "nonce",
  txHash: "tx_hash",
  reason: "reason",
  navBefore: "nav_before",
  navAfter: "nav_after",
  costUsd: "cost_usd",
  gasUsed: "gas_used",
  sizing: "sizing",
  outcome: "outcome",
  distanceBps: "distance_bps",
};

const cycleRow = z.object({
  id: z.number(),
  started_at: z.number(),
  finished_at: z.number().nullable(),
  status: z.string(),
  nonce: z.string().nullable(),
  tx_hash: z.string().nullable(),
  reason: z.string().nullable(),
  nav_before: z.number().nullable(),
  nav_after: z.number().nullable(),
  cost_usd: z.number().nullable(),
  gas_used: z.string().nullable(),
  target_weights: z.string(),
  sizing: z.string().nullable(),
  outcome: z.enum(CYCLE_OUTCOMES).nullable(),
  distance_bps: z.number().nullable(),
});

const legPlansJson = z.array(
  z.object({
    side: z.enum(["sell", "buy"]),
    sizeUsd: z.number(),
    predictedCostBps: z.number().nullable(),
    // Absent from plans stored before impact recalibration, which were all analytic.
    analyticCostBps: z.number().nullable().optional(),
    capped: z.boolean(),
    route: z
      .object({
        id: z.string(),
        features: z.object({ sizeOverLiquidity: z.number(), volLevel: z.number(), gasGwei: z.number() }),
        scores: z.array(
          z.object({
            id: z.string(),
            predictedCostBps: z.number(),
            correctionBps: z.number(),
            bonusBps: z.number(),
            correctedBps: z.number(),
            eligible: z.boolean(),
          }),
        ),
      })
      .optional(),
  }),
);

const legRow = z.object({
  cycle_id: z.number(),
  leg_index: z.number().nullable(),
  token_in: z.string(),
  token_out: z.string(),
  amount_in: z.string(),
  amount_out: z.string(),
  value_in_usd: z.number().nullable(),
  predicted_cost_bps: z.number().nullable(),
  analytic_cost_bps: z.number().nullable(),
  realised_cost_bps: z.number().nullable(),
  route: z.string().nullable(),
});

function legRecord(r: z.infer<typeof legRow>): LegRecord {
  return {
    cycleId: r.cycle_id,
    legIndex: r.leg_index,
    tokenIn: r.token_in,
    tokenOut: r.token_out,
    amountIn: r.amount_in,
    amountOut: r.amount_out,
    valueInUsd: r.value_in_usd,
    predictedCostBps: r.predicted_cost_bps,
    analyticCostBps: r.analytic_cost_bps,
    realisedCostBps: r.realised_cost_bps,
    route: r.route,
  };
}

const weightsSchema = z.record(z.string(), z.number());

const orderJson = z.object({
  assets: z.array(z.string()),
  targetWeightsBps: z.array(z.number()),
  legs: z.array(z.object({ path: z.string(), amountIn: z.string(), minAmountOut: z.string() })),
  nonce: z.string(),
  deadline: z.string(),
  maxSlippageBps: z.number(),
  submitter: z.string(),
});

function toCycle(raw: unknown): CycleRecord {
  const r = cycleRow.parse(raw);
  return {
    id: r.id,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    status: r.status as CycleStatus,
    nonce: r.nonce,
    txHash: r.tx_hash,
    reason: r.reason,
    navBefore: r.nav_before,
    navAfter: r.nav_after,
    costUsd: r.cost_usd,
    gasUsed: r.gas_used,
    targetWeights: weightsSchema.parse(JSON.parse(r.target_weights)),
    sizing: r.sizing,
    outcome: r.outcome,
    distanceBps: r.distance_bps,
  };
}

function serializeOrder(order: RebalanceOrder): string {
  return JSON.stringify(order, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

function parseOrder(text: string): RebalanceOrder {
  const o = orderJson.parse(JSON.parse(text));
  return {
    assets: o.assets,
    targetWeightsBps: o.targetWeightsBps,
    legs: o.legs.map((l) => ({ path: l.path, amountIn: BigInt(l.amountIn), minAmountOut: BigInt(l.minAmountOut) })),
    nonce: BigInt(o.nonce),
    deadline: BigInt(o.deadline),
    maxSlippageBps: o.maxSlippageBps,
    submitter: o.submitter,
  };
}

export class KeeperStore implements KeeperReadModel {
  /** Portfolio rotations and their steps. */
  readonly rotationStore: RotationStore;
  /** Exchange-rate snapshots for the realised yield. */
  readonly yieldStore: YieldStore;

  /** Route learning's arms and the cycles learned from. */
  readonly routeStore: RouteStore;

  private constructor(readonly db: SqlDb) {
    this.rotationStore = new RotationStore(db);
    this.routeStore = new RouteStore(db);
    this.yieldStore = new YieldStore(db);
  }

  /**
   * Opens (or creates) an SQLite store at `path` (or `:memory:`) and applies pending migrations.
   * `count` receives every statement sent, the migrations' included (a keeper's metrics).
   */
  static async open(path: string, count?: StatementSink): Promise<KeeperStore> {
    if (path !== ":memory:") prepareOwnerOnlyFiles(path);
    return KeeperStore.over(counting(new SqliteDb(path), count));
  }

  /** Opens an SQLite store that must already exist (for readers such as `status`); never creates one. */
  static async openExisting(path: string): Promise<KeeperStore> {
    if (!existsSync(dirname(path))) throw new DataError(`data directory ${dirname(path)} does not exist`);
    if (!existsSync(path))
      throw new DataError(`no keeper store at ${path} (has the keeper run with this data directory?)`);
    return KeeperStore.over(new SqliteDb(path));
  }

  /** Connects to PostgreSQL, creates the vault's schema when missing and applies pending migrations. */
  static async openPostgres(options: PostgresOptions, count?: StatementSink): Promise<KeeperStore> {
    return KeeperStore.over(counting(PostgresDb.connect(options), count), options.schema);
  }

  private static async over(db: SqlDb, schema?: string): Promise<KeeperStore> {
    try {
      await migrate(db, schema);
    } catch (error) {
      await db.close().catch(() => undefined);
      throw error;
    }
    return new KeeperStore(db);
  }

  async schemaVersion(): Promise<number> {
    return Number((await this.db.get("SELECT MAX(version) AS v FROM schema_migrations"))?.v ?? 0);
  }

  /** Statements sent to the database so far (the load a cycle puts on it). */
  get queries(): number {
    return this.db.queries;
  }

  close(): Promise<void> {
    return this.db.close();
  }

  // ------------------------------------------------------------------ keeper state

  async state(): Promise<KeeperState> {
    const rows = (await this.db.all("SELECT key, value FROM keeper_state")) as { key: string; value: string }[];
    const stored = Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value) as unknown]));
    const state = { ...DEFAULT_STATE, ...stored } as KeeperState;
    // Also on read: a store written before redaction existed may hold a URL in clear.
    return { ...state, activeRpcUrl: redactUrl(state.activeRpcUrl) };
  }

  async setState(patch: Partial<KeeperState>): Promise<void> {
    const safe = patch.activeRpcUrl === undefined ? patch : { ...patch, activeRpcUrl: redactUrl(patch.activeRpcUrl) };
    const entries = Object.entries(safe);
    if (entries.length === 0) return;
    // One statement for the whole patch: a multi-row upsert.
    await this.db.run(
      `INSERT INTO keeper_state(key, value) VALUES ${entries.map(() => "(?, ?)").join(", ")}
       ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
      entries.flatMap(([key, value]) => [key, JSON.stringify(value ?? null)]),
    );
  }

  // ------------------------------------------------------------------ cycles

  async beginCycle(
    startedAt: number,
    targetWeights: Readonly<Record<string, number>>,
    status: CycleStatus = "planned",
  ): Promise<number> {
    const row = await this.db.get(
      "INSERT INTO cycles(started_at, status, target_weights) VALUES (?, ?, ?) RETURNING id",
      [startedAt, status, JSON.stringify(targetWeights)],
    );
    return Number(row?.id);
  }

  async updateCycle(id: number, patch: CyclePatch): Promise<void> {
    // A reason is often an error message, which may quote an RPC URL with its key.
    const safe = typeof patch.reason === "string" ? { ...patch, reason: redactUrlsIn(patch.reason) } : patch;
    const entries = Object.entries(safe) as [keyof CyclePatch, unknown][];
    if (entries.length === 0) return;
    const sets = entries.map(([k]) => `${COLUMN[k]} = ?`).join(", ");
    const values = entries.map(([, v]) => (v === undefined ? null : (v as string | number | null)));
    await this.db.run(`UPDATE cycles SET ${sets} WHERE id = ?`, [...values, id]);
  }

  async cycle(id: number): Promise<CycleRecord | null> {
    const row = await this.db.get("SELECT * FROM cycles WHERE id = ?", [id]);
    return row ? toCycle(row) : null;
  }

  async saveOrder(cycleId: number, order: RebalanceOrder, plans: readonly LegPlan[] = []): Promise<void> {
    const stored: StoredLegPlan[] = plans.map((p) => ({
      side: p.side,
      sizeUsd: p.sizeUsd,
      predictedCostBps: p.predictedCostBps,
      analyticCostBps: p.analyticCostBps,
      capped: p.capped,
      ...(p.route ? { route: p.route } : {}),
    }));
    // A new order for the cycle replaces the old one whole, signature included.
    await this.db.run(
      `INSERT INTO orders(cycle_id, nonce, order_json, leg_plans) VALUES (?, ?, ?, ?)
       ON CONFLICT(cycle_id) DO UPDATE SET nonce = excluded.nonce, order_json = excluded.order_json,
         leg_plans = excluded.leg_plans, signature = NULL, digest = NULL, gas_limit = NULL`,
      [cycleId, order.nonce.toString(), serializeOrder(order), JSON.stringify(stored)],
    );
  }

  /** The sizing's plan of each leg of a cycle's order (empty for orders stored before migration 3). */
  async legPlans(cycleId: number): Promise<StoredLegPlan[]> {
    const row = (await this.db.get("SELECT leg_plans FROM orders WHERE cycle_id = ?", [cycleId])) as
      | { leg_plans: string | null }
      | undefined;
    if (!row?.leg_plans) return [];
    return legPlansJson.parse(JSON.parse(row.leg_plans)).map((p) => ({
      ...p,
      analyticCostBps: p.analyticCostBps === undefined ? p.predictedCostBps : p.analyticCostBps,
    }));
  }

  async saveSignature(cycleId: number, signature: string, digest: string, gasLimit: bigint): Promise<void> {
    await this.db.run("UPDATE orders SET signature = ?, digest = ?, gas_limit = ? WHERE cycle_id = ?", [
      signature,
      digest,
      gasLimit.toString(),
      cycleId,
    ]);
  }

  async addTransaction(cycleId: number, record: BroadcastRecord, sentAt: number): Promise<void> {
    await this.db.run(
      `INSERT INTO transactions(hash, cycle_id, tx_nonce, max_fee_per_gas, replaces, sent_at, seq)
       VALUES (?, ?, ?, ?, ?, ?, (SELECT COUNT(*) FROM transactions WHERE cycle_id = ?))
       ON CONFLICT(hash) DO NOTHING`,
      [record.hash, cycleId, record.nonce, record.maxFeePerGas.toString(), record.replaces, sentAt, cycleId],
    );
  }

  async transactions(
    cycleId: number,
  ): Promise<{ hash: string; txNonce: number; maxFeePerGas: bigint; replaces: string | null }[]> {
    const rows = (await this.db.all(
      "SELECT hash, tx_nonce, max_fee_per_gas, replaces FROM transactions WHERE cycle_id = ? ORDER BY sent_at, seq",
      [cycleId],
    )) as { hash: string; tx_nonce: number; max_fee_per_gas: string; replaces: string | null }[];
    return rows.map((r) => ({
      hash: r.hash,
      txNonce: Number(r.tx_nonce),
      maxFeePerGas: BigInt(r.max_fee_per_gas),
      replaces: r.replaces,
    }));
  }

  /** Records the fills in leg order, each beside its predicted cost and its realised one. */
  async addFills(cycleId: number, fills: readonly Fill[], costs: readonly FillCost[] = []): Promise<void> {
    if (fills.length === 0) return;
    const plans = await this.legPlans(cycleId);
    await this.db.run(
      `INSERT INTO fills(cycle_id, token_in, token_out, amount_in, amount_out, min_out, leg_index, value_in_usd,
         predicted_cost_bps, analytic_cost_bps, realised_cost_bps, route)
         VALUES ${fills.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}`,
      fills.flatMap((f, i) => [
        cycleId,
        f.tokenIn,
        f.tokenOut,
        f.amountIn.toString(),
        f.amountOut.toString(),
        f.minOut.toString(),
        i,
        costs[i]?.valueInUsd ?? null,
        plans[i]?.predictedCostBps ?? null,
        plans[i]?.analyticCostBps ?? null,
        costs[i]?.realisedCostBps ?? null,
        plans[i]?.route?.id ?? null,
      ]),
    );
  }

  async legs(cycleId: number): Promise<readonly LegRecord[]> {
    const rows = await this.db.all(
      `SELECT cycle_id, leg_index, token_in, token_out, amount_in, amount_out, value_in_usd, predicted_cost_bps,
         analytic_cost_bps, realised_cost_bps, route FROM fills WHERE cycle_id = ? ORDER BY id`,
      [cycleId],
    );
    return rows.map((raw) => legRecord(legRow.parse(raw)));
  }

  /** The latest `limit` fills with both an analytic and a realised cost, oldest first (impact recalibration). */
  async costedLegs(limit: number): Promise<readonly LegRecord[]> {
    const rows = await this.db.all(
      `SELECT * FROM (SELECT id, cycle_id, leg_index, token_in, token_out, amount_in, amount_out, value_in_usd,
         predicted_cost_bps, analytic_cost_bps, realised_cost_bps, route FROM fills
         WHERE analytic_cost_bps IS NOT NULL AND realised_cost_bps IS NOT NULL ORDER BY id DESC LIMIT ?) AS latest
       ORDER BY id`,
      [Math.max(0, Math.floor(limit))],
    );
    return rows.map((raw) => legRecord(legRow.parse(raw)));
  }

  rotations(limit: number): Promise<readonly RotationRecord[]> {
    return this.rotationStore.list(limit);
  }

  /** Route learning's arms with their metrics, sells first, each side by path. */
  async routes(): Promise<readonly RouteView[]> {
    const arms = await this.routeStore.arms();
    return [...arms.entries()]
      .map(([id, arm]) => routeView(id, arm))
      .sort((a, b) => (a.side === b.side ? a.route.localeCompare(b.route) : a.side === "sell" ? -1 : 1));
  }

  async impactRefits(): Promise<readonly RefitView[]> {
    return (await this.state()).impactRefits;
  }

  async yields(): Promise<YieldsView> {
    const state = await this.state();
    return yieldsView(state.yieldPlan, await this.yieldStore.spans(), state.yieldRateIssues);
  }

  async fillCount(cycleId: number): Promise<number> {
    return Number((await this.db.get("SELECT COUNT(*) AS n FROM fills WHERE cycle_id = ?", [cycleId]))?.n ?? 0);
  }

  /** Signed orders stored for a vault nonce (the keeper must never sign two). */
  async signedOrdersForNonce(nonce: bigint): Promise<number> {
    const row = await this.db.get("SELECT COUNT(*) AS n FROM orders WHERE nonce = ? AND signature IS NOT NULL", [
      nonce.toString(),
    ]);
    return Number(row?.n ?? 0);
  }

  /**
   * Closes the cycles a previous run (or a keeper that lost its lease) left before signing
   * (`planned`, `simulated`): no signed order of theirs is in the journal, so none can land, and
   * they are marked failed with `reason`. Returns their ids. Only for the start of a leader's
   * tick, when no cycle of this process is in progress.
   */
  async abandonUnsigned(reason: string, finishedAt: number): Promise<number[]> {
    const rows = await this.db.all(
      `UPDATE cycles SET status = 'failed', outcome = 'failed', reason = ?, finished_at = ?
       WHERE status IN ('planned', 'simulated') RETURNING id`,
      [reason, finishedAt],
    );
    return rows.map((r) => Number(r.id));
  }

  /** The one cycle left between signing and a final state by a previous run, if any. */
  async pendingCycle(): Promise<{ readonly cycle: CycleRecord; readonly pending: PendingOrder } | null> {
    const row = await this.db.get(
      "SELECT * FROM cycles WHERE status IN ('signed', 'submitted') ORDER BY id DESC LIMIT 1",
    );
    if (!row) return null;
    const cycle = toCycle(row);
    const order = (await this.db.get("SELECT * FROM orders WHERE cycle_id = ?", [cycle.id])) as
      | { order_json: string; signature: string | null; digest: string | null; gas_limit: string | null }
      | undefined;
    if (!order?.signature || !order.digest || !order.gas_limit)
      throw new DataError(`cycle ${cycle.id} is ${cycle.status} without a signed order`);
    return {
      cycle,
      pending: {
        order: parseOrder(order.order_json),
        signature: order.signature,
        digest: order.digest,
        gasLimit: BigInt(order.gas_limit),
        broadcasts: (await this.transactions(cycle.id)).map((t) => ({
          hash: t.hash,
          nonce: t.txNonce,
          maxFeePerGas: t.maxFeePerGas,
          replaces: t.replaces,
        })),
      },
    };
  }

  // ------------------------------------------------------------------ history

  async recordNav(point: NavPoint): Promise<void> {
    await this.db.run(
      `INSERT INTO nav_history(t, nav_per_share, nav_usd, benchmark) VALUES (?, ?, ?, ?)
       ON CONFLICT(t) DO UPDATE SET nav_per_share = excluded.nav_per_share, nav_usd = excluded.nav_usd,
         benchmark = excluded.benchmark`,
      [point.t, point.navPerShare, point.navUsd, point.benchmark],
    );
  }

  async recordComposition(t: number, weights: Readonly<Record<string, number>>): Promise<void> {
    await this.db.run(
      "INSERT INTO composition(t, weights) VALUES (?, ?) ON CONFLICT(t) DO UPDATE SET weights = excluded.weights",
      [t, JSON.stringify(weights)],
    );
  }

  async recordBaseline(name: string, t: number, navPerShare: number): Promise<void> {
    await this.db.run(
      `INSERT INTO baselines(name, t, nav_per_share) VALUES (?, ?, ?)
       ON CONFLICT(name, t) DO UPDATE SET nav_per_share = excluded.nav_per_share`,
      [name, t, navPerShare],
    );
  }

  // ------------------------------------------------------------------ KeeperReadModel

  async status(): Promise<KeeperStatus> {
    const s = await this.state();
    const cycles = await this.cycles(1);
    return {
      running: s.running,
      killSwitch: s.killSwitch,
      dryRun: s.dryRun,
      chainId: s.chainId,
      vault: s.vault,
      strategy: s.strategy,
      lastCycle: cycles[0] ?? null,
      nextRunAt: s.nextRunAt,
      riskLevel: s.riskLevel,
      steering: s.steering,
      holdReason: s.holdReason,
      market: s.market,
      release: s.release,
      retrain: s.retrain,
      ...(s.venueAccount
        ? {
            venue: {
              ...s.venueAccount,
              // Orders of an earlier cycle are not the last cycle's: a cycle that planned none shows none.
              lastOrders: s.venueOrders && s.venueOrders.cycleId === cycles[0]?.id ? s.venueOrders.orders : [],
            },
          }
        : {}),
    };
  }

  async currentWeights(): Promise<Readonly<Record<string, number>>> {
    return (await this.state()).currentWeights;
  }

  async targetWeights(): Promise<Readonly<Record<string, number>>> {
    return (await this.state()).targetWeights;
  }

  async cycles(limit: number): Promise<readonly CycleRecord[]> {
    return (await this.db.all("SELECT * FROM cycles ORDER BY id DESC LIMIT ?", [limit])).map(toCycle);
  }

  async navHistory(): Promise<readonly NavPoint[]> {
    const rows = (await this.db.all("SELECT * FROM nav_history ORDER BY t")) as {
      t: number;
      nav_per_share: number;
      nav_usd: number;
      benchmark: number | null;
    }[];
    return rows.map((r) => ({ t: r.t, navPerShare: r.nav_per_share, navUsd: r.nav_usd, benchmark: r.benchmark }));
  }

  async compositionHistory(): Promise<readonly CompositionPoint[]> {
    const rows = (await this.db.all("SELECT * FROM composition ORDER BY t")) as { t: number; weights: string }[];
    return rows.map((r) => ({ t: r.t, weights: weightsSchema.parse(JSON.parse(r.weights)) }));
  }

  async baselines(): Promise<Readonly<Record<string, readonly NavPoint[]>>> {
    const rows = (await this.db.all("SELECT * FROM baselines ORDER BY name, t")) as {
      name: string;
      t: number;
      nav_per_share: number;
    }[];
    const out: Record<string, NavPoint[]> = {};
    for (const r of rows) {
      const list = out[r.name] ?? [];
      list.push({ t: r.t, navPerShare: r.nav_per_share, navUsd: Number.NaN, benchmark: null });
      out[r.name] = list;
    }
    return out;
  }
}

/**
 * Applies pending migrations, each in its own transaction with its version. On PostgreSQL an
 * advisory lock on the vault's schema serialises keepers that start together (the schema is
 * created under it too), so a migration never runs twice.
 */
function counting(db: SqlDb, count: StatementSink | undefined): SqlDb {
  return count === undefined ? db : new CountedDb(db, count);
}

async function migrate(db: SqlDb, schema: string | undefined): Promise<void> {
  const ddl = forDialect(
    db.dialect,
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER)",
  );
  const lock = async (tx: SqlDb) => {
    if (tx.dialect === "postgres") await tx.get("SELECT pg_advisory_xact_lock(hashtext(?))", [`ballast:${schema}`]);
  };
  await db.transaction(async (tx) => {
    await lock(tx);
    // Under the lock: two keepers creating the schema at once would otherwise collide.
    if (tx.dialect === "postgres") await tx.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await tx.exec(ddl);
  });
  for (;;) {
    const done = await db.transaction(async (tx) => {
      await lock(tx);
      const applied = Number((await tx.get("SELECT MAX(version) AS v FROM schema_migrations"))?.v ?? 0);
      if (applied > MIGRATIONS.length)
        throw new DataError(`store is at schema ${applied}, newer than this keeper (${MIGRATIONS.length})`);
      const next = MIGRATIONS[applied];
      if (next === undefined) return true;
      try {
        await tx.exec(forDialect(tx.dialect, next));
      } catch (error) {
        throw new DataError(`migration ${applied + 1} failed`, { cause: error });
      }
      await tx.run("INSERT INTO schema_migrations(version, applied_at) VALUES (?, ?)", [applied + 1, Date.now()]);
      return false;
    });
    if (done) return;
  }
}

/** An arm as `/api/routes` shows it: its id decoded into side, tokens and fees, and its metrics. */
function routeView(id: string, arm: RouteArm): RouteView {
  const [side, path] = id.split(":") as [string, string | undefined];
  if ((side !== "sell" && side !== "buy") || path === undefined)
    throw new DataError(`store: route arm id ${JSON.stringify(id)} is not side:path`);
  const { tokens, fees } = decodePath(path);
  const { picks, updates, meanErrorBps, meanAbsErrorBps, regretBps } = routeMetrics(id, arm);
  return { route: id, side, tokens, fees, picks, updates, meanErrorBps, meanAbsErrorBps, regretBps };
}
