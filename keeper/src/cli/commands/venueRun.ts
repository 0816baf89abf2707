/**
 * `keeper run --venue hyperliquid|starknet --config FILE`: wires one venue, the signal oracle
 * and the store into the venue keeper (service/venueKeeper.ts) and runs it with the operator
 * surfaces. This is the only place these parts meet. Everything that can be refused (the
 * config, the key's variable) is refused before anything is read from the venue or signed.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { redactUrl } from "../../config/redactUrl.js";
import { loadVenueKeeperConfig, type VenueKeeperConfig, venueKillFile } from "../../config/venueKeeperConfig.js";
import { ConfigError } from "../../core/errors.js";
import type { Venue, VenuePlan } from "../../core/venue.js";
import { fetchScores, loadScoreFile } from "../../data/signals/scoreFile.js";
import { openHyperliquidVenue } from "../../execution/hyperliquid/openHyperliquidVenue.js";
import { SignalOracle } from "../../execution/signalOracle.js";
import { describeStarknetVenue, openStarknetVenue } from "../../execution/starknet/openStarknetVenue.js";
import { startOperatorServer } from "../../service/http/server.js";
import { KeeperMetrics } from "../../service/keeperMetrics.js";
import { createLogger } from "../../service/logger.js";
import { KeeperStore } from "../../service/store/keeperStore.js";
import { VenueStore } from "../../service/store/venueStore.js";
import { VenueKeeper } from "../../service/venueKeeper.js";
import { EXIT } from "../exitCodes.js";
import { stopOnSignals } from "../shutdown.js";
import type { KeeperFlags } from "./keeperSession.js";

interface OpenedVenue {
  readonly venue: Venue<unknown, VenuePlan, unknown>;
  readonly describes: string;
  /** Values to scrub from every log line. */
  readonly secrets: readonly string[];
}

async function openVenue(config: VenueKeeperConfig, env: NodeJS.ProcessEnv): Promise<OpenedVenue> {
  if (config.venue === "hyperliquid") {
    const hl = config.hyperliquid;
    const opened = await openHyperliquidVenue(hl, env);
    return {
      venue: opened.venue as unknown as Venue<unknown, VenuePlan, unknown>,
      describes: `hyperliquid ${hl.network} account ${hl.vaultAddress ?? hl.accountAddress} via ${redactUrl(hl.apiUrl)} signed by ${opened.agent ? "agent " : ""}${opened.signerAddress}`,
      secrets: [env[hl.key.keyEnv] ?? "", env[hl.key.passwordEnv] ?? ""].filter(Boolean),
    };
  }
  const venue = openStarknetVenue(config.starknet, env);
  return {
    venue: venue as unknown as Venue<unknown, VenuePlan, unknown>,
    describes: describeStarknetVenue(config.starknet),
    secrets: [env[config.starknet.keyEnv] ?? ""].filter(Boolean),
  };
}

async function openVenueStore(config: VenueKeeperConfig, venue: string): Promise<KeeperStore> {
  if (config.store.url !== undefined) {
    return KeeperStore.openPostgres({
      url: config.store.url,
      schema: `venue_${venue}`,
      timeoutMs: config.store.timeoutMs,
    });
  }
  if (!existsSync(config.dataDir)) mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  return KeeperStore.open(join(config.dataDir, "keeper.sqlite"));
}

export async function runVenueCommand(
  venueName: "hyperliquid" | "starknet",
  flags: KeeperFlags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  for (const arbitrumOnly of ["market", "release", "rpc-url", "allow-reckless-limits"] as const) {
    if (flags[arbitrumOnly] !== undefined) throw new ConfigError(`--${arbitrumOnly} applies to --venue arbitrum only`);
  }
  const loaded = loadVenueKeeperConfig(venueName, flags.config);
  const config: VenueKeeperConfig = flags["data-dir"] ? { ...loaded, dataDir: flags["data-dir"] } : loaded;
  const port = flags.port === undefined ? 8787 : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new ConfigError("run: --port must be 0..65535");
  const { venue, describes, secrets } = await openVenue(config, env);
  const logger = createLogger({ secrets });
  const { signals } = config;
  const oracle = new SignalOracle({
    name: `signals:${signals.path ?? redactUrl(signals.url ?? "")}`,
    read: async () => (signals.path !== undefined ? loadScoreFile(signals.path) : fetchScores(signals.url ?? "")),
    policy: signals,
  });
  const store = await openVenueStore(config, venue.name);
  const metrics = new KeeperMetrics();
  const keeper = new VenueKeeper({
    venue,
    oracle,
    store: new VenueStore(store.db, venue.name),
    logger,
    metrics,
    options: {
      ...config.schedule,
      dryRun: config.dryRun,
      killSwitch: () => config.killSwitch || existsSync(venueKillFile(config)),
      describes,
    },
  });
  logger.info({ venue: venue.name, describes, dryRun: config.dryRun }, "venue keeper starting");
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
    await store.close();
    release();
  }
  return EXIT.OK;
}
