/**
 * A SqlDb that reports every statement it sends to a sink (the `keeper_store_queries_total`
 * counter of the vault's metrics). The backends already count their statements (`queries`,
 * BEGIN/COMMIT included); this wrapper forwards the growth of that count after each call, so
 * the counter and `queries` can never disagree on what a statement is. Reporting deltas of a
 * count that only grows keeps the total exact with calls in flight side by side. A sink outlives
 * the store: a fleet reopens a failed vault's store, and its counter keeps adding up.
 */
import type { SqlDb, SqlRow, SqlValue } from "./sqlDb.js";

export type StatementSink = (statements: number) => void;

export class CountedDb implements SqlDb {
  private reported: number;

  constructor(
    private readonly inner: SqlDb,
    private readonly sink: StatementSink,
  ) {
    this.reported = inner.queries;
  }

  get dialect(): SqlDb["dialect"] {
    return this.inner.dialect;
  }

  get queries(): number {
    return this.inner.queries;
  }

  all(sql: string, params?: readonly SqlValue[]): Promise<SqlRow[]> {
    return this.counted(() => this.inner.all(sql, params));
  }

  get(sql: string, params?: readonly SqlValue[]): Promise<SqlRow | undefined> {
    return this.counted(() => this.inner.get(sql, params));
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.counted(() => this.inner.run(sql, params));
  }

  exec(sql: string): Promise<void> {
    return this.counted(() => this.inner.exec(sql));
  }

  /** The transaction's statements (its BEGIN and COMMIT too) are reported when it ends. */
  transaction<T>(fn: (tx: SqlDb) => Promise<T>): Promise<T> {
    return this.counted(() => this.inner.transaction(fn));
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private async counted<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } finally {
      // A failed statement was still sent: it counts.
      const now = this.inner.queries;
      if (now > this.reported) {
        this.sink(now - this.reported);
        this.reported = now;
      }
    }
  }
}
