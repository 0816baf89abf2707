/**
 * The venue keeper's journal (migration 6), per venue and in venue-neutral terms: a cycle, the
 * orders it planned (`VenueOrder`) with how each ended (`OrderResult`), the venue's own pending
 * record (opaque JSON, bigints kept: core/recordJson.ts, handed back to `resume`), the live state the operator surfaces
 * show, and the NAV history. Shares the keeper store's database (SQLite or PostgreSQL) and SQL.
 */
import { z } from "zod";
import { redactUrlsIn } from "../../config/redactUrl.js";
import { recordFromJson, recordToJson } from "../../core/recordJson.js";
import type { OrderResult, VenueAccount, VenueOrder } from "../../core/venue.js";
import { CYCLE_OUTCOMES, type CycleOutcome } from "../readModel.js";
import type { SqlDb } from "./sqlDb.js";

/** planned -> simulated -> pending (recorded; orders may have left) -> done | failed; or held, dry-run. */
export type VenueCycleStatus = "planned" | "simulated" | "pending" | "done" | "failed" | "held" | "dry-run";

export interface VenueCycle {
  readonly id: number;
  readonly venue: string;
  readonly startedAt: number;
  readonly finishedAt: number | null;
  readonly status: VenueCycleStatus;
  readonly outcome: CycleOutcome | null;
  readonly reason: string | null;
  readonly targetWeights: Readonly<Record<string, number>>;
  readonly planId: string | null;
  readonly navBefore: number | null;
  readonly navAfter: number | null;
  readonly feesUsd: number | null;
  readonly distanceBps: number | null;
}

export interface VenueCyclePatch {
  readonly status?: VenueCycleStatus;
  readonly outcome?: CycleOutcome | null;
  readonly finishedAt?: number | null;
  readonly reason?: string | null;
  readonly planId?: string | null;
  readonly navBefore?: number | null;
  readonly navAfter?: number | null;
  readonly feesUsd?: number | null;
  readonly distanceBps?: number | null;
  readonly targetWeights?: Readonly<Record<string, number>>;
}

/** An order as stored: what was sent and, once known, how it ended. */
export interface StoredVenueOrder {
  readonly order: VenueOrder;
  readonly result: Omit<OrderResult, "order"> | null;
}

/** What the venue keeper keeps live per venue (status, dashboard). */
export interface VenueState {
  readonly running: boolean;
  readonly killSwitch: boolean;
  readonly dryRun: boolean;
  readonly account: VenueAccount | null;
  readonly targetWeights: Readonly<Record<string, number>>;
  readonly lastRebalanceAt: number | null;
  readonly nextRunAt: number | null;
  readonly holdReason: string | null;
  /** Where the venue is (an account and URL, redacted), for the operator. */
  readonly describes: string;
  readonly oracle: string;
}

export const DEFAULT_VENUE_STATE: VenueState = {
  running: false,
  killSwitch: false,
  dryRun: false,
  account: null,
  targetWeights: {},
  lastRebalanceAt: null,
  nextRunAt: null,
  holdReason: null,
  describes: "",
  oracle: "",
};

const COLUMN: Readonly<Record<keyof VenueCyclePatch, string>> = {
  status: "status",
  outcome: "outcome",
  finishedAt: "finished_at",
  reason: "reason",
  planId: "plan_id",
  navBefore: "nav_before",
  navAfter: "nav_after",
  feesUsd: "fees_usd",
  distanceBps: "distance_bps",
  targetWeights: "target_weights",
};

const num = z.coerce.number();
const cycleRow = z.object({
  id: num,
  venue: z.string(),
  started_at: num,
  finished_at: num.nullable(),
  status: z.enum(["planned", "simulated", "pending", "done", "failed", "held", "dry-run"]),
  outcome: z.enum(CYCLE_OUTCOMES).nullable(),
  reason: z.string().nullable(),
  target_weights: z.string(),
  plan_id: z.string().nullable(),
  nav_before: num.nullable(),
  nav_after: num.nullable(),
  fees_usd: num.nullable(),
  distance_bps: num.nullable(),
});

const orderRow = z.object({
  client_id: z.string(),
  symbol: z.string(),
  side: z.enum(["buy", "sell"]),
  size: z.string(),
  limit_price: z.string(),
  reduce_only: num,
  status: z.enum(["filled", "partial", "rejected", "unfilled", "unknown"]).nullable(),
  filled_size: z.string().nullable(),
  average_price: num.nullable(),
  venue_order_id: z.string().nullable(),
  reason: z.string().nullable(),
});

const weights = z.record(z.string(), z.number());

function toCycle(raw: unknown): VenueCycle {
  const r = cycleRow.parse(raw);
  return {
    id: r.id,
    venue: r.venue,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    status: r.status,
    outcome: r.outcome,
    reason: r.reason,
    targetWeights: weights.parse(JSON.parse(r.target_weights)),
    planId: r.plan_id,
    navBefore: r.nav_before,
    navAfter: r.nav_after,
    feesUsd: r.fees_usd,
    distanceBps: r.distance_bps,
  };
}

export class VenueStore {
  constructor(
    private readonly db: SqlDb,
    readonly venue: string,
  ) {}

  /** Statements sent to the database so far (the load a tick puts on it). */
  get queries(): number {
    return this.db.queries;
  }

  async state(): Promise<VenueState> {
    const rows = (await this.db.all("SELECT key, value FROM venue_state WHERE venue = ?", [this.venue])) as {
      key: string;
      value: string;
    }[];
    return { ...DEFAULT_VENUE_STATE, ...Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value)])) };
  }

  async setState(patch: Partial<VenueState>): Promise<void> {
    const entries = Object.entries(patch);
    if (entries.length === 0) return;
    await this.db.run(
      `INSERT INTO venue_state(venue, key, value) VALUES ${entries.map(() => "(?, ?, ?)").join(", ")}
       ON CONFLICT(venue, key) DO UPDATE SET value = excluded.value`,
      entries.flatMap(([key, value]) => [this.venue, key, JSON.stringify(value ?? null)]),
    );
  }

  async begin(startedAt: number, status: VenueCycleStatus, targetWeights: Readonly<Record<string, number>> = {}) {
    const row = await this.db.get(
      "INSERT INTO venue_cycles(venue, started_at, status, target_weights) VALUES (?, ?, ?, ?) RETURNING id",
      [this.venue, startedAt, status, JSON.stringify(targetWeights)],
    );
    return Number(row?.id);
  }

  async update(id: number, patch: VenueCyclePatch): Promise<void> {
    const entries = Object.entries(patch) as [keyof VenueCyclePatch, unknown][];
    if (entries.length === 0) return;
    const values = entries.map(([k, v]) => {
      if (k === "targetWeights") return JSON.stringify(v);
      // A reason is often an error message, which may quote a URL with its key.
      if (k === "reason" && typeof v === "string") return redactUrlsIn(v);
      return v === undefined ? null : (v as string | number | null);
    });
    await this.db.run(
      `UPDATE venue_cycles SET ${entries.map(([k]) => `${COLUMN[k]} = ?`).join(", ")} WHERE id = ? AND venue = ?`,
      [...values, id, this.venue],
    );
  }

  /**
   * Records the venue's pending record and the orders it covers in one transaction, before the
   * venue sends anything: after a crash the cycle is `pending` with everything `resume` needs.
   */
  async recordPending(id: number, pending: unknown, orders: readonly VenueOrder[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run("UPDATE venue_cycles SET status = 'pending', pending_json = ? WHERE id = ? AND venue = ?", [
        recordToJson(pending),
        id,
        this.venue,
      ]);
      for (const [seq, o] of orders.entries()) {
        await tx.run(
          `INSERT INTO venue_orders(cycle_id, seq, client_id, symbol, side, size, limit_price, reduce_only)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(cycle_id, seq) DO NOTHING`,
          [id, seq, o.clientId, o.symbol, o.side, o.size, o.limitPrice, o.reduceOnly ? 1 : 0],
        );
      }
    });
  }

  /** Sets each order's outcome (matched by client id); an order not yet stored is added. */
  async recordResults(id: number, results: readonly OrderResult[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const r of results) {
        const changed = await tx.run(
          `UPDATE venue_orders SET status = ?, filled_size = ?, average_price = ?, venue_order_id = ?, reason = ?
           WHERE cycle_id = ? AND client_id = ?`,
          [r.status, r.filledSize, r.averagePrice, r.venueOrderId, r.reason, id, r.order.clientId],
        );
        if (changed > 0) continue;
        const o = r.order;
        await tx.run(
          `INSERT INTO venue_orders(cycle_id, seq, client_id, symbol, side, size, limit_price, reduce_only, status,
             filled_size, average_price, venue_order_id, reason)
           VALUES (?, (SELECT COUNT(*) FROM venue_orders WHERE cycle_id = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            id,
            id,
            o.clientId,
            o.symbol,
            o.side,
            o.size,
            o.limitPrice,
            o.reduceOnly ? 1 : 0,
            r.status,
            r.filledSize,
            r.averagePrice,
            r.venueOrderId,
            r.reason,
          ],
        );
      }
    });
  }

  /** The newest cycle of this venue left `pending` by a previous run, with its pending record. */
  async unfinished(): Promise<{ readonly cycle: VenueCycle; readonly pending: unknown } | null> {
    const row = await this.db.get(
      "SELECT * FROM venue_cycles WHERE venue = ? AND status = 'pending' ORDER BY id DESC LIMIT 1",
      [this.venue],
    );
    if (!row) return null;
    return { cycle: toCycle(row), pending: recordFromJson(String(row.pending_json)) };
  }

  /** Cycles a previous run left before recording (nothing of theirs left): closed as failed. */
  async abandonUnrecorded(reason: string, finishedAt: number): Promise<number> {
    return this.db.run(
      `UPDATE venue_cycles SET status = 'failed', outcome = 'failed', reason = ?, finished_at = ?
       WHERE venue = ? AND status IN ('planned', 'simulated')`,
      [reason, finishedAt, this.venue],
    );
  }

  async cycles(limit: number): Promise<VenueCycle[]> {
    const rows = await this.db.all("SELECT * FROM venue_cycles WHERE venue = ? ORDER BY id DESC LIMIT ?", [
      this.venue,
      limit,
    ]);
    return rows.map(toCycle);
  }

  async orders(cycleId: number): Promise<StoredVenueOrder[]> {
    const rows = await this.db.all("SELECT * FROM venue_orders WHERE cycle_id = ? ORDER BY seq", [cycleId]);
    return rows.map((raw) => {
      const r = orderRow.parse(raw);
      const order: VenueOrder = {
        clientId: r.client_id,
        symbol: r.symbol,
        side: r.side,
        size: r.size,
        limitPrice: r.limit_price,
        reduceOnly: r.reduce_only !== 0,
      };
      return {
        order,
        result:
          r.status === null
            ? null
            : {
                status: r.status,
                filledSize: r.filled_size ?? "0",
                averagePrice: r.average_price,
                venueOrderId: r.venue_order_id,
                reason: r.reason,
              },
      };
    });
  }

  /** Orders stored under a client id across this venue's cycles (a count above 1 is a duplicate). */
  async ordersWithClientId(clientId: string): Promise<number> {
    const row = await this.db.get(
      `SELECT COUNT(*) AS n FROM venue_orders o JOIN venue_cycles c ON c.id = o.cycle_id
       WHERE c.venue = ? AND o.client_id = ?`,
      [this.venue, clientId],
    );
    return Number(row?.n ?? 0);
  }

  async recordNav(t: number, navUsd: number): Promise<void> {
    await this.db.run(
      `INSERT INTO venue_nav(venue, t, nav_usd) VALUES (?, ?, ?)
       ON CONFLICT(venue, t) DO UPDATE SET nav_usd = excluded.nav_usd`,
      [this.venue, t, navUsd],
    );
  }

  async navHistory(): Promise<{ t: number; navUsd: number }[]> {
    const rows = await this.db.all("SELECT t, nav_usd FROM venue_nav WHERE venue = ? ORDER BY t", [this.venue]);
    return rows.map((r) => ({ t: Number(r.t), navUsd: Number(r.nav_usd) }));
  }
}
