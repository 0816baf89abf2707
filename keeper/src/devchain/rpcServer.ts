/**
 * A small JSON-RPC-over-HTTP server on 127.0.0.1 that forwards every request to an in-process
 * EIP-1193 provider (Hardhat's simulated chain). The keeper only speaks HTTP JSON-RPC, so with
 * this server it runs exactly as it would against a real Arbitrum RPC URL, and a test can give
 * it a dead URL next to a live one to exercise failover for real.
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
  readonly id: unknown;
  readonly method: string;
  readonly params: readonly unknown[];
}

function asRequest(value: unknown): JsonRpcRequest | null {
  if (typeof value !== "object" || value === null) return null;
  const { id, method, params } = value as { id?: unknown; method?: unknown; params?: unknown };
  if (typeof method !== "string") return null;
  return { id: id ?? null, method, params: Array.isArray(params) ? params : [] };
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
  const handleOne = async (raw: unknown): Promise<unknown> => {
    const request = asRequest(raw);
    if (!request) return { jsonrpc: "2.0", id: null, error: { code: -32600, message: "invalid request" } };
    served.set(request.method, (served.get(request.method) ?? 0) + 1);
    try {
      const result = await provider.request({ method: request.method, params: request.params });
      return { jsonrpc: "2.0", id: request.id, result: result ?? null };
    } catch (error) {
      return { jsonrpc: "2.0", id: request.id, error: toRpcError(error) };
    }
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
    // Batches run in order: the chain is single-threaded and nonces depend on ordering.
    const body = Array.isArray(parsed)
      ? await parsed.reduce<Promise<unknown[]>>(
          async (acc, item) => [...(await acc), await handleOne(item)],
          Promise.resolve([]),
        )
      : await handleOne(parsed);
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
