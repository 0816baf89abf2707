/**
 * The fleet config (`keeper run --fleet fleet.json`): one process serving a list of vaults,
 * each with its own keeper config (a file, or inline for the basket vault), venue, release and
 * market. Read once and validated here; the keeper configs themselves are validated by their own
 * schemas when the fleet is loaded (loadFleet), so every problem surfaces before anything starts.
 *
 * Isolation is checked here too: two vaults may not share a data directory (one SQLite store,
 * journal and KILL file per vault), nor serve the same vault address (both would sign).
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import { ConfigError } from "../core/errors.js";
import { type KeeperConfig, loadKeeperConfig, parseKeeperConfig } from "./keeperConfig.js";
import { storeUrlFromEnv } from "./storeUrl.js";
import { closestName } from "./suggest.js";
import { loadVenueKeeperConfig, VENUES, type VenueKeeperConfig } from "./venueKeeperConfig.js";

/** A Prometheus label value and a URL path segment alike: short, lower case, no separators to escape. */
const VAULT_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

const vaultEntrySchema = z.strictObject({
  name: z
    .string()
    .regex(VAULT_NAME, "must be 1-63 characters of a-z, 0-9, '-' or '_', starting with a letter or digit"),
  venue: z.enum(VENUES).default("arbitrum"),
  /** A path (relative to the fleet file) to the vault's keeper config, or the config itself. */
  config: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
  /** `--release DIR` for this vault (arbitrum only). */
  release: z.string().min(1).optional(),
  /** `--market CSV` for this vault (arbitrum only). */
  market: z.string().min(1).optional(),
});

const fleetSchema = z.strictObject({
  vaults: z.array(vaultEntrySchema).min(1, "list at least one vault"),
  /**
   * One PostgreSQL for every vault without a `store.url` of its own (each vault keeps its own
   * schema and lease key); BALLAST_STORE_URL sets it too. Without it each vault uses SQLite.
   */
  store: z
    .strictObject({
      url: z
        .string()
        .regex(/^postgres(ql)?:\/\/\S+$/, "must be a postgres:// URL")
        .optional(),
    })
    .default({}),
  http: z
    .strictObject({
      port: z.number().int().min(0).max(65_535).default(8787),
      host: z.string().min(1).default("127.0.0.1"),
    })
    .default({ port: 8787, host: "127.0.0.1" }),
  /** Backoff between restarts of a failed vault: doubles from `initialMs` up to `maxMs`. */
  restart: z
    .strictObject({
      initialMs: z.number().int().min(10).default(1_000),
      maxMs: z.number().int().min(10).default(60_000),
    })
    .refine((r) => r.maxMs >= r.initialMs, "maxMs must be at least initialMs")
    .default({ initialMs: 1_000, maxMs: 60_000 }),
});

export type FleetFile = z.output<typeof fleetSchema>;
export type FleetVaultEntry = z.output<typeof vaultEntrySchema>;

export type FleetVault =
  | {
      readonly name: string;
      readonly venue: "arbitrum";
      readonly config: KeeperConfig;
      readonly release?: string | undefined;
      readonly market?: string | undefined;
    }
  | { readonly name: string; readonly venue: "hyperliquid" | "starknet"; readonly config: VenueKeeperConfig };

export interface Fleet {
  readonly vaults: readonly FleetVault[];
  readonly http: FleetFile["http"];
  readonly restart: FleetFile["restart"];
}

const TOP_KEYS = Object.keys(fleetSchema.shape);
const VAULT_KEYS = Object.keys(vaultEntrySchema.shape);

/** Validates the fleet file's own shape (not yet the vaults' keeper configs). */
export function parseFleetFile(input: unknown): FleetFile {
  const parsed = fleetSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) => {
      const where = issue.path.join(".") || "(root)";
      if (issue.code !== "unrecognized_keys") return [`${where}: ${issue.message}`];
      const known = issue.path.length === 0 ? TOP_KEYS : issue.path.length === 2 ? VAULT_KEYS : [];
      return issue.keys.map((key) => {
        const near = closestName(key, known);
        return `${where}: unknown key "${key}"${near ? ` (did you mean "${near}"?)` : ""}`;
      });
    });
    throw new ConfigError(`invalid fleet config:\n  ${problems.join("\n  ")}`, { problems });
  }
  const seen = new Set<string>();
  for (const vault of parsed.data.vaults) {
    if (seen.has(vault.name)) throw new ConfigError(`invalid fleet config: vault name "${vault.name}" is used twice`);
    seen.add(vault.name);
    if (vault.venue !== "arbitrum" && (vault.release !== undefined || vault.market !== undefined))
      throw new ConfigError(
        `invalid fleet config: vault "${vault.name}": release and market apply to venue arbitrum only`,
      );
    if (vault.venue !== "arbitrum" && typeof vault.config !== "string")
      throw new ConfigError(
        `invalid fleet config: vault "${vault.name}": a ${vault.venue} vault's config must be a file path`,
      );
  }
  return parsed.data;
}

/**
 * Reads the fleet file and every vault's keeper config. The per-vault configs are read without
 * the BALLAST_* environment overrides (BALLAST_VAULT or BALLAST_DATA_DIR would otherwise point
 * every vault at the same place); BALLAST_STORE_URL is the fleet's shared store instead.
 */
export function loadFleet(file: string, env: NodeJS.ProcessEnv = process.env): Fleet {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ConfigError(
      `cannot read fleet config ${file}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const fleet = parseFleetFile(json);
  const sharedUrl = storeUrlFromEnv(env) ?? fleet.store.url;
  const base = dirname(resolve(file));
  const vaults = fleet.vaults.map((entry) => {
    try {
      return loadVault(entry, base, sharedUrl);
    } catch (error) {
      if (error instanceof ConfigError) throw new ConfigError(`vault "${entry.name}": ${error.message}`);
      throw error;
    }
  });
  checkIsolation(vaults);
  return { vaults, http: fleet.http, restart: fleet.restart };
}

function loadVault(entry: FleetVaultEntry, base: string, sharedUrl: string | undefined): FleetVault {
  const path = typeof entry.config === "string" ? resolve(base, entry.config) : undefined;
  if (entry.venue !== "arbitrum") {
    const config = loadVenueKeeperConfig(entry.venue, path, {});
    const store = config.store.url === undefined && sharedUrl ? { ...config.store, url: sharedUrl } : config.store;
    return { name: entry.name, venue: entry.venue, config: { ...config, store } };
  }
  const raw = path === undefined ? parseKeeperConfig(entry.config) : loadKeeperConfig({ file: path, env: {} });
  const config =
    raw.store.url === undefined && sharedUrl
      ? parseKeeperConfig({ ...raw, store: { ...raw.store, url: sharedUrl } })
      : raw;
  const resolvePath = (p: string | undefined) => (p === undefined ? undefined : resolve(base, p));
  return {
    name: entry.name,
    venue: "arbitrum",
    config,
    release: resolvePath(entry.release),
    market: resolvePath(entry.market),
  };
}

/** One data directory per vault, and one keeper per (store, vault). */
function checkIsolation(vaults: readonly FleetVault[]): void {
  const dirs = new Map<string, string>();
  const targets = new Map<string, string>();
  for (const v of vaults) {
    const dir = resolve(v.config.dataDir);
    const other = dirs.get(dir);
    if (other !== undefined)
      throw new ConfigError(
        `vaults "${other}" and "${v.name}" share the data directory ${dir}; give each its own dataDir`,
      );
    dirs.set(dir, v.name);
    const target = v.venue === "arbitrum" ? `${v.config.chainId}:${v.config.vault.toLowerCase()}` : `venue:${v.venue}`;
    const twin = targets.get(target);
    if (twin !== undefined)
      throw new ConfigError(
        `vaults "${twin}" and "${v.name}" serve the same ${v.venue === "arbitrum" ? "vault" : "venue"} (${target}); each would sign for it`,
      );
    targets.set(target, v.name);
  }
}
