/**
 * The Arbitrum vault's part of the status `venue` view, in the same venue-neutral terms the
 * venue keeper shows for HyperLiquid and Starknet: where the vault is, what it holds (as a
 * venue account) and the last order's legs with how each ended. Pure.
 */
import type { OrderResult, VenueAccount, VenueOrder } from "../core/venue.js";
import type { KeeperState } from "./store/keeperStore.js";

export type StoredOrders = NonNullable<KeeperState["venueOrders"]>["orders"];

/** Only the venue account's fields (a vault's positions carry more). */
export function accountOf(positions: VenueAccount): VenueAccount {
  const { time, navUsd, holdings, grossLeverage } = positions;
  return { time, navUsd, holdings, grossLeverage };
}

/** Legs that ended without a fill (not sent, or the order failed), each with the reason. */
export function unfilledLegs(orders: StoredOrders, reason: string | null): StoredOrders {
  return orders.map(({ order }) => ({
    order,
    result: { status: "unknown", filledSize: "0", averagePrice: null, venueOrderId: null, reason },
  }));
}

/** Legs as planned: how each ends is not known yet. */
export function plannedLegs(orders: readonly VenueOrder[]): StoredOrders {
  return orders.map((order) => ({ order, result: null }));
}

/** Legs of an executed order, each with its fill (the vault fills every leg or reverts them all). */
export function filledLegs(results: readonly OrderResult[]): StoredOrders {
  return results.map(({ order, ...result }) => ({ order, result }));
}
