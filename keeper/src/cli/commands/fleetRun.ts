/**
 * `keeper run --fleet fleet.json`: every vault of the fleet file in this process, each opened
 * the way its single-vault command opens it (openSession for the basket vault, openVenueKeeper
 * for a venue) under the fleet supervisor (service/fleet), with one operator server for all.
 * This is where the fleet's parts meet; the supervisor only sees each vault's `open()`.
 */
import { randomBytes } from "node:crypto";
import { type FleetVault, loadFleet } from "../../config/fleetConfig.js";
import { ConfigError } from "../../core/errors.js";
import { FleetSupervisor, type FleetVaultSpec } from "../../service/fleet/fleetSupervisor.js";
import { startFleetServer } from "../../service/http/fleetServer.js";
import type { OperatorServer } from "../../service/http/server.js";
import { createLogger } from "../../service/logger.js";
import { EXIT } from "../exitCodes.js";
import { stopOnSignals } from "../shutdown.js";
import type { KeeperFlags } from "./keeperSession.js";
import { openSession } from "./keeperSession.js";
import { openVenueKeeper, secretsOfVenue } from "./venueSession.js";

/** Flags that name one vault's settings; in a fleet they live in the fleet file. */
const SINGLE_VAULT_FLAGS = [
  "config",
  "venue",
  "market",
  "release",
  "rpc-url",
  "data-dir",
  "allow-reckless-limits",
] as const;

export async function runFleetCommand(flags: KeeperFlags, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  for (const flag of SINGLE_VAULT_FLAGS) {
    if (flags[flag] !== undefined)
      throw new ConfigError(`--${flag} cannot be combined with --fleet: set it per vault in the fleet file`);
  }
  const fleet = loadFleet(flags.fleet as string, env);
  const port = flags.port === undefined ? fleet.http.port : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new ConfigError("run: --port must be 0..65535");
  const logger = createLogger({ secrets: fleet.vaults.flatMap((v) => secretsOf(v, env)) });
  const supervisor = new FleetSupervisor({
    vaults: fleet.vaults.map((v) => vaultSpec(v, env)),
    logger,
    restart: fleet.restart,
  });
  logger.info({ vaults: fleet.vaults.map((v) => `${v.name} (${v.venue})`) }, "fleet starting");
  let operator: OperatorServer | null = null;
  const release = stopOnSignals(() => supervisor.stop());
  try {
    if (flags["no-serve"] !== true) {
      const envToken = env.BALLAST_API_TOKEN;
      const authToken = envToken || randomBytes(16).toString("hex");
      operator = await startFleetServer({
        fleet: supervisor,
        authToken,
        host: flags.host ?? fleet.http.host,
        port,
        logger,
      });
      console.log(`operator server: ${operator.url}/ (dashboard), ${operator.url}/api/fleet, ${operator.url}/metrics`);
      if (!envToken)
        console.log(`POST /api/rebalance token (generated; set BALLAST_API_TOKEN to choose): ${authToken}`);
    }
    await supervisor.run();
  } finally {
    await operator?.close();
    release();
  }
  return EXIT.OK;
}

/** How the supervisor opens one vault, as its single-vault command would. */
export function vaultSpec(vault: FleetVault, env: NodeJS.ProcessEnv): FleetVaultSpec {
  if (vault.venue === "arbitrum") {
    return {
      name: vault.name,
      venue: vault.venue,
      open: async (metrics, logger) => {
        const session = await openSession({ release: vault.release, market: vault.market }, vault.config, env, {
          logger,
          metrics,
        });
        const { keeper } = session;
        return {
          readModel: keeper.readModel,
          control: keeper,
          run: async () => {
            session.retrainer?.start(keeper.deps.config.schedule.pollSeconds * 1000);
            await keeper.run();
          },
          stop: () => keeper.stop(),
          close: () => session.close(),
        };
      },
    };
  }
  const { config } = vault;
  return {
    name: vault.name,
    venue: vault.venue,
    open: async (metrics, logger) => {
      const { keeper, close } = await openVenueKeeper(config, env, { metrics, logger });
      return {
        readModel: keeper.readModel,
        control: keeper,
        run: () => keeper.run(),
        stop: () => keeper.stop(),
        close,
      };
    },
  };
}

function secretsOf(vault: FleetVault, env: NodeJS.ProcessEnv): string[] {
  if (vault.venue !== "arbitrum") return secretsOfVenue(vault.config, env);
  const { signer, submitter, admin } = vault.config;
  return [signer.keyEnv, submitter.keyEnv, admin.keyEnv].map((k) => env[k] ?? "").filter(Boolean);
}
