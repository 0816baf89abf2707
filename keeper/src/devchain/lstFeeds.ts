/**
 * USD feeds for the LST index on the local market: wstETH and rETH have no Chainlink USD feed on
 * Arbitrum One, so the vault prices them through feed adapters (contracts/oracles/adapters/) that
 * multiply an ETH-quoted leg by a USD leg, exactly as the LST deployment does on Arbitrum One
 * (ignition/modules/LstIndex.ts). Here the legs are the local market's mocks.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { BaseContract } from "ethers";
import type { IFeedAdapter } from "../../../types/ethers-contracts/index.js";
import type { LstSymbol } from "../config/addressBook.js";
import { ConfigError } from "../core/errors.js";
import { type ArbitrumLocal, LST_SYMBOLS } from "./arbitrumLocal.js";

/** A leg as the adapters' constructors take it (`IFeedAdapter.LegConfig`). */
export interface LegConfig {
  readonly feed: string;
  readonly heartbeat: number;
  readonly minAnswer: bigint;
  readonly maxAnswer: bigint;
}

export interface LstAdapterSpec {
  /** Contract name: the rate or the composite adapter. */
  readonly contract: "RateFeedAdapter" | "CompositeFeedAdapter";
  readonly description: string;
  readonly ethLeg: LegConfig;
  readonly usdLeg: LegConfig;
}

const DAY = 86_400;
/**
 * 0.1 to 10 ETH per token. On Arbitrum One an exchange rate only drifts up with the staking
 * yield, so lst.arbitrum-one.json bounds it tightly (1 to 2); the local market moves LSTs and ETH
 * independently (a symbol left out of a price step keeps its USD price), so its ratios roam wider.
 */
const RATE_BOUNDS = { minAnswer: 10n ** 17n, maxAnswer: 10n * 10n ** 18n };
/** ETH/USD between $100 and $100,000 (8 decimals), the bounds the vaults give ETH too. */
const ETH_USD_BOUNDS = { minAnswer: 100n * 10n ** 8n, maxAnswer: 100_000n * 10n ** 8n };

/** The adapters the LST index needs, with their legs on `local` (mocks, or real feeds on a fork). */
export function lstAdapterSpecs(local: ArbitrumLocal): Readonly<Record<LstSymbol, LstAdapterSpec>> {
  const ethUsd = local.feeds.WETH;
  if (!ethUsd) throw new ConfigError("the LST adapters need an ETH/USD feed");
  const usdLeg: LegConfig = { feed: ethUsd.target as string, heartbeat: DAY, ...ETH_USD_BOUNDS };
  const ethLeg = (symbol: LstSymbol): LegConfig => ({
    feed: local.lstEthFeeds[symbol].target as string,
    heartbeat: DAY,
    ...RATE_BOUNDS,
  });
  return {
    WSTETH: {
      contract: "RateFeedAdapter",
      description: "wstETH / USD (wstETH-stETH rate x ETH/USD)",
      ethLeg: ethLeg("WSTETH"),
      usdLeg,
    },
    RETH: {
      contract: "CompositeFeedAdapter",
      description: "rETH / USD (rETH/ETH x ETH/USD)",
      ethLeg: ethLeg("RETH"),
      usdLeg,
    },
  };
}

/** Deploys one adapter per LST (8-decimal USD feeds the vault accepts). */
export async function deployLstFeedAdapters(
  local: ArbitrumLocal,
  deployer: HardhatEthersSigner,
): Promise<Readonly<Record<LstSymbol, IFeedAdapter>>> {
  const specs = lstAdapterSpecs(local);
  const out = {} as Record<LstSymbol, IFeedAdapter>;
  for (const symbol of LST_SYMBOLS) {
    const spec = specs[symbol];
    const adapter = (await local.ethers.deployContract(
      spec.contract,
      [spec.description, spec.ethLeg, spec.usdLeg],
      deployer,
    )) as unknown as IFeedAdapter & BaseContract;
    await adapter.waitForDeployment();
    out[symbol] = adapter;
  }
  return out;
}
