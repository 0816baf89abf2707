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
