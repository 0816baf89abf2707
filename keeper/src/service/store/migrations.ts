/**
 * Schema migrations of the keeper's store, applied in order and recorded in
 * `schema_migrations`. Never edit a released migration: append a new one. One schema for both
 * backends: each migration is written in SQLite's types and `forDialect` maps them to
 * PostgreSQL's (`INTEGER` -> `BIGINT`, `REAL` -> `DOUBLE PRECISION`, an autoincrement key ->
 * an identity column); everything else is SQL both accept.
 */
import type { Dialect } from "./sqlDb.js";

export const MIGRATIONS: readonly string[] = [
  // 1: cycles and everything a cycle produces.
  `CREATE TABLE cycles (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     started_at INTEGER NOT NULL,
     finished_at INTEGER,
     status TEXT NOT NULL,
     nonce TEXT,
     tx_hash TEXT,
     reason TEXT,
     nav_before REAL,
     nav_after REAL,
     cost_usd REAL,
     gas_used TEXT,
     target_weights TEXT NOT NULL DEFAULT '{}'
   );
   CREATE TABLE orders (
     cycle_id INTEGER PRIMARY KEY REFERENCES cycles(id),
     nonce TEXT NOT NULL,
     order_json TEXT NOT NULL,
     signature TEXT,
     digest TEXT,
     gas_limit TEXT
   );
   CREATE TABLE transactions (
     hash TEXT PRIMARY KEY,
     cycle_id INTEGER NOT NULL REFERENCES cycles(id),
     tx_nonce INTEGER NOT NULL,
     max_fee_per_gas TEXT NOT NULL,
     replaces TEXT,
     sent_at INTEGER NOT NULL
   );
   CREATE TABLE fills (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     cycle_id INTEGER NOT NULL REFERENCES cycles(id),
     token_in TEXT NOT NULL,
     token_out TEXT NOT NULL,
     amount_in TEXT NOT NULL,
     amount_out TEXT NOT NULL,
     min_out TEXT NOT NULL
   );
   CREATE TABLE nav_history (
     t INTEGER PRIMARY KEY,
     nav_per_share REAL NOT NULL,
     nav_usd REAL NOT NULL,
     benchmark REAL
   );
   CREATE TABLE composition (t INTEGER PRIMARY KEY, weights TEXT NOT NULL);
   CREATE TABLE baselines (name TEXT NOT NULL, t INTEGER NOT NULL, nav_per_share REAL NOT NULL, PRIMARY KEY (name, t));
   CREATE TABLE keeper_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  // 2: resume looks cycles up by status.
  "CREATE INDEX cycles_status ON cycles(status);",
  // 3: predicted vs realised leg costs (price-impact sizing), and portfolio rotations.
  `ALTER TABLE orders ADD COLUMN leg_plans TEXT;
   ALTER TABLE cycles ADD COLUMN sizing TEXT;
   ALTER TABLE fills ADD COLUMN leg_index INTEGER;
   ALTER TABLE fills ADD COLUMN value_in_usd REAL;
   ALTER TABLE fills ADD COLUMN predicted_cost_bps REAL;
   ALTER TABLE fills ADD COLUMN realised_cost_bps REAL;
   CREATE TABLE rotations (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     started_at INTEGER NOT NULL,
     finished_at INTEGER,
     status TEXT NOT NULL,
     selected TEXT NOT NULL,
     plan TEXT NOT NULL,
     reason TEXT
   );
   CREATE TABLE rotation_steps (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     rotation_id INTEGER NOT NULL REFERENCES rotations(id),
     kind TEXT NOT NULL,
     symbol TEXT NOT NULL,
     token TEXT NOT NULL,
     status TEXT NOT NULL,
     call_data TEXT,
     ready_at INTEGER,
     tx_hash TEXT,
     proposal TEXT,
     reason TEXT,
     updated_at INTEGER NOT NULL
   );`,
  // 4: distinct cycle outcomes (traded, partial, nothing to trade, held, dry run, failed) and
  // the distance from target a trade left; earlier cycles get the outcome their record implies.
  `ALTER TABLE cycles ADD COLUMN outcome TEXT;
   ALTER TABLE cycles ADD COLUMN distance_bps INTEGER;
   UPDATE cycles SET outcome = CASE
     WHEN status = 'reconciled' AND sizing LIKE 'partial%' THEN 'partial'
     WHEN status = 'reconciled' THEN 'traded'
     WHEN status = 'failed' AND reason LIKE 'nothing to trade%' THEN 'nothing-to-trade'
     WHEN status = 'failed' THEN 'failed'
     WHEN status = 'skipped' THEN 'held'
     WHEN status = 'dry-run' THEN 'dry-run'
     ELSE NULL END;
   CREATE INDEX cycles_outcome ON cycles(outcome);`,
  // 5: the order of a cycle's transactions without SQLite's rowid (`seq`), and per-vault
  // leadership leases for keepers sharing one PostgreSQL (`expires_at`: database clock, ms).
  `ALTER TABLE transactions ADD COLUMN seq INTEGER;
   CREATE TABLE leases (
     vault TEXT PRIMARY KEY,
     holder TEXT NOT NULL,
     token INTEGER NOT NULL,
     acquired_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL
   );`,
  // 6: cycles of the venue keeper (service/venueKeeper.ts) for any core Venue, keyed by venue:
  // venue-neutral orders and their results, the venue's own pending record (what `resume`
  // needs after a crash), its live state and its NAV history.
  `CREATE TABLE venue_cycles (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     venue TEXT NOT NULL,
     started_at INTEGER NOT NULL,
     finished_at INTEGER,
     status TEXT NOT NULL,
     outcome TEXT,
     reason TEXT,
     target_weights TEXT NOT NULL DEFAULT '{}',
     plan_id TEXT,
     pending_json TEXT,
     nav_before REAL,
     nav_after REAL,
     fees_usd REAL,
     distance_bps INTEGER
   );
   CREATE INDEX venue_cycles_status ON venue_cycles(venue, status);
   CREATE TABLE venue_orders (
     cycle_id INTEGER NOT NULL REFERENCES venue_cycles(id),
     seq INTEGER NOT NULL,
     client_id TEXT NOT NULL,
     symbol TEXT NOT NULL,
     side TEXT NOT NULL,
     size TEXT NOT NULL,
     limit_price TEXT NOT NULL,
     reduce_only INTEGER NOT NULL,
     status TEXT,
     filled_size TEXT,
     average_price REAL,
     venue_order_id TEXT,
     reason TEXT,
     PRIMARY KEY (cycle_id, seq)
   );
   CREATE TABLE venue_state (venue TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (venue, key));
   CREATE TABLE venue_nav (venue TEXT NOT NULL, t INTEGER NOT NULL, nav_usd REAL NOT NULL, PRIMARY KEY (venue, t));`,
  // 7: route learning (market/routeBandit.ts): the route each fill took, each route arm's
  // learned state and metrics (JSON), and the cycles already learned from (a resumed cycle
  // that finishes again must not teach the bandit twice).
  `ALTER TABLE fills ADD COLUMN route TEXT;
   CREATE TABLE route_arms (route TEXT PRIMARY KEY, state TEXT NOT NULL, updated_at INTEGER NOT NULL);
   CREATE TABLE route_learned (cycle_id INTEGER PRIMARY KEY, learned_at INTEGER NOT NULL);`,
  // 8: impact recalibration: the analytic model's cost of each fill beside the (possibly
  // refitted) predicted cost, so refits fit on the analytic model, never on an earlier fit.
  // Fills stored before this were all sized with the analytic model.
  `ALTER TABLE fills ADD COLUMN analytic_cost_bps REAL;
   UPDATE fills SET analytic_cost_bps = predicted_cost_bps;`,
  // 9: exchange-rate snapshots of the basket's yield-earning tokens (one per asset per cycle,
  // chain time), the realised yield /api/yields measures between the first and the last.
  `CREATE TABLE yield_snapshots (
     asset TEXT NOT NULL,
     t INTEGER NOT NULL,
     rate REAL NOT NULL,
     source TEXT NOT NULL,
     PRIMARY KEY (asset, t)
   );`,
];

/** A migration's SQL in the dialect's types. */
export function forDialect(dialect: Dialect, sql: string): string {
  if (dialect === "sqlite") return sql;
  return sql
    .replace(/\bINTEGER PRIMARY KEY AUTOINCREMENT\b/g, "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")
    .replace(/\bINTEGER\b/g, "BIGINT")
    .replace(/\bREAL\b/g, "DOUBLE PRECISION");
}
