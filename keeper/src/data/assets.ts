/**
 * Asset registry: symbol -> category, and the Arbitrum One address and decimals where the
 * token exists there. The classifier's meme rule and stablecoin handling read the category,
 * and the execution layer needs address and decimals, so every panel carries this metadata.
 * Addresses are Arbitrum One (chain id 42161) deployments; verify them against the issuers'
 * pages before a mainnet deployment. Unknown symbols get category "other" and 18 decimals.
 */
import type { AssetCategory, AssetMeta } from "../core/types.js";

export const ARBITRUM_CHAIN_ID = 42161;

interface RegistryEntry {
  readonly category: AssetCategory;
  readonly decimals?: number;
  readonly address?: `0x${string}`;
}

const REGISTRY: Readonly<Record<string, RegistryEntry>> = {
  // Stablecoins
  USDC: { category: "stablecoin", decimals: 6, address: "0xaf88d065e77c8cC2239327C5EDb3A432268e5831" },
  USDT: { category: "stablecoin", decimals: 6 },
  DAI: { category: "stablecoin" },
  // L1 assets (and their wrapped forms on Arbitrum)
  BTC: { category: "l1", decimals: 8 },
  WBTC: { category: "l1", decimals: 8, address: "0x2f2a2543B76A4166549F7aaB2e75Bef0aefC5B0f" },
  ETH: { category: "l1" },
  WETH: { category: "l1", address: "0x82aF49447D8a07e3bd95BD0d56f35241523fBab1" },
  SOL: { category: "l1", decimals: 9 },
  // L2 / scaling tokens
  ARB: { category: "l2", address: "0x912CE59144191C1204E64559FE8253a0e49E6548" },
  OP: { category: "l2" },
  MATIC: { category: "l2" },
  POL: { category: "l2" },
  // DeFi protocol tokens
  LINK: { category: "defi", address: "0xf97f4df75117a78c1A5a0DBb814Af92458539FB4" },
  UNI: { category: "defi", address: "0xFa7F8980b0f1E64A2062791cc3b0871572f1F7f0" },
  GMX: { category: "defi", address: "0xfc5A1A6EB076a2C7aD06eD22C90d7E710E35ad0a" },
  AAVE: { category: "defi" },
  COMP: { category: "defi" },
  CRV: { category: "defi" },
  MKR: { category: "defi" },
  SNX: { category: "defi" },
  LDO: { category: "defi" },
  PENDLE: { category: "defi" },
  // Liquid staking tokens
  WSTETH: { category: "lst", address: "0x5979D7b546E38E414F7E9822514be443A4800529" },
  STETH: { category: "lst" },
  RETH: { category: "lst", address: "0xEC70Dcb4A1EFa46b8F2D97C310C9c4790ba5ffA8" },
  SFRXETH: { category: "lst" },
  // Index tokens
  DPI: { category: "index" },
  // Meme tokens
  DOGE: { category: "meme", decimals: 8 },
  SHIB: { category: "meme" },
  PEPE: { category: "meme" },
};

/** Metadata for `symbol` (case-insensitive); unknown symbols are category "other". */
export function assetMeta(symbol: string): AssetMeta {
  const key = symbol.toUpperCase();
  const entry = REGISTRY[key];
  if (entry === undefined) return { symbol: key, category: "other", decimals: 18 };
  return {
    symbol: key,
    category: entry.category,
    decimals: entry.decimals ?? 18,
    ...(entry.address ? { address: entry.address, chainId: ARBITRUM_CHAIN_ID } : {}),
  };
}

/** Symbols the registry knows, in registry order. */
export function knownSymbols(): readonly string[] {
  return Object.keys(REGISTRY);
}
