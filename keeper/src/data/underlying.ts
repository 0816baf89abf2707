/**
 * One registry of wrapped duplicates: tokens that are the same exposure under another symbol
 * (a wrapper or a rebasing/non-rebasing pair). Holding both doubles one exposure, so every rule
 * that counts assets (classifier, research universe, rotation) groups them by underlying.
 * Liquid staking tokens of different issuers are distinct exposures (different yield and risk)
 * and are not grouped with ETH; only the two forms of Lido's stETH are one.
 */
const UNDERLYING: Readonly<Record<string, string>> = {
  WBTC: "BTC",
  WETH: "ETH",
  WSTETH: "STETH",
};

/** The exposure `symbol` stands for (case-insensitive; itself, upper-cased, when not a wrapper). */
export function underlyingOf(symbol: string): string {
  const key = symbol.toUpperCase();
  return UNDERLYING[key] ?? key;
}
