/**
 * The keeper's configuration: a JSON file, overridden by environment variables, overridden by
 * command-line flags, validated with zod in one place. Anything wrong (a missing RPC URL, a
 * malformed address, an unloadable key) is a `ConfigError` listing every problem, raised
 * before the keeper reads the chain or sends anything. Keys never live in this object: only
 * the names of the variables or files that hold them.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { classifierConfigSchema } from "../classifier/config.js";
import { ConfigError } from "../core/errors.js";
import { noTradeBandSchema } from "../market/noTradeBand.js";
import { ARBITRUM_UNISWAP_V3 } from "./addressBook.js";

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x-prefixed 20-byte address");
const hex = z.string().regex(/^0x([0-9a-fA-F]{2})*$/, "must be 0x-prefixed hex bytes");
const rpcUrl = z
  .string()
  .url()
  .refine((u) => u.startsWith("http://") || u.startsWith("https://"), "must be an http(s) URL");

const keySource = (keyEnv: string, passwordEnv: string) =>
  z
    .object({
      keyEnv: z.string().min(1).default(keyEnv),
      keystorePath: z.string().min(1).optional(),
      passwordEnv: z.string().min(1).default(passwordEnv),
    })
    .prefault({});

export const keeperConfigSchema = z.object({
  /** Ordered: the first is preferred, the others are failovers. */
  rpcUrls: z.array(rpcUrl).min(1, "at least one RPC URL is required"),
  chainId: z.number().int().positive(),
  vault: address,
  /**
   * The address book: base asset first, then every vault asset and every asset a rotation may
   * add, with Uniswap V3 paths to and from the base asset. An asset a rotation adds also needs
   * its Chainlink `oracle` (the vault's `addAsset` takes it); without one it is rejected.
   */
  tokens: z
    .array(
      z.object({
        symbol: z.string().min(1),
        address,
        decimals: z.number().int().min(0).max(18),
        sellPath: hex.default("0x"),
        buyPath: hex.default("0x"),
        oracle: z
          .object({
            feed: address,
            heartbeat: z.number().int().positive(),
            /** Bounds in the feed's decimals (8 for USD feeds), as decimal strings. */
            minAnswer: z.string().regex(/^\d+$/, "must be a decimal integer string"),
            maxAnswer: z.string().regex(/^\d+$/, "must be a decimal integer string"),
          })
          .optional(),
        /** Cap registered with `addAsset` (default: the largest cap among the vault's basket assets). */
        maxWeightBps: z.number().int().min(1).max(10_000).optional(),
      }),
    )
    .min(2, "the vault needs a base asset and at least one basket asset"),
  signer: keySource("BALLAST_KEEPER_KEY", "BALLAST_KEEPER_KEYSTORE_PASSWORD"),
  submitter: keySource("BALLAST_SUBMITTER_KEY", "BALLAST_SUBMITTER_KEYSTORE_PASSWORD"),
  /**
   * The vault admin's key, used only for rotations. Optional: when neither the variable nor a
   * keystore is set (production, where the admin is a multisig) the keeper writes proposals
   * instead of sending admin transactions.
   */
  admin: keySource("BALLAST_ADMIN_KEY", "BALLAST_ADMIN_KEYSTORE_PASSWORD"),
  /** Uniswap V3 factory, to find the pools of each route and read their liquidity. */
  uniswapFactory: address.default(ARBITRUM_UNISWAP_V3.factory),
  dataDir: z.string().min(1).default("./keeper-data"),
  dryRun: z.boolean().default(false),
  /** Stops every cycle; the file `<dataDir>/KILL` does the same without a restart. */
  killSwitch: z.boolean().default(false),
  strategy: z
    .object({
      name: z.enum(["inverse-vol", "equal-weight", "min-variance"]).default("inverse-vol"),
      maxWeight: z.number().gt(0).max(1).default(0.4),
      /** Days between portfolio rotations (re-run the classifier, move the vault); 0 disables. */
      rotationDays: z.number().min(0).default(90),
      /** A rotation whose new universe would hold fewer basket assets than this is skipped. */
      rotationMinAssets: z.number().int().min(1).default(2),
      /**
       * Classifier settings used at rotation time (see keeper/src/classifier/config.ts); ranked
       * mode unless `mode` says otherwise.
       */
      classifier: z
        .preprocess(
          (v) => (v !== null && typeof v === "object" && !("mode" in v) ? { ...v, mode: "ranked" } : v),
          classifierConfigSchema,
        )
        .optional(),
      /**
       * No-trade band on every rebalance (keeper/src/market/noTradeBand.ts): weights inside
       * their fee-aware band are not traded. Absent: targets are traded as given.
       */
      noTradeBand: noTradeBandSchema.optional(),
    })
    .prefault({}),
  schedule: z
    .object({
      everySeconds: z
        .number()
        .int()
        .positive()
        .default(7 * 86_400),
      driftThresholdBps: z.number().int().min(1).max(10_000).default(500),
      pollSeconds: z.number().positive().default(60),
    })
    .prefault({}),
  planning: z
    .object({
      minTradeBps: z.number().int().min(0).default(10),
      buyHaircutBps: z.number().int().min(0).max(1_000).default(50),
      sellHaircutBps: z.number().int().min(0).max(1_000).default(300),
      maxSlippageBps: z.number().int().min(1).max(1_000).default(200),
      /**
       * Safety margin of the price-impact sizing: a leg is shrunk until its predicted fees +
       * impact are at most maxSlippageBps minus this, and buys are funded with the sells'
       * predicted proceeds less this.
       */
      sizingMarginBps: z.number().int().min(0).max(1_000).default(50),
      orderTtlSeconds: z.number().int().min(60).default(3_600),
    })
    .prefault({}),
  gas: z
    .object({
      maxFeePerGasGwei: z.number().positive().default(1),
      priorityFeeGwei: z.number().min(0).default(0.01),
      bumpPercent: z.number().int().min(10).max(200).default(25),
      stuckAfterMs: z.number().int().positive().default(30_000),
      pollMs: z.number().int().positive().default(1_000),
      maxReplacements: z.number().int().min(0).default(3),
      waitTimeoutMs: z.number().int().positive().default(300_000),
    })
    .prefault({}),
  rpc: z
    .object({
      retries: z.number().int().min(1).default(3),
      backoffMs: z.number().int().min(0).default(200),
      timeoutMs: z.number().int().positive().default(10_000),
    })
    .prefault({}),
});

export type KeeperConfig = z.output<typeof keeperConfigSchema>;
export type KeeperConfigInput = z.input<typeof keeperConfigSchema>;

/** Validates a config object; every problem is listed in one ConfigError. */
export function parseKeeperConfig(input: unknown): KeeperConfig {
  const parsed = keeperConfigSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new ConfigError(`invalid keeper config:\n  ${problems.join("\n  ")}`, { problems });
  }
  return parsed.data;
}

/** Environment overrides: the values an operator most often sets per machine. */
function fromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (env.BALLAST_RPC_URLS)
    out.rpcUrls = env.BALLAST_RPC_URLS.split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  if (env.BALLAST_VAULT) out.vault = env.BALLAST_VAULT;
  if (env.BALLAST_CHAIN_ID) out.chainId = Number(env.BALLAST_CHAIN_ID);
  if (env.BALLAST_DATA_DIR) out.dataDir = env.BALLAST_DATA_DIR;
  if (env.BALLAST_DRY_RUN) out.dryRun = env.BALLAST_DRY_RUN === "1" || env.BALLAST_DRY_RUN === "true";
  if (env.BALLAST_KILL_SWITCH) out.killSwitch = env.BALLAST_KILL_SWITCH === "1" || env.BALLAST_KILL_SWITCH === "true";
  return out;
}

export interface LoadConfigOptions {
  readonly file?: string | undefined;
  readonly env?: NodeJS.ProcessEnv;
  readonly overrides?: Record<string, unknown>;
}

/** File, then environment, then flags (shallow merge: each layer replaces whole top-level keys). */
export function loadKeeperConfig(options: LoadConfigOptions = {}): KeeperConfig {
  let fileValues: Record<string, unknown> = {};
  if (options.file) {
    let text: string;
    try {
      text = readFileSync(options.file, "utf8");
    } catch {
      throw new ConfigError(`cannot read config file ${options.file}`);
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
      fileValues = parsed as Record<string, unknown>;
    } catch {
      throw new ConfigError(`config file ${options.file} is not a JSON object`);
    }
  }
  return parseKeeperConfig({ ...fileValues, ...fromEnv(options.env ?? process.env), ...(options.overrides ?? {}) });
}

export function killFilePath(config: Pick<KeeperConfig, "dataDir">): string {
  return join(config.dataDir, "KILL");
}

export function storePath(config: Pick<KeeperConfig, "dataDir">): string {
  return join(config.dataDir, "keeper.sqlite");
}
