/**
 * What a route handler returns: a complete response, written by the server in one place so
 * every reply gets the same security and caching headers.
 */
import { BallastError } from "../../core/errors.js";

export interface HttpReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Buffer;
}

export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): HttpReply {
  return {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
    body: `${JSON.stringify(value)}\n`,
  };
}

/** JSON error body: a stable machine-readable `error` code and a sentence for humans. */
export function errorReply(
  status: number,
  error: string,
  message: string,
  headers: Record<string, string> = {},
): HttpReply {
  return jsonReply(status, { error, message }, headers);
}

/** 500 reply for an exception thrown by the read model or the control side. */
export function internalErrorReply(err: unknown): HttpReply {
  if (err instanceof BallastError) return errorReply(500, err.code, err.message);
  return errorReply(500, "INTERNAL", err instanceof Error ? err.message : String(err));
}
