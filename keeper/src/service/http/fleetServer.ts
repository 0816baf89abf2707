/**
 * The operator server of a fleet process: the dashboard, `/api/fleet` (every vault and its
 * supervision state), `/metrics` (every vault's series labelled `vault="<name>"`, plus the
 * fleet's), and each vault's own API at `/api/vaults/<name>/<route>` or `/api/<route>?vault=<name>`,
 * answered by the same handlers as a single keeper's server (routes.ts).
 */

import { ConfigError } from "../../core/errors.js";
import type { FleetSupervisor } from "../fleet/fleetSupervisor.js";
import { createLogger, type Logger } from "../logger.js";
import type { KeeperReadModel } from "../readModel.js";
import { loadDashboardAssets, type StaticAsset } from "./dashboardAssets.js";
import { registerReadModelMetrics } from "./metrics.js";
import { errorReply, type HttpReply, jsonReply } from "./replies.js";
import { dispatch, type RouteContext, type RouteRequest } from "./routes.js";
import { listen, type OperatorServer, parseServerOptions } from "./server.js";

export interface FleetServerOptions {
  readonly fleet: FleetSupervisor;
  /** Bearer token for POST /api/rebalance on any vault. */
  readonly authToken: string;
  readonly host?: string;
  readonly port?: number;
  readonly logger?: Logger;
}

const VAULT_PATH = /^\/api\/vaults\/([^/]+)\/(.+)$/;
/** The single keeper's routes that live outside /api. */
const ROOT_ROUTES = new Set(["health", "metrics"]);

export async function startFleetServer(options: FleetServerOptions): Promise<OperatorServer> {
  const { authToken, host, port } = parseServerOptions(options);
  const logger = (options.logger ?? createLogger({ secrets: [authToken] })).child({ component: "http" });
  const { fleet } = options;
  const assets = fleetDashboard(loadDashboardAssets());
  const startedAtMs = Date.now();
  for (const { name } of fleet.status())
    registerReadModelMetrics(fleet.metrics.vault(name), currentReadModel(fleet, name));

  const route = async (req: RouteRequest): Promise<HttpReply> => {
    const byPath = VAULT_PATH.exec(req.path);
    const name = byPath ? decodeURIComponent(byPath[1] as string) : req.query.get("vault");
    if (name === null) {
      if (req.path === "/api/fleet" && (req.method === "GET" || req.method === "HEAD"))
        return jsonReply(200, { vaults: fleet.status() });
      if (req.path === "/metrics" && (req.method === "GET" || req.method === "HEAD"))
        return {
          status: 200,
          headers: { "content-type": fleet.metrics.contentType, "cache-control": "no-store" },
          body: await fleet.metrics.render(),
        };
      if (req.path === "/health" && (req.method === "GET" || req.method === "HEAD"))
        return fleetHealth(fleet, startedAtMs);
      if (req.path.startsWith("/api/"))
        return errorReply(
          400,
          "VAULT_REQUIRED",
          `this process serves a fleet: name the vault (${names(fleet)}) with ?vault=<name> or /api/vaults/<name>/...`,
        );
      // The dashboard's files are the same for every vault.
      return dispatch(req, contextWithout(assets, logger, authToken, startedAtMs, fleet));
    }
    if (!fleet.has(name))
      return errorReply(404, "NOT_FOUND", `no vault named "${name}" in this fleet (${names(fleet)})`);
    const member = fleet.member(name);
    if (member === null) {
      const status = fleet.status().find((s) => s.name === name);
      return jsonReply(503, {
        error: { code: "VAULT_UNAVAILABLE", message: `vault "${name}" is ${status?.state ?? "unknown"}` },
        vault: status,
      });
    }
    const rest = byPath ? (byPath[2] as string) : null;
    const path = rest === null ? req.path : ROOT_ROUTES.has(rest) ? `/${rest}` : `/api/${rest}`;
    return dispatch(
      { ...req, path },
      {
        readModel: member.readModel,
        control: member.control,
        metrics: fleet.metrics.vault(name),
        authToken,
        assets,
        logger: logger.child({ vault: name }),
        startedAtMs,
      },
    );
  };
  return listen({ host, port, logger }, route);
}

/**
 * The dashboard page marked as a fleet's (`<body data-fleet>`): its script then fills the vault
 * selector from /api/fleet and reads the picked vault's routes. A single keeper's page is left
 * unmarked, so it never asks for /api/fleet.
 */
function fleetDashboard(assets: ReadonlyMap<string, StaticAsset>): ReadonlyMap<string, StaticAsset> {
  const page = assets.get("/");
  if (!page) return assets;
  const html = page.body.toString("utf8");
  const marked = html.replace("<body ", "<body data-fleet ");
  if (marked === html) throw new ConfigError("dashboard page has no <body> tag to mark as a fleet's");
  return new Map([...assets, ["/", { ...page, body: Buffer.from(marked, "utf8") }]]);
}

function names(fleet: FleetSupervisor): string {
  return fleet
    .status()
    .map((s) => s.name)
    .join(", ");
}

/** 200 while the process answers; "degraded" while any vault is not running. */
function fleetHealth(fleet: FleetSupervisor, startedAtMs: number): HttpReply {
  const vaults = fleet.status();
  const down = vaults.filter((v) => v.state !== "running").map((v) => v.name);
  return jsonReply(200, {
    status: down.length === 0 ? "ok" : "degraded",
    uptimeSeconds: Math.round((Date.now() - startedAtMs) / 1000),
    notRunning: down,
    vaults: vaults.map((v) => ({ name: v.name, state: v.state, failures: v.failures })),
  });
}

/** Static assets only: every API route needs a vault, so the read side is never reached. */
function contextWithout(
  assets: RouteContext["assets"],
  logger: Logger,
  authToken: string,
  startedAtMs: number,
  fleet: FleetSupervisor,
): RouteContext {
  const first = fleet.status()[0]?.name ?? "";
  return {
    readModel: currentReadModel(fleet, first),
    control: { triggerRebalance: async () => ({ accepted: false, reason: "name the vault" }) },
    metrics: fleet.metrics.vault(first),
    authToken,
    assets,
    logger,
    startedAtMs,
  };
}

/**
 * The read model of whichever keeper currently runs the vault (it is reopened after a
 * failure); while none runs, every read fails, so the store's gauges are left empty.
 */
function currentReadModel(fleet: FleetSupervisor, name: string): KeeperReadModel {
  const model = (): KeeperReadModel => {
    const member = fleet.member(name);
    if (member === null) throw new Error(`vault ${name} is not running`);
    return member.readModel;
  };
  return {
    status: async () => model().status(),
    currentWeights: async () => model().currentWeights(),
    targetWeights: async () => model().targetWeights(),
    cycles: async (limit) => model().cycles(limit),
    navHistory: async () => model().navHistory(),
    compositionHistory: async () => model().compositionHistory(),
    baselines: async () => model().baselines(),
    legs: async (id) => model().legs(id),
    rotations: async (limit) => model().rotations(limit),
  };
}
