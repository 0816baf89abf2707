/**
 * The shared backend: a `pg` pool on one PostgreSQL database, each vault's tables in its own
 * schema (`search_path` set at connection start, so the store's SQL is the same as on SQLite).
 * BIGINT columns come back as JS numbers (they hold chain times and row ids, far below 2^53);
 * on-chain amounts are stored as decimal text, never as numbers. Every call has a deadline
 * (`timeoutMs`): a database that stops answering is an error within it, not a hang, which is
 * what lets a keeper that lost the database stop signing in time. Errors are `DataError`s
 * whose messages never hold the connection URL's password.
 */
import pg from "pg";
import { redactUrlsIn } from "../../config/redactUrl.js";
import { DataError } from "../../core/errors.js";
import type { SqlDb, SqlRow, SqlValue } from "./sqlDb.js";

const INT8_OID = 20;

export interface PostgresOptions {
  readonly url: string;
  /** Schema holding this vault's tables (created by the migrations when missing). */
  readonly schema: string;
  /** Deadline of a connection attempt and of each statement. */
  readonly timeoutMs: number;
  readonly maxConnections?: number;
}

/** `?` placeholders numbered for PostgreSQL (`$1`, `$2`, ...); the store's SQL quotes no `?`. */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

function failure(what: string, error: unknown): DataError {
  const message = error instanceof Error ? error.message : String(error);
  return new DataError(`PostgreSQL ${what} failed: ${redactUrlsIn(message)}`);
}

type Queryable = Pick<pg.Pool, "query"> | Pick<pg.PoolClient, "query">;

export class PostgresDb implements SqlDb {
  readonly dialect = "postgres" as const;
  private readonly counter: { n: number };

  private constructor(
    private readonly pool: pg.Pool | null,
    private readonly target: Queryable,
    counter: { n: number },
  ) {
    this.counter = counter;
  }

  static connect(options: PostgresOptions): PostgresDb {
    if (!/^[a-z_][a-z0-9_]*$/.test(options.schema)) throw new DataError(`invalid schema name ${options.schema}`);
    const pool = new pg.Pool({
      connectionString: options.url,
      options: `-c search_path=${options.schema}`,
      connectionTimeoutMillis: options.timeoutMs,
      query_timeout: options.timeoutMs,
      statement_timeout: options.timeoutMs,
      max: options.maxConnections ?? 4,
      types: {
        getTypeParser: ((oid: number, format?: string) =>
          oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as "text")) as never,
      },
    });
    // An idle connection the server dropped is reported here; the next query reconnects.
    pool.on("error", () => undefined);
    return new PostgresDb(pool, pool, { n: 0 });
  }

  get queries(): number {
    return this.counter.n;
  }

  private async query(sql: string, params: readonly SqlValue[]): Promise<pg.QueryResult> {
    this.counter.n++;
    try {
      return params.length === 0
        ? await this.target.query(sql)
        : await this.target.query(numberPlaceholders(sql), params as SqlValue[]);
    } catch (error) {
      throw failure("query", error);
    }
  }

  async all(sql: string, params: readonly SqlValue[] = []): Promise<SqlRow[]> {
    return (await this.query(sql, params)).rows as SqlRow[];
  }

  async get(sql: string, params: readonly SqlValue[] = []): Promise<SqlRow | undefined> {
    return (await this.query(sql, params)).rows[0] as SqlRow | undefined;
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return (await this.query(sql, params)).rowCount ?? 0;
  }

  async exec(sql: string): Promise<void> {
    // No parameters: the simple query protocol, which accepts several statements.
    await this.query(sql, []);
  }

  async transaction<T>(fn: (tx: SqlDb) => Promise<T>): Promise<T> {
    if (!this.pool) throw new DataError("nested transactions are not supported");
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw failure("connection", error);
    }
    const tx = new PostgresDb(null, client, this.counter);
    let broken = false;
    try {
      await tx.run("BEGIN");
      const result = await fn(tx);
      await tx.run("COMMIT");
      return result;
    } catch (error) {
      try {
        await tx.run("ROLLBACK");
      } catch {
        broken = true;
      }
      throw error;
    } finally {
      // A connection whose rollback failed is in an unknown state: it is discarded, not reused.
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool?.end();
  }
}
