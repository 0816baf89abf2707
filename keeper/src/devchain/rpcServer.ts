/**
 * A small JSON-RPC-over-HTTP server on 127.0.0.1 that forwards every request to an in-process
 * EIP-1193 provider (Hardhat's simulated chain). The keeper only speaks HTTP JSON-RPC, so with
 * this server it runs exactly as it would against a real Arbitrum RPC URL, and a test can give
 * it a dead URL next to a live one to exercise failover for real.
 *
 * Batches follow JSON-RPC 2.0 as real nodes do: an array of requests gets an array of answers
 * (in order; the items run one after another, the chain being single-threaded), an invalid item
 * gets its own error, notifications (no id) get no answer, and an empty array is one
 * "invalid request" error.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Eip1193Provider {
  request(args: { readonly method: string; readonly params?: readonly unknown[] }): Promise<unknown>;
}

export interface RpcServer {
  readonly url: string;
  /** Requests served so far (by method), for tests that check where traffic went. */
  readonly served: ReadonlyMap<string, number>;
  close(): Promise<void>;
}

interface JsonRpcRequest {
  /** Absent for a notification, which gets no answer. */
  readonly id?: unknown;
  readonly method: string;
  readonly params: readonly unknown[];
}

function asRequest(value: unknown): JsonRpcRequest | null {
  if (typeof value !== "object" || value === null) return null;
  const { id, method, params } = value as { id?: unknown; method?: unknown; params?: unknown };
  if (typeof method !== "string") return null;
  const request = { method, params: Array.isArray(params) ? params : [] };
  return "id" in value ? { ...request, id: id ?? null } : request;
}

/** JSON-RPC error object from whatever the provider threw (keeps revert data for decoding). */
function toRpcError(error: unknown): { code: number; message: string; data?: unknown } {
  if (typeof error === "object" && error !== null) {
    const e = error as { code?: unknown; message?: unknown; data?: unknown };
    const code = typeof e.code === "number" ? e.code : -32603;
    const message = typeof e.message === "string" ? e.message : "internal error";
    return e.data === undefined ? { code, message } : { code, message, data: e.data };
  }
  return { code: -32603, message: String(error) };
}

function bigintSafe(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? `0x${value.toString(16)}` : value;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startRpcServer(provider: Eip1193Provider, port = 0): Promise<RpcServer> {
  const served = new Map<string, number>();
  /** The answer to one request; undefined for a notification. */
  const handleOne = async (raw: unknown): Promise<unknown> => {
    const request = asRequest(raw);
    if (!request) return { jsonrpc: "2.0", id: null, error: { code: -32600, message: "invalid request" } };
    served.set(request.method, (served.get(request.method) ?? 0) + 1);
    let answer: unknown;
    try {
      const result = await provider.request({ method: request.method, params: request.params });
      answer = { jsonrpc: "2.0", id: request.id, result: result ?? null };
    } catch (error) {
      answer = { jsonrpc: "2.0", id: request.id, error: toRpcError(error) };
    }
    return "id" in request ? answer : undefined;
  };
  const handleBatch = async (items: readonly unknown[]): Promise<unknown> => {
    if (items.length === 0) return { jsonrpc: "2.0", id: null, error: { code: -32600, message: "empty batch" } };
    const answers: unknown[] = [];
    // In order: the chain is single-threaded and nonces depend on ordering.
    for (const item of items) {
      const answer = await handleOne(item);
      if (answer !== undefined) answers.push(answer);
    }
    return answers.length > 0 ? answers : undefined;
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== "POST") {
      res.writeHead(405).end();
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readBody(req));
    } catch {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "parse error" } }));
      return;
    }
    const body = Array.isArray(parsed) ? await handleBatch(parsed) : await handleOne(parsed);
    if (body === undefined) {
      // Only notifications: nothing to answer.
      res.writeHead(204).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(body, bigintSafe));
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    served,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
