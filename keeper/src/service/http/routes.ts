/**
 * The operator API: a fixed table of paths and methods, each answered from the read model
 * (or, for the one POST, the control side). Handlers return a complete `HttpReply`; the
 * server only moves bytes. Unknown paths are 404, known paths with another method are 405.
 */
import { z } from "zod";
import type { KeeperMetrics } from "../keeperMetrics.js";
import type { Logger } from "../logger.js";
import type { KeeperControl, KeeperReadModel, NavPoint, YieldsView } from "../readModel.js";
import { isAuthorized } from "./auth.js";
import { cycleOutcome, cycleSucceeded } from "./cycleOutcome.js";
import type { StaticAsset } from "./dashboardAssets.js";
import { errorReply, type HttpReply, internalErrorReply, jsonReply } from "./replies.js";
import { weightDrift } from "./weightDrift.js";

export interface RouteContext {
  readonly readModel: KeeperReadModel;
  readonly control: KeeperControl;
  /** The keeper's registry, with the read-model gauges registered on it. */
  readonly metrics: KeeperMetrics;
  readonly authToken: string;
  readonly assets: ReadonlyMap<string, StaticAsset>;
  readonly logger: Logger;
  /** Unix ms when the server started, for the uptime in /health. */
  readonly startedAtMs: number;
}

export interface RouteRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly authorization: string | undefined;
}

type Method = "GET" | "POST";
type Handler = (req: RouteRequest, ctx: RouteContext) => HttpReply | Promise<HttpReply>;

export const DEFAULT_CYCLES_LIMIT = 50;
export const MAX_CYCLES_LIMIT = 1000;

const CyclesLimitSchema = z.coerce.number().int().min(1).max(MAX_CYCLES_LIMIT);
const CycleIdSchema = z.coerce.number().int().min(1);

const API_ROUTES: ReadonlyMap<string, Partial<Record<Method, Handler>>> = new Map<
  string,
  Partial<Record<Method, Handler>>
>([
  ["/health", { GET: health }],
  ["/api/status", { GET: status }],
  ["/api/weights", { GET: weights }],
  ["/api/cycles", { GET: cycles }],
  ["/api/nav", { GET: nav }],
  ["/api/composition", { GET: composition }],
  ["/api/legs", { GET: legs }],
  ["/api/rotations", { GET: rotations }],
  ["/api/yields", { GET: yields }],
  ["/api/routes", { GET: learnedRoutes }],
  ["/api/rebalance", { POST: rebalance }],
  ["/metrics", { GET: metrics }],
]);

/** Answers one request. Never throws: handler failures become JSON 500 replies. */
export async function dispatch(req: RouteRequest, ctx: RouteContext): Promise<HttpReply> {
  const asset = ctx.assets.get(req.path);
  const handlers: Partial<Record<Method, Handler>> | undefined = asset
    ? { GET: () => ({ status: 200, headers: assetHeaders(req.path, asset), body: asset.body }) }
    : API_ROUTES.get(req.path);
  if (handlers === undefined) return errorReply(404, "NOT_FOUND", `no route for ${req.path}`);
  // HEAD is GET without a body; the server drops the body.
  const method = req.method === "HEAD" ? "GET" : req.method;
  const handler = isMethod(method) ? handlers[method] : undefined;
  if (handler === undefined) {
    const allowed = Object.keys(handlers);
    if (allowed.includes("GET")) allowed.push("HEAD");
    return errorReply(
      405,
      "METHOD_NOT_ALLOWED",
      `${req.method} is not allowed on ${req.path}; use ${allowed.join(", ")}`,
      {
        allow: allowed.join(", "),
      },
    );
  }
  try {
    return await handler(req, ctx);
  } catch (err) {
    ctx.logger.error({ err, path: req.path }, "operator API handler failed");
    return internalErrorReply(err);
  }
}

function isMethod(method: string): method is Method {
  return method === "GET" || method === "POST";
}

function assetHeaders(path: string, asset: StaticAsset): Record<string, string> {
  const headers: Record<string, string> = { "content-type": asset.contentType, "cache-control": "no-cache" };
  // The page loads only its own files and calls only this server's API.
  if (path === "/") {
    headers["content-security-policy"] =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
      "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
  }
  return headers;
}

/**
 * Liveness: 200 while the process answers. `status` is "degraded" after a failed cycle, "held"
 * while the keeper holds on purpose (market guard, vault cooldown; `holdReason` says why),
 * else "ok"; the last cycle's outcome is reported, never fatal.
 */
async function health(_req: RouteRequest, ctx: RouteContext): Promise<HttpReply> {
  const s = await ctx.readModel.status();
  const outcome = s.lastCycle ? cycleOutcome(s.lastCycle) : null;
  return jsonReply(200, {
    status: outcome === "failed" ? "degraded" : s.holdReason ? "held" : "ok",
    uptimeSeconds: Math.round((Date.now() - ctx.startedAtMs) / 1000),
    running: s.running,
    killSwitch: s.killSwitch,
    holdReason: s.holdReason,
    lastCycleOutcome: outcome,
    lastCycleSucceeded: s.lastCycle ? cycleSucceeded(s.lastCycle) : null,
    lastCycle: s.lastCycle
      ? {
          id: s.lastCycle.id,
          status: s.lastCycle.status,
          outcome,
          distanceBps: s.lastCycle.distanceBps,
          startedAt: s.lastCycle.startedAt,
          finishedAt: s.lastCycle.finishedAt,
          reason: s.lastCycle.reason,
        }
      : null,
  });
}

async function status(_req: RouteRequest, ctx: RouteContext): Promise<HttpReply> {
  const s = await ctx.readModel.status();
  return jsonReply(200, {
    ...s,
    drift: weightDrift(await ctx.readModel.currentWeights(), await ctx.readModel.targetWeights()),
    serverTime: Math.floor(Date.now() / 1000),
  });
}

async function weights(_req: RouteRequest, ctx: RouteContext): Promise<HttpReply> {
  const current = await ctx.readModel.currentWeights();
  const target = await ctx.readModel.targetWeights();
  return jsonReply(200, { current, target, drift: weightDrift(current, target) });
}

async function cycles(req: RouteRequest, ctx: RouteContext): Promise<HttpReply> {
  const raw = req.query.get("limit");
  let limit = DEFAULT_CYCLES_LIMIT;
  if (raw !== null) {
    const parsed = CyclesLimitSchema.safeParse(raw.trim() === "" ? Number.NaN : raw);
    if (!parsed.success) {
      return errorReply(400, "BAD_REQUEST", `limit must be an integer from 1 to ${MAX_CYCLES_LIMIT}; got "${raw}"`);
    }
    limit = parsed.data;
  }
  return jsonReply(200, { limit, cycles: await ctx.readModel.cycles(limit) });
}

/** One cycle's executed legs: the sizing's predicted cost beside the realised one (bps, vs Chainlink). */
async function legs(req: RouteRequest, ctx: RouteContext): Promise<HttpReply> {
  const raw = req.query.get("cycle");
  const parsed = CycleIdSchema.safeParse(raw === null || raw.trim() === "" ? Number.NaN : raw);
  if (!parsed.success) return errorReply(400, "BAD_REQUEST", `cycle must be a positive integer cycle id; got "${raw}"`);
  return jsonReply(200, { cycle: parsed.data, legs: await ctx.readModel.legs(parsed.data) });
}

/** Portfolio rotations, newest first, with their steps and any proposals for the admin. */
async function rotations(_req: RouteRequest, ctx: RouteContext): Promise<HttpReply> {
  return jsonReply(200, { rotations: await ctx.readModel.rotations(DEFAULT_CYCLES_LIMIT) });
}

/** Per basket asset: the APY the strategy used (and its source) beside the realised yield. */
async function yields(_req: RouteRequest, ctx: RouteContext): Promise<HttpReply> {
  const view = ctx.readModel.yields ? await ctx.readModel.yields() : NO_YIELDS;
  return jsonReply(200, view);
}

/** Route learning's arms and metrics (picks, mean and absolute error, regret); empty without route learning. */
async function learnedRoutes(_req: RouteRequest, ctx: RouteContext): Promise<HttpReply> {
  return jsonReply(200, { routes: ctx.readModel.routes ? await ctx.readModel.routes() : [] });
}

const NO_YIELDS: YieldsView = { strategy: null, usesYields: false, assets: [] };

async function nav(_req: RouteRequest, ctx: RouteContext): Promise<HttpReply> {
  const vault = await ctx.readModel.navHistory();
  const baselines = await ctx.readModel.baselines();
  const summary = {
    vaultReturn: totalReturn(vault, (p) => p.navPerShare),
    benchmarkReturn: totalReturn(vault, (p) => p.benchmark),
    baselineReturns: Object.fromEntries(
      Object.entries(baselines).map(([name, series]) => [name, totalReturn(series, (p) => p.navPerShare)]),
    ),
  };
  return jsonReply(200, { nav: vault, baselines, summary });
}

/** First-to-last simple return over the points where the value is known; null with fewer than two. */
function totalReturn(series: readonly NavPoint[], value: (p: NavPoint) => number | null): number | null {
  const known = series.map(value).filter((v): v is number => v !== null && Number.isFinite(v));
  const first = known[0];
  const last = known.at(-1);
  if (known.length < 2 || first === undefined || last === undefined || first === 0) return null;
  return last / first - 1;
}

/** Composition over time; `assets` is ordered by mean weight so stacking and colours are stable. */
async function composition(_req: RouteRequest, ctx: RouteContext): Promise<HttpReply> {
  const points = await ctx.readModel.compositionHistory();
  const sums = new Map<string, number>();
  for (const p of points) {
    for (const [asset, w] of Object.entries(p.weights)) sums.set(asset, (sums.get(asset) ?? 0) + w);
  }
  const assets = [...sums].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([asset]) => asset);
  return jsonReply(200, { assets, points });
}

async function rebalance(req: RouteRequest, ctx: RouteContext): Promise<HttpReply> {
  if (!isAuthorized(req.authorization, ctx.authToken)) {
    ctx.logger.warn(
      { path: req.path, hasAuthorization: req.authorization !== undefined },
      "rebalance refused: bad token",
    );
    return errorReply(401, "UNAUTHORIZED", "POST /api/rebalance needs the header Authorization: Bearer <token>", {
      "www-authenticate": 'Bearer realm="ballast-keeper"',
    });
  }
  const result = await ctx.control.triggerRebalance();
  ctx.logger.info(
    { accepted: result.accepted, outcome: result.outcome, reason: result.reason },
    "rebalance triggered by operator",
  );
  const outcome = result.outcome === undefined ? {} : { outcome: result.outcome };
  return result.accepted
    ? jsonReply(202, { accepted: true, ...outcome })
    : jsonReply(409, { accepted: false, ...outcome, reason: result.reason ?? "refused by the keeper" });
}

async function metrics(_req: RouteRequest, ctx: RouteContext): Promise<HttpReply> {
  return {
    status: 200,
    headers: { "content-type": ctx.metrics.contentType, "cache-control": "no-store" },
    body: await ctx.metrics.render(),
  };
}
