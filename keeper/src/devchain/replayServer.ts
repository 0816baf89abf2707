/**
 * A local HTTP server on 127.0.0.1 that replays a provider's wire format, so real HTTP clients
 * run end to end without the network: the tests' provider replays, and the demo's market data
 * (coinGeckoReplay.ts). Each request is recorded for assertions.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReplayRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface ReplayResponse {
  readonly status?: number;
  readonly body: string | object;
  readonly headers?: Record<string, string>;
  /** Delay before answering (to exercise client timeouts). */
  readonly delayMs?: number;
}

export type ReplayHandler = (req: ReplayRequest) => ReplayResponse;

export interface ReplayServer {
  readonly baseUrl: string;
  readonly requests: ReplayRequest[];
  close(): Promise<void>;
}

export async function startReplayServer(handler: ReplayHandler): Promise<ReplayServer> {
  const requests: ReplayRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const recorded: ReplayRequest = {
        method: req.method ?? "GET",
        url: req.url ?? "/",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(recorded);
      let reply: ReplayResponse;
      try {
        reply = handler(recorded);
      } catch (err) {
        reply = { status: 500, body: { error: String(err) } };
      }
      const send = (): void => {
        if (res.destroyed) return;
        const body = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
        res.writeHead(reply.status ?? 200, { "content-type": "application/json", ...reply.headers });
        res.end(body);
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
