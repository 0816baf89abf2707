/**
 * Opens everything a venue keeper command (`run`, `dry-run`, `rebalance` with `--venue
 * hyperliquid|starknet`) needs: the config, the venue, the signal oracle, the store and the
 * leadership that goes with it, wired into one `VenueKeeper`. Wiring of these parts lives here
 * and nowhere else. What can be refused (Arbitrum-only flags, the config, the key's variable)
 * is refused before anything is read from the venue, signed or stored.
 *
 * Leadership: SQLite at `<dataDir>/keeper.sqlite` is one process, which always leads. With
 * `store.url` every keeper of the same venue account shares the venue's PostgreSQL schema and
 * competes for one lease (`venueLeaseKey`), as the Arbitrum keeper does per vault.
 */
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
import { KeeperMetrics } from "../../service/keeperMetrics.js";
import { type Leadership, LocalLeadership } from "../../service/leadership/leadership.js";
import { LeaseLeadership } from "../../service/leadership/leaseLeadership.js";
import { createLogger, type Logger } from "../../service/logger.js";
import { KeeperStore } from "../../service/store/keeperStore.js";
import { LeaseStore } from "../../service/store/leaseStore.js";
import { defaultHolder, statementCounter } from "../../service/store/openStore.js";
import { VenueStore } from "../../service/store/venueStore.js";
import { VenueKeeper } from "../../service/venueKeeper.js";
import type { KeeperFlags } from "./keeperSession.js";

type AnyVenue = Venue<unknown, VenuePlan, unknown>;

export interface VenueSession {
  readonly keeper: VenueKeeper<unknown, VenuePlan, unknown>;
  readonly config: VenueKeeperConfig;
  readonly logger: Logger;
  readonly metrics: KeeperMetrics;
  /** Gives up the lease (when held) and closes the store. */
  close(): Promise<void>;
}

/** Flags of the vault keeper that mean nothing to a venue keeper: refused, not ignored. */
const ARBITRUM_ONLY = ["market", "release", "rpc-url", "allow-reckless-limits"] as const;

/** The lease's key: one per venue account (HyperLiquid: the traded account; Starknet: the vault). */
export function venueLeaseKey(config: VenueKeeperConfig): string {
  if (config.venue === "hyperliquid") {
    const hl = config.hyperliquid;
    return `hyperliquid:${hl.network}:${(hl.vaultAddress ?? hl.accountAddress).toLowerCase()}`;
  }
  return `starknet:${config.starknet.vaultAddress.toLowerCase()}`;
}

interface OpenedVenue {
  readonly venue: AnyVenue;
  readonly describes: string;
  /** Values to scrub from every log line. */
  readonly secrets: readonly string[];
}

async function openVenue(config: VenueKeeperConfig, env: NodeJS.ProcessEnv): Promise<OpenedVenue> {
  if (config.venue === "hyperliquid") {
    const hl = config.hyperliquid;
    const opened = await openHyperliquidVenue(hl, env);
    return {
      venue: opened.venue as unknown as AnyVenue,
      describes: `hyperliquid ${hl.network} account ${hl.vaultAddress ?? hl.accountAddress} via ${redactUrl(hl.apiUrl)} signed by ${opened.agent ? "agent " : ""}${opened.signerAddress}`,
      secrets: [env[hl.key.keyEnv] ?? "", env[hl.key.passwordEnv] ?? ""].filter(Boolean),
    };
  }
  const venue = openStarknetVenue(config.starknet, env);
  return {
    venue: venue as unknown as AnyVenue,
    describes: describeStarknetVenue(config.starknet),
    secrets: [env[config.starknet.keyEnv] ?? ""].filter(Boolean),
  };
}

async function openLeadership(
  config: VenueKeeperConfig,
  venue: string,
  deps: { readonly logger: Logger; readonly metrics: KeeperMetrics },
): Promise<{ readonly store: KeeperStore; readonly leadership: Leadership }> {
  const { url } = config.store;
  if (url === undefined) {
    if (!existsSync(config.dataDir)) mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    deps.metrics.leader.set(1);
    return {
      store: await KeeperStore.open(join(config.dataDir, "keeper.sqlite"), statementCounter(deps.metrics)),
      leadership: new LocalLeadership(),
    };
  }
  const schema = `venue_${venue}`;
  const store = await KeeperStore.openPostgres(
    { url, schema, timeoutMs: config.store.timeoutMs },
    statementCounter(deps.metrics),
  );
  const self = config.store.lease.holder ?? defaultHolder();
  const key = venueLeaseKey(config);
  deps.logger.info({ store: redactUrl(url), schema, lease: key, holder: self }, "store: PostgreSQL");
  deps.metrics.leader.set(0);
  const leadership = new LeaseLeadership({
    leases: new LeaseStore(store.db),
    vault: key,
    self,
    settings: config.store.lease,
    logger: deps.logger,
    metrics: deps.metrics,
  });
  return { store, leadership };
}

export async function openVenueSession(
  command: string,
  venueName: "hyperliquid" | "starknet",
  flags: KeeperFlags,
  env: NodeJS.ProcessEnv,
  overrides: { readonly dryRun?: boolean } = {},
): Promise<VenueSession> {
  for (const arbitrumOnly of ARBITRUM_ONLY) {
    if (flags[arbitrumOnly] !== undefined) {
      throw new ConfigError(`${command}: --${arbitrumOnly} applies to --venue arbitrum only`);
    }
  }
  const loaded = loadVenueKeeperConfig(venueName, flags.config, env);
  const config: VenueKeeperConfig = {
    ...loaded,
    ...(flags["data-dir"] ? { dataDir: flags["data-dir"] } : {}),
    ...(overrides.dryRun ? { dryRun: true } : {}),
  };
  return openVenueKeeper(config, env);
}

/**
 * Opens the venue, its store, its leadership and the venue keeper from a loaded config: for
 * `openVenueSession` and for one vault of a fleet (fleetRun.ts), which passes its labelled
 * instruments and its logger (that logger must already scrub the venue's key: `secretsOfVenue`).
 */
export async function openVenueKeeper(
  config: VenueKeeperConfig,
  env: NodeJS.ProcessEnv,
  instruments: { readonly metrics?: KeeperMetrics; readonly logger?: Logger } = {},
): Promise<VenueSession> {
  const { venue, describes, secrets } = await openVenue(config, env);
  const logger = instruments.logger ?? createLogger({ secrets });
  const { signals } = config;
  const oracle = new SignalOracle({
    name: `signals:${signals.path ?? redactUrl(signals.url ?? "")}`,
    read: async () => (signals.path !== undefined ? loadScoreFile(signals.path) : fetchScores(signals.url ?? "")),
    policy: signals,
  });
  const metrics = instruments.metrics ?? new KeeperMetrics();
  const { store, leadership } = await openLeadership(config, venue.name, { logger, metrics });
  const keeper = new VenueKeeper({
    venue,
    oracle,
    store: new VenueStore(store.db, venue.name),
    logger,
    metrics,
    leadership,
    options: {
      ...config.schedule,
      dryRun: config.dryRun,
      killSwitch: () => config.killSwitch || existsSync(venueKillFile(config)),
      describes,
    },
  });
  return {
    keeper,
    config,
    logger,
    metrics,
    close: async () => {
      try {
        await keeper.leadership.stop();
      } finally {
        await store.close();
      }
    },
  };
}

/** The values of the venue's key variables, to scrub from every log line. */
export function secretsOfVenue(config: VenueKeeperConfig, env: NodeJS.ProcessEnv): string[] {
  const vars =
    config.venue === "hyperliquid"
      ? [config.hyperliquid.key.keyEnv, config.hyperliquid.key.passwordEnv]
      : [config.starknet.keyEnv];
  return vars.map((v) => env[v] ?? "").filter(Boolean);
}
