/**
 * The last line between a strategy's weights and an order: a zero target for an asset the
 * vault holds sells all of it, so it is only accepted when something vouches for it. An asset
 * a rotation is removing never reaches here (it is sold through the rotation's exit), so what
 * is left to vouch is the market data: a zero from a strategy that saw valid, fresh data for
 * the asset is its signal; a zero for an asset whose data nobody checked (a missing row, no
 * market guard) is missing data, and must not become a sale.
 */
import type { Weights } from "../execution/portfolioManager.js";

/**
 * The held symbols that `target` weights at zero without the market data vouching for them.
 * `held`: basket assets (not the base asset) with a balance; `vouched`: symbols whose market
 * data the guard found valid this cycle.
 */
export function unbackedZeroTargets(target: Weights, held: readonly string[], vouched: ReadonlySet<string>): string[] {
  return held.filter((symbol) => !((target[symbol] ?? 0) > 0) && !vouched.has(symbol));
}
