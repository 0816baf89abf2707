/**
 * The per-leg minimum output a keeper signs into an order: the leg's Chainlink value in the
 * output token (computed exactly as the vault does) less the leg's predicted cost and a
 * tolerance. The vault fills a leg only at or above this and its own oracle floor, so a leaked
 * or delayed order cannot be sandwiched down to the floor.
 */
import { InvalidInputError } from "../../core/errors.js";
import { BPS, mulDiv } from "../../core/fixed.js";
import type { PortfolioSnapshot } from "./planLegs.js";

/** Output units of asset `iOut` worth `amountIn` of asset `iIn` at the snapshot's oracle prices (rounded down). */
export function oracleAmountOut(snapshot: PortfolioSnapshot, iIn: number, iOut: number, amountIn: bigint): bigint {
  const pIn = snapshot.pricesUsd[iIn];
  const pOut = snapshot.pricesUsd[iOut];
  const dIn = snapshot.decimals[iIn];
  const dOut = snapshot.decimals[iOut];
  if (pIn === undefined || pOut === undefined || dIn === undefined || dOut === undefined || pOut <= 0n) {
    throw new InvalidInputError("oracleAmountOut: asset outside the snapshot", { iIn, iOut });
  }
  return mulDiv(amountIn, pIn * 10n ** BigInt(dOut), pOut * 10n ** BigInt(dIn));
}

/**
 * Minimum output of a leg: oracle value less `predictedCostBps + toleranceBps`, never asking
 * for less than the vault's own floor (`maxSlippageBps`). Without a prediction (unknown
 * liquidity) it is 0: the vault's floor alone applies.
 */
export function legMinimum(
  snapshot: PortfolioSnapshot,
  iIn: number,
  iOut: number,
  amountIn: bigint,
  predictedCostBps: number | null,
  toleranceBps: number,
  maxSlippageBps: number,
): bigint {
  if (predictedCostBps === null || !Number.isFinite(predictedCostBps)) return 0n;
  const haircut = Math.min(maxSlippageBps, Math.ceil(Math.max(0, predictedCostBps) + toleranceBps));
  return mulDiv(oracleAmountOut(snapshot, iIn, iOut, amountIn), BPS - BigInt(haircut), BPS);
}
