/**
 * The parameters file of `npm run deploy` (ignition/parameters/<index>.<network>.json), validated
 * before anything touches the network. It is an Ignition parameters file (the `IndexVault`
 * module's parameters) plus a `ballast` section the deploy command reads (Ignition ignores it):
 * the chain the file is for and the base asset's keeper symbol.
 *
 * Strict, because a typo here ends in a deployed contract: an unknown key is refused (a
 * misspelt `timelockDelay` would otherwise deploy the default), every address must be EIP-55
 * checksummed and non-zero, no placeholder (`SET_ME...`) may survive, and every bound the vault's
 * constructor enforces is checked here first, so bad input costs no gas and leaves nothing
 * half-deployed. Every problem is listed in one ConfigError.
 */
import { getAddress, ZeroAddress } from "ethers";
import { z } from "zod";
import { didYouMean } from "../../keeper/src/config/suggest.js";
import { ConfigError } from "../../keeper/src/core/errors.js";
import { decodePath } from "../../keeper/src/execution/indexVault/rebalanceOrder.js";

/** Values that say "fill me in" rather than "deploy me". */
const PLACEHOLDER = /SET_ME|0xYour|CHANGE_ME|TODO/i;
/** Uniswap V3 fee tiers (hundredths of a bip) a path may use. */
const FEE_TIERS: ReadonlySet<number> = new Set([100, 500, 3_000, 10_000]);
/** The vault's own bounds (IndexVault.sol, BasketLib.sol, AssetTable.sol). */
const MAX_TIMELOCK_DELAY = 30 * 86_400;
const MAX_MANAGEMENT_FEE_BPS = 200;
const MAX_PERFORMANCE_FEE_BPS = 2_000;
const MAX_BASKET_ASSETS = 16;
/** Chainlink heartbeats are at most a day on Arbitrum; a week is a typo, not a feed. */
const MAX_HEARTBEAT = 7 * 86_400;

const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x-prefixed 20-byte address")
  .superRefine((value, ctx) => {
    // The regex above reported a malformed value already (zod runs every check).
    if (!/^0x[0-9a-fA-F]{40}$/.test(value)) return;
    const checksummed = getAddress(value.toLowerCase());
    if (checksummed === ZeroAddress) ctx.addIssue({ code: "custom", message: "must not be the zero address" });
    else if (value !== checksummed) {
      ctx.addIssue({ code: "custom", message: `is not EIP-55 checksummed (the checksummed form is ${checksummed})` });
    }
  });

/** An unsigned integer as Ignition's JSON holds it: a number, or a "123n" string above 2^53. */
const uint = (bits: number) =>
  z
    .union([z.number().int("must be an integer").nonnegative("must not be negative"), z.string().regex(/^\d+n$/)])
    .transform((v) => BigInt(typeof v === "number" ? v : v.slice(0, -1)))
    .refine((v) => v < 1n << BigInt(bits), `must fit in uint${bits}`);

const int = (min: number, max: number) => z.number().int("must be an integer").min(min).max(max);

/**
 * A feed's deviation threshold as the vault declares it (AssetTable keeps one byte). No default:
 * the entry spread that makes oracle-lag round trips unprofitable (M-1) is only as good as this
 * figure, so the file states each feed's published threshold (for a composite feed, the sum of
 * its legs'); a value below the published one weakens the bound.
 */
const deviationBps = int(0, 255);

const oracle = z
  .strictObject({
    feed: address,
    heartbeat: int(1, MAX_HEARTBEAT),
    minAnswer: uint(64).refine((v) => v > 0n, "must be above zero"),
    maxAnswer: uint(64),
  })
  .refine((o) => o.minAnswer < o.maxAnswer, { message: "minAnswer must be below maxAnswer", path: ["maxAnswer"] });

const hexBytes = z.string().regex(/^0x([0-9a-fA-F]{2})+$/, "must be 0x-prefixed hex bytes");

const basketAsset = z.strictObject({
  /** The keeper's symbol for the asset (market data and the keeper config use it). */
  symbol: z.string().regex(/^[A-Z0-9]{2,12}$/, "must be 2-12 capital letters or digits (the keeper's symbol)"),
  token: address,
  oracle,
  maxWeightBps: int(1, 10_000),
  sellPath: hexBytes,
  deviationBps,
});

/** The vault's own parameters (IndexVault.ts `indexVaultFutures`), the same for both indexes. */
const vaultFields = {
  baseAsset: address,
  name: z.string().min(1).default("Ballast Arbitrum Index"),
  symbol: z.string().min(1).default("bIDX"),
  admin: address,
  guardian: address,
  keeperSigner: address,
  feeRecipient: address,
  swapRouter: address,
  sequencerUptimeFeed: address,
  sequencerGracePeriod: int(0, 86_400).default(3_600),
  baseFeed: address,
  baseHeartbeat: int(1, MAX_HEARTBEAT).default(86_400),
  baseMinAnswer: uint(64).default(90_000_000n),
  baseMaxAnswer: uint(64).default(110_000_000n),
  baseDeviationBps: deviationBps,
  timelockDelay: int(0, MAX_TIMELOCK_DELAY).default(172_800),
  depositCap: uint(256)
    .refine((v) => v > 0n, "must be above zero (a zero cap refuses every deposit)")
    .default(1_000_000_000_000n),
  managementFeeBps: int(0, MAX_MANAGEMENT_FEE_BPS).default(100),
  performanceFeeBps: int(0, MAX_PERFORMANCE_FEE_BPS).default(1_000),
  cooldown: int(0, 30 * 86_400).default(86_400),
  maxTurnoverBps: int(1, 20_000).default(5_000),
  toleranceBps: int(1, 10_000).default(100),
  maxSlippageBps: int(1, 9_999).default(100),
};

const blueChipVault = z.strictObject({
  ...vaultFields,
  basket: z.array(basketAsset).min(1, "the deployment registers the whole basket: list at least one asset"),
});

/** An adapter leg (`IFeedAdapter.LegConfig`): bounds in the leg's own decimals. */
const leg = z
  .strictObject({
    feed: address,
    heartbeat: int(1, MAX_HEARTBEAT),
    minAnswer: uint(256).refine((v) => v > 0n, "must be above zero"),
    maxAnswer: uint(256),
  })
  .refine((o) => o.minAnswer < o.maxAnswer, { message: "minAnswer must be below maxAnswer", path: ["maxAnswer"] });

/** Per LST (`wsteth`, `reth`): LstIndex.ts's flat parameters. */
const lstFields = (prefix: "wsteth" | "reth") => ({
  [`${prefix}Token`]: address,
  [`${prefix}SellPath`]: hexBytes,
  [`${prefix}MinAnswer`]: uint(64).refine((v) => v > 0n, "must be above zero"),
  [`${prefix}MaxAnswer`]: uint(64),
  [`${prefix}Heartbeat`]: int(1, MAX_HEARTBEAT).default(86_400),
  [`${prefix}MaxWeightBps`]: int(1, 10_000).default(10_000),
  [`${prefix}DeviationBps`]: deviationBps,
});

const lstVault = z.strictObject({
  ...vaultFields,
  name: z.string().min(1),
  symbol: z.string().min(1),
  wstethDescription: z.string().min(1).default("wstETH / USD (wstETH-stETH rate x stETH/USD)"),
  wstethRate: leg,
  wstethUnderlyingUsd: leg,
  rethDescription: z.string().min(1).default("rETH / USD (rETH/ETH x ETH/USD)"),
  rethEth: leg,
  ethUsd: leg,
  ...lstFields("wsteth"),
  ...lstFields("reth"),
});

const ballastSection = z.strictObject({
  index: z.enum(["blue-chip", "lst"]),
  chainId: z.number().int().positive(),
  baseSymbol: z.string().regex(/^[A-Z0-9]{2,12}$/, "must be 2-12 capital letters or digits (the keeper's symbol)"),
});
const blueChipFile = z.strictObject({ ballast: ballastSection, IndexVault: blueChipVault });
const lstFile = z.strictObject({ ballast: ballastSection, LstIndex: lstVault });

type Leg = z.output<typeof leg>;
type Ballast = z.output<typeof ballastSection>;
type VaultCommon = { [K in keyof typeof vaultFields]: z.output<(typeof vaultFields)[K]> };

/** A basket asset as the deployment will register it. */
export interface BasketAsset {
  readonly symbol: string;
  readonly token: string;
  readonly oracle: {
    /** A deployed feed; null for an LST, priced by an adapter this deployment deploys. */
    readonly feed: string | null;
    readonly heartbeat: number;
    readonly minAnswer: bigint;
    readonly maxAnswer: bigint;
  };
  /** LSTs: the adapter's Ignition future id and its two legs (leg 0 in its unit, leg 1 in USD). */
  readonly adapter?: { readonly futureId: string; readonly legs: readonly [Leg, Leg] };
  readonly maxWeightBps: number;
  readonly sellPath: string;
  /** Where the token and the oracle bounds are in the file, for messages. */
  readonly labels: { readonly token: string; readonly oracle: string };
}

/** A validated parameters file, both indexes in one shape. */
export interface DeployParameters {
  readonly ballast: Ballast;
  /** The Ignition module to deploy and its parameters (validated, defaults filled in). */
  readonly moduleId: "IndexVault" | "LstIndex";
  readonly ignition: Readonly<Record<string, unknown>>;
  readonly vault: VaultCommon;
  readonly basket: readonly BasketAsset[];
}

/** The LSTs of the LST index: prefix, keeper symbol, adapter future and legs. */
const LSTS = [
  {
    prefix: "wsteth",
    symbol: "WSTETH",
    futureId: "LstIndex#WstethUsdFeed",
    legs: ["wstethRate", "wstethUnderlyingUsd"],
  },
  { prefix: "reth", symbol: "RETH", futureId: "LstIndex#RethUsdFeed", legs: ["rethEth", "ethUsd"] },
] as const;

function lstPlan(ballast: Ballast, v: z.output<typeof lstVault>): DeployParameters {
  const field = <T>(name: string): T => (v as unknown as Record<string, T>)[name] as T;
  return {
    ballast,
    moduleId: "LstIndex",
    ignition: v,
    vault: v,
    basket: LSTS.map((l) => ({
      symbol: l.symbol,
      token: field<string>(`${l.prefix}Token`),
      oracle: {
        feed: null,
        heartbeat: field<number>(`${l.prefix}Heartbeat`),
        minAnswer: field<bigint>(`${l.prefix}MinAnswer`),
        maxAnswer: field<bigint>(`${l.prefix}MaxAnswer`),
      },
      adapter: { futureId: l.futureId, legs: [field<Leg>(l.legs[0]), field<Leg>(l.legs[1])] },
      maxWeightBps: field<number>(`${l.prefix}MaxWeightBps`),
      sellPath: field<string>(`${l.prefix}SellPath`),
      labels: { token: `LstIndex.${l.prefix}Token`, oracle: `LstIndex.${l.prefix}MinAnswer/MaxAnswer` },
    })),
  };
}

/** Every string in `value` that looks like a placeholder, with its path. */
function placeholders(value: unknown, path: string): string[] {
  if (typeof value === "string")
    return PLACEHOLDER.test(value) ? [`${path}: "${value}" is a placeholder; fill it in`] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => placeholders(v, `${path}.${i}`));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => placeholders(v, path ? `${path}.${k}` : k));
  }
  return [];
}

/** Checks zod cannot express field by field: the basket against the base and itself. */
function basketProblems(p: DeployParameters): string[] {
  const { vault, moduleId } = p;
  const problems: string[] = [];
  const where = (i: number, field: string) =>
    moduleId === "IndexVault"
      ? `IndexVault.basket.${i}.${field}`
      : `LstIndex.${LSTS[i]?.prefix}${field[0]?.toUpperCase()}${field.slice(1)}`;
  if (p.basket.length > MAX_BASKET_ASSETS) {
    problems.push(`${moduleId}.basket: ${p.basket.length} assets, the vault holds at most ${MAX_BASKET_ASSETS}`);
  }
  if (vault.baseMinAnswer >= vault.baseMaxAnswer)
    problems.push(`${moduleId}.baseMaxAnswer: must be above baseMinAnswer`);
  const seen = new Map<string, string>([[vault.baseAsset, `${moduleId}.baseAsset`]]);
  const symbols = new Map<string, string>([[p.ballast.baseSymbol, "ballast.baseSymbol"]]);
  p.basket.forEach((asset, i) => {
    if (asset.oracle.minAnswer >= asset.oracle.maxAnswer) {
      problems.push(`${where(i, "maxAnswer")}: must be above minAnswer`);
    }
    const first = seen.get(asset.token);
    if (first) problems.push(`${where(i, "token")}: ${asset.token} is listed twice (also ${first})`);
    seen.set(asset.token, where(i, "token"));
    const firstSymbol = symbols.get(asset.symbol);
    if (firstSymbol) problems.push(`${where(i, "symbol")}: ${asset.symbol} is used twice (also ${firstSymbol})`);
    symbols.set(asset.symbol, where(i, "symbol"));
    const at = where(i, "sellPath");
    let path: { tokens: string[]; fees: number[] };
    try {
      path = decodePath(asset.sellPath);
    } catch {
      problems.push(`${at}: not a Uniswap V3 path (20-byte token, then 3-byte fee and 20-byte token per hop)`);
      return;
    }
    if (path.tokens[0] !== asset.token) problems.push(`${at}: must start at the asset ${asset.token}`);
    if (path.tokens.at(-1) !== vault.baseAsset) problems.push(`${at}: must end at the base asset ${vault.baseAsset}`);
    const badFee = path.fees.find((f) => !FEE_TIERS.has(f));
    if (badFee !== undefined) problems.push(`${at}: fee ${badFee} is not a Uniswap V3 tier (100, 500, 3000, 10000)`);
  });
  return problems;
}

/** One line per zod issue; an unknown key names the closest known one. */
function describe(issue: z.core.$ZodIssue): string[] {
  const where = issue.path.join(".") || "(root)";
  if (issue.code !== "unrecognized_keys") return [`${where}: ${issue.message}`];
  const known = knownKeys(issue.path);
  return issue.keys.map((key) => `${where}: unknown key "${key}"${didYouMean(key, known)}`);
}

function knownKeys(path: readonly PropertyKey[]): string[] {
  if (path.length === 0) return ["ballast", "IndexVault", "LstIndex"];
  if (path[0] === "ballast") return Object.keys(ballastSection.shape);
  if (path[0] === "LstIndex")
    return path.length === 1 ? Object.keys(lstVault.shape) : ["feed", "heartbeat", "minAnswer", "maxAnswer"];
  if (path.length === 1) return Object.keys(blueChipVault.shape);
  if (path.length === 3) return Object.keys(basketAsset.shape);
  return ["feed", "heartbeat", "minAnswer", "maxAnswer"];
}

/** The file's schema, chosen by its `ballast.index` (blue-chip when it cannot be read). */
function parseByIndex(input: unknown) {
  const index = (input as { ballast?: { index?: unknown } } | null)?.ballast?.index;
  if (index === "lst") {
    const parsed = lstFile.safeParse(input);
    return parsed.success
      ? { plan: lstPlan(parsed.data.ballast, parsed.data.LstIndex) }
      : { issues: parsed.error.issues };
  }
  const parsed = blueChipFile.safeParse(input);
  if (!parsed.success) return { issues: parsed.error.issues };
  const { ballast, IndexVault } = parsed.data;
  const basket = IndexVault.basket.map((asset, i) => ({
    ...asset,
    labels: { token: `IndexVault.basket.${i}.token`, oracle: `IndexVault.basket.${i}.oracle` },
  }));
  const plan: DeployParameters = { ballast, moduleId: "IndexVault", ignition: IndexVault, vault: IndexVault, basket };
  return { plan };
}

/** Validates a parsed parameters file; `file` names it in the message. */
export function parseDeployParameters(input: unknown, file: string): DeployParameters {
  const found = placeholders(input, "");
  const parsed = parseByIndex(input);
  const problems = [...found, ...(parsed.plan ? basketProblems(parsed.plan) : parsed.issues.flatMap(describe))];
  // A placeholder is also an invalid address: say it once, as a placeholder.
  const lines = problems.filter(
    (line, i) => i < found.length || !found.some((p) => p.split(":")[0] === line.split(":")[0]),
  );
  if (lines.length > 0 || !parsed.plan) {
    throw new ConfigError(`invalid deploy parameters ${file}; nothing was sent:\n  ${lines.join("\n  ")}`, {
      problems: lines,
    });
  }
  return parsed.plan;
}
