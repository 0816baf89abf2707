/**
 * What the keeper needs from any venue, in venue-neutral terms: the markets it may trade, what
 * it holds now (signed weights of net liquidity), a plan toward target weights, a dry run of
 * that plan, its execution, and the resumption of an execution a crash interrupted. Orders and
 * fills are described the same way for a basket vault (one signed rebalance of several legs)
 * and an order-book venue (one order per market), so the store and the dashboard can keep them
 * per venue without knowing which is which.
 *
 * The three type parameters keep what only one venue understands out of this file: the
 * snapshot it plans from, the plan it signs, and what it persists before sending so that
 * `resume` can finish the job without sending anything twice.
 *
 * Two more parameters, with defaults, let a venue return more than the neutral execution (the
 * Arbitrum vault's transaction, gas and fills, which its keeper learns from) and take more
 * planning options than `exit` (its turnover budget, route learning, impact refits).
 *
 * How the venues map onto it. HyperLiquid (execution/hyperliquid): one IOC order per market,
 * the cloid as `clientId`, the plan as the pending record. Starknet (execution/starknet): one
 * multicall of the vault's swaps, its transaction hash in the pending record. The Arbitrum
 * vault (execution/indexVault): the snapshot is its `portfolio()` view, a plan is one
 * `RebalanceOrder` whose legs become `VenueOrder`s (`clientId` = nonce and leg index, the limit
 * implied by the leg's signed minimum output), the pending record is its `PendingOrder`
 * (order, signature, broadcasts), `exit` is the rotation's set of assets sold in full. It is a
 * `BasketVenue`: the vault itself limits each rebalance (cooldown, turnover, tolerance).
 */

/** What a venue lets a target weight do. Weights are fractions of net liquidity (NAV). */
export interface VenueCapabilities {
  /** False for a spot vault: every weight must be >= 0 and they sum to 1 (cash included). */
  readonly shorts: boolean;
  /** Largest sum of |weight| the venue or its config accepts (1 for a spot vault). */
  readonly maxGross: number;
  /** Largest |sum of weights| accepted (net exposure). */
  readonly maxNet: number;
  /** True when weights must sum to exactly 1 (a fully invested spot vault, base asset included). */
  readonly fullyInvested: boolean;
}

/** One market the venue can trade. */
export interface VenueMarket {
  readonly symbol: string;
  /** Largest |weight| accepted for this market, bps of NAV. */
  readonly maxWeightBps: number;
}

/** One holding, signed: a short has a negative size and weight. */
export interface VenueHolding {
  readonly symbol: string;
  /** Units of the asset (tokens, or contracts of a perpetual); negative when short. */
  readonly size: number;
  /** Signed notional in USD at the venue's mark. */
  readonly notionalUsd: number;
  /** Signed fraction of net liquidity. */
  readonly weight: number;
}

/** The venue's account as it stands. */
export interface VenueAccount {
  /** Venue time (chain time or exchange time), unix seconds. */
  readonly time: number;
  /** Net liquidity in USD: what the depositors own if everything were closed at the mark. */
  readonly navUsd: number;
  readonly holdings: readonly VenueHolding[];
  /** Sum of |weight| of the holdings (1 or less on a spot vault). */
  readonly grossLeverage: number;
}

export type OrderSide = "buy" | "sell";

/**
 * One order as the keeper sends it. Sizes and prices are decimal text in the venue's units, so
 * what is signed, stored and shown are the same characters (no float reformatting in between).
 */
export interface VenueOrder {
  /** Client order id, chosen before signing and recorded before sending: the resume key. */
  readonly clientId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly size: string;
  /** Worst acceptable price (a limit, or the price implied by a signed minimum output). */
  readonly limitPrice: string;
  /** True when the order may only shrink a position (a close), never open or flip one. */
  readonly reduceOnly: boolean;
}

/**
 * Where an order ended: `filled` (all of it), `partial` (some filled, the rest cancelled, as an
 * immediate-or-cancel order does), `rejected` (the venue refused it, `reason` says why),
 * `unfilled` (accepted, nothing matched), `unknown` (the venue has no record: never arrived).
 */
export type OrderStatus = "filled" | "partial" | "rejected" | "unfilled" | "unknown";

export interface OrderResult {
  readonly order: VenueOrder;
  readonly status: OrderStatus;
  /** Units filled, decimal text ("0" when none). */
  readonly filledSize: string;
  /** Average fill price; null when nothing filled or the venue did not report it. */
  readonly averagePrice: number | null;
  /** The venue's order id, when it gave one. */
  readonly venueOrderId: string | null;
  readonly reason: string | null;
}

/** A plan toward a target: the orders, what was left out and why. */
export interface VenuePlan {
  readonly orders: readonly VenueOrder[];
  /** Targets the plan aims at (signed weights by symbol), after caps. */
  readonly targetWeights: Readonly<Record<string, number>>;
  readonly notes: readonly string[];
}

/** A dry run: would the venue accept the plan, and what would it cost. */
export interface SimulationResult {
  readonly ok: boolean;
  readonly reason: string | null;
  /** Estimated fees in USD (gas, or taker fees); null when the venue cannot price its fee token. */
  readonly estimatedFeesUsd: number | null;
}

/**
 * How an execution ended: `executed` (everything sent and filled), `partial` (sent; some
 * orders were rejected or filled in part: `results` says which), `simulated` (dry run),
 * `nothing-to-trade`, `failed` (nothing filled; `reason` says why).
 */
export type ExecutionKind = "executed" | "partial" | "simulated" | "nothing-to-trade" | "failed";

export interface VenueExecution {
  readonly kind: ExecutionKind;
  readonly reason: string | null;
  readonly results: readonly OrderResult[];
  /** Net liquidity before and after, USD; null when not read. */
  readonly navBeforeUsd: number | null;
  readonly navAfterUsd: number | null;
}

/**
 * Told about each step before the next one starts. `pending` is persisted by the caller and
 * handed back to `resume` after a crash; the venue records it before anything leaves.
 */
export interface VenueJournal<TPending> {
  /** The venue waits for it (a store's write is asynchronous) before anything leaves. */
  pending(record: TPending): void | Promise<void>;
  /**
   * Results as they come (an order-book venue answers per order; a basket vault's legs all at
   * once, when its transaction is mined). Absent when the caller reads them from the execution
   * it gets back.
   */
  results?(results: readonly OrderResult[]): void | Promise<void>;
  /**
   * Fencing: awaited right before each signing and each sending step (a resume's re-send
   * included); it throws when this process may no longer act for the account (its lease in a
   * shared store has moved or is unconfirmed), and the venue then signs and sends nothing.
   * Absent when only one process can act (a local store, a test journal).
   */
  authorize?(act: string): Promise<void>;
}

export interface PlanOptions {
  /** Symbols to close in full whatever the target says (a rotation removing an asset, a delisting). */
  readonly exit?: readonly string[];
}

export interface Venue<
  TSnapshot,
  TPlan extends VenuePlan,
  TPending,
  TExecution extends VenueExecution = VenueExecution,
  TOptions extends PlanOptions = PlanOptions,
> {
  /** Short stable name ("arbitrum", "starknet", "hyperliquid"): the store keys records by it. */
  readonly name: string;
  readonly capabilities: VenueCapabilities;
  universe(): Promise<readonly VenueMarket[]>;
  positions(): Promise<VenueAccount>;
  /** Everything the venue plans from, read at once. */
  snapshot(): Promise<TSnapshot>;
  /** Venue time, unix seconds. */
  time(): Promise<number>;
  /** Orders toward `target` (signed weights by symbol, already validated for this venue). */
  plan(target: Readonly<Record<string, number>>, options?: TOptions, snapshot?: TSnapshot): Promise<TPlan>;
  simulate(plan: TPlan): Promise<SimulationResult>;
  execute(plan: TPlan, journal: VenueJournal<TPending>): Promise<TExecution>;
  /** Finishes what a previous run recorded in `pending`, never sending an order twice. */
  resume(pending: TPending, journal: VenueJournal<TPending>): Promise<TExecution>;
}

/** The limits a venue puts on each rebalance, as they stand at venue time. */
export interface RebalanceWindow {
  /** Venue time of the last rebalance (0 before the first). */
  readonly lastRebalance: number;
  readonly cooldownSeconds: number;
  /** Earliest venue time the next rebalance can land (the venue refuses one before). */
  readonly readyAt: number;
  /** Largest sum of the legs' input values per rebalance, bps of NAV before it. */
  readonly maxTurnoverBps: number;
  /** Largest distance of a post-trade weight from the signed target the venue accepts, bps. */
  readonly toleranceBps: number;
}

/**
 * A venue that is a basket vault with its own rebalance limits (the Arbitrum IndexVault): the
 * keeper waits out its cooldown, plans within its turnover budget and judges a trade partial
 * against its tolerance.
 */
export interface BasketVenue<
  TSnapshot,
  TPlan extends VenuePlan,
  TPending,
  TExecution extends VenueExecution = VenueExecution,
  TOptions extends PlanOptions = PlanOptions,
> extends Venue<TSnapshot, TPlan, TPending, TExecution, TOptions> {
  rebalanceWindow(): Promise<RebalanceWindow>;
  /**
   * Issues at once the reads a cycle will make (one batched round trip inside an RPC session);
   * `accounts` are balances the caller reads too. Only a warm-up: nothing depends on it.
   */
  prefetch(accounts?: readonly string[]): Promise<void>;
}
