/**
 * A rebalance order's legs, and their fills, in the venue-neutral terms of core/venue.ts. Pure.
 *
 * Each leg trades one basket asset against the base asset (the first of the vault's assets):
 * a sell spends the asset, a buy spends the base. `size` is in the asset's units (a sell's
 * input; for a buy, the least it may receive: its signed minimum output), and `limitPrice` is
 * the worst price in base units per asset unit that the signed minimum allows. `clientId` is
 * the order's nonce and the leg's index: unique per vault, known before signing.
 */
import { formatUnits } from "ethers";
import { toNumber } from "../../core/fixed.js";
import type { OrderResult, VenueOrder } from "../../core/venue.js";
import { decodePath, type RebalanceOrder, type SwapLeg } from "./rebalanceOrder.js";
import type { Fill } from "./vaultVenue.js";

export interface LegToken {
  readonly symbol: string;
  readonly decimals: number;
}

/** Resolves a token address to its symbol and decimals (throws for one the config does not describe). */
export type TokenOf = (address: string) => LegToken;

interface LegSides {
  readonly side: "buy" | "sell";
  readonly asset: string;
  readonly base: string;
}

function sidesOf(leg: SwapLeg, baseAsset: string): LegSides {
  const along = decodePath(leg.path).tokens;
  const first = along[0] as string;
  const last = along[along.length - 1] as string;
  return first.toLowerCase() === baseAsset.toLowerCase()
    ? { side: "buy", asset: last, base: first }
    : { side: "sell", asset: first, base: last };
}

/** Base-asset units per asset unit (0 when no asset units). */
function price(baseAmount: bigint, baseDecimals: number, assetAmount: bigint, assetDecimals: number): number {
  const assetUnits = toNumber(assetAmount, assetDecimals);
  return assetUnits > 0 ? toNumber(baseAmount, baseDecimals) / assetUnits : 0;
}

export function legOrders(order: RebalanceOrder, tokenOf: TokenOf): VenueOrder[] {
  const baseAsset = order.assets[0] ?? "";
  const base = tokenOf(baseAsset);
  return order.legs.map((leg, i) => {
    const { side, asset } = sidesOf(leg, baseAsset);
    const token = tokenOf(asset);
    const [baseAmount, assetAmount] =
      side === "sell" ? [leg.minAmountOut, leg.amountIn] : [leg.amountIn, leg.minAmountOut];
    return {
      clientId: `${order.nonce}:${i}`,
      symbol: token.symbol,
      side,
      size: formatUnits(assetAmount, token.decimals),
      limitPrice: price(baseAmount, base.decimals, assetAmount, token.decimals).toPrecision(8),
      // A leg never flips a spot holding: a sell spends at most what the vault holds.
      reduceOnly: side === "sell",
    };
  });
}

/** The results of an executed order's legs: each leg filled in full at its realised price. */
export function legResults(orders: readonly VenueOrder[], fills: readonly Fill[], tokenOf: TokenOf): OrderResult[] {
  return fills.flatMap((fill, i): OrderResult[] => {
    const order = orders[i];
    if (!order) return [];
    const [assetAmount, baseAmount, assetToken, baseToken] =
      order.side === "sell"
        ? [fill.amountIn, fill.amountOut, fill.tokenIn, fill.tokenOut]
        : [fill.amountOut, fill.amountIn, fill.tokenOut, fill.tokenIn];
    const asset = tokenOf(assetToken);
    const base = tokenOf(baseToken);
    return [
      {
        order,
        status: "filled",
        filledSize: formatUnits(assetAmount, asset.decimals),
        averagePrice: price(baseAmount, base.decimals, assetAmount, asset.decimals),
        venueOrderId: null,
        reason: null,
      },
    ];
  });
}
