/**
 * The HTTP transport of the keeper's JSON-RPC providers. ethers' default Node transport
 * rejects on a timeout but leaves the request's socket open, so an RPC that accepts and never
 * answers keeps the process alive after the error. This one gives every request one deadline,
 * connection to last byte, through an AbortSignal: aborting destroys the request and closes its
 * socket. (node:http rather than `fetch`, whose pool reopens a connection after an abort and
 * holds the process for its keep-alive time.) Credentials in the URL (`https://user:pass@host`)
 * become a Basic Authorization header. Failures carry ethers' codes (`TIMEOUT`,
 * `NETWORK_ERROR`) so failover treats them as transport errors, and name only the redacted URL.
 */
import http from "node:http";
import https from "node:https";
import type { FetchCancelSignal, FetchGetUrlFunc, FetchRequest, GetUrlResponse } from "ethers";
import { redactUrl, redactUrlsIn } from "../config/redactUrl.js";

export class RpcTransportError extends Error {
  constructor(
    message: string,
    readonly code: "TIMEOUT" | "NETWORK_ERROR" | "CANCELLED",
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "RpcTransportError";
  }
}

/** A getUrl function for `FetchRequest.getUrlFunc`: every request ends within `req.timeout` ms. */
export const fetchGetUrl: FetchGetUrlFunc = (req: FetchRequest, signal?: FetchCancelSignal) => {
  const url = new URL(req.url);
  const headers: Record<string, string> = { ...req.headers };
  if (url.username !== "" || url.password !== "") {
    const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers.authorization = `Basic ${Buffer.from(credentials).toString("base64")}`;
    url.username = "";
    url.password = "";
  }
  const cancel = new AbortController();
  signal?.addListener(() => cancel.abort());
  const deadline = AbortSignal.timeout(req.timeout);
  const where = redactUrl(req.url);
  const fail = (cause: unknown): RpcTransportError => {
    if (deadline.aborted)
      return new RpcTransportError(`${where}: no answer within ${req.timeout} ms`, "TIMEOUT", { cause });
    if (cancel.signal.aborted) return new RpcTransportError(`${where}: request cancelled`, "CANCELLED", { cause });
    return new RpcTransportError(`${where}: ${describe(cause)}`, "NETWORK_ERROR", { cause });
  };
  return new Promise<GetUrlResponse>((resolve, reject) => {
    const client = url.protocol === "https:" ? https : http;
    const request = client.request(url, {
      method: req.method,
      headers,
      signal: AbortSignal.any([cancel.signal, deadline]),
    });
    request.on("error", (error) => reject(fail(error)));
    request.on("response", (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      // The body is read under the same deadline: headers then a stall fails too.
      response.on("error", (error) => reject(fail(error)));
      response.on("end", () => {
        const responseHeaders: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined) responseHeaders[name] = Array.isArray(value) ? value.join(", ") : value;
        }
        const body = Buffer.concat(chunks);
        resolve({
          statusCode: response.statusCode ?? 0,
          statusMessage: response.statusMessage ?? "",
          headers: responseHeaders,
          body: body.length > 0 ? new Uint8Array(body) : null,
        });
      });
    });
    request.end(req.body ? Buffer.from(req.body) : undefined);
  });
};

function describe(cause: unknown): string {
  const code = cause instanceof Error ? (cause as Error & { code?: unknown }).code : undefined;
  const message = cause instanceof Error ? cause.message : String(cause);
  return typeof code === "string" ? `${code} ${redactUrlsIn(message)}` : redactUrlsIn(message);
}
