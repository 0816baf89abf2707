import type { TokenSymbol } from "../config/addressBook.js";

/**
 * The local Arbitrum market: starting USD prices and the Uniswap V3 pools the local chain
 * creates, with depths that resemble Arbitrum One's pools.
 *
 * Depth figures are rounded total value locked (TVL) of the matching Arbitrum One Uniswap V3
 * pools as shown by Uniswap's analytics and DefiLlama during 2024 (orders of magnitude, not
 * exact: TVL moves daily). Half of each pool's TVL is minted full-range, so every price the
 * demo's path can reach stays tradable; the other half is concentrated in a band around the
 * starting price (narrow for correlated LST/ETH pairs, wider for volatile pairs), which is how
 * most real liquidity sits and what makes in-range depth realistic.
 */
export const START_PRICES_USD: Readonly<Record<TokenSymbol, number>> = {
  USDC: 1,
  WETH: 3_000,
  WBTC: 60_000,
  ARB: 1,
  LINK: 15,
  UNI: 8,
  GMX: 30,
  WSTETH: 3_510, // about 1.17 ETH per wstETH
  RETH: 3_300, // about 1.10 ETH per rETH
  PENDLE: 5,
};

export interface PoolSpec {
  readonly tokenA: TokenSymbol;
  readonly tokenB: TokenSymbol;
  /** Uniswap fee in hundredths of a bip (500 = 0.05%). */
  readonly fee: 100 | 500 | 3000 | 10000;
  /** Total value locked in USD at the start price. */
  readonly tvlUsd: number;
  /** Half-width of the concentrated band as a fraction of price (0.1 = +-10%). */
  readonly band: number;
}

export const LOCAL_POOLS: readonly PoolSpec[] = [
  { tokenA: "WETH", tokenB: "USDC", fee: 500, tvlUsd: 40_000_000, band: 0.1 },
  { tokenA: "WBTC", tokenB: "WETH", fee: 500, tvlUsd: 20_000_000, band: 0.1 },
  { tokenA: "WBTC", tokenB: "USDC", fee: 500, tvlUsd: 5_000_000, band: 0.1 },
  { tokenA: "ARB", tokenB: "WETH", fee: 500, tvlUsd: 8_000_000, band: 0.2 },
  { tokenA: "ARB", tokenB: "USDC", fee: 500, tvlUsd: 4_000_000, band: 0.2 },
  { tokenA: "LINK", tokenB: "WETH", fee: 3000, tvlUsd: 5_000_000, band: 0.2 },
  { tokenA: "UNI", tokenB: "WETH", fee: 3000, tvlUsd: 1_500_000, band: 0.2 },
  { tokenA: "GMX", tokenB: "WETH", fee: 10000, tvlUsd: 4_000_000, band: 0.25 },
  { tokenA: "WSTETH", tokenB: "WETH", fee: 100, tvlUsd: 20_000_000, band: 0.01 },
  { tokenA: "RETH", tokenB: "WETH", fee: 500, tvlUsd: 5_000_000, band: 0.01 },
  { tokenA: "PENDLE", tokenB: "WETH", fee: 3000, tvlUsd: 3_000_000, band: 0.25 },
];

export const TICK_SPACING: Readonly<Record<PoolSpec["fee"], number>> = { 100: 1, 500: 10, 3000: 60, 10000: 200 };

/**
 * Deviation threshold (bps) the local chain declares for each local feed: a Chainlink feed
 * publishes a new round when the market leaves this band around its last answer, so between
 * rounds the market is within it. The vault's entry spread is sized from these (M-1). Local
 * feeds move only when told to; the figures are the order of magnitude of Arbitrum's feeds
 * (stablecoins tight, majors 0.5%, long-tail 1%), to be checked per feed on data.chain.link.
 */
export const LOCAL_FEED_DEVIATION_BPS: Readonly<Record<TokenSymbol, number>> = {
  USDC: 10,
  WETH: 50,
  WBTC: 50,
  ARB: 100,
  LINK: 100,
  UNI: 100,
  GMX: 100,
  WSTETH: 50,
  RETH: 50,
  PENDLE: 100,
};
