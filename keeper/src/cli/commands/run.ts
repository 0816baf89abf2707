/**
 * `keeper run`: runs the keeper on its schedule until SIGINT/SIGTERM, on live market data,
 * with the operator surfaces (JSON API, dashboard, /metrics) on 127.0.0.1 unless --no-serve.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { ConfigError } from "../../core/errors.js";
import { startOperatorServer } from "../../service/http/server.js";
import { configFromFlags, KEEPER_FLAGS, openSession, withStartupErrors } from "./keeperSession.js";

export const RUN_USAGE = `usage: keeper run --config FILE [--release DIR] [--market CSV] [--rpc-url URL]... [--data-dir DIR]
                  [--no-serve] [--port N] [--host H]

  --release DIR   serve the weights and schedule of a research release (refused unless its gate
                  verdict, files and universe check out; see \`keeper release verify\`)
  --market CSV    take the market history from this CSV (market.source "csv")
  --no-serve      do not start the operator server (API, dashboard, /metrics)
  --port N        operator server port (default 8787; 0 picks a free one)
  --host H        operator server address (default 127.0.0.1)

The operator server's POST /api/rebalance needs "Authorization: Bearer $BALLAST_API_TOKEN"
(at least 16 characters); without the variable a random token is generated and printed.`;

const RUN_FLAGS = {
  ...KEEPER_FLAGS,
  "no-serve": { type: "boolean", default: false },
  port: { type: "string", default: "8787" },
  host: { type: "string", default: "127.0.0.1" },
  help: { type: "boolean", short: "h", default: false },
} as const;

export async function runCommand(argv: string[]): Promise<number> {
  return withStartupErrors(async () => {
    const { values } = parseArgs({ args: argv, options: RUN_FLAGS, strict: true });
    if (values.help) {
      console.log(RUN_USAGE);
      return 0;
    }
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new ConfigError("--port must be 0..65535");
    const session = await openSession(values, configFromFlags(values));
    const { keeper } = session;
    let operator: Awaited<ReturnType<typeof startOperatorServer>> | null = null;
    try {
      if (!values["no-serve"]) {
        const envToken = process.env.BALLAST_API_TOKEN;
        const authToken = envToken || randomBytes(16).toString("hex");
        operator = await startOperatorServer({
          readModel: keeper.store,
          control: keeper,
          authToken,
          host: values.host,
          port,
        });
        console.log(`operator server: ${operator.url}/ (dashboard), ${operator.url}/metrics`);
        if (!envToken)
          console.log(`POST /api/rebalance token (generated; set BALLAST_API_TOKEN to choose): ${authToken}`);
      }
      const stop = () => keeper.stop();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      await keeper.run();
      return 0;
    } finally {
      await operator?.close();
      session.close();
    }
  });
}
