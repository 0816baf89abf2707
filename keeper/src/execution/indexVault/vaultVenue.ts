/**
 * The Arbitrum IndexVault's side of the core `Venue` seam: what its keeper plans from, the plan
 * it signs, what it persists before anything leaves, and what an execution reports. Types (and
 * one line of text), so the keeper and its store hold the venue through this interface and
 * never import the implementation (indexVaultVenue.ts), which `cli` alone constructs.
 */
import type { BasketVenue, PlanOptions, VenueAccount, VenueExecution, VenuePlan } from "../../core/venue.js";
import type { ImpactFit } from "../../market/impactCalibration.js";
import type { BanditPolicy, RouteArm } from "../../market/routeBandit.js";
import type { VenueAsset, VenuePositions } from "../portfolioManager.js";
import type { BroadcastRecord } from "../txSender.js";
import type { PortfolioSnapshot } from "./planLegs.js";
import type { RebalanceOrder } from "./rebalanceOrder.js";
import type { SizedPlan } from "./sizeLegs.js";

/** The vault's `portfolio()` view: assets (base first), balances, Chainlink prices, values, weights, NAV. */
export type VaultSnapshot = PortfolioSnapshot & { readonly weightsBps: readonly bigint[] };

/** The vault's weights (aligned with its assets) and NAV per share, and the same as a venue account. */
export interface VaultPositions extends VenuePositions, VenueAccount {}

export interface RoutingInput {
  readonly arms: ReadonlyMap<string, RouteArm>;
  readonly policy: BanditPolicy;
  /** 0 (very low) .. 4 (very high); 2 (medium) when unknown. */
  readonly volLevel: number;
}

export interface VaultPlanOptions extends PlanOptions {
  /**
   * The turnover budget the plan is scaled to fit, bps of NAV; absent: the vault's own limit
   * (`rebalanceWindow().maxTurnoverBps`), read at planning.
   */
  readonly maxTurnoverBps?: number;
  /**
   * Route learning: the bandit's arms and policy and this cycle's volatility level. Absent:
   * every leg takes its token's sellPath/buyPath.
   */
  readonly routing?: RoutingInput;
  /**
   * Impact recalibration: refits by route id (`routeId(side, path)`); a leg is sized with the
   * refit of the route it trades, never with another route's (routeRefits.ts). With route
   * learning on, each candidate is also scored with its own route's refit. Absent:
   * recalibration off (no note).
   */
  readonly impactFits?: ReadonlyMap<string, ImpactFit>;
}

/**
 * A planned rebalance: the order for the vault's current nonce, unsigned (signing waits for the
 * gas cap and the lease), the sizing behind it, and its legs as venue-neutral orders.
 */
export interface VaultPlan extends VenuePlan {
  /** Null when every leg is below the minimum trade size: nothing to sign. */
  readonly order: RebalanceOrder | null;
  readonly sizing: SizedPlan;
}

/**
 * What the keeper's store keeps of an order that was signed but may not have landed. The venue
 * hands it to the journal once signed (no broadcast yet), then again after each broadcast with
 * that broadcast appended, so the store has every transaction hash before the venue waits on it.
 */
/** Why a plan without an order trades nothing (the cycle's reason). */
export function nothingToTrade(plan: Pick<VaultPlan, "notes">): string {
  const why = plan.notes.length > 0 ? ` (${plan.notes.join("; ")})` : "";
  return `nothing to trade: every leg is below the minimum trade size${why}`;
}

export interface PendingOrder {
  readonly order: RebalanceOrder;
  readonly signature: string;
  /** The EIP-712 digest the vault's `hashOrder` returns for the order. */
  readonly digest: string;
  readonly gasLimit: bigint;
  /** Every transaction sent for the order, oldest first (a replacement follows what it replaces). */
  readonly broadcasts: readonly BroadcastRecord[];
}

export interface Fill {
  readonly tokenIn: string;
  readonly tokenOut: string;
  readonly amountIn: bigint;
  readonly amountOut: bigint;
  readonly minOut: bigint;
}

/**
 * How an execution ended (`executed`, `nothing-to-trade` or `failed`: reverted in simulation or
 * on chain, or could not land), with the vault's own record of it.
 */
export interface VaultExecution extends VenueExecution {
  readonly txHash: string | null;
  readonly gasUsed: bigint | null;
  /** Base-asset units, from the vault's `Rebalanced` event. */
  readonly navBefore: bigint | null;
  readonly navAfter: bigint | null;
  readonly fills: readonly Fill[];
}

/** The Arbitrum IndexVault as the keeper holds it: its universe carries addresses and decimals. */
export interface VaultVenue
  extends BasketVenue<VaultSnapshot, VaultPlan, PendingOrder, VaultExecution, VaultPlanOptions> {
  /** Assets the vault holds, base asset first. */
  universe(): Promise<readonly VenueAsset[]>;
  positions(): Promise<VaultPositions>;
}
