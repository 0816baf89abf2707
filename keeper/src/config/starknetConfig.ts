/**
 * Configuration of the Starknet LST vault venue, validated with zod in one place. Keys never
 * live here: only the name of the environment variable that holds the account's Stark key. The
 * RPC URL may carry an API key in its path or query, so it is shown only through `redactUrl`.
 */
import { z } from "zod";
import { ConfigError } from "../core/errors.js";

/** Contract addresses are felts below 2^251, written as 0x-hex. */
const felt = z
  .string()
  .regex(/^0x[0-9a-fA-F]{1,64}$/, "must be a 0x-hex Starknet address")
  .refine((s) => !/^0x[0-9a-fA-F]{1,64}$/.test(s) || BigInt(s) < 2n ** 251n, "address out of range");

/** STRK amounts as decimal text ("0.5"), so no float rounding gets near the cap. */
const strk = z
  .string()
  .regex(/^\d+(\.\d{1,18})?$/, 'must be a decimal STRK amount such as "2.5"')
  .transform((s) => {
    const [whole = "0", frac = ""] = s.split(".");
    return BigInt(whole) * 10n ** 18n + BigInt(frac.padEnd(18, "0"));
  });

export const starknetConfigSchema = z.strictObject({
  rpcUrl: z
    .string()
    .url()
    .refine((u) => u.startsWith("http://") || u.startsWith("https://"), "must be an http(s) URL"),
  vaultAddress: felt,
  /** The keeper account (an account contract; the vault's `keeper` role). */
  accountAddress: felt,
  /** Environment variable holding the account's Stark private key (0x-hex). */
  keyEnv: z.string().min(1).default("STARKNET_KEEPER_KEY"),
  /**
   * Most the rebalance transaction may be charged, in STRK (fri): the resource bounds the
   * account signs (estimate plus starknet.js's overhead) must stay below it.
   */
  maxFeeStrk: strk.prefault("5"),
  /** Slippage the rebalance is signed with; the vault caps it (`max_slippage_bps`). */
  maxSlippageBps: z.number().int().min(1).max(1_000).default(50),
  /** Moves smaller than this (bps of NAV) are not traded. */
  minTradeBps: z.number().int().min(0).max(1_000).default(10),
  /** Cost assumed when predicting weights after the swaps (the route's fee and impact). */
  assumedCostBps: z.number().min(0).max(500).default(10),
  /**
   * AVNU route leg every swap is sent with: the exchange (pool) contract. The AVNU quote API is
   * not called; one direct leg at 100% on this exchange.
   */
  exchangeAddress: felt,
  /**
   * True when the account is both the vault's owner and keeper: the oracle's targets are then
   * written on chain (`set_target_weights`) in the same multicall as the rebalance, so the vault
   * checks the swaps against them. False: the vault keeps the owner's targets, and a target
   * from the oracle further than the vault's tolerance from them is refused before signing.
   */
  setTargetsOnChain: z.boolean().default(false),
  /** Receipt polling: interval and how long before the transaction counts as stuck. */
  pollIntervalMs: z.number().int().positive().default(2_000),
  confirmTimeoutMs: z.number().int().positive().default(180_000),
  /** Symbols of the basket's slots are the oracle pair's base ("WSTETH/USD" -> "WSTETH"). */
  assetSymbol: z.string().min(1).default("WETH"),
});

export type StarknetConfig = z.infer<typeof starknetConfigSchema>;

/** Parses and validates; every problem is listed in one `ConfigError`. */
export function parseStarknetConfig(input: unknown): StarknetConfig {
  const parsed = starknetConfigSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "starknet"}: ${i.message}`);
    throw new ConfigError(`invalid Starknet config: ${problems.join("; ")}`, { problems });
  }
  return parsed.data;
}
