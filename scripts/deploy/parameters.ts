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
});

const vaultParameters = z.strictObject({
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
  basket: z.array(basketAsset).min(1, "the deployment registers the whole basket: list at least one asset"),
});

const parametersFile = z.strictObject({
  ballast: z.strictObject({
    index: z.literal("blue-chip", {
      message: 'must be "blue-chip" (the LST index deploys through ignition/modules/LstIndex.ts)',
    }),
    chainId: z.number().int().positive(),
    baseSymbol: z.string().regex(/^[A-Z0-9]{2,12}$/, "must be 2-12 capital letters or digits (the keeper's symbol)"),
  }),
  IndexVault: vaultParameters,
});

export type DeployParameters = z.output<typeof parametersFile>;
export type BasketAsset = DeployParameters["IndexVault"]["basket"][number];

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
  const vault = p.IndexVault;
  const problems: string[] = [];
  if (vault.basket.length > MAX_BASKET_ASSETS) {
    problems.push(`IndexVault.basket: ${vault.basket.length} assets, the vault holds at most ${MAX_BASKET_ASSETS}`);
  }
  if (vault.baseMinAnswer >= vault.baseMaxAnswer)
    problems.push("IndexVault.baseMaxAnswer: must be above baseMinAnswer");
  const seen = new Map<string, string>([[vault.baseAsset, "baseAsset"]]);
  const symbols = new Map<string, string>([[p.ballast.baseSymbol, "ballast.baseSymbol"]]);
  vault.basket.forEach((asset, i) => {
    const at = `IndexVault.basket.${i}`;
    const first = seen.get(asset.token);
    if (first) problems.push(`${at}.token: ${asset.token} is listed twice (also ${first})`);
    seen.set(asset.token, `${at}.token`);
    const firstSymbol = symbols.get(asset.symbol);
    if (firstSymbol) problems.push(`${at}.symbol: ${asset.symbol} is used twice (also ${firstSymbol})`);
    symbols.set(asset.symbol, `${at}.symbol`);
    let path: { tokens: string[]; fees: number[] };
    try {
      path = decodePath(asset.sellPath);
    } catch {
      problems.push(`${at}.sellPath: not a Uniswap V3 path (20-byte token, then 3-byte fee and 20-byte token per hop)`);
      return;
    }
    if (path.tokens[0] !== asset.token) problems.push(`${at}.sellPath: must start at the asset ${asset.token}`);
    if (path.tokens.at(-1) !== vault.baseAsset)
      problems.push(`${at}.sellPath: must end at the base asset ${vault.baseAsset}`);
    const badFee = path.fees.find((f) => !FEE_TIERS.has(f));
    if (badFee !== undefined)
      problems.push(`${at}.sellPath: fee ${badFee} is not a Uniswap V3 tier (100, 500, 3000, 10000)`);
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
  if (path.length === 0) return Object.keys(parametersFile.shape);
  if (path[0] === "ballast") return Object.keys(parametersFile.shape.ballast.shape);
  if (path.length === 1) return Object.keys(vaultParameters.shape);
  if (path.length === 3) return Object.keys(basketAsset.shape);
  return ["feed", "heartbeat", "minAnswer", "maxAnswer"];
}

/** Validates a parsed parameters file; `file` names it in the message. */
export function parseDeployParameters(input: unknown, file: string): DeployParameters {
  const found = placeholders(input, "");
  const parsed = parametersFile.safeParse(input);
  const problems = [
    ...found,
    ...(parsed.success ? basketProblems(parsed.data) : parsed.error.issues.flatMap(describe)),
  ];
  // A placeholder is also an invalid address: say it once, as a placeholder.
  const lines = problems.filter(
    (line, i) => i < found.length || !found.some((p) => p.split(":")[0] === line.split(":")[0]),
  );
  if (lines.length > 0 || !parsed.success) {
    throw new ConfigError(`invalid deploy parameters ${file}; nothing was sent:\n  ${lines.join("\n  ")}`, {
      problems: lines,
    });
  }
  return parsed.data;
}
