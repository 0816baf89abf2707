/**
 * Persistence of portfolio rotations (tables `rotations` and `rotation_steps`, migration 3).
 * Every step transition is written before the keeper acts on it, so a restart resumes a
 * rotation where it stopped: a step recorded as `scheduling` with a transaction hash is looked
 * up on chain rather than scheduled a second time.
 */
import { z } from "zod";
import type {
  AdminProposal,
  RotationPlanSummary,
  RotationRecord,
  RotationStatus,
  RotationStepKind,
  RotationStepRecord,
  RotationStepStatus,
} from "../readModel.js";
import type { SqlDb } from "./sqlDb.js";

export interface NewStep {
  readonly kind: RotationStepKind;
  readonly symbol: string;
  readonly token: string;
  readonly status: RotationStepStatus;
  readonly callData: string | null;
}

export interface StepPatch {
  readonly status?: RotationStepStatus;
  readonly readyAt?: number | null;
  readonly txHash?: string | null;
  readonly proposal?: readonly AdminProposal[] | null;
  readonly reason?: string | null;
}

const rotationRow = z.object({
  id: z.number(),
  started_at: z.number(),
  finished_at: z.number().nullable(),
  status: z.enum(["in-progress", "done", "skipped"]),
  selected: z.string(),
  plan: z.string(),
  reason: z.string().nullable(),
});

const stepRow = z.object({
  id: z.number(),
  kind: z.enum(["add", "declare", "remove"]),
  symbol: z.string(),
  token: z.string(),
  status: z.string(),
  call_data: z.string().nullable(),
  ready_at: z.number().nullable(),
  tx_hash: z.string().nullable(),
  proposal: z.string().nullable(),
  reason: z.string().nullable(),
  updated_at: z.number(),
});

const planJson = z.object({
  keep: z.array(z.string()),
  remove: z.array(z.string()),
  add: z.array(z.string()),
  rejected: z.array(z.object({ symbol: z.string(), reason: z.string() })),
  why: z.record(z.string(), z.string()).optional(),
});

const proposalJson = z.array(
  z.object({ action: z.string(), to: z.string(), data: z.string(), earliest: z.number().nullable() }),
);

export class RotationStore {
  constructor(private readonly db: SqlDb) {}

  /** Records a rotation and its steps in one transaction; returns its id. */
  create(
    startedAt: number,
    selected: readonly string[],
    plan: RotationPlanSummary,
    steps: readonly NewStep[],
    status: RotationStatus,
    reason: string | null,
  ): Promise<number> {
    return this.db.transaction(async (tx) => {
      const row = await tx.get(
        "INSERT INTO rotations(started_at, finished_at, status, selected, plan, reason) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        [
          startedAt,
          status === "in-progress" ? null : startedAt,
          status,
          JSON.stringify(selected),
          JSON.stringify(plan),
          reason,
        ],
      );
      const id = Number(row?.id);
      for (const s of steps) {
        await tx.run(
          "INSERT INTO rotation_steps(rotation_id, kind, symbol, token, status, call_data, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
          [id, s.kind, s.symbol, s.token, s.status, s.callData, startedAt],
        );
      }
      return id;
    });
  }

  async updateStep(id: number, at: number, patch: StepPatch): Promise<void> {
    const sets: string[] = ["updated_at = ?"];
    const values: (string | number | null)[] = [at];
    const set = (column: string, value: string | number | null) => {
      sets.push(`${column} = ?`);
      values.push(value);
    };
    if (patch.status !== undefined) set("status", patch.status);
    if (patch.readyAt !== undefined) set("ready_at", patch.readyAt);
    if (patch.txHash !== undefined) set("tx_hash", patch.txHash);
    if (patch.reason !== undefined) set("reason", patch.reason);
    if (patch.proposal !== undefined) set("proposal", patch.proposal === null ? null : JSON.stringify(patch.proposal));
    await this.db.run(`UPDATE rotation_steps SET ${sets.join(", ")} WHERE id = ?`, [...values, id]);
  }

  async finish(id: number, at: number, reason: string | null): Promise<void> {
    await this.db.run("UPDATE rotations SET status = 'done', finished_at = ?, reason = ? WHERE id = ?", [
      at,
      reason,
      id,
    ]);
  }

  /** The rotation still in progress, if any. */
  async active(): Promise<RotationRecord | null> {
    const row = await this.db.get("SELECT * FROM rotations WHERE status = 'in-progress' ORDER BY id DESC LIMIT 1");
    return row ? this.toRecord(row) : null;
  }

  /** Start time of the latest rotation (any status), or null before the first. */
  async lastStartedAt(): Promise<number | null> {
    const t = (await this.db.get("SELECT MAX(started_at) AS t FROM rotations"))?.t;
    return t === null || t === undefined ? null : Number(t);
  }

  async list(limit: number): Promise<RotationRecord[]> {
    const rows = await this.db.all("SELECT * FROM rotations ORDER BY id DESC LIMIT ?", [limit]);
    const out: RotationRecord[] = [];
    for (const row of rows) out.push(await this.toRecord(row));
    return out;
  }

  private async toRecord(raw: unknown): Promise<RotationRecord> {
    const r = rotationRow.parse(raw);
    const steps = (await this.db.all("SELECT * FROM rotation_steps WHERE rotation_id = ? ORDER BY id", [r.id])).map(
      (row) => {
        const s = stepRow.parse(row);
        return {
          id: s.id,
          kind: s.kind,
          symbol: s.symbol,
          token: s.token,
          status: s.status as RotationStepStatus,
          callData: s.call_data,
          readyAt: s.ready_at,
          txHash: s.tx_hash,
          proposal: s.proposal === null ? null : proposalJson.parse(JSON.parse(s.proposal)),
          reason: s.reason,
          updatedAt: s.updated_at,
        } satisfies RotationStepRecord;
      },
    );
    return {
      id: r.id,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      status: r.status,
      selected: z.array(z.string()).parse(JSON.parse(r.selected)),
      plan: planJson.parse(JSON.parse(r.plan)),
      reason: r.reason,
      steps,
    };
  }
}
