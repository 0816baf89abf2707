/**
 * Ordered RPC URLs with retries and failover. Reads retry on the active URL with exponential
 * backoff, then move to the next URL; an answer from a node (a revert, a bad argument) is not a
 * transport failure and is returned to the caller at once. The active URL is sticky so status
 * reports where the keeper is talking now. Every request has a deadline that closes its socket
 * (see rpcFetch.ts), and URLs leave this class only redacted: they often carry an API key.
 */
import { FetchRequest, JsonRpcProvider, Network } from "ethers";
import { redactUrl, redactUrlsIn } from "../config/redactUrl.js";
import { ConfigError, ProviderError } from "../core/errors.js";
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
}

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
  private readonly providers: readonly JsonRpcProvider[];
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
      // staticNetwork: never probe a dead URL in the background; batchMaxCount 1: one request
      // per HTTP call so a failure maps to exactly one read.
      // cacheTimeout -1: ethers otherwise answers an identical request (e.g. the submitter's
      // pending nonce) from a 250 ms cache, which can hand a used nonce to the next cycle.
      return new JsonRpcProvider(request, network, { staticNetwork: network, batchMaxCount: 1, cacheTimeout: -1 });
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

  /** Runs `fn` against the active provider, retrying and failing over on transport errors. */
  async read<T>(what: string, fn: (provider: JsonRpcProvider) => Promise<T>): Promise<T> {
    let lastError: unknown;
    for (let step = 0; step < this.providers.length; step++) {
      const index = (this.active + step) % this.providers.length;
      const provider = this.providers[index] as JsonRpcProvider;
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
