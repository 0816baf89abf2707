/**
 * The SQL the keeper's store speaks, over either backend: SQLite (node:sqlite, the embedded
 * default) or PostgreSQL (`pg`). Statements are written once, with `?` placeholders and the
 * SQL both dialects share (`INSERT ... ON CONFLICT`, `RETURNING`); the PostgreSQL driver
 * numbers the placeholders. Every statement is counted, so a cycle's database load can be
 * measured (`queries`).
 */
export type SqlValue = string | number | null;
export type SqlRow = Record<string, unknown>;
export type Dialect = "sqlite" | "postgres";

export interface SqlDb {
  readonly dialect: Dialect;
  /** Statements sent so far, transactions' BEGIN/COMMIT included. */
  readonly queries: number;
  all(sql: string, params?: readonly SqlValue[]): Promise<SqlRow[]>;
  get(sql: string, params?: readonly SqlValue[]): Promise<SqlRow | undefined>;
  /** Runs a write; returns the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Runs `fn` in one transaction on one connection: all of it is committed or none. */
  transaction<T>(fn: (tx: SqlDb) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
