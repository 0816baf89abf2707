/**
 * The keeper's JSON-RPC provider: ethers' JsonRpcProvider with JSON-RPC 2.0 batching made safe
 * against real providers. Requests issued together (ethers queues every request for
 * `stallMs` and sends the queue as one array) travel in one HTTP POST; this class decides what
 * happens when the node does not answer such a batch as the spec says:
 *   - an item answered with an error fails that request only (a revert stays a revert);
 *   - an answer that is not an array (the node rejects batches), an HTTP 400/413, an empty
 *     array, or items whose error names the batch ("batch too large") shrink the batch size for
 *     this URL by half and send the unanswered requests again, down to single calls;
 *   - an answer that covers only some ids (a node that caps the batch size and drops the rest)
 *     learns that cap and sends the missing requests again;
 *   - a transport failure (timeout, refused, 5xx) fails every request of the batch with the
 *     transport error, so FailoverRpc retries and fails over as for single calls.
 * A learned cap stays for the provider's life and is reported once per change through
 * `onBatchLimit` (with the redacted URL). Single calls go through ethers' own `_send`, as before.
 */
import type { FetchRequest, JsonRpcError, JsonRpcPayload, JsonRpcResult, Network } from "ethers";
import { JsonRpcProvider } from "ethers";
import { redactUrl } from "../config/redactUrl.js";

export interface BatchOptions {
  /** Largest number of requests per HTTP POST (1 turns batching off). */
  readonly maxBatch: number;
  /** How long a request waits for others to join its batch, ms. */
  readonly stallMs: number;
  /** Called when the batch size for this URL is lowered: the new size and why. */
  readonly onBatchLimit?: (url: string, size: number, reason: string) => void;
  /** The read memo of the caller's session (see FailoverRpc.session), if any. */
  readonly memo?: () => ReadMemo | undefined;
}

/** Answers of identical reads within one session; a write empties it. */
export type ReadMemo = Map<string, Promise<unknown>>;

type Answer = JsonRpcResult | JsonRpcError;

/**
 * Methods whose answer at a given block tag the cycle treats as fixed until the keeper writes
 * (its view of the chain is the one at the cycle's start). Not eth_blockNumber: a loop that
 * waits for blocks must see them. Receipts, transactions and logs are never remembered.
 */
const MEMO_METHODS = new Set([
  "eth_call",
  "eth_chainId",
  "eth_getBlockByNumber",
  "eth_getBalance",
  "eth_getCode",
  "eth_getTransactionCount",
]);
const WRITE_METHODS = new Set(["eth_sendRawTransaction", "eth_sendTransaction"]);
/** An item error that is about the batch, not the request (Alchemy, Infura, QuickNode wording). */
const BATCH_ERROR = /batch/i;

export class BatchingProvider extends JsonRpcProvider {
  private size: number;
  private readonly where: string;

  constructor(
    request: FetchRequest,
    network: Network,
    private readonly batch: BatchOptions,
  ) {
    // staticNetwork: never probe a dead URL in the background. cacheTimeout -1: ethers otherwise
    // answers an identical request (e.g. the submitter's pending nonce) from a 250 ms cache,
    // which can hand a used nonce to the next cycle; the session memo below is the only reuse.
    super(request, network, {
      staticNetwork: network,
      batchMaxCount: Math.max(1, batch.maxBatch),
      batchStallTime: batch.stallMs,
      cacheTimeout: -1,
    });
    this.size = Math.max(1, batch.maxBatch);
    this.where = redactUrl(request.url);
  }

  /** The batch size in force for this URL (lowered when the node refused larger ones). */
  get batchSize(): number {
    return this.size;
  }

  override async send(method: string, params: unknown[] | Record<string, unknown>): Promise<unknown> {
    const memo = this.batch.memo?.();
    if (memo && WRITE_METHODS.has(method)) {
      memo.clear();
      try {
        return await super.send(method, params);
      } finally {
        memo.clear();
      }
    }
    if (!memo || !MEMO_METHODS.has(method)) return super.send(method, params);
    const key = `${method}:${JSON.stringify(params)}`;
    const known = memo.get(key);
    if (known) return known;
    const answer = super.send(method, params);
    memo.set(key, answer);
    // A failed read is not remembered: the retry asks the node again.
    answer.catch(() => {
      if (memo.get(key) === answer) memo.delete(key);
    });
    return answer;
  }

  override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<JsonRpcResult[]> {
    if (!Array.isArray(payload)) return super._send(payload);
    // ethers matches answers to requests by id; errors ride in the same array.
    return (await this.sendAll(payload)) as JsonRpcResult[];
  }

  /** Sends `payloads` in batches of the current size (in parallel); answers in any order. */
  private async sendAll(payloads: readonly JsonRpcPayload[]): Promise<Answer[]> {
    const chunks: JsonRpcPayload[][] = [];
    for (let i = 0; i < payloads.length; i += this.size) chunks.push(payloads.slice(i, i + this.size));
    const answers = await Promise.all(chunks.map((chunk) => this.sendChunk(chunk)));
    return answers.flat();
  }

  private async sendChunk(chunk: readonly JsonRpcPayload[]): Promise<Answer[]> {
    if (chunk.length === 1) return (await super._send(chunk[0] as JsonRpcPayload)) as Answer[];
    const request = this._getConnection();
    request.body = JSON.stringify(chunk);
    request.setHeader("content-type", "application/json");
    const response = await request.send();
    if (response.statusCode === 400 || response.statusCode === 413) {
      return this.shrink(chunk, half(chunk), `HTTP ${response.statusCode} for a batch of ${chunk.length}`);
    }
    // Other HTTP failures are transport errors (ethers' SERVER_ERROR): FailoverRpc retries them.
    response.assertOk();
    const body: unknown = response.bodyJson;
    if (!Array.isArray(body)) {
      return this.shrink(chunk, half(chunk), `batch of ${chunk.length} refused: ${errorText(body)}`);
    }
    const wanted = new Set(chunk.map((p) => p.id));
    const answered = new Map<number, Answer>();
    let batchErrors = 0;
    for (const item of body as unknown[]) {
      if (!isAnswer(item) || !wanted.has(item.id) || answered.has(item.id)) continue;
      if ("error" in item && BATCH_ERROR.test(item.error.message ?? "")) {
        batchErrors++;
        continue;
      }
      answered.set(item.id, item);
    }
    const missing = chunk.filter((p) => !answered.has(p.id));
    if (missing.length === 0) return [...answered.values()];
    const reason =
      batchErrors > 0
        ? `${batchErrors} of a batch of ${chunk.length} answered with a batch error`
        : `${answered.size} of a batch of ${chunk.length} answered`;
    // A node that answered n of the requests takes batches of n: that is the size to use.
    const again = await this.shrink(missing, answered.size > 0 ? answered.size : half(chunk), reason);
    return [...answered.values(), ...again];
  }

  /**
   * Lowers the batch size to `size` (never raises it) and sends `payloads` again. Every caller
   * passes less than the chunk it was refused, so the size falls on each refusal and the
   * retries end at single calls.
   */
  private shrink(payloads: readonly JsonRpcPayload[], size: number, reason: string): Promise<Answer[]> {
    const next = Math.max(1, Math.min(this.size, size));
    if (next < this.size) {
      this.size = next;
      this.batch.onBatchLimit?.(this.where, next, reason);
    }
    return this.sendAll(payloads);
  }
}

const half = (chunk: readonly unknown[]): number => Math.floor(chunk.length / 2);

function isAnswer(value: unknown): value is Answer {
  if (typeof value !== "object" || value === null) return false;
  const v = value as { id?: unknown; result?: unknown; error?: unknown };
  if (typeof v.id !== "number") return false;
  if ("error" in v) return typeof v.error === "object" && v.error !== null;
  return "result" in v;
}

function errorText(body: unknown): string {
  if (typeof body === "object" && body !== null && "error" in body) {
    const error = (body as { error?: { message?: unknown; code?: unknown } }).error;
    return `${String(error?.message ?? "error")} (code ${String(error?.code ?? "none")})`;
  }
  return "not a JSON-RPC batch answer";
}
