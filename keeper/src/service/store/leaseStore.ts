/**
 * Per-vault leases in the shared PostgreSQL (table `leases`, migration 5). One row per vault:
 * who holds it, a fencing token that grows by one at every change of holder, and its expiry,
 * all on the database's clock (`clock_timestamp()`), so the machines' clocks never have to
 * agree. A lease passes on only once expired; a renewal names the token it holds, so a holder
 * that was paused or cut off and comes back can never extend a lease that has since moved.
 */
import type { SqlDb } from "./sqlDb.js";

const NOW_MS = "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)";

export interface LeaseRecord {
  readonly vault: string;
  readonly holder: string;
  readonly token: number;
  /** Database time, unix ms. */
  readonly acquiredAt: number;
  readonly expiresAt: number;
}

function toLease(row: Record<string, unknown>): LeaseRecord {
  return {
    vault: String(row.vault),
    holder: String(row.holder),
    token: Number(row.token),
    acquiredAt: Number(row.acquired_at),
    expiresAt: Number(row.expires_at),
  };
}

export class LeaseStore {
  constructor(private readonly db: SqlDb) {}

  /**
   * Takes the vault's lease for `ttlMs` when it is free or expired (a new token), or extends it
   * when `holder` has it still; null while someone else holds it.
   */
  async acquire(vault: string, holder: string, ttlMs: number): Promise<LeaseRecord | null> {
    const row = await this.db.get(
      `INSERT INTO leases(vault, holder, token, acquired_at, expires_at) VALUES (?, ?, 1, ${NOW_MS}, ${NOW_MS} + ?)
       ON CONFLICT(vault) DO UPDATE SET
         holder = excluded.holder,
         token = CASE WHEN leases.holder = excluded.holder AND leases.expires_at >= ${NOW_MS}
                      THEN leases.token ELSE leases.token + 1 END,
         acquired_at = CASE WHEN leases.holder = excluded.holder AND leases.expires_at >= ${NOW_MS}
                            THEN leases.acquired_at ELSE excluded.acquired_at END,
         expires_at = excluded.expires_at
       WHERE leases.holder = excluded.holder OR leases.expires_at < ${NOW_MS}
       RETURNING vault, holder, token, acquired_at, expires_at`,
      [vault, holder, ttlMs],
    );
    return row ? toLease(row) : null;
  }

  /** Extends the lease `token` for `ttlMs` if it is still unexpired and this holder's; false otherwise. */
  async renew(vault: string, holder: string, token: number, ttlMs: number): Promise<LeaseRecord | null> {
    const row = await this.db.get(
      `UPDATE leases SET expires_at = ${NOW_MS} + ? WHERE vault = ? AND holder = ? AND token = ? AND expires_at >= ${NOW_MS}
       RETURNING vault, holder, token, acquired_at, expires_at`,
      [ttlMs, vault, holder, token],
    );
    return row ? toLease(row) : null;
  }

  /** Ends the lease now (a graceful stop), so a standby need not wait for it to expire. */
  async release(vault: string, holder: string, token: number): Promise<void> {
    await this.db.run(`UPDATE leases SET expires_at = ${NOW_MS} - 1 WHERE vault = ? AND holder = ? AND token = ?`, [
      vault,
      holder,
      token,
    ]);
  }

  async current(vault: string): Promise<LeaseRecord | null> {
    const row = await this.db.get("SELECT vault, holder, token, acquired_at, expires_at FROM leases WHERE vault = ?", [
      vault,
    ]);
    return row ? toLease(row) : null;
  }
}
