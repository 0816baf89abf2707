/** The filters of the yield collector applied to DefiLlama's pool list (pure). */
import type { LlamaPool } from "./llamaYields.js";
import type { YieldCollectorConfig } from "./yieldConfig.js";

/** Tokens of a DefiLlama pool symbol ("USDC-WETH" -> ["USDC", "WETH"]), upper-cased. */
export function poolTokens(symbol: string): string[] {
  return symbol
    .split(/[-/ ]+/)
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s !== "");
}

/**
 * Pools that pass every filter, plus the explicitly listed ones and the pools the assets and
 * underlyings take their APY from (those are needed whatever the filters say).
 */
export function selectPools(pools: readonly LlamaPool[], cfg: YieldCollectorConfig): LlamaPool[] {
  const f = cfg.filters;
  const chains = f.chains?.map((c) => c.toLowerCase());
  const protocols = f.protocols?.map((p) => p.toLowerCase());
  const allowed = f.underlyings ? new Set(f.underlyings) : null;
  const required = new Set([
    ...f.pools,
    ...cfg.assets.map((a) => a.pool),
    ...Object.values(cfg.adjustment.underlying).flatMap((u) => ("pool" in u ? [u.pool] : [])),
  ]);
  return pools.filter((p) => {
    if (required.has(p.pool)) return true;
    if (chains && !chains.includes(p.chain.toLowerCase())) return false;
    if (protocols && !protocols.includes(p.project.toLowerCase())) return false;
    if (!(p.tvlUsd >= f.minTvlUsd)) return false;
    if (f.stablecoin !== undefined && (p.stablecoin ?? false) !== f.stablecoin) return false;
    if (f.dropFlaggedOutliers && p.outlier === true) return false;
    if (allowed) {
      const bySymbol = poolTokens(p.symbol).every((t) => allowed.has(t));
      const addresses = p.underlyingTokens ?? [];
      const byAddress = addresses.length > 0 && addresses.every((a) => allowed.has(a.toUpperCase()));
      if (!bySymbol && !byAddress) return false;
    }
    return true;
  });
}
