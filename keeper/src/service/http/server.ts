/**
 * The keeper's operator server: JSON API, Prometheus metrics and the dashboard page, on plain
 * `node:http` in the keeper's own process. It binds 127.0.0.1 unless told otherwise, because
 * the only state-changing route is guarded by a bearer token, not by TLS: expose it beyond
 * the machine only behind a TLS-terminating proxy.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { ConfigError } from "../../core/errors.js";
import { KeeperMetrics } from "../keeperMetrics.js";
import { createLogger, type Logger } from "../logger.js";
import type { KeeperControl, KeeperReadModel } from "../readModel.js";
import { loadDashboardAssets } from "./dashboardAssets.js";
import { registerReadModelMetrics } from "./metrics.js";
import { errorReply, type HttpReply } from "./replies.js";
import { dispatch, type RouteContext, type RouteRequest } from "./routes.js";

export interface OperatorServerOptions {
  readonly readModel: KeeperReadModel;
  readonly control: KeeperControl;
  /** Bearer token for POST /api/rebalance; at least 16 characters. */
  readonly authToken: string;
  /** Defaults to 127.0.0.1. */
  readonly host?: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly logger?: Logger;
  /** The running keeper's instruments (`keeper.deps.metrics`); a fresh set when absent. */
  readonly metrics?: KeeperMetrics;
}

export interface OperatorServer {
  /** Base URL, e.g. http://127.0.0.1:8787 (no trailing slash). */
  readonly url: string;
  close(): Promise<void>;
}

export const MIN_AUTH_TOKEN_LENGTH = 16;

/** No route takes a body; anything bigger than this is refused instead of buffered. */
const MAX_BODY_BYTES = 16 * 1024;

const OptionsSchema = z.object({
  authToken: z
    .string()
    .min(MIN_AUTH_TOKEN_LENGTH, `authToken must be at least ${MIN_AUTH_TOKEN_LENGTH} characters`)
    .regex(/^\S+$/, "authToken must not contain whitespace (it travels in an HTTP header)"),
  host: z.string().min(1, "host must not be empty").default("127.0.0.1"),
  port: z.number().int().min(0).max(65_535, "port must be an integer from 0 to 65535").default(0),
});

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "::1", "localhost"]);

const COMMON_HEADERS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

export async function startOperatorServer(options: OperatorServerOptions): Promise<OperatorServer> {
  const { authToken, host, port } = parseServerOptions(options);
  const logger = (options.logger ?? createLogger({ secrets: [authToken] })).child({ component: "http" });
  const metrics = options.metrics ?? new KeeperMetrics();
  registerReadModelMetrics(metrics, options.readModel);
  const ctx: RouteContext = {
    readModel: options.readModel,
    control: options.control,
    metrics,
    authToken,
    assets: loadDashboardAssets(),
    logger,
    startedAtMs: Date.now(),
  };
  return listen({ host, port, logger }, (req) => dispatch(req, ctx));
}

/** The token, host and port checked (a ConfigError lists every problem). */
export function parseServerOptions(options: {
  readonly authToken: string;
  readonly host?: string | undefined;
  readonly port?: number | undefined;
}): z.output<typeof OptionsSchema> {
  const parsed = OptionsSchema.safeParse({ authToken: options.authToken, host: options.host, port: options.port });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => i.message).join("; ");
    throw new ConfigError(`operator server config is invalid: ${problems}`);
  }
  return parsed.data;
}

/**
 * Serves `route` on host:port (the single keeper's routes, or the fleet's: fleetServer.ts);
 * the body limit, common headers and error replies are the same for both.
 */
export async function listen(
  where: { readonly host: string; readonly port: number; readonly logger: Logger },
  route: (req: RouteRequest) => Promise<HttpReply>,
): Promise<OperatorServer> {
  const { host, port, logger } = where;
  const server = createServer((req, res) => {
    handle(req, res, route, logger).catch((err: unknown) => {
      logger.error({ err }, "operator request failed");
      if (!res.headersSent) writeReply(res, "GET", errorReply(500, "INTERNAL", "internal error"));
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(new ConfigError(`operator server cannot listen on ${host}:${port}: ${err.code ?? err.message}`));
    };
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve();
    });
  });
  server.on("error", (err) => logger.error({ err }, "operator server error"));

  const address = server.address() as AddressInfo;
  const url = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
  if (!LOOPBACK_HOSTS.has(host)) {
    logger.warn({ host }, "operator server is reachable beyond this machine; put it behind TLS");
  }
  logger.info({ url }, "operator server listening");

  let closing: Promise<void> | null = null;
  return {
    url,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive sockets (browsers, fetch) would otherwise hold close() open.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  route: (req: RouteRequest) => Promise<HttpReply>,
  logger: Logger,
): Promise<void> {
  const started = performance.now();
  const method = req.method ?? "GET";
  const url = new URL(req.url ?? "/", "http://localhost");
  let reply: HttpReply;
  if (!(await drainBody(req))) {
    // The rest of the body is still in flight: answer, then drop the connection.
    reply = errorReply(413, "PAYLOAD_TOO_LARGE", `request bodies are limited to ${MAX_BODY_BYTES} bytes`, {
      connection: "close",
    });
  } else {
    reply = await route({
      method,
      path: url.pathname,
      query: url.searchParams,
      authorization: req.headers.authorization,
    });
  }
  writeReply(res, method, reply);
  logger.debug(
    { method, path: url.pathname, status: reply.status, ms: Math.round((performance.now() - started) * 10) / 10 },
    "request",
  );
}

/** Reads and discards the body; false when it exceeds the limit. */
async function drainBody(req: IncomingMessage): Promise<boolean> {
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return false;
  }
  return true;
}

function writeReply(res: ServerResponse, method: string, reply: HttpReply): void {
  const body = typeof reply.body === "string" ? Buffer.from(reply.body, "utf8") : reply.body;
  res.writeHead(reply.status, { ...COMMON_HEADERS, ...reply.headers, "content-length": String(body.length) });
  res.end(method === "HEAD" ? undefined : body);
}
