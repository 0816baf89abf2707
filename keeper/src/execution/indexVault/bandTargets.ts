/**
 * The keeper's side of the shared no-trade band (../market/noTradeBand.ts): the validated
 * target (bps, aligned with the venue's assets, base first) is moved only where a weight has
 * left its band, each band sized from the fee tiers of the asset's buy route. Null means every
 * weight is inside its band: the cycle holds instead of paying fees for noise.
 */
import { InvalidInputError } from "../../core/errors.js";
import { applyNoTradeBand, bandHalfWidths, type NoTradeBand } from "../../market/noTradeBand.js";
import { toBps, type VenueAsset, type Weights } from "../portfolioManager.js";
import { decodePath } from "./rebalanceOrder.js";

/** Fee tiers (fractions) of each asset's route, from its buy path; the base asset has none. */
export function routeFeeTiers(universe: readonly VenueAsset[], buyPaths: Readonly<Record<string, string>>): number[][] {
  return universe.map((asset, i) => {
    if (i === 0) return [];
    const path = buyPaths[asset.symbol];
    if (!path || path === "0x") throw new InvalidInputError(`no-trade band: no buy path for ${asset.symbol}`);
    return decodePath(path).fees.map((fee) => fee / 1_000_000);
  });
}

export function bandedTargetBps(
  universe: readonly VenueAsset[],
  current: Weights,
  targetBps: readonly number[],
  feeTiers: readonly (readonly number[])[],
  band: NoTradeBand,
): number[] | null {
  const out = applyNoTradeBand({
    current: universe.map((a) => current[a.symbol] ?? 0),
    target: targetBps.map((b) => b / 10_000),
    halfWidths: bandHalfWidths(feeTiers, band),
    baseIndex: 0,
    caps: universe.map((a, i) => (i === 0 ? 1 : a.maxWeightBps / 10_000)),
    minTurnover: band.minTurnover,
  });
  return out === null ? null : toBps([...out]);
}
