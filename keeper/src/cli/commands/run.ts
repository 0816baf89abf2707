/**
 * `keeper run`: runs the keeper on its schedule until SIGINT/SIGTERM (see ../shutdown.ts), on
 * live market data, with the operator surfaces (JSON API, dashboard, /metrics) on 127.0.0.1
 * unless --no-serve.
 */
import { randomBytes } from "node:crypto";
import { parseVenueName } from "../../config/venueKeeperConfig.js";
import { ConfigError } from "../../core/errors.js";
import { startOperatorServer } from "../../service/http/server.js";
import { EXIT } from "../exitCodes.js";
import { stopOnSignals } from "../shutdown.js";
import { answerHelp } from "../usage.js";
import { runFleetCommand } from "./fleetRun.js";
import { configFromFlags, keeperUsage, openSession, parseKeeperFlags, withStartupErrors } from "./keeperSession.js";
import { runVenueCommand } from "./venueRun.js";

const DEFAULT_PORT = 8787;

export async function runCommand(argv: string[]): Promise<number> {
  const help = answerHelp(argv, keeperUsage("run"));
  if (help !== null) return help;
  return withStartupErrors(async () => {
    const flags = parseKeeperFlags("run", argv);
    if (flags.fleet !== undefined) return runFleetCommand(flags);
    const venue = flags.venue === undefined ? "arbitrum" : parseVenueName(flags.venue);
    if (venue !== "arbitrum") return runVenueCommand(venue, flags);
    const port = flags.port === undefined ? DEFAULT_PORT : Number(flags.port);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new ConfigError("run: --port must be 0..65535");
    const session = await openSession(flags, configFromFlags(flags));
    const { keeper } = session;
    let operator: Awaited<ReturnType<typeof startOperatorServer>> | null = null;
    const release = stopOnSignals(() => keeper.stop());
    try {
      if (flags["no-serve"] !== true) {
        const envToken = process.env.BALLAST_API_TOKEN;
        const authToken = envToken || randomBytes(16).toString("hex");
        operator = await startOperatorServer({
          readModel: keeper.readModel,
          control: keeper,
          authToken,
          host: flags.host ?? "127.0.0.1",
          port,
          metrics: keeper.deps.metrics,
        });
        console.log(`operator server: ${operator.url}/ (dashboard), ${operator.url}/metrics`);
        if (!envToken)
          console.log(`POST /api/rebalance token (generated; set BALLAST_API_TOKEN to choose): ${authToken}`);
      }
      // Rotation retrains run beside the cycle loop (research in a child process).
      session.retrainer?.start(keeper.deps.config.schedule.pollSeconds * 1000);
      await keeper.run();
    } finally {
      await operator?.close();
      // Closing the store checkpoints its WAL journal into the database file.
      await session.close();
      release();
    }
    return EXIT.OK;
  });
}
