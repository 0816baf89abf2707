/**
 * Persistent cache of provider answers in SQLite (node:sqlite), keyed by provider, query and
 * time range. Several keeper runs may share one file: WAL mode lets readers proceed while one
 * writer commits, `busy_timeout` makes a second writer wait instead of failing, and every
 * write is one atomic INSERT OR REPLACE, so a reader sees either the old or the new answer,
 * never half of one. Values are JSON text.
 */
import { DatabaseSync } from "node:sqlite";
import { DataError } from "../core/errors.js";
import { prepareOwnerOnlyFiles } from "./ownerOnlyFiles.js";

export interface CacheKey {
  readonly provider: string;
  /** Anything that identifies the request (endpoint + parameters, or the SQL text). */
  readonly query: string;
  /** Covered time range, unix seconds (0 when the request has none). */
  readonly from: number;
  readonly to: number;
}

export interface CacheEntry<T> {
  readonly value: T;
  /** Unix seconds when it was stored. */
  readonly fetchedAt: number;
}

export interface GetOrFetchOptions {
  /** Seconds an entry stays fresh. */
  readonly ttlSeconds: number;
  /** Ignore any cached entry and fetch again (the CLI's --refresh). */
  readonly refresh?: boolean;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS provider_cache (
  provider   TEXT    NOT NULL,
  query      TEXT    NOT NULL,
  range_from INTEGER NOT NULL,
  range_to   INTEGER NOT NULL,
  fetched_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  value      TEXT    NOT NULL,
  PRIMARY KEY (provider, query, range_from, range_to)
) WITHOUT ROWID`;

export class DataCache {
  private readonly db: DatabaseSync;
  private readonly now: () => number;

  /** Opens (creating if needed) the cache at `path`; ":memory:" for a private cache. */
  constructor(path: string, opts: { now?: () => number; busyTimeoutMs?: number } = {}) {
    // Provider answers (API keys never, but what the operator trades on): owner-only files.
    if (path !== ":memory:") prepareOwnerOnlyFiles(path);
    this.db = new DatabaseSync(path);
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
    this.db.exec(`PRAGMA busy_timeout = ${Math.floor(opts.busyTimeoutMs ?? 10_000)}`);
    if (path !== ":memory:") {
      this.db.exec("PRAGMA journal_mode = WAL");
      // WAL + NORMAL never corrupts the file; a power cut may lose the last few entries,
      // which for a cache only means fetching them again.
      this.db.exec("PRAGMA synchronous = NORMAL");
    }
    this.db.exec(SCHEMA);
  }

  /** The entry for `key` if present and not expired. */
  get<T>(key: CacheKey): CacheEntry<T> | null {
    const row = this.db
      .prepare(
        "SELECT value, fetched_at, expires_at FROM provider_cache WHERE provider = ? AND query = ? AND range_from = ? AND range_to = ?",
      )
      .get(key.provider, key.query, key.from, key.to);
    if (row === undefined) return null;
    const expiresAt = Number(row.expires_at);
    if (expiresAt <= this.now()) return null;
    try {
      return { value: JSON.parse(String(row.value)) as T, fetchedAt: Number(row.fetched_at) };
    } catch (cause) {
      throw new DataError("cache: stored value is not JSON", { cause, details: { ...key } });
    }
  }

  /** Stores `value` under `key` for `ttlSeconds`, replacing any previous entry atomically. */
  set(key: CacheKey, value: unknown, ttlSeconds: number): void {
    const now = this.now();
    this.db
      .prepare(
        "INSERT OR REPLACE INTO provider_cache (provider, query, range_from, range_to, fetched_at, expires_at, value) VALUES (?, ?, ?, ?, ?, ?, ?)",
      )
      .run(key.provider, key.query, key.from, key.to, now, now + ttlSeconds, JSON.stringify(value));
  }

  /**
   * Cached value, or the result of `fetch` (stored before returning). Two concurrent runs
   * that miss at the same time both fetch and the last write wins; provider answers for the
   * same key are interchangeable, so that is safe and avoids cross-process locks.
   */
  async getOrFetch<T>(key: CacheKey, opts: GetOrFetchOptions, fetch: () => Promise<T>): Promise<T> {
    if (!opts.refresh) {
      const hit = this.get<T>(key);
      if (hit) return hit.value;
    }
    const value = await fetch();
    this.set(key, value, opts.ttlSeconds);
    return value;
  }

  /** Deletes expired entries; returns how many. */
  prune(): number {
    const res = this.db.prepare("DELETE FROM provider_cache WHERE expires_at <= ?").run(this.now());
    return Number(res.changes);
  }

  close(): void {
    this.db.close();
  }
}
