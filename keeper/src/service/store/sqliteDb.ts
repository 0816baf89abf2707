/**
 * The embedded backend: one node:sqlite connection in WAL mode with foreign keys on. Calls are
 * synchronous underneath; they are wrapped in promises so the store has one interface over
 * both backends. One connection means one transaction at a time: `transaction` queues.
 */
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import type { SqlDb, SqlRow, SqlValue } from "./sqlDb.js";

export class SqliteDb implements SqlDb {
  readonly dialect = "sqlite" as const;
  private count = 0;
  private readonly db: DatabaseSync;
  /** Serialises transactions: an await inside one must not let another BEGIN on this connection. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(path: string) {
    this.db = new DatabaseSync(path);
    this.db.exec("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;");
  }

  get queries(): number {
    return this.count;
  }

  async all(sql: string, params: readonly SqlValue[] = []): Promise<SqlRow[]> {
    this.count++;
    return this.db.prepare(sql).all(...(params as SQLInputValue[])) as SqlRow[];
  }

  async get(sql: string, params: readonly SqlValue[] = []): Promise<SqlRow | undefined> {
    this.count++;
    return this.db.prepare(sql).get(...(params as SQLInputValue[])) as SqlRow | undefined;
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    this.count++;
    return Number(this.db.prepare(sql).run(...(params as SQLInputValue[])).changes);
  }

  async exec(sql: string): Promise<void> {
    this.count++;
    this.db.exec(sql);
  }

  transaction<T>(fn: (tx: SqlDb) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      await this.exec("BEGIN");
      try {
        const result = await fn(this);
        await this.exec("COMMIT");
        return result;
      } catch (error) {
        await this.exec("ROLLBACK");
        throw error;
      }
    };
    const next = this.tail.then(run, run);
    this.tail = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
