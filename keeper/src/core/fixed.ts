/**
 * Fixed-point helpers for on-chain amounts. All on-chain maths is `bigint`; every division
 * names its rounding direction, mirroring the vault contract (OpenZeppelin Math.mulDiv).
 */
import { InvalidInputError } from "./errors.js";

export const WAD = 10n ** 18n;
export const BPS = 10_000n;

export type Rounding = "floor" | "ceil";

/** floor or ceil of a * b / d for non-negative operands. */
export function mulDiv(a: bigint, b: bigint, d: bigint, rounding: Rounding = "floor"): bigint {
  if (d === 0n) throw new InvalidInputError("mulDiv: division by zero");
  if (a < 0n || b < 0n || d < 0n) throw new InvalidInputError("mulDiv: negative operand", { a, b, d });
  const product = a * b;
  const q = product / d;
  return rounding === "ceil" && q * d !== product ? q + 1n : q;
}

/** Converts a decimal number or string to a fixed-point bigint with `decimals` places (truncates). */
export function parseUnits(value: string | number, decimals: number): bigint {
  const text = typeof value === "number" ? numberToPlainString(value) : value.trim();
  const match = /^(-)?(\d+)(?:\.(\d*))?$/.exec(text);
  if (!match) throw new InvalidInputError(`parseUnits: not a decimal number: ${text}`);
  const [, sign, whole = "0", frac = ""] = match;
  const fracPadded = (frac + "0".repeat(decimals)).slice(0, decimals);
  const magnitude = BigInt(whole) * 10n ** BigInt(decimals) + BigInt(fracPadded || "0");
  return sign ? -magnitude : magnitude;
}

/** Converts a fixed-point bigint to a JS number (lossy; for reporting and research only). */
export function toNumber(value: bigint, decimals: number): number {
  const scale = 10n ** BigInt(decimals);
  const whole = value / scale;
  const frac = value % scale;
  return Number(whole) + Number(frac) / Number(scale);
}

function numberToPlainString(value: number): string {
  if (!Number.isFinite(value)) throw new InvalidInputError(`parseUnits: not finite: ${value}`);
  // toFixed(20) avoids exponent notation for the magnitudes we use (prices, amounts).
  return Math.abs(value) < 1e21 ? value.toFixed(20).replace(/\.?0+$/, "") : BigInt(Math.round(value)).toString();
}
