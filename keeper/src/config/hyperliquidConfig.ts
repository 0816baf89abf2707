/**
 * Configuration of the HyperLiquid perpetuals venue, validated with zod in one place. The
 * network (mainnet or testnet) decides the API URL and the signature's `source`, so a testnet
 * config can never sign a mainnet order. Keys never live here: only the name of the variable
 * (or keystore) that holds the signing key, which may be the account's own key or an agent
 * wallet's (an API wallet the account approved; it signs for the account but cannot withdraw).
 */
import { z } from "zod";
import { ConfigError } from "../core/errors.js";

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x-prefixed 20-byte address");

/** The documented public endpoints; a local replay server or a proxy may be set with `apiUrl`. */
export const HYPERLIQUID_API_URLS = {
  mainnet: "https://api.hyperliquid.xyz",
  testnet: "https://api.hyperliquid-testnet.xyz",
} as const;

export const hyperliquidConfigSchema = z
  .strictObject({
    network: z.enum(["mainnet", "testnet"]),
    /** Overrides the network's public URL (a replay server in tests, a proxy in production). */
    apiUrl: z
      .string()
      .url()
      .refine((u) => u.startsWith("http://") || u.startsWith("https://"), "must be an http(s) URL")
      .optional(),
    /** The trading account (the master address when an agent wallet signs). */
    accountAddress: address,
    /** Set when trading for a vault or sub-account: positions are read and orders placed for it. */
    vaultAddress: address.optional(),
    key: z
      .strictObject({
        keyEnv: z.string().min(1).default("HYPERLIQUID_SIGNER_KEY"),
        keystorePath: z.string().min(1).optional(),
        passwordEnv: z.string().min(1).default("HYPERLIQUID_KEYSTORE_PASSWORD"),
      })
      .prefault({}),
    /** Largest sum of |position notional| / net liquidity after a rebalance. */
    maxGrossLeverage: z.number().positive().max(20).default(1.5),
    /** Largest |sum of signed weights| (net exposure). */
    maxNetExposure: z.number().positive().max(20).default(1),
    /** Largest |weight| of one market. */
    maxWeight: z.number().positive().max(20).default(0.5),
    /** IOC limit price distance from the mid: buys at mid * (1 + s), sells at mid * (1 - s). */
    slippageBps: z.number().int().min(1).max(500).default(50),
    /** The exchange's minimum order value (USD); smaller non-closing orders are left out. */
    minOrderUsd: z.number().nonnegative().default(10),
    /** Moves smaller than this (bps of net liquidity) are not traded. */
    minTradeBps: z.number().nonnegative().default(10),
    /** Taker fee for cost estimates (bps of notional); HyperLiquid's base tier is 4.5 bps. */
    takerFeeBps: z.number().nonnegative().max(100).default(4.5),
    /** A recorded plan older than this is not re-sent on resume (prices have moved). */
    orderTtlSeconds: z.number().int().positive().default(300),
    timeoutMs: z.number().int().positive().default(10_000),
    /** Retries of a request the exchange refused with 429 (rate limited, not processed). */
    retries: z.number().int().min(0).max(10).default(3),
  })
  .refine((c) => c.maxNetExposure <= c.maxGrossLeverage, "maxNetExposure cannot exceed maxGrossLeverage");

export type HyperliquidConfig = z.infer<typeof hyperliquidConfigSchema>;

/** Parses and validates; every problem is listed in one `ConfigError`. */
export function parseHyperliquidConfig(input: unknown): HyperliquidConfig & { readonly apiUrl: string } {
  const parsed = hyperliquidConfigSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "hyperliquid"}: ${i.message}`);
    throw new ConfigError(`invalid HyperLiquid config: ${problems.join("; ")}`, { problems });
  }
  return { ...parsed.data, apiUrl: parsed.data.apiUrl ?? HYPERLIQUID_API_URLS[parsed.data.network] };
}
