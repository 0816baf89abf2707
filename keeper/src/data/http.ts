/**
 * JSON over HTTP for the market-data providers: a timeout on every request, retries with
 * exponential backoff on 429 and 5xx (honouring Retry-After), and a `ProviderError` that
 * names the provider and URL for everything else. Payload shapes are checked by the callers
 * with zod, so a provider that changes its format fails loudly instead of feeding NaNs. The
 * timeout covers the body too, and aborting closes the socket. URLs in errors are redacted
 * (providers take API keys in the query or path).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { redactUrl, redactUrlsIn } from "../config/redactUrl.js";
import { ProviderError } from "../core/errors.js";

export interface HttpOptions {
  /** Provider name for error messages and cache keys ("coingecko", "defillama", ...). */
  readonly provider: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  /** Retries after the first attempt (only for 429, 5xx and network errors). */
  readonly retries?: number;
  /** First backoff; doubles on each retry. */
  readonly backoffMs?: number;
  /** Upper bound on any single wait, including a server's Retry-After. */
  readonly maxBackoffMs?: number;
}

const RETRYABLE = (status: number): boolean => status === 429 || status >= 500;

/** GETs `url` and parses the body as JSON. */
export async function getJson(url: string, opts: HttpOptions): Promise<unknown> {
  const { provider, timeoutMs = 15_000, retries = 3, backoffMs = 500, maxBackoffMs = 30_000 } = opts;
  const where = redactUrl(url);
  let lastError: unknown;
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) {
      const wait = Math.min(backoffMs * 2 ** (attempt - 1), maxBackoffMs);
      const hinted = retryAfterMs(lastError);
      await sleep(hinted !== null ? Math.min(hinted, maxBackoffMs) : wait);
    }
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { accept: "application/json", ...opts.headers },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      lastError = new ProviderError(`${provider}: request failed: ${describe(cause)}`, {
        cause,
        details: { url: where },
      });
      continue;
    }
    let text: string;
    try {
      text = await res.text();
    } catch (cause) {
      lastError = new ProviderError(`${provider}: reading the response failed: ${describe(cause)}`, {
        cause,
        details: { url: where },
      });
      continue;
    }
    if (!res.ok) {
      const err = new ProviderError(`${provider}: HTTP ${res.status} ${res.statusText}`, {
        details: {
          url: where,
          status: res.status,
          body: text.slice(0, 300),
          retryAfter: res.headers.get("retry-after"),
        },
      });
      if (!RETRYABLE(res.status)) throw err;
      lastError = err;
      continue;
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (cause) {
      throw new ProviderError(`${provider}: response is not JSON`, {
        cause,
        details: { url: where, body: text.slice(0, 300) },
      });
    }
  }
  throw new ProviderError(`${provider}: giving up after ${retries + 1} attempt(s)`, {
    cause: lastError,
    details: { url: where },
  });
}

/** Retry-After in ms when the last failure carried one (seconds or an HTTP date). */
function retryAfterMs(err: unknown): number | null {
  if (!(err instanceof ProviderError)) return null;
  const value = err.details.retryAfter;
  if (typeof value !== "string" || value === "") return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : null;
}

function describe(cause: unknown): string {
  if (cause instanceof Error) return cause.name === "TimeoutError" ? "timed out" : redactUrlsIn(cause.message);
  return redactUrlsIn(String(cause));
}
