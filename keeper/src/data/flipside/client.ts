/**
 * Flipside SQL through the official SDK (`@flipsidecrypto/sdk`). The SDK speaks JSON-RPC to
 * `{FLIPSIDE_API_URL}/json-rpc` (createQueryRun, then getQueryRun until the run finishes,
 * then getQueryRunResults page by page); this wrapper adds paging beyond the first page,
 * the persistent cache, and turns the SDK's error objects into `ProviderError`s.
 */
import { Flipside } from "@flipsidecrypto/sdk";
import { ConfigError, ProviderError } from "../../core/errors.js";
import type { DataCache } from "../cache.js";
import type { ProviderEnv } from "../env.js";

export type FlipsideRecord = Readonly<Record<string, string | number | boolean | null>>;

export interface FlipsideClientOptions {
  readonly env: Pick<ProviderEnv, "FLIPSIDE_API_KEY" | "FLIPSIDE_API_URL">;
  readonly cache?: DataCache;
  readonly ttlSeconds?: number;
  readonly refresh?: boolean;
  /** Accept a result Flipside already computed for the same SQL within this many minutes. */
  readonly maxAgeMinutes?: number;
  readonly timeoutMinutes?: number;
  /** The SDK polls getQueryRun every (attempt + 1) x this many seconds. */
  readonly retryIntervalSeconds?: number;
  readonly pageSize?: number;
  /** Safety cap on pages fetched for one query. */
  readonly maxPages?: number;
}

export class FlipsideClient {
  private readonly sdk: Flipside;

  constructor(private readonly opts: FlipsideClientOptions) {
    if (!opts.env.FLIPSIDE_API_KEY) throw new ConfigError("FLIPSIDE_API_KEY is not set");
    this.sdk = new Flipside(opts.env.FLIPSIDE_API_KEY, opts.env.FLIPSIDE_API_URL);
  }

  /** Runs `sql` and returns every result row as a record with lower-case column names. */
  async query(sql: string, range: { from: number; to: number } = { from: 0, to: 0 }): Promise<FlipsideRecord[]> {
    const run = (): Promise<FlipsideRecord[]> => this.runUncached(sql);
    const cache = this.opts.cache;
    if (!cache) return run();
    return cache.getOrFetch(
      { provider: "flipside", query: sql, from: range.from, to: range.to },
      { ttlSeconds: this.opts.ttlSeconds ?? 24 * 3600, refresh: this.opts.refresh ?? false },
      run,
    );
  }

  private async runUncached(sql: string): Promise<FlipsideRecord[]> {
    const pageSize = this.opts.pageSize ?? 100_000;
    let first: Awaited<ReturnType<Flipside["query"]["run"]>>;
    try {
      first = await this.sdk.query.run({
        sql,
        maxAgeMinutes: this.opts.maxAgeMinutes ?? 0,
        timeoutMinutes: this.opts.timeoutMinutes ?? 20,
        retryIntervalSeconds: this.opts.retryIntervalSeconds ?? 1,
        pageSize,
        pageNumber: 1,
      });
    } catch (cause) {
      throw new ProviderError(`flipside: query failed: ${message(cause)}`, { cause });
    }
    if (first.error)
      throw new ProviderError(`flipside: ${first.error.name}: ${first.error.message}`, { cause: first.error });
    if (!first.records || !first.queryId) throw new ProviderError("flipside: finished run returned no records");
    const records: FlipsideRecord[] = [...first.records];
    const totalPages = first.page?.totalPages ?? 1;
    const maxPages = this.opts.maxPages ?? 50;
    if (totalPages > maxPages) throw new ProviderError(`flipside: ${totalPages} pages exceed the cap of ${maxPages}`);
    for (let page = 2; page <= totalPages; page++) {
      let next: Awaited<ReturnType<Flipside["query"]["getQueryResults"]>>;
      try {
        next = await this.sdk.query.getQueryResults({ queryRunId: first.queryId, pageNumber: page, pageSize });
      } catch (cause) {
        throw new ProviderError(`flipside: fetching page ${page} failed: ${message(cause)}`, { cause });
      }
      if (next.error) throw new ProviderError(`flipside: page ${page}: ${next.error.message}`, { cause: next.error });
      records.push(...(next.records ?? []));
    }
    return records;
  }
}

function message(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
