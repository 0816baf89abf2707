/**
 * What the strategy the keeper serves counts as yield, per basket asset (for /api/yields).
 * A release whose strategy is the yield-aware mean-variance carries its research config's
 * APYs (`lstYields`, stated priors) and accruals; the live market panel has no DefiLlama APY
 * history, so at run time those priors are exactly what the optimizer adds (see
 * strategy/meanVarianceStrategy.ts: the panel's APY, else the configured one). Every other
 * strategy counts no yield.
 */
import type { YieldAccrual } from "../core/types.js";
import { type ReleaseManifest, releaseSymbols } from "../research/release/release.js";
import { researchConfigSchema } from "../research/researchConfig.js";
import type { YieldPlan, YieldUsed } from "../service/readModel.js";

const YIELD_FAMILIES = new Set(["mean-variance+yield"]);

export function yieldPlanOf(
  release: ReleaseManifest | null,
  strategy: string,
  vaultSymbols: readonly string[],
): YieldPlan {
  const none = (asset: string): YieldUsed => ({
    asset,
    source: "none",
    pool: null,
    apy: null,
    rewardHaircut: null,
    asOf: null,
    accrual: null,
  });
  if (release === null || !YIELD_FAMILIES.has(release.strategy.family)) {
    return { strategy, assets: vaultSymbols.map(none) };
  }
  const cfg = researchConfigSchema.parse(release.researchConfig);
  const alias = releaseSymbols(release, vaultSymbols);
  const asOf = Math.floor(Date.parse(release.createdAt) / 1000);
  return {
    strategy,
    assets: vaultSymbols.map((asset): YieldUsed => {
      const symbol = alias[asset] ?? asset.toUpperCase();
      const apy = cfg.lstYields[symbol];
      if (apy === undefined || symbol === release.universe.base.toUpperCase()) return none(asset);
      // The strategy's default for a configured yield without an accrual is "balance".
      const accrual: YieldAccrual = cfg.lstYieldAccrual[symbol] ?? "balance";
      return {
        asset,
        source: "prior",
        pool: null,
        apy,
        rewardHaircut: null,
        asOf: Number.isFinite(asOf) ? asOf : null,
        accrual,
      };
    }),
  };
}
