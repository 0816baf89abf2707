/**
 * The Ignition parameters of both indexes on the local chain
 * (`ignition/parameters/<index>.arbitrum-local.json`). The local chain deploys the same contracts
 * from the same accounts in the same order every time, so these addresses are fixed; the
 * committed files are checked against this function by test/contracts/ignition.test.ts.
 *
 * Roles are local accounts 2 (admin), 3 (guardian), 4 (fee recipient), as `deployVault` uses, and
 * 5 (keeper signer). Each vault is deployed with its whole basket (blue-chip: WETH, WBTC, ARB, as
 * `deployIndexVaults` uses it; LST: wstETH and rETH behind their adapters) and a one-day timelock. The `ballast` section is read by
 * `npm run deploy` only (chain id, base symbol); Ignition ignores it.
 */
import { ConfigError } from "../core/errors.js";
import type { ArbitrumLocal } from "./arbitrumLocal.js";
import { INDEX_SPECS, type IndexKind, oracleConfigFor } from "./deployVault.js";
import { type LegConfig, lstAdapterSpecs } from "./lstFeeds.js";
import { LOCAL_FEED_DEVIATION_BPS } from "./marketSpec.js";
import { routeToBase } from "./routes.js";

/** The blue-chip index's basket on the local chain, after its USDC base. */
export const LOCAL_BLUE_CHIP_BASKET = ["WETH", "WBTC", "ARB"] as const;
/** Each basket asset's cap in the committed local files (bps of NAV). */
const LOCAL_MAX_WEIGHT_BPS = 5_000;

/** A parameter value as Ignition's JSON files hold it (bigints as "123n" strings). */
type JsonParameter = string | number | boolean | readonly JsonParameter[] | { readonly [field: string]: JsonParameter };
export type IgnitionParameters = Readonly<Record<string, Readonly<Record<string, JsonParameter>>>>;

/** Numbers above 2^53 are written as Ignition's "123n" bigint strings. */
function jsonNumber(value: bigint): number | string {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : `${value}n`;
}

function jsonLeg(leg: LegConfig): JsonParameter {
  return {
    feed: leg.feed,
    heartbeat: leg.heartbeat,
    minAnswer: jsonNumber(leg.minAnswer),
    maxAnswer: jsonNumber(leg.maxAnswer),
  };
}

/** Deposit caps in base units: about $1M each at the start prices (1,000,000 USDC; 300 WETH). */
const DEPOSIT_CAPS: Readonly<Record<IndexKind, bigint>> = {
  "blue-chip": 1_000_000n * 10n ** 6n,
  lst: 300n * 10n ** 18n,
};

export async function localIgnitionParameters(local: ArbitrumLocal, index: IndexKind): Promise<IgnitionParameters> {
  if (local.mode !== "local") throw new ConfigError("local Ignition parameters need the local market");
  const signers = await local.ethers.getSigners();
  const [admin, guardian, feeRecipient, keeperSigner] = signers.slice(2);
  if (!admin || !guardian || !feeRecipient || !keeperSigner) throw new ConfigError("need at least six accounts");
  const spec = INDEX_SPECS[index];
  const base = oracleConfigFor(local, spec.base);
  const vault = {
    baseAsset: local.tokens[spec.base].address,
    name: spec.name,
    symbol: spec.symbol,
    swapRouter: local.uniswap.router.target as string,
    sequencerUptimeFeed: local.sequencerFeed.target as string,
    baseFeed: base.feed,
    baseMinAnswer: jsonNumber(base.minAnswer),
    baseMaxAnswer: jsonNumber(base.maxAnswer),
    baseDeviationBps: LOCAL_FEED_DEVIATION_BPS[spec.base],
    admin: admin.address,
    guardian: guardian.address,
    keeperSigner: keeperSigner.address,
    feeRecipient: feeRecipient.address,
    timelockDelay: 86_400,
    depositCap: jsonNumber(DEPOSIT_CAPS[index]),
  };
  const ballast = { index, chainId: Number(local.chainId), baseSymbol: spec.base };
  if (index === "blue-chip") {
    return {
      ballast,
      IndexVault: { ...vault, basket: LOCAL_BLUE_CHIP_BASKET.map((symbol) => basketEntry(local, symbol)) },
    };
  }
  const lst = lstAdapterSpecs(local);
  // LstIndex.ts deploys the adapters, then the vault with both LSTs: all under one module.
  return {
    ballast,
    LstIndex: {
      ...vault,
      wstethDescription: lst.WSTETH.description,
      wstethRate: jsonLeg(lst.WSTETH.ethLeg),
      wstethUnderlyingUsd: jsonLeg(lst.WSTETH.usdLeg),
      rethDescription: lst.RETH.description,
      rethEth: jsonLeg(lst.RETH.ethLeg),
      ethUsd: jsonLeg(lst.RETH.usdLeg),
      ...lstEntry(local, "wsteth", "WSTETH"),
      ...lstEntry(local, "reth", "RETH"),
    },
  };
}

/** An LST's flat LstIndex parameters: token, path to WETH, USD bounds of its adapter, cap. */
function lstEntry(local: ArbitrumLocal, prefix: string, symbol: "WSTETH" | "RETH"): Record<string, JsonParameter> {
  // Any address stands for the adapter: only the bounds are used (1/100x..100x the start price).
  const bounds = oracleConfigFor(local, symbol, 86_400, local.tokens[symbol].address);
  return {
    [`${prefix}Token`]: local.tokens[symbol].address,
    [`${prefix}SellPath`]: routeToBase(local, symbol, "WETH"),
    [`${prefix}MinAnswer`]: jsonNumber(bounds.minAnswer),
    [`${prefix}MaxAnswer`]: jsonNumber(bounds.maxAnswer),
    [`${prefix}MaxWeightBps`]: LOCAL_MAX_WEIGHT_BPS,
    [`${prefix}DeviationBps`]: LOCAL_FEED_DEVIATION_BPS[symbol],
  };
}

/** One `basket` entry: the `IIndexVault.InitialAsset` fields, plus the keeper's symbol. */
function basketEntry(local: ArbitrumLocal, symbol: (typeof LOCAL_BLUE_CHIP_BASKET)[number]): JsonParameter {
  const oracle = oracleConfigFor(local, symbol);
  return {
    symbol,
    token: local.tokens[symbol].address,
    oracle: {
      feed: oracle.feed,
      heartbeat: oracle.heartbeat,
      minAnswer: jsonNumber(oracle.minAnswer),
      maxAnswer: jsonNumber(oracle.maxAnswer),
    },
    maxWeightBps: LOCAL_MAX_WEIGHT_BPS,
    sellPath: routeToBase(local, symbol),
    deviationBps: LOCAL_FEED_DEVIATION_BPS[symbol],
  };
}
