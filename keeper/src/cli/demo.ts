/**
 * `npm run demo`: builds the local Arbitrum market and prints its pools and prices.
 */
import { currentPrices } from "../devchain/arbitrumLocal.js";
import { LOCAL_POOLS } from "../devchain/marketSpec.js";
import { startArbitrumLocal } from "../devchain/start.js";
import { usd0FromSqrtPriceX96 } from "../devchain/uniswapMath.js";

async function main(): Promise<void> {
  const started = Date.now();
  const { local, close } = await startArbitrumLocal();
  try {
    console.log(`arbitrum-local (${local.mode}) chain id ${local.chainId}, built in ${Date.now() - started} ms`);
    const prices = await currentPrices(local);
    console.log("\nChainlink-style feeds (USD, 8 decimals):");
    for (const [symbol, usd] of Object.entries(prices)) console.log(`  ${symbol.padEnd(7)} ${usd.toFixed(4)}`);
    console.log("\nUniswap V3 pools:");
    for (const pool of local.pools) {
      const [sqrtPriceX96, tick] = await pool.contract.slot0();
      const liquidity = await pool.contract.liquidity();
      const p0 = usd0FromSqrtPriceX96(
        sqrtPriceX96,
        local.tokens[pool.token0].decimals,
        local.tokens[pool.token1].decimals,
        prices[pool.token1],
      );
      const spec = LOCAL_POOLS.find((s) => `${s.tokenA}/${s.tokenB}/${s.fee}` === pool.key);
      console.log(
        `  ${pool.key.padEnd(18)} ${pool.address}  tick ${String(tick).padStart(7)}  L=${liquidity}  ` +
          `${pool.token0}=$${p0.toPrecision(6)}  TVL~$${((spec?.tvlUsd ?? 0) / 1e6).toFixed(1)}M`,
      );
    }
  } finally {
    await close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
