import { AssertionError } from "chai";

/**
 * Relative closeness for floating-point figures. The ethers chai matchers replace `closeTo`
 * with a bigint-only version, so float comparisons go through this helper instead.
 */
export function expectRelClose(actual: number, expected: number, relTol: number, label = ""): void {
  const rel = Math.abs(actual - expected) / Math.max(Math.abs(expected), Number.MIN_VALUE);
  if (!(rel <= relTol)) {
    throw new AssertionError(
      `${label ? `${label}: ` : ""}expected ${actual} within ${relTol} (relative) of ${expected}`,
    );
  }
}

/**
 * Absolute closeness for floating-point figures (see `expectRelClose` for why). A missing
 * actual value (undefined or null, e.g. an out-of-range index) fails the assertion.
 */
export function expectAbsClose(actual: number | null | undefined, expected: number, absTol: number, label = ""): void {
  if (typeof actual !== "number" || !(Math.abs(actual - expected) <= absTol)) {
    throw new AssertionError(`${label ? `${label}: ` : ""}expected ${actual} within ${absTol} of ${expected}`);
  }
}
