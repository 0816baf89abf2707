/**
 * The keeper's SQLite store (node:sqlite): cycles and their state transitions, signed orders,
 * transactions, fills, NAV and composition history, baselines, and the keeper's live state.
 * Every transition is written before the next step starts, which is what makes a restart in
 * the middle of a cycle safe. It also serves the operator surfaces as the `KeeperReadModel`.
 * Owner-only on disk: a data directory it creates is 0700 and the database (with its WAL and
 * shared-memory files, which SQLite creates with the database's mode) 0600, since it holds
 * signed orders and the keeper's history. The active RPC URL is stored and read redacted.
 */
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { z } from "zod";
import { redactUrl, redactUrlsIn } from "../../config/redactUrl.js";
import { DataError } from "../../core/errors.js";
import { prepareOwnerOnlyFiles } from "../../data/ownerOnlyFiles.js";
import type { FillCost } from "../../execution/indexVault/fillCost.js";
import type { Fill, PendingOrder } from "../../execution/indexVault/indexVaultVenue.js";
import type { RebalanceOrder } from "../../execution/indexVault/rebalanceOrder.js";
import type { LegPlan } from "../../execution/indexVault/sizeLegs.js";
import type { BroadcastRecord } from "../../execution/txSender.js";
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
  type ReleaseInForce,
  type RiskLevel,
  type RotationRecord,
  type SteeringStatus,
} from "../readModel.js";
import { MIGRATIONS } from "./migrations.js";
import { RotationStore } from "./rotationStore.js";

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
  readonly capped: boolean;
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
    capped: z.boolean(),
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
  realised_cost_bps: z.number().nullable(),
});

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
  private readonly db: DatabaseSync;
  /** Portfolio rotations and their steps. */
  readonly rotationStore: RotationStore;

  private constructor(path: string) {
    if (path !== ":memory:") prepareOwnerOnlyFiles(path);
    this.db = new DatabaseSync(path);
    this.db.exec("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;");
    this.migrate();
    this.rotationStore = new RotationStore(this.db);
  }

  /** Opens (or creates) the store and applies pending migrations. */
  static open(path: string): KeeperStore {
    return new KeeperStore(path);
  }

  /** Opens a store that must already exist (for readers such as `status`); never creates one. */
  static openExisting(path: string): KeeperStore {
    if (!existsSync(dirname(path))) throw new DataError(`data directory ${dirname(path)} does not exist`);
    if (!existsSync(path))
      throw new DataError(`no keeper store at ${path} (has the keeper run with this data directory?)`);
    return new KeeperStore(path);
  }

  private migrate(): void {
    this.db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER)");
    const row = this.db.prepare("SELECT MAX(version) AS v FROM schema_migrations").get() as { v: number | null };
    const applied = row.v ?? 0;
    if (applied > MIGRATIONS.length) throw new DataError(`store is at schema ${applied}, newer than this keeper`);
    MIGRATIONS.slice(applied).forEach((sql, i) => {
      this.db.exec("BEGIN");
      try {
        this.db.exec(sql);
        this.db.prepare("INSERT INTO schema_migrations VALUES (?, ?)").run(applied + i + 1, Date.now());
        this.db.exec("COMMIT");
      } catch (error) {
        this.db.exec("ROLLBACK");
        throw new DataError(`migration ${applied + i + 1} failed`, { cause: error });
      }
    });
  }

  schemaVersion(): number {
    return (this.db.prepare("SELECT MAX(version) AS v FROM schema_migrations").get() as { v: number }).v;
  }

  close(): void {
    this.db.close();
  }

  // ------------------------------------------------------------------ keeper state

  state(): KeeperState {
    const rows = this.db.prepare("SELECT key, value FROM keeper_state").all() as { key: string; value: string }[];
    const stored = Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value) as unknown]));
    const state = { ...DEFAULT_STATE, ...stored } as KeeperState;
    // Also on read: a store written before redaction existed may hold a URL in clear.
    return { ...state, activeRpcUrl: redactUrl(state.activeRpcUrl) };
  }

  setState(patch: Partial<KeeperState>): void {
    const stmt = this.db.prepare(
      "INSERT INTO keeper_state(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    );
    const safe = patch.activeRpcUrl === undefined ? patch : { ...patch, activeRpcUrl: redactUrl(patch.activeRpcUrl) };
    for (const [key, value] of Object.entries(safe)) stmt.run(key, JSON.stringify(value ?? null));
  }

  // ------------------------------------------------------------------ cycles

  beginCycle(
    startedAt: number,
    targetWeights: Readonly<Record<string, number>>,
    status: CycleStatus = "planned",
  ): number {
    const result = this.db
      .prepare("INSERT INTO cycles(started_at, status, target_weights) VALUES (?, ?, ?)")
      .run(startedAt, status, JSON.stringify(targetWeights));
    return Number(result.lastInsertRowid);
  }

  updateCycle(id: number, patch: CyclePatch): void {
    // A reason is often an error message, which may quote an RPC URL with its key.
    const safe = typeof patch.reason === "string" ? { ...patch, reason: redactUrlsIn(patch.reason) } : patch;
    const entries = Object.entries(safe) as [keyof CyclePatch, unknown][];
    if (entries.length === 0) return;
    const sets = entries.map(([k]) => `${COLUMN[k]} = ?`).join(", ");
    const values = entries.map(([, v]) => (v === undefined ? null : (v as string | number | null)));
    this.db.prepare(`UPDATE cycles SET ${sets} WHERE id = ?`).run(...values, id);
  }

  cycle(id: number): CycleRecord | null {
    const row = this.db.prepare("SELECT * FROM cycles WHERE id = ?").get(id);
    return row ? toCycle(row) : null;
  }

  saveOrder(cycleId: number, order: RebalanceOrder, plans: readonly LegPlan[] = []): void {
    const stored: StoredLegPlan[] = plans.map((p) => ({
      side: p.side,
      sizeUsd: p.sizeUsd,
      predictedCostBps: p.predictedCostBps,
      capped: p.capped,
    }));
    this.db
      .prepare("INSERT OR REPLACE INTO orders(cycle_id, nonce, order_json, leg_plans) VALUES (?, ?, ?, ?)")
      .run(cycleId, order.nonce.toString(), serializeOrder(order), JSON.stringify(stored));
  }

  /** The sizing's plan of each leg of a cycle's order (empty for orders stored before migration 3). */
  legPlans(cycleId: number): StoredLegPlan[] {
    const row = this.db.prepare("SELECT leg_plans FROM orders WHERE cycle_id = ?").get(cycleId) as
      | { leg_plans: string | null }
      | undefined;
    return row?.leg_plans ? legPlansJson.parse(JSON.parse(row.leg_plans)) : [];
  }

  saveSignature(cycleId: number, signature: string, digest: string, gasLimit: bigint): void {
    this.db
      .prepare("UPDATE orders SET signature = ?, digest = ?, gas_limit = ? WHERE cycle_id = ?")
      .run(signature, digest, gasLimit.toString(), cycleId);
  }

  addTransaction(cycleId: number, record: BroadcastRecord, sentAt: number): void {
    this.db
      .prepare("INSERT OR IGNORE INTO transactions VALUES (?, ?, ?, ?, ?, ?)")
      .run(record.hash, cycleId, record.nonce, record.maxFeePerGas.toString(), record.replaces, sentAt);
  }

  transactions(cycleId: number): { hash: string; txNonce: number; maxFeePerGas: bigint; replaces: string | null }[] {
    const rows = this.db
      .prepare(
        "SELECT hash, tx_nonce, max_fee_per_gas, replaces FROM transactions WHERE cycle_id = ? ORDER BY sent_at, rowid",
      )
      .all(cycleId) as { hash: string; tx_nonce: number; max_fee_per_gas: string; replaces: string | null }[];
    return rows.map((r) => ({
      hash: r.hash,
      txNonce: r.tx_nonce,
      maxFeePerGas: BigInt(r.max_fee_per_gas),
      replaces: r.replaces,
    }));
  }

  /** Records the fills in leg order, each beside its predicted cost and its realised one. */
  addFills(cycleId: number, fills: readonly Fill[], costs: readonly FillCost[] = []): void {
    const plans = this.legPlans(cycleId);
    const stmt = this.db.prepare(
      `INSERT INTO fills(cycle_id, token_in, token_out, amount_in, amount_out, min_out, leg_index, value_in_usd,
         predicted_cost_bps, realised_cost_bps) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    fills.forEach((f, i) => {
      stmt.run(
        cycleId,
        f.tokenIn,
        f.tokenOut,
        f.amountIn.toString(),
        f.amountOut.toString(),
        f.minOut.toString(),
        i,
        costs[i]?.valueInUsd ?? null,
        plans[i]?.predictedCostBps ?? null,
        costs[i]?.realisedCostBps ?? null,
      );
    });
  }

  legs(cycleId: number): readonly LegRecord[] {
    return this.db
      .prepare(
        `SELECT cycle_id, leg_index, token_in, token_out, amount_in, amount_out, value_in_usd, predicted_cost_bps,
           realised_cost_bps FROM fills WHERE cycle_id = ? ORDER BY id`,
      )
      .all(cycleId)
      .map((raw) => {
        const r = legRow.parse(raw);
        return {
          cycleId: r.cycle_id,
          legIndex: r.leg_index,
          tokenIn: r.token_in,
          tokenOut: r.token_out,
          amountIn: r.amount_in,
          amountOut: r.amount_out,
          valueInUsd: r.value_in_usd,
          predictedCostBps: r.predicted_cost_bps,
          realisedCostBps: r.realised_cost_bps,
        };
      });
  }

  rotations(limit: number): readonly RotationRecord[] {
    return this.rotationStore.list(limit);
  }

  fillCount(cycleId: number): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM fills WHERE cycle_id = ?").get(cycleId) as { n: number }).n;
  }

  /** Signed orders stored for a vault nonce (the keeper must never sign two). */
  signedOrdersForNonce(nonce: bigint): number {
    const row = this.db
      .prepare("SELECT COUNT(*) AS n FROM orders WHERE nonce = ? AND signature IS NOT NULL")
      .get(nonce.toString()) as { n: number };
    return row.n;
  }

  /** The one cycle left between signing and a final state by a previous run, if any. */
  pendingCycle(): { readonly cycle: CycleRecord; readonly pending: PendingOrder } | null {
    const row = this.db
      .prepare("SELECT * FROM cycles WHERE status IN ('signed', 'submitted') ORDER BY id DESC LIMIT 1")
      .get();
    if (!row) return null;
    const cycle = toCycle(row);
    const order = this.db.prepare("SELECT * FROM orders WHERE cycle_id = ?").get(cycle.id) as
      | { order_json: string; signature: string | null; gas_limit: string | null }
      | undefined;
    if (!order?.signature || !order.gas_limit)
      throw new DataError(`cycle ${cycle.id} is ${cycle.status} without a signed order`);
    return {
      cycle,
      pending: {
        order: parseOrder(order.order_json),
        signature: order.signature,
        gasLimit: BigInt(order.gas_limit),
        txHashes: this.transactions(cycle.id).map((t) => t.hash),
      },
    };
  }

  // ------------------------------------------------------------------ history

  recordNav(point: NavPoint): void {
    this.db
      .prepare("INSERT OR REPLACE INTO nav_history VALUES (?, ?, ?, ?)")
      .run(point.t, point.navPerShare, point.navUsd, point.benchmark);
  }

  recordComposition(t: number, weights: Readonly<Record<string, number>>): void {
    this.db.prepare("INSERT OR REPLACE INTO composition VALUES (?, ?)").run(t, JSON.stringify(weights));
  }

  recordBaseline(name: string, t: number, navPerShare: number): void {
    this.db.prepare("INSERT OR REPLACE INTO baselines VALUES (?, ?, ?)").run(name, t, navPerShare);
  }

  // ------------------------------------------------------------------ KeeperReadModel

  status(): KeeperStatus {
    const s = this.state();
    const cycles = this.cycles(1);
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
    };
  }

  currentWeights(): Readonly<Record<string, number>> {
    return this.state().currentWeights;
  }

  targetWeights(): Readonly<Record<string, number>> {
    return this.state().targetWeights;
  }

  cycles(limit: number): readonly CycleRecord[] {
    return this.db.prepare("SELECT * FROM cycles ORDER BY id DESC LIMIT ?").all(limit).map(toCycle);
  }

  navHistory(): readonly NavPoint[] {
    const rows = this.db.prepare("SELECT * FROM nav_history ORDER BY t").all() as {
      t: number;
      nav_per_share: number;
      nav_usd: number;
      benchmark: number | null;
    }[];
    return rows.map((r) => ({ t: r.t, navPerShare: r.nav_per_share, navUsd: r.nav_usd, benchmark: r.benchmark }));
  }

  compositionHistory(): readonly CompositionPoint[] {
    const rows = this.db.prepare("SELECT * FROM composition ORDER BY t").all() as { t: number; weights: string }[];
    return rows.map((r) => ({ t: r.t, weights: weightsSchema.parse(JSON.parse(r.weights)) }));
  }

  baselines(): Readonly<Record<string, readonly NavPoint[]>> {
    const rows = this.db.prepare("SELECT * FROM baselines ORDER BY name, t").all() as {
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
