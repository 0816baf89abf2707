/**
 * HyperLiquid's number rules for perpetual orders. Sizes are multiples of 10^-szDecimals of
 * the asset; prices have at most 5 significant figures and at most 6 - szDecimals decimals,
 * and an integer price is always accepted whatever its number of figures. Both travel as
 * decimal strings without trailing zeros ("1670.1", "100", "0.0147"), and those exact
 * characters are msgpack-encoded into the signed hash, so they are produced once here.
 */
import { InvalidInputError } from "../../core/errors.js";

const MAX_PERP_DECIMALS = 6;
const SIGNIFICANT_FIGURES = 5;
/** Absorbs binary noise (0.29 * 100 = 28.999999999999996) before flooring to the grid. */
const GRID_EPSILON = 1e-9;

/** Fixed-point text without trailing zeros or a trailing dot; "-0" becomes "0". */
export function decimalText(value: number, decimals: number): string {
  const text = value.toFixed(decimals);
  const trimmed = text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
  return trimmed === "-0" ? "0" : trimmed;
}

/** |size| rounded down to the asset's size grid: an order never exceeds what was sized. */
export function roundSize(size: number, szDecimals: number): string {
  if (!Number.isFinite(size)) throw new InvalidInputError(`size ${size} is not a number`);
  const scale = 10 ** szDecimals;
  return decimalText(Math.floor(Math.abs(size) * scale + GRID_EPSILON) / scale, szDecimals);
}

/**
 * A valid perp limit price near `price`, rounded toward the passive side (a buy down, a sell
 * up) so that rounding never makes the worst accepted price worse than the slippage bound.
 */
export function roundPrice(price: number, szDecimals: number, side: "buy" | "sell"): string {
  if (!(price > 0) || !Number.isFinite(price)) throw new InvalidInputError(`price ${price} is not positive`);
  const maxDecimals = Math.max(0, MAX_PERP_DECIMALS - szDecimals);
  const magnitude = Math.floor(Math.log10(price));
  const figures = Math.max(0, SIGNIFICANT_FIGURES - 1 - magnitude);
  const decimals = Math.min(maxDecimals, figures);
  const scale = 10 ** decimals;
  const scaled = price * scale;
  const units = side === "buy" ? Math.floor(scaled + GRID_EPSILON) : Math.ceil(scaled - GRID_EPSILON);
  // A price of 5+ integer digits keeps all of them (integers are always valid); below that,
  // rounding up can carry into a 6th figure (99999.5 -> 100000), which is still an integer.
  if (units <= 0) {
    throw new InvalidInputError(
      `price ${price} is below the smallest tick of an asset with ${szDecimals} size decimals`,
    );
  }
  return decimalText(units / scale, decimals);
}

/** True when `text` is a valid price for an asset with `szDecimals` (the exchange's rule). */
export function isValidPrice(text: string, szDecimals: number): boolean {
  if (!/^\d+(\.\d+)?$/.test(text)) return false;
  const [whole = "", fraction = ""] = text.split(".");
  if (fraction.length > Math.max(0, MAX_PERP_DECIMALS - szDecimals)) return false;
  if (fraction === "") return true;
  const digits = `${whole}${fraction}`.replace(/^0+/, "");
  return digits.length <= SIGNIFICANT_FIGURES;
}
