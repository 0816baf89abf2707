/**
 * Ordered RPC URLs with retries and failover. Reads retry on the active URL with exponential
 * backoff, then move to the next URL; an answer from a node (a revert, a bad argument) is not a
 * transport failure and is returned to the caller at once. The active URL is sticky so status
 * reports where the keeper is talking now. Every request has a deadline that closes its socket
 * (see rpcFetch.ts), and URLs leave this class only redacted: they often carry an API key.
 *
 * Requests issued together travel in one JSON-RPC batch (see batchingProvider.ts), and inside
 * `session(fn)` identical reads are asked once until the keeper writes: a cycle's reads can
 * then be issued together up front (`prefetch`) and its later, sequential reads answered from
 * that one round trip.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { FetchRequest, type JsonRpcProvider, Network } from "ethers";
import { redactUrl, redactUrlsIn } from "../config/redactUrl.js";
import { ConfigError, ProviderError } from "../core/errors.js";
import { BatchingProvider, type ReadMemo } from "./batchingProvider.js";
import { fetchGetUrl } from "./rpcFetch.js";

export interface FailoverOptions {
  readonly urls: readonly string[];
  readonly chainId: number;
  /** Attempts per URL before failing over. */
  readonly retries?: number;
  readonly backoffMs?: number;
  /** Deadline of one request, connection to last byte. */
  readonly timeoutMs?: number;
  /** Called with the redacted URLs. */
  readonly onFailover?: (from: string, to: string, cause: unknown) => void;
  /** Called on every transport failure of an attempt (for the RPC error counter). */
  readonly onTransportError?: (cause: unknown) => void;
  /** Largest JSON-RPC batch per HTTP request (1: no batching). */
  readonly maxBatch?: number;
  /** How long a request waits for others to join its batch, ms. */
  readonly batchStallMs?: number;
  /** Called (redacted URL) when a node refuses a batch size and the keeper sends smaller ones. */
  readonly onBatchLimit?: (url: string, size: number, reason: string) => void;
}

/** Default batch size: ethers' own default, at or under what Arbitrum providers accept. */
export const DEFAULT_MAX_BATCH = 100;

/** ethers codes that mean "the node was not reached or did not answer". */
const TRANSPORT_CODES = new Set(["SERVER_ERROR", "TIMEOUT", "NETWORK_ERROR"]);

export function isTransportError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && TRANSPORT_CODES.has(code)) return true;
  if (code === "ECONNREFUSED" || code === "ECONNRESET" || code === "UND_ERR_SOCKET") return true;
  const cause = (error as { cause?: unknown }).cause;
  return cause !== undefined && cause !== error && isTransportError(cause);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class FailoverRpc {
  private readonly providers: readonly BatchingProvider[];
  private readonly sessions = new AsyncLocalStorage<ReadMemo>();
  private readonly urls: readonly string[];
  private active = 0;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly onFailover: FailoverOptions["onFailover"];
  private readonly onTransportError: FailoverOptions["onTransportError"];

  constructor(options: FailoverOptions) {
    if (options.urls.length === 0) throw new ConfigError("at least one RPC URL is required");
    const network = Network.from(options.chainId);
    this.urls = options.urls;
    this.providers = options.urls.map((url) => {
      const request = new FetchRequest(url);
      request.timeout = options.timeoutMs ?? 10_000;
      request.getUrlFunc = fetchGetUrl;
      return new BatchingProvider(request, network, {
        maxBatch: options.maxBatch ?? DEFAULT_MAX_BATCH,
        // Parallel reads reach the queue within microtasks; one timer turn collects them.
        stallMs: options.batchStallMs ?? 0,
        ...(options.onBatchLimit ? { onBatchLimit: options.onBatchLimit } : {}),
        memo: () => this.sessions.getStore(),
      });
    });
    this.retries = options.retries ?? 3;
    this.backoffMs = options.backoffMs ?? 200;
    this.onFailover = options.onFailover;
    this.onTransportError = options.onTransportError;
  }

  /** The URL in use, redacted (what status, logs and the store show). */
  get activeUrl(): string {
    return redactUrl(this.urls[this.active] as string);
  }

  get provider(): JsonRpcProvider {
    return this.providers[this.active] as JsonRpcProvider;
  }

  /** Batch size in force per URL (lowered where a node refused larger batches). */
  get batchSizes(): readonly number[] {
    return this.providers.map((p) => p.batchSize);
  }

  /**
   * Runs `fn` with a read memo: within it (and only in its async context) an identical read
   * (eth_call, block, balance, nonce, code at the same tag) is sent once, and every write
   * (a broadcast) empties the memo, so nothing read before a transaction answers after it.
   */
  session<T>(fn: () => Promise<T>): Promise<T> {
    return this.sessions.run(new Map(), fn);
  }

  /**
   * Empties the session's memo (no-op outside a session): for a change the keeper did not make
   * in this session, such as a transaction it finds mined.
   */
  forget(): void {
    this.sessions.getStore()?.clear();
  }

  /** Runs `fn` against the active provider, retrying and failing over on transport errors. */
  async read<T>(what: string, fn: (provider: JsonRpcProvider) => Promise<T>): Promise<T> {
    let lastError: unknown;
    for (let step = 0; step < this.providers.length; step++) {
      const index = (this.active + step) % this.providers.length;
      const provider = this.providers[index] as BatchingProvider;
      for (let attempt = 0; attempt < this.retries; attempt++) {
        try {
          const result = await fn(provider);
          if (index !== this.active) {
            this.onFailover?.(this.activeUrl, redactUrl(this.urls[index] as string), lastError);
            this.active = index;
          }
          return result;
        } catch (error) {
          if (!isTransportError(error)) throw error;
          lastError = error;
          this.onTransportError?.(error);
          if (attempt + 1 < this.retries) await sleep(this.backoffMs * 2 ** attempt);
        }
      }
    }
    const last = lastError instanceof Error ? `: ${redactUrlsIn(lastError.message)}` : "";
    throw new ProviderError(`${what}: every RPC URL failed${last}`, {
      cause: lastError,
      details: { urls: this.urls.length },
    });
  }

  destroy(): void {
    for (const provider of this.providers) provider.destroy();
  }
}
