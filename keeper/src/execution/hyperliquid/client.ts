/**
 * JSON over HTTP to HyperLiquid's two endpoints: POST /info (read-only queries) and POST
 * /exchange (signed actions). Every answer is checked with zod, so a format change fails
 * loudly. A 429 (rate limited) means the request was not processed: it is retried after the
 * server's Retry-After or a doubling backoff, for both endpoints. Any other failure of
 * /exchange (a timeout, a 5xx, a dropped connection) is ambiguous, since the action may have
 * landed: it is raised as `AmbiguousSubmissionError` and never retried here; the venue then
 * asks for each order by its client id before deciding anything.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { redactUrl } from "../../config/redactUrl.js";
import { ExecutionError, ProviderError } from "../../core/errors.js";
import type { L1Signature } from "./signing.js";

const decimal = z.string().regex(/^-?\d+(\.\d+)?$/, "must be a decimal string");

export const metaSchema = z.object({
  universe: z.array(
    z.object({
      name: z.string().min(1),
      szDecimals: z.number().int().min(0).max(8),
      maxLeverage: z.number().int().positive(),
      onlyIsolated: z.boolean().optional(),
      isDelisted: z.boolean().optional(),
    }),
  ),
});
export type PerpMeta = z.infer<typeof metaSchema>;

export const allMidsSchema = z.record(z.string(), decimal);

export const clearinghouseStateSchema = z.object({
  assetPositions: z.array(
    z.object({
      type: z.string(),
      position: z.object({
        coin: z.string(),
        szi: decimal,
        entryPx: decimal.nullable().optional(),
        positionValue: decimal,
        unrealizedPnl: decimal,
        marginUsed: decimal,
        leverage: z.object({ type: z.string(), value: z.number() }).optional(),
      }),
    }),
  ),
  marginSummary: z.object({
    accountValue: decimal,
    totalNtlPos: decimal,
    totalRawUsd: decimal,
    totalMarginUsed: decimal,
  }),
  withdrawable: decimal,
  time: z.number().optional(),
});
export type ClearinghouseState = z.infer<typeof clearinghouseStateSchema>;

export const orderStatusSchema = z.discriminatedUnion("status", [
  z.object({ status: z.literal("unknownOid") }),
  z.object({
    status: z.literal("order"),
    order: z.object({
      order: z.object({
        coin: z.string(),
        side: z.enum(["A", "B"]),
        limitPx: decimal,
        sz: decimal,
        origSz: decimal,
        oid: z.number(),
        cloid: z.string().nullable().optional(),
      }),
      status: z.string(),
      statusTimestamp: z.number(),
    }),
  }),
]);
export type OrderStatusAnswer = z.infer<typeof orderStatusSchema>;

/** `userFills`: the account's most recent fills (each order may fill in several pieces). */
export const userFillsSchema = z.array(
  z.object({
    coin: z.string(),
    px: decimal,
    sz: decimal,
    side: z.enum(["A", "B"]),
    time: z.number(),
    oid: z.number(),
    fee: decimal.optional(),
  }),
);

const orderStatusEntry = z.union([
  z.object({ filled: z.object({ totalSz: decimal, avgPx: decimal, oid: z.number() }) }),
  z.object({ resting: z.object({ oid: z.number() }) }),
  z.object({ error: z.string() }),
]);
export type PlacedOrderStatus = z.infer<typeof orderStatusEntry>;

export const exchangeResponseSchema = z.discriminatedUnion("status", [
  z.object({
    status: z.literal("ok"),
    response: z.object({
      type: z.literal("order"),
      data: z.object({ statuses: z.array(orderStatusEntry) }),
    }),
  }),
  z.object({ status: z.literal("err"), response: z.string() }),
]);
export type ExchangeResponse = z.infer<typeof exchangeResponseSchema>;

/** /exchange failed in a way that does not tell whether the action landed. */
export class AmbiguousSubmissionError extends ExecutionError {}

export interface ClientOptions {
  readonly apiUrl: string;
  readonly timeoutMs: number;
  readonly retries: number;
  /** First wait after a 429; doubles on each retry. */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
}

export interface ExchangeRequest {
  readonly action: unknown;
  readonly nonce: number;
  readonly signature: L1Signature;
  readonly vaultAddress: string | null;
}

export class HyperliquidClient {
  /** Requests sent, by endpoint (for tests and the round-trip benchmark). */
  readonly sent = { info: 0, exchange: 0 };

  constructor(private readonly options: ClientOptions) {}

  async info<T>(body: Record<string, unknown>, schema: z.ZodType<T>): Promise<T> {
    const json = await this.post("/info", body, false);
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new ProviderError(`hyperliquid: /info ${String(body.type)} answered outside its format`, {
        details: { issues: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".")}: ${i.message}`) },
      });
    }
    return parsed.data;
  }

  async exchange(request: ExchangeRequest): Promise<ExchangeResponse> {
    const json = await this.post("/exchange", request, true);
    const parsed = exchangeResponseSchema.safeParse(json);
    if (!parsed.success) {
      throw new AmbiguousSubmissionError("hyperliquid: /exchange answered outside its format", {
        details: { issues: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".")}: ${i.message}`) },
      });
    }
    return parsed.data;
  }

  private async post(path: "/info" | "/exchange", body: unknown, ambiguous: boolean): Promise<unknown> {
    const { apiUrl, timeoutMs, retries, backoffMs = 250, maxBackoffMs = 10_000 } = this.options;
    const url = `${apiUrl.replace(/\/$/, "")}${path}`;
    const where = redactUrl(url);
    const fail = (message: string, cause?: unknown, details: Record<string, unknown> = {}) =>
      ambiguous
        ? new AmbiguousSubmissionError(`hyperliquid ${path}: ${message}`, {
            cause,
            details: { url: where, ...details },
          })
        : new ProviderError(`hyperliquid ${path}: ${message}`, { cause, details: { url: where, ...details } });
    for (let attempt = 0; ; attempt++) {
      if (path === "/info") this.sent.info++;
      else this.sent.exchange++;
      let res: Response;
      let text: string;
      try {
        res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        });
        text = await res.text();
      } catch (cause) {
        const why = cause instanceof Error && cause.name === "TimeoutError" ? "timed out" : "request failed";
        throw fail(why, cause);
      }
      if (res.status === 429) {
        if (attempt >= retries) throw new ProviderError(`hyperliquid ${path}: rate limited (429) ${attempt + 1} times`);
        const hinted = Number(res.headers.get("retry-after"));
        const wait = Number.isFinite(hinted) && hinted > 0 ? hinted * 1000 : backoffMs * 2 ** attempt;
        await sleep(Math.min(wait, maxBackoffMs));
        continue;
      }
      if (!res.ok) throw fail(`HTTP ${res.status}`, undefined, { status: res.status, body: text.slice(0, 300) });
      try {
        return JSON.parse(text) as unknown;
      } catch (cause) {
        throw fail("response is not JSON", cause, { body: text.slice(0, 300) });
      }
    }
  }
}
