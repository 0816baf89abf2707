/**
 * The keeper's configuration: a JSON file, overridden by environment variables, overridden by
 * command-line flags, validated with zod in one place. Anything wrong (a missing RPC URL, a
 * malformed address, an unloadable key) is a `ConfigError` listing every problem, raised
 * before the keeper reads the chain or sends anything. Keys never live in this object: only
 * the names of the variables or files that hold them.
 *
 * Strict by design, because a setting that is silently ignored can send a trade the operator
 * did not mean: every object refuses unknown keys (with the closest known key suggested), the
 * same token twice is refused, and limits beyond `RECKLESS_LIMITS` need `allowRecklessLimits`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { classifierConfigSchema } from "../classifier/config.js";
import { ConfigError } from "../core/errors.js";
import { noTradeBandSchema } from "../market/noTradeBand.js";
import { ARBITRUM_UNISWAP_V3 } from "./addressBook.js";
import { parseBooleanText } from "./booleanText.js";
import { storeOverride } from "./storeUrl.js";
import { didYouMean } from "./suggest.js";
import { volSteeringConfigSchema } from "./volSteeringConfig.js";

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x-prefixed 20-byte address");
const hex = z.string().regex(/^0x([0-9a-fA-F]{2})*$/, "must be 0x-prefixed hex bytes");
const rpcUrl = z
  .string()
  .url()
  .refine((u) => u.startsWith("http://") || u.startsWith("https://"), "must be an http(s) URL");

const keySource = (keyEnv: string, passwordEnv: string) =>
  z
    .strictObject({
      keyEnv: z.string().min(1).default(keyEnv),
      keystorePath: z.string().min(1).optional(),
      passwordEnv: z.string().min(1).default(passwordEnv),
    })
    .prefault({});

/**
 * Bounds beyond which a limit is more likely a typo than a decision: above them the config is
 * refused unless `allowRecklessLimits` is true (or `--allow-reckless-limits` is passed).
 * Arbitrum One's base fee is about 0.01 gwei, so 100 gwei is a cap no real congestion needs;
 * 3% slippage per order is the most a basket of liquid tokens should lose on a rebalance; a
 * drift threshold under 50 bp or a schedule under an hour rebalances on noise (turnover), also
 * when the volatility steering shortens it; a steered trade of under a tenth of the move leaves
 * the vault off target for many cycles.
 */
export const RECKLESS_LIMITS = {
  maxFeePerGasGwei: 100,
  priorityFeeGwei: 10,
  maxSlippageBps: 300,
  minDriftThresholdBps: 50,
  minEverySeconds: 3_600,
  minTradeFraction: 0.1,
} as const;

/**
 * Where the journal lives. Without `url`: SQLite at `<dataDir>/keeper.sqlite`, one process, and
 * leadership is local. A `postgres://` URL (better given as BALLAST_STORE_URL, since it may
 * hold a password; it is only ever shown redacted) shares it between keeper processes on any
 * machines, each vault in its own schema, and for each vault only the holder of its lease signs
 * (docs/operator.md, "Standby keepers"). A standby takes over at most `lease.ttlMs +
 * lease.renewMs` after the holder's last renewal; a holder signs and submits only when the
 * database has just confirmed its lease for `lease.marginMs` more. The venue keepers
 * (venueKeeperConfig.ts) take the same section, with a lease per venue account.
 */
export const storeSchema = z
  .strictObject({
    url: z
      .string()
      .refine((u) => /^postgres(ql)?:\/\/[^\s]+$/.test(u), "must be a postgres:// or postgresql:// URL")
      .optional(),
    /** Deadline of a connection attempt and of each statement on PostgreSQL. */
    timeoutMs: z.number().int().min(100).default(3_000),
    lease: z
      .strictObject({
        ttlMs: z.number().int().min(500).default(15_000),
        renewMs: z.number().int().min(50).default(3_000),
        marginMs: z.number().int().min(0).default(5_000),
        /** This process's name in the lease (default host:pid:random, unique per start). */
        holder: z.string().min(1).max(200).optional(),
      })
      .prefault({}),
  })
  .prefault({})
  .superRefine((s, ctx) => {
    if (s.lease.renewMs * 2 > s.lease.ttlMs)
      ctx.addIssue({ code: "custom", path: ["lease", "renewMs"], message: "must be at most half of lease.ttlMs" });
    if (s.lease.marginMs + s.timeoutMs >= s.lease.ttlMs)
      ctx.addIssue({
        code: "custom",
        path: ["lease", "marginMs"],
        message: "lease.marginMs + timeoutMs must be below lease.ttlMs (a confirmed lease must outlast the check)",
      });
  });

const baseKeeperConfigSchema = z.strictObject({
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
      z.strictObject({
        symbol: z.string().min(1),
        address,
        decimals: z.number().int().min(0).max(18),
        sellPath: hex.default("0x"),
        buyPath: hex.default("0x"),
        /**
         * Extra candidate routes for route learning (`routing`), besides sellPath/buyPath: each
         * gives a sell path, a buy path or both. Fee tiers 0.01/0.05/0.3/1%, direct or through
         * one intermediate token (WETH, USDC); every pool must be registered in the vault.
         */
        routes: z.array(z.strictObject({ sellPath: hex.optional(), buyPath: hex.optional() })).default([]),
        oracle: z
          .strictObject({
            feed: address,
            heartbeat: z.number().int().positive(),
            /** Bounds in the feed's decimals (8 for USD feeds), as decimal strings. */
            minAnswer: z.string().regex(/^\d+$/, "must be a decimal integer string"),
            maxAnswer: z.string().regex(/^\d+$/, "must be a decimal integer string"),
            /**
             * The feed's published deviation threshold in bps. A rotation that adds the asset
             * also schedules `setDeviation` with it (the vault starts a new asset at 255 bps, the
             * widest entry spread); without it the asset keeps 255 until the admin declares one.
             */
            deviationBps: z.number().int().min(1).max(255).optional(),
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
  store: storeSchema,
  dryRun: z.boolean().default(false),
  /** Stops every cycle; the file `<dataDir>/KILL` does the same without a restart. */
  killSwitch: z.boolean().default(false),
  /** Accept limits beyond `RECKLESS_LIMITS` (also `--allow-reckless-limits`). */
  allowRecklessLimits: z.boolean().default(false),
  strategy: z
    .strictObject({
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
    .strictObject({
      everySeconds: z
        .number()
        .int()
        .positive()
        .default(7 * 86_400),
      driftThresholdBps: z.number().int().min(1).max(10_000).default(500),
      pollSeconds: z.number().positive().default(60),
      /**
       * Volatility steering (keeper/src/strategy/risk/volSteering.ts): the held basket's
       * 1/4/24/168 h volatility level scales `everySeconds` and the share of the move to the
       * target each rebalance trades. Off by default (today's schedule and size).
       */
      volSteering: volSteeringConfigSchema.prefault({}),
    })
    .prefault({}),
  planning: z
    .strictObject({
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
      /**
       * Impact recalibration: each cycle refits the cost model per route from the latest
       * `maxFills` stored fills (shrunk toward the analytic model by a prior worth `priorFills`
       * fills) and sizes the legs of every route with at least `minFills` fills with the refit.
       * Off by default (the analytic model alone).
       */
      impactRecalibration: z
        .strictObject({
          enabled: z.boolean().default(false),
          priorFills: z.number().min(0).max(1_000).default(5),
          minFills: z.number().int().min(1).default(3),
          maxFills: z.number().int().min(1).max(100_000).default(200),
        })
        .refine((r) => r.minFills <= r.maxFills, { message: "minFills must be at most maxFills", path: ["minFills"] })
        .prefault({}),
    })
    .prefault({}),
  /**
   * Route learning (keeper/src/market/routeBandit.ts): each leg's route is chosen among its
   * token's candidates (sellPath/buyPath first, then tokens[].routes) by a contextual bandit on
   * the cost model's error. Off by default: every leg takes sellPath/buyPath.
   */
  routing: z
    .strictObject({
      enabled: z.boolean().default(false),
      /** Never a route whose corrected predicted cost is above the best one's by more, bps. */
      marginBps: z.number().min(0).max(1_000).default(10),
      /** Exploration: width of the confidence bonus (0: none). */
      alpha: z.number().min(0).max(1_000).default(1),
      /** Cap on the exploration bonus, bps. */
      maxBonusBps: z.number().min(0).max(1_000).default(10),
    })
    .prefault({}),
  gas: z
    .strictObject({
      maxFeePerGasGwei: z.number().positive().default(1),
      priorityFeeGwei: z.number().min(0).default(0.01),
      bumpPercent: z.number().int().min(10).max(200).default(25),
      stuckAfterMs: z.number().int().positive().default(30_000),
      pollMs: z.number().int().positive().default(1_000),
      maxReplacements: z.number().int().min(0).default(3),
      waitTimeoutMs: z.number().int().positive().default(300_000),
    })
    .prefault({}),
  /**
   * Market data: where the history and each new daily bar come from (keeper/src/data/live), and
   * what the market view must pass before any weights are computed (keeper/src/data/marketGuard.ts).
   * A failure holds the cycle. The defaults suit daily bars: a bar closes at the end of its UTC
   * day, so the newest one is up to 24 h old in normal operation.
   */
  market: z
    .strictObject({
      /** "chainlink" (the feeds' past rounds) needs nothing but the RPC URL; "flipside" needs FLIPSIDE_API_KEY. */
      source: z.enum(["chainlink", "coingecko", "flipside", "csv"]).default("chainlink"),
      /** The operator's market CSV, for source "csv" (`--market FILE` sets both). */
      csvPath: z.string().min(1).optional(),
      /** CoinGecko coin ids by symbol, over the built-in ones; URL and key: COINGECKO_* variables. */
      coingeckoIds: z.record(z.string(), z.string().min(1)).default({}),
      /** Daily bars kept and shown to the strategy. */
      historyBars: z.number().int().min(2).max(5_000).default(180),
      /** Oldest acceptable newest bar, seconds before chain time (36 h: a day plus half a day of grace). */
      maxBarAgeSeconds: z.number().int().positive().default(129_600),
      /**
       * A cycle refuses to trade when a symbol's newest close and its current Chainlink answer
       * differ by more (fraction). The close may be up to a day older than the answer, so the
       * default leaves room for a day's move: it catches a wrong or broken feed, not volatility.
       */
      maxChainlinkDeviation: z.number().gt(0).max(1).default(0.1),
      /** Largest one-bar move accepted without Chainlink confirming the new price, bps (25%). */
      maxJumpBps: z.number().int().positive().default(2_500),
      /** The vault's Chainlink price within this of the new close confirms a large move, bps (5%). */
      confirmToleranceBps: z.number().int().positive().max(10_000).default(500),
    })
    .prefault({})
    .refine((m) => m.source !== "csv" || m.csvPath !== undefined, {
      message: "market.csvPath is required when market.source is csv",
      path: ["csvPath"],
    }),
  rpc: z
    .strictObject({
      retries: z.number().int().min(1).default(3),
      backoffMs: z.number().int().min(0).default(200),
      timeoutMs: z.number().int().positive().default(10_000),
    })
    .prefault({}),
});

/** Uniswap V3 fee tiers a candidate route may use (hundredths of a bip). */
const ROUTE_FEE_TIERS = new Set([100, 500, 3_000, 10_000]);

/**
 * Why a candidate path is not a route from `from` to `to` (direct or through one token) over
 * standard fee tiers; null when it is. Path bytes: token (20) then (fee (3), token (20)) per hop.
 */
function candidatePathProblem(path: string, from: string, to: string): string | null {
  const body = path.slice(2).toLowerCase();
  if (body.length < 86 || (body.length - 40) % 46 !== 0) return "malformed path (token, then fee and token per hop)";
  const hops = (body.length - 40) / 46;
  if (hops > 2) return `${hops} hops: a candidate route is direct or through one intermediate token`;
  const tokens = Array.from({ length: hops + 1 }, (_, k) => `0x${body.slice(k * 46, k * 46 + 40)}`);
  const fees = Array.from({ length: hops }, (_, k) => Number.parseInt(body.slice(k * 46 + 40, k * 46 + 46), 16));
  const bad = fees.find((f) => !ROUTE_FEE_TIERS.has(f));
  if (bad !== undefined) return `fee ${bad} is not a Uniswap V3 tier (100, 500, 3000, 10000)`;
  if (tokens[0] !== from || tokens[hops] !== to) return `must run from ${from} to ${to}`;
  return null;
}

type ParsedConfig = z.output<typeof baseKeeperConfigSchema>;

/** The limits of `config` beyond `RECKLESS_LIMITS`, one message each (empty when none). */
export function recklessLimits(config: ParsedConfig): { path: string[]; message: string }[] {
  const r = RECKLESS_LIMITS;
  const found: { path: string[]; message: string }[] = [];
  const add = (path: string[], what: string) => found.push({ path, message: `${what}: reckless without an override` });
  if (config.gas.maxFeePerGasGwei > r.maxFeePerGasGwei)
    add(["gas", "maxFeePerGasGwei"], `${config.gas.maxFeePerGasGwei} gwei is above ${r.maxFeePerGasGwei} gwei`);
  if (config.gas.priorityFeeGwei > r.priorityFeeGwei)
    add(["gas", "priorityFeeGwei"], `${config.gas.priorityFeeGwei} gwei is above ${r.priorityFeeGwei} gwei`);
  if (config.planning.maxSlippageBps > r.maxSlippageBps)
    add(["planning", "maxSlippageBps"], `${config.planning.maxSlippageBps} bps is above ${r.maxSlippageBps} bps`);
  if (config.schedule.driftThresholdBps < r.minDriftThresholdBps)
    add(
      ["schedule", "driftThresholdBps"],
      `${config.schedule.driftThresholdBps} bps is below ${r.minDriftThresholdBps} bps (turnover)`,
    );
  if (config.schedule.everySeconds < r.minEverySeconds)
    add(["schedule", "everySeconds"], `${config.schedule.everySeconds} s is below ${r.minEverySeconds} s (turnover)`);
  const steering = config.schedule.volSteering;
  if (steering.enabled) {
    // A level's multiplier must not take the schedule below the same floor.
    for (const [level, m] of Object.entries(steering.intervalMultiplier)) {
      const seconds = Math.round(config.schedule.everySeconds * m);
      if (seconds < r.minEverySeconds)
        add(
          ["schedule", "volSteering", "intervalMultiplier", level],
          `×${m} makes the interval ${seconds} s, below ${r.minEverySeconds} s (turnover)`,
        );
    }
    for (const [level, f] of Object.entries(steering.tradeFraction)) {
      if (f < r.minTradeFraction)
        add(
          ["schedule", "volSteering", "tradeFraction", level],
          `${f} is below ${r.minTradeFraction} (the vault would crawl toward its target)`,
        );
    }
  }
  return found;
}

export const keeperConfigSchema = baseKeeperConfigSchema.superRefine((config, ctx) => {
  const seen = { address: new Map<string, number>(), symbol: new Map<string, number>() };
  config.tokens.forEach((token, i) => {
    for (const [kind, value] of [
      ["address", token.address.toLowerCase()],
      ["symbol", token.symbol.toUpperCase()],
    ] as const) {
      const first = seen[kind].get(value);
      if (first === undefined) seen[kind].set(value, i);
      else
        ctx.addIssue({
          code: "custom",
          path: ["tokens", i, kind],
          message: `duplicate token ${kind} ${kind === "address" ? token.address : token.symbol} (also tokens.${first})`,
        });
    }
  });
  const base = config.tokens[0]?.address.toLowerCase() ?? "";
  config.tokens.forEach((token, i) => {
    token.routes.forEach((route, k) => {
      if (route.sellPath === undefined && route.buyPath === undefined)
        ctx.addIssue({ code: "custom", path: ["tokens", i, "routes", k], message: "needs sellPath, buyPath or both" });
      for (const [side, path, from, to] of [
        ["sellPath", route.sellPath, token.address.toLowerCase(), base],
        ["buyPath", route.buyPath, base, token.address.toLowerCase()],
      ] as const) {
        if (path === undefined) continue;
        const problem = candidatePathProblem(path, from, to);
        if (problem) ctx.addIssue({ code: "custom", path: ["tokens", i, "routes", k, side], message: problem });
      }
    });
  });
  if (config.allowRecklessLimits) return;
  for (const { path, message } of recklessLimits(config)) {
    ctx.addIssue({
      code: "custom",
      path,
      message: `${message}; set "allowRecklessLimits": true or pass --allow-reckless-limits if you mean it`,
    });
  }
});

export type KeeperConfig = z.output<typeof keeperConfigSchema>;
export type KeeperConfigInput = z.input<typeof keeperConfigSchema>;

/** Validates a config object; every problem is listed in one ConfigError. */
export function parseKeeperConfig(input: unknown): KeeperConfig {
  const parsed = keeperConfigSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap(describeIssue);
    throw new ConfigError(`invalid keeper config:\n  ${problems.join("\n  ")}`, { problems });
  }
  return parsed.data;
}

/** One line per problem; an unknown key names the closest known key at its place. */
function describeIssue(issue: z.core.$ZodIssue): string[] {
  const where = issue.path.join(".") || "(root)";
  if (issue.code !== "unrecognized_keys") return [`${where}: ${issue.message}`];
  const known = knownKeysAt(keeperConfigSchema, issue.path);
  const topLevel = knownKeysAt(keeperConfigSchema, []);
  return issue.keys.map((key) => {
    const here = didYouMean(key, known);
    // A top-level key written inside a section (`schedule.killSwitch`) is named as such.
    const hint = here || (issue.path.length > 0 ? didYouMean(key, topLevel).replace("mean", "mean the top-level") : "");
    return `${where}: unknown key "${key}"${hint}`;
  });
}

/** The keys the object schema at `path` accepts (wrappers such as defaults are looked through). */
function knownKeysAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
  const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
  // A preprocess is a pipe from a transform into the schema that holds the keys.
  const pipeIn = def.in as z.core.$ZodType | undefined;
  const fromPipe = pipeIn && pipeIn._zod.def.type === "transform" ? def.out : def.in;
  const inner = (def.innerType ?? fromPipe) as z.core.$ZodType | undefined;
  if (inner && def.type !== "object") return knownKeysAt(inner, path);
  if (def.type === "object") {
    const shape = def.shape as Record<string, z.core.$ZodType>;
    if (path.length === 0) return Object.keys(shape);
    const [head, ...rest] = path;
    const next = shape[String(head)];
    return next ? knownKeysAt(next, rest) : [];
  }
  if (def.type === "array" && path.length > 0) return knownKeysAt(def.element as z.core.$ZodType, path.slice(1));
  return [];
}

/** Environment overrides: the values an operator most often sets per machine. */
function fromEnv(env: NodeJS.ProcessEnv, file: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (env.BALLAST_RPC_URLS)
    out.rpcUrls = env.BALLAST_RPC_URLS.split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  if (env.BALLAST_VAULT) out.vault = env.BALLAST_VAULT;
  if (env.BALLAST_CHAIN_ID) out.chainId = Number(env.BALLAST_CHAIN_ID);
  if (env.BALLAST_DATA_DIR) out.dataDir = env.BALLAST_DATA_DIR;
  Object.assign(out, storeOverride(env, file));
  // An empty value counts as unset; any other value must be a documented boolean spelling.
  if (env.BALLAST_DRY_RUN) out.dryRun = parseBooleanText("BALLAST_DRY_RUN", env.BALLAST_DRY_RUN);
  if (env.BALLAST_KILL_SWITCH) out.killSwitch = parseBooleanText("BALLAST_KILL_SWITCH", env.BALLAST_KILL_SWITCH);
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
  return parseKeeperConfig({
    ...fileValues,
    ...fromEnv(options.env ?? process.env, fileValues),
    ...(options.overrides ?? {}),
  });
}

export function killFilePath(config: Pick<KeeperConfig, "dataDir">): string {
  return join(config.dataDir, "KILL");
}

/** The live market's bar store (an SQLite data cache). */
export function marketCachePath(config: Pick<KeeperConfig, "dataDir">): string {
  return join(config.dataDir, "market.sqlite");
}

export function storePath(config: Pick<KeeperConfig, "dataDir">): string {
  return join(config.dataDir, "keeper.sqlite");
}
