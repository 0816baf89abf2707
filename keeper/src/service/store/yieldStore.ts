/**
 * Exchange-rate snapshots of the basket's yield-earning tokens (table `yield_snapshots`,
 * migration 7): one row per asset and chain time, so the realised yield is measured between
 * the first and the last the keeper stored. A second reading at the same time replaces the first.
 */
import type { RateSnapshot, RateSpan } from "../readModel.js";
import type { SqlDb, SqlRow } from "./sqlDb.js";

function toSnapshot(row: SqlRow, prefix: "first" | "last"): RateSnapshot {
  return {
    asset: String(row.asset),
    t: Number(row[`${prefix}_t`]),
    rate: Number(row[`${prefix}_rate`]),
    source: String(row[`${prefix}_source`]),
  };
}

export class YieldStore {
  constructor(private readonly db: SqlDb) {}

  /** Stores the readings in one transaction (all or none). */
  async record(snapshots: readonly RateSnapshot[]): Promise<void> {
    if (snapshots.length === 0) return;
    await this.db.transaction(async (tx) => {
      for (const s of snapshots) {
        if (!(Number.isFinite(s.rate) && s.rate > 0)) continue;
        await tx.run(
          `INSERT INTO yield_snapshots(asset, t, rate, source) VALUES (?, ?, ?, ?)
           ON CONFLICT(asset, t) DO UPDATE SET rate = excluded.rate, source = excluded.source`,
          [s.asset, s.t, s.rate, s.source],
        );
      }
    });
  }

  /** Per asset, its first and last snapshot and how many there are. */
  async spans(): Promise<RateSpan[]> {
    const rows = await this.db.all(
      `SELECT s.asset AS asset, s.n AS n,
              f.t AS first_t, f.rate AS first_rate, f.source AS first_source,
              l.t AS last_t, l.rate AS last_rate, l.source AS last_source
       FROM (SELECT asset, MIN(t) AS t0, MAX(t) AS t1, COUNT(*) AS n FROM yield_snapshots GROUP BY asset) s
       JOIN yield_snapshots f ON f.asset = s.asset AND f.t = s.t0
       JOIN yield_snapshots l ON l.asset = s.asset AND l.t = s.t1
       ORDER BY s.asset`,
    );
    return rows.map((r) => ({
      asset: String(r.asset),
      first: toSnapshot(r, "first"),
      last: toSnapshot(r, "last"),
      snapshots: Number(r.n),
    }));
  }
}
