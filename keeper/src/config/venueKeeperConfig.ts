/**
 * Configuration of `keeper run --venue hyperliquid|starknet`: one JSON file with the keeper's
 * own settings (data directory, store, schedule, dry run, kill switch), the signal oracle that
 * gives the targets, and the venue's section (`hyperliquid` or `starknet`, validated by that
 * venue's own schema). Read once and validated here; every problem is one `ConfigError`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { ConfigError } from "../core/errors.js";
import { type HyperliquidConfig, parseHyperliquidConfig } from "./hyperliquidConfig.js";
import { storeSchema } from "./keeperConfig.js";
import { parseStarknetConfig, type StarknetConfig } from "./starknetConfig.js";
import { storeOverride } from "./storeUrl.js";

/** The venues `keeper run --venue` knows; arbitrum is the vault keeper of keeperConfig.ts. */
export const VENUES = ["arbitrum", "hyperliquid", "starknet"] as const;
export type VenueName = (typeof VENUES)[number];

const signalsSchema = z
  .strictObject({
    /** A score file (CSV or JSON, data/signals/scoreFile.ts), read afresh every cycle... */
    path: z.string().min(1).optional(),
    /** ...or an HTTP endpoint answering the JSON format. */
    url: z.string().url().optional(),
    mode: z.enum(["long-short", "long-only"]),
    gross: z.number().positive().max(20).default(1),
    maxWeight: z.number().positive().max(20).default(0.5),
    maxAgeSeconds: z
      .number()
      .int()
      .positive()
      .default(2 * 86_400),
    minCoverage: z.number().min(0).max(1).default(0.5),
  })
  .refine((s) => (s.path === undefined) !== (s.url === undefined), "set exactly one of signals.path and signals.url");

const baseSchema = z.strictObject({
  /** Optional in the file; `--venue` must agree with it when both are given. */
  venue: z.enum(VENUES).optional(),
  dataDir: z.string().min(1).default("./keeper-data"),
  /**
   * PostgreSQL instead of SQLite at `<dataDir>/keeper.sqlite` (one schema per venue), shared by
   * standby keepers: the same section as the vault keeper's, lease included (one per account).
   */
  store: storeSchema,
  dryRun: z.boolean().default(false),
  /** Holds every cycle; the file `<dataDir>/KILL` does the same without a restart. */
  killSwitch: z.boolean().default(false),
  schedule: z
    .strictObject({
      /** Seconds between ticks (each reads the positions; a cycle runs when due). */
      pollSeconds: z.number().positive().default(60),
      /** A rebalance at most this often, unless the drift rule fires. */
      everySeconds: z.number().int().positive().default(86_400),
      driftThresholdBps: z.number().int().min(0).max(10_000).default(500),
    })
    .prefault({}),
  signals: signalsSchema,
  hyperliquid: z.unknown().optional(),
  starknet: z.unknown().optional(),
});

export type VenueKeeperBase = Omit<z.infer<typeof baseSchema>, "hyperliquid" | "starknet">;

export type VenueKeeperConfig =
  | (VenueKeeperBase & { readonly venue: "hyperliquid"; readonly hyperliquid: HyperliquidConfig & { apiUrl: string } })
  | (VenueKeeperBase & { readonly venue: "starknet"; readonly starknet: StarknetConfig });

/** `--venue` text -> a known venue, or one clear error listing them. */
export function parseVenueName(text: string): VenueName {
  const found = VENUES.find((v) => v === text);
  if (!found) throw new ConfigError(`unknown venue "${text}": use one of ${VENUES.join(", ")}`);
  return found;
}

/** Validates `input` (the parsed JSON file) for `venue`; refuses what the venue cannot trade. */
export function parseVenueKeeperConfig(venue: "hyperliquid" | "starknet", input: unknown): VenueKeeperConfig {
  const parsed = baseSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`);
    throw new ConfigError(`invalid ${venue} keeper config: ${problems.join("; ")}`, { problems });
  }
  const { hyperliquid, starknet, ...base } = parsed.data;
  if (base.venue !== undefined && base.venue !== venue) {
    throw new ConfigError(`--venue ${venue} but the config file says "venue": "${base.venue}"`);
  }
  const section = venue === "hyperliquid" ? hyperliquid : starknet;
  if (section === undefined) {
    throw new ConfigError(`--venue ${venue} needs a "${venue}" section in the config file`);
  }
  if (venue === "starknet") {
    // A spot vault holds no shorts: refused here, before any key is read or anything signed.
    if (base.signals.mode !== "long-only") {
      throw new ConfigError('starknet is a spot vault: signals.mode must be "long-only" (short weights are refused)');
    }
    if (base.signals.gross !== 1) {
      throw new ConfigError("starknet is a fully invested spot vault: signals.gross must be 1");
    }
    return { ...base, venue, starknet: parseStarknetConfig(section) };
  }
  return { ...base, venue, hyperliquid: parseHyperliquidConfig(section) };
}

/**
 * Reads and validates the file; a missing or malformed file is a ConfigError naming it.
 * BALLAST_STORE_URL in `env` replaces the file's `store.url`, as for the vault keeper
 * (storeUrl.ts); a fleet passes an empty `env`, since it gives its vaults the shared URL itself.
 */
export function loadVenueKeeperConfig(
  venue: "hyperliquid" | "starknet",
  file: string | undefined,
  env: NodeJS.ProcessEnv,
): VenueKeeperConfig {
  if (file === undefined) throw new ConfigError(`--venue ${venue} needs --config FILE`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ConfigError(`cannot read config ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  // A file that is not an object is left to the schema, which says so.
  if (typeof json !== "object" || json === null || Array.isArray(json)) return parseVenueKeeperConfig(venue, json);
  const fileValues = json as Record<string, unknown>;
  return parseVenueKeeperConfig(venue, { ...fileValues, ...storeOverride(env, fileValues) });
}

export function venueKillFile(config: Pick<VenueKeeperBase, "dataDir">): string {
  return join(config.dataDir, "KILL");
}
