/**
 * The exchange's answers as venue-neutral order results: a status entry of an `order` action
 * (filled, resting, error), an `orderStatus` lookup by cloid (for orders whose answer was lost),
 * and an order that never reached the exchange.
 */
import type { OrderResult } from "../../core/venue.js";
import type { OrderStatusAnswer, PlacedOrderStatus } from "./client.js";
import type { PerpOrder } from "./planOrders.js";
import { decimalText } from "./wire.js";

export function unsent(order: PerpOrder, reason: string): OrderResult {
  return { order, status: "unknown", filledSize: "0", averagePrice: null, venueOrderId: null, reason };
}

export function resultFromPlaced(order: PerpOrder, placed: PlacedOrderStatus): OrderResult {
  if ("error" in placed) {
    return { order, status: "rejected", filledSize: "0", averagePrice: null, venueOrderId: null, reason: placed.error };
  }
  if ("resting" in placed) {
    return {
      order,
      status: "unfilled",
      filledSize: "0",
      averagePrice: null,
      venueOrderId: String(placed.resting.oid),
      reason: "resting on the book (not expected of an IOC order)",
    };
  }
  const full = Number(placed.filled.totalSz) >= Number(order.size);
  return {
    order,
    status: full ? "filled" : "partial",
    filledSize: placed.filled.totalSz,
    averagePrice: Number(placed.filled.avgPx),
    venueOrderId: String(placed.filled.oid),
    reason: full ? null : `filled ${placed.filled.totalSz} of ${order.size}; the IOC remainder was cancelled`,
  };
}

/** An order the exchange knows, from `orderStatus`: filled = original size - remaining size. */
export function resultFromStatus(
  order: PerpOrder,
  answer: Extract<OrderStatusAnswer, { status: "order" }>,
): OrderResult {
  const { order: o, status } = answer.order;
  const filled = decimalText(Number(o.origSz) - Number(o.sz), order.szDecimals);
  const base = { order, filledSize: filled, averagePrice: null, venueOrderId: String(o.oid) };
  if (status === "filled") return { ...base, status: "filled", reason: null };
  if (/rejected$/i.test(status)) return { ...base, status: "rejected", filledSize: "0", reason: status };
  return {
    ...base,
    status: Number(filled) > 0 ? "partial" : "unfilled",
    reason: `${status} with ${filled} of ${o.origSz} filled`,
  };
}
