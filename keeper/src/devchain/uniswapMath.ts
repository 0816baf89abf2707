/**
 * Price encodings of Uniswap V3 used by the local chain: pools quote token1 per token0 in raw
 * units, as sqrt(price) in Q64.96, and ticks are log base 1.0001 of that raw price.
 */
import { InvalidInputError } from "../core/errors.js";
import { parseUnits } from "../core/fixed.js";

export const Q96 = 2n ** 96n;
export const MIN_TICK = -887272;
export const MAX_TICK = 887272;

/** Integer square root (floor) by Newton's method. */
export function sqrtBigInt(value: bigint): bigint {
  if (value < 0n) throw new InvalidInputError("sqrtBigInt: negative input");
  if (value < 2n) return value;
  let x = value;
  let y = (x + 1n) / 2n;
  while (y < x) {
    x = y;
    y = (x + value / x) / 2n;
  }
  return x;
}

/**
 * sqrtPriceX96 of a pool whose token0 is worth `usd0` and token1 `usd1` (raw price =
 * token1 units per token0 unit = usd0 / usd1 * 10^(dec1 - dec0)). Rounded down.
 */
export function sqrtPriceX96FromUsd(usd0: number, dec0: number, usd1: number, dec1: number): bigint {
  if (!(usd0 > 0 && usd1 > 0))
    throw new InvalidInputError("sqrtPriceX96FromUsd: prices must be positive", { usd0, usd1 });
  const num = parseUnits(usd0, 18) * 10n ** BigInt(dec1);
  const den = parseUnits(usd1, 18) * 10n ** BigInt(dec0);
  return sqrtBigInt((num * Q96 * Q96) / den);
}

/** USD price of token0 implied by a pool's sqrtPriceX96 and token1's USD price. */
export function usd0FromSqrtPriceX96(sqrtPriceX96: bigint, dec0: number, dec1: number, usd1: number): number {
  const raw = Number(sqrtPriceX96) / Number(Q96);
  return raw * raw * 10 ** (dec0 - dec1) * usd1;
}

/** Tick whose price is at or below the raw price `rawPrice` (token1 per token0 in raw units). */
export function tickAtRawPrice(rawPrice: number): number {
  return Math.floor(Math.log(rawPrice) / Math.log(1.0001));
}

/** Rounds a tick down to a multiple of the spacing, clamped to the usable range. */
export function alignTick(tick: number, spacing: number): number {
  const min = Math.ceil(MIN_TICK / spacing) * spacing;
  const max = Math.floor(MAX_TICK / spacing) * spacing;
  return Math.min(max, Math.max(min, Math.floor(tick / spacing) * spacing));
}

/** The full-range ticks for a spacing. */
export function fullRangeTicks(spacing: number): { lower: number; upper: number } {
  return { lower: Math.ceil(MIN_TICK / spacing) * spacing, upper: Math.floor(MAX_TICK / spacing) * spacing };
}
