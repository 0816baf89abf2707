import type { TokenSymbol } from "../config/addressBook.js";
import { InvalidInputError } from "../core/errors.js";
import { encodePath } from "../execution/indexVault/rebalanceOrder.js";
import type { ArbitrumLocal } from "./arbitrumLocal.js";

/**
 * Uniswap V3 routes between a token and the base asset on the local market: the direct pool
 * when one exists, otherwise through WETH (the deepest hub on Arbitrum).
 */
export function routeToBase(local: ArbitrumLocal, symbol: TokenSymbol, base: TokenSymbol = "USDC"): string {
  const hops = hopsToBase(local, symbol, base);
  return encodePath(
    hops.tokens.map((s) => local.tokens[s].address),
    hops.fees,
  );
}

/** The reverse of `routeToBase`: buys `symbol` with the base asset. */
export function routeFromBase(local: ArbitrumLocal, symbol: TokenSymbol, base: TokenSymbol = "USDC"): string {
  const hops = hopsToBase(local, symbol, base);
  return encodePath(
    [...hops.tokens].reverse().map((s) => local.tokens[s].address),
    [...hops.fees].reverse(),
  );
}

function directFee(local: ArbitrumLocal, a: TokenSymbol, b: TokenSymbol): number | undefined {
  const pool = local.pools.find((p) => (p.token0 === a && p.token1 === b) || (p.token0 === b && p.token1 === a));
  return pool?.fee;
}

function hopsToBase(local: ArbitrumLocal, symbol: TokenSymbol, base: TokenSymbol) {
  if (symbol === base) throw new InvalidInputError("route: token is the base asset");
  const direct = directFee(local, symbol, base);
  if (direct !== undefined) return { tokens: [symbol, base], fees: [direct] };
  const toWeth = directFee(local, symbol, "WETH");
  const wethToBase = directFee(local, "WETH", base);
  if (toWeth === undefined || wethToBase === undefined)
    throw new InvalidInputError(`route: no path ${symbol} -> ${base}`);
  return { tokens: [symbol, "WETH", base] as TokenSymbol[], fees: [toWeth, wethToBase] };
}
