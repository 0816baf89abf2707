/**
 * `keeper run --venue hyperliquid|starknet --config FILE`: the venue keeper (opened by
 * venueSession.ts) on its schedule with the operator surfaces, until SIGINT/SIGTERM. With a
 * shared PostgreSQL it waits as a standby until it holds the venue account's lease.
 */
import { randomBytes } from "node:crypto";
import { ConfigError } from "../../core/errors.js";
import { startOperatorServer } from "../../service/http/server.js";
import { EXIT } from "../exitCodes.js";
import { stopOnSignals } from "../shutdown.js";
import type { KeeperFlags } from "./keeperSession.js";
import { openVenueSession } from "./venueSession.js";

export async function runVenueCommand(
  venueName: "hyperliquid" | "starknet",
  flags: KeeperFlags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const port = flags.port === undefined ? 8787 : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new ConfigError("run: --port must be 0..65535");
  const session = await openVenueSession("run", venueName, flags, env);
  const { keeper, logger, metrics, config } = session;
  logger.info(
    { venue: venueName, describes: keeper.deps.options.describes, dryRun: config.dryRun },
    "venue keeper starting",
  );
  let operator: Awaited<ReturnType<typeof startOperatorServer>> | null = null;
  const release = stopOnSignals(() => keeper.stop());
  try {
    if (flags["no-serve"] !== true) {
      const envToken = env.BALLAST_API_TOKEN;
      const authToken = envToken || randomBytes(16).toString("hex");
      operator = await startOperatorServer({
        readModel: keeper.readModel,
        control: keeper,
        authToken,
        host: flags.host ?? "127.0.0.1",
        port,
        metrics,
        logger,
      });
      console.log(`operator server: ${operator.url}/ (dashboard), ${operator.url}/metrics`);
      if (!envToken)
        console.log(`POST /api/rebalance token (generated; set BALLAST_API_TOKEN to choose): ${authToken}`);
    }
    await keeper.run();
  } finally {
    await operator?.close();
    await session.close();
    release();
  }
  return EXIT.OK;
}
