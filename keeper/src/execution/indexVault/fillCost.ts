/**
 * The realised cost of an executed leg, measured the way the vault checks it: what came out
 * against what went in, both valued at the Chainlink prices of the snapshot. Pure.
 */
import { toNumber } from "../../core/fixed.js";
import type { PortfolioSnapshot } from "./planLegs.js";
import type { Fill } from "./vaultVenue.js";

export interface FillCost {
  /** Chainlink value of the input, USD; null when a token is not in the snapshot. */
  readonly valueInUsd: number | null;
  /** 1 - value out / value in, in bps (fees, impact and any pool-vs-oracle gap). */
  readonly realisedCostBps: number | null;
}

export function fillCost(fill: Fill, snapshot: PortfolioSnapshot): FillCost {
  const usdValue = (token: string, amount: bigint): number | null => {
    const i = snapshot.assets.findIndex((a) => a.toLowerCase() === token.toLowerCase());
    const price = snapshot.pricesUsd[i];
    const decimals = snapshot.decimals[i];
    if (i < 0 || price === undefined || decimals === undefined) return null;
    return toNumber(amount, decimals) * toNumber(price, 8);
  };
  const valueIn = usdValue(fill.tokenIn, fill.amountIn);
  const valueOut = usdValue(fill.tokenOut, fill.amountOut);
  return {
    valueInUsd: valueIn,
    realisedCostBps: valueIn === null || valueOut === null || valueIn === 0 ? null : (1 - valueOut / valueIn) * 10_000,
  };
}
