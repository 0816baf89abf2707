/**
 * A local replay of Flipside's JSON-RPC API (the official SDK's wire format) from recorded
 * responses: two runs (prices, volumes), each RUNNING once, then SUCCESS.
 */
import { readFileSync } from "node:fs";
import type { ReplayRequest } from "../../../keeper/src/devchain/replayServer.js";

type Json = Record<string, unknown>;
const fixture = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`../../fixtures/data/flipside/${name}`, import.meta.url), "utf8")) as Json;

export const TOKENS = [
  { symbol: "WETH", address: "0x82aF49447D8a07e3bd95BD0d56f35241523fBab1" },
  { symbol: "ARB", address: "0x912CE59144191C1204E64559FE8253a0e49E6548" },
];

/** Replays Flipside's JSON-RPC API: two runs (prices, volumes), each RUNNING once, then SUCCESS. */
export function flipsideApi(opts: { failState?: boolean; rpcError?: boolean } = {}) {
  const polls = new Map<string, number>();
  const withRunId = (doc: Json, id: string): Json => {
    const copy = structuredClone(doc) as { result: Record<string, Record<string, unknown>> };
    for (const key of ["queryRun", "originalQueryRun"]) if (copy.result[key]) copy.result[key].id = id;
    return copy as unknown as Json;
  };
  return (req: ReplayRequest) => {
    if (req.url !== "/json-rpc" || req.method !== "POST") return { status: 404, body: "not found" };
    const rpc = JSON.parse(req.body) as { method: string; params: Json[] };
    const params = rpc.params[0] as Json;
    if (opts.rpcError)
      return {
        body: { jsonrpc: "2.0", id: 1, result: null, error: { code: -32000, message: "query run rate limit" } },
      };
    switch (rpc.method) {
      case "createQueryRun": {
        const id = String(params.sql).includes("ez_dex_swaps") ? "run-volume" : "run-prices";
        return { body: withRunId(fixture("rpc_create_query_run.json"), id) };
      }
      case "getQueryRun": {
        const id = String(params.queryRunId);
        const n = (polls.get(id) ?? 0) + 1;
        polls.set(id, n);
        const doc = opts.failState
          ? "rpc_get_query_run_failed.json"
          : n === 1
            ? "rpc_get_query_run_running.json"
            : "rpc_get_query_run_success.json";
        return { body: withRunId(fixture(doc), id) };
      }
      case "getQueryRunResults": {
        const id = String(params.queryRunId);
        const page = (params.page as { number: number }).number;
        const doc = id === "run-volume" ? "rpc_results_dex_volume.json" : `rpc_results_prices_page${page}.json`;
        return { body: withRunId(fixture(doc), id) };
      }
      default:
        return { status: 400, body: { error: `unknown method ${rpc.method}` } };
    }
  };
}
