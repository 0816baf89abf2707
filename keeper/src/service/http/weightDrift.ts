/**
 * Distance between the vault's current weights and the strategy's target: half the L1
 * distance, i.e. the fraction of NAV that would have to trade to reach the target. An asset
 * missing on one side counts as weight 0 there (it is being added or removed).
 */
export function weightDrift(
  current: Readonly<Record<string, number>>,
  target: Readonly<Record<string, number>>,
): number {
  let total = 0;
  for (const asset of new Set([...Object.keys(current), ...Object.keys(target)])) {
    total += Math.abs((current[asset] ?? 0) - (target[asset] ?? 0));
  }
  return total / 2;
}
