/**
 * HyperLiquid perpetuals as a Venue: long and short weights of net liquidity (the account
 * value), traded with immediate-or-cancel limit orders signed with HyperLiquid's L1 action
 * signature (signing.ts), by the account's key or an agent wallet's.
 *
 * Crash safety rests on client order ids. A plan gives each order a cloid derived from the
 * plan id before anything is signed; the journal records the plan before the action leaves;
 * and whenever the outcome of a submission is unknown (a crash, a timeout, a 5xx, an answer
 * outside the format) the venue asks the exchange for every cloid (`orderStatus`) and re-sends
 * only the orders the exchange has never seen, and only while the plan is younger than its
 * time to live. An order is therefore never sent twice, and none is left unrecorded.
 */
import type { SigningKey } from "ethers";
import type { HyperliquidConfig } from "../../config/hyperliquidConfig.js";
import { ExecutionError, ProviderError } from "../../core/errors.js";
import type {
  OrderResult,
  PlanOptions,
  SimulationResult,
  Venue,
  VenueAccount,
  VenueCapabilities,
  VenueExecution,
  VenueJournal,
  VenueMarket,
  VenuePlan,
} from "../../core/venue.js";
import { validateSignedWeights } from "../portfolioManager.js";
import {
  AmbiguousSubmissionError,
  allMidsSchema,
  type ClearinghouseState,
  clearinghouseStateSchema,
  HyperliquidClient,
  metaSchema,
  type OrderStatusAnswer,
  orderStatusSchema,
  type PlacedOrderStatus,
  userFillsSchema,
} from "./client.js";
import type { MsgpackValue } from "./msgpack.js";
import { resultFromPlaced, resultFromStatus, unsent } from "./orderResults.js";
import { type PerpMarket, type PerpOrder, planOrders } from "./planOrders.js";
import { signL1Action } from "./signing.js";
import { isValidPrice } from "./wire.js";

export interface HyperliquidSnapshot {
  /** Unix seconds, the keeper's clock (orders carry it as their nonce, in ms). */
  readonly time: number;
  readonly markets: readonly PerpMarket[];
  readonly mids: Readonly<Record<string, number>>;
  /** Signed sizes (szi) by symbol. */
  readonly positions: Readonly<Record<string, number>>;
  readonly navUsd: number;
}

export interface HyperliquidPlan extends VenuePlan {
  readonly planId: string;
  readonly createdAtMs: number;
  readonly navUsd: number;
  readonly grossAfter: number;
  readonly orders: readonly PerpOrder[];
}

/** What the store keeps before an action leaves: enough to ask for every order by cloid. */
export interface HyperliquidPending {
  readonly plan: HyperliquidPlan;
  /** Nonces of the actions sent for this plan so far (the last one may not have arrived). */
  readonly nonces: readonly number[];
}

export interface HyperliquidVenueOptions {
  readonly config: HyperliquidConfig & { readonly apiUrl: string };
  /** The account's key, or an approved agent wallet's. Kept private; never logged. */
  readonly signer: SigningKey;
  /** Milliseconds since the epoch (injectable for tests). */
  readonly now?: () => number;
  /** Backoff after a 429 (tests shorten it). */
  readonly backoffMs?: number;
}

export class HyperliquidVenue implements Venue<HyperliquidSnapshot, HyperliquidPlan, HyperliquidPending> {
  readonly name = "hyperliquid";
  readonly capabilities: VenueCapabilities;
  readonly client: HyperliquidClient;
  // An ES private field: invisible to JSON.stringify and util.inspect, so a logged venue
  // object cannot carry the key.
  readonly #signer: SigningKey;
  readonly #config: HyperliquidConfig & { readonly apiUrl: string };
  readonly #now: () => number;
  #lastNonce = 0;

  constructor(options: HyperliquidVenueOptions) {
    this.#signer = options.signer;
    this.#config = options.config;
    this.#now = options.now ?? Date.now;
    this.client = new HyperliquidClient({
      apiUrl: options.config.apiUrl,
      timeoutMs: options.config.timeoutMs,
      retries: options.config.retries,
      ...(options.backoffMs !== undefined ? { backoffMs: options.backoffMs } : {}),
    });
    this.capabilities = {
      shorts: true,
      maxGross: options.config.maxGrossLeverage,
      maxNet: options.config.maxNetExposure,
      fullyInvested: false,
    };
  }

  /** Whose positions these are: the vault or sub-account when set, else the account. */
  private get user(): string {
    return (this.#config.vaultAddress ?? this.#config.accountAddress).toLowerCase();
  }

  async time(): Promise<number> {
    return Math.floor(this.#now() / 1000);
  }

  async markets(): Promise<PerpMarket[]> {
    const meta = await this.client.info({ type: "meta" }, metaSchema);
    return meta.universe.flatMap((m, asset) =>
      m.isDelisted ? [] : [{ symbol: m.name, asset, szDecimals: m.szDecimals, maxLeverage: m.maxLeverage }],
    );
  }

  async universe(): Promise<readonly VenueMarket[]> {
    return this.marketsOf(await this.markets());
  }

  private marketsOf(markets: readonly PerpMarket[]): VenueMarket[] {
    return markets.map((m) => ({
      symbol: m.symbol,
      maxWeightBps: Math.round(Math.min(this.#config.maxWeight, m.maxLeverage) * 10_000),
    }));
  }

  async snapshot(): Promise<HyperliquidSnapshot> {
    const [markets, mids, state] = await Promise.all([
      this.markets(),
      this.client.info({ type: "allMids" }, allMidsSchema),
      this.clearinghouse(),
    ]);
    return {
      time: await this.time(),
      markets,
      mids: Object.fromEntries(Object.entries(mids).map(([k, v]) => [k, Number(v)])),
      positions: positionsOf(state),
      navUsd: Number(state.marginSummary.accountValue),
    };
  }

  private clearinghouse(): Promise<ClearinghouseState> {
    return this.client.info({ type: "clearinghouseState", user: this.user }, clearinghouseStateSchema);
  }

  async positions(): Promise<VenueAccount> {
    const snap = await this.snapshot();
    const holdings = Object.entries(snap.positions).map(([symbol, size]) => {
      const notionalUsd = size * (snap.mids[symbol] ?? Number.NaN);
      return { symbol, size, notionalUsd, weight: snap.navUsd > 0 ? notionalUsd / snap.navUsd : 0 };
    });
    return {
      time: snap.time,
      navUsd: snap.navUsd,
      holdings,
      grossLeverage: holdings.reduce((s, h) => s + Math.abs(h.weight), 0),
    };
  }

  async plan(
    requested: Readonly<Record<string, number>>,
    options: PlanOptions = {},
    snapshot?: HyperliquidSnapshot,
  ): Promise<HyperliquidPlan> {
    const snap = snapshot ?? (await this.snapshot());
    const exits = (options.exit ?? []).filter((s) => (requested[s] ?? 0) !== 0 || (snap.positions[s] ?? 0) !== 0);
    const target = { ...requested, ...Object.fromEntries(exits.map((s) => [s, 0])) };
    // Re-checked here whatever the caller did: an unknown coin or a cap breach never reaches
    // the planner, let alone the exchange.
    validateSignedWeights(target, this.marketsOf(snap.markets), this.capabilities, {
      maxWeight: this.#config.maxWeight,
    });
    if (!(snap.navUsd > 0)) throw new ExecutionError(`account ${this.user} has no net liquidity to trade`);
    const known = new Set(snap.markets.map((m) => m.symbol));
    const unlisted = Object.keys(snap.positions).filter((s) => !known.has(s));
    const createdAtMs = this.nextNonce();
    const planId = `${this.user}:${createdAtMs}`;
    const planned = planOrders(
      { markets: snap.markets, mids: snap.mids, positions: snap.positions, navUsd: snap.navUsd, target },
      {
        slippageBps: this.#config.slippageBps,
        minOrderUsd: this.#config.minOrderUsd,
        minTradeBps: this.#config.minTradeBps,
        maxGrossLeverage: this.#config.maxGrossLeverage,
      },
      planId,
    );
    return {
      planId,
      createdAtMs,
      navUsd: snap.navUsd,
      grossAfter: planned.grossAfter,
      orders: planned.orders,
      targetWeights: { ...target },
      notes: [
        ...planned.notes,
        ...exits.map((s) => `${s}: exit requested, closed in full`),
        ...unlisted.map((s) => `${s}: held but no longer listed, left alone`),
      ],
    };
  }

  /**
   * A local dry run (the exchange has none): every price on the tick grid, the gross cap, the
   * initial margin the targets need at each market's maximum leverage, the plan's age, and
   * the taker fees it would pay.
   */
  async simulate(plan: HyperliquidPlan): Promise<SimulationResult> {
    const fees = plan.orders.reduce((s, o) => s + Number(o.size) * o.mid, 0) * (this.#config.takerFeeBps / 10_000);
    const refuse = (reason: string): SimulationResult => ({ ok: false, reason, estimatedFeesUsd: fees });
    for (const o of plan.orders) {
      if (!isValidPrice(o.limitPrice, o.szDecimals))
        return refuse(`${o.symbol}: price ${o.limitPrice} is off the tick`);
      if (!(Number(o.size) > 0)) return refuse(`${o.symbol}: size ${o.size} is not positive`);
    }
    if (plan.grossAfter > this.#config.maxGrossLeverage + 1e-9) {
      return refuse(`gross leverage ${plan.grossAfter.toFixed(4)} above the cap ${this.#config.maxGrossLeverage}`);
    }
    const markets = new Map((await this.markets()).map((m) => [m.symbol, m]));
    let margin = 0;
    for (const [symbol, weight] of Object.entries(plan.targetWeights)) {
      const market = markets.get(symbol);
      if (!market && weight !== 0) return refuse(`${symbol} is not listed on HyperLiquid`);
      if (market) margin += (Math.abs(weight) * plan.navUsd) / market.maxLeverage;
    }
    if (margin > plan.navUsd) {
      return refuse(`targets need ${margin.toFixed(2)} USD of initial margin, the account has ${plan.navUsd}`);
    }
    if (this.#now() - plan.createdAtMs > this.#config.orderTtlSeconds * 1000) {
      return refuse(`plan is older than ${this.#config.orderTtlSeconds} s`);
    }
    return { ok: true, reason: null, estimatedFeesUsd: fees };
  }

  async execute(plan: HyperliquidPlan, journal: VenueJournal<HyperliquidPending>): Promise<VenueExecution> {
    if (plan.orders.length === 0) {
      return {
        kind: "nothing-to-trade",
        reason: plan.notes.join("; ") || null,
        results: [],
        navBeforeUsd: plan.navUsd,
        navAfterUsd: null,
      };
    }
    return this.send(plan, plan.orders, { plan, nonces: [] }, journal);
  }

  async resume(pending: HyperliquidPending, journal: VenueJournal<HyperliquidPending>): Promise<VenueExecution> {
    const { plan } = pending;
    const known: OrderResult[] = [];
    const unseen: PerpOrder[] = [];
    for (const order of plan.orders) {
      const answer = await this.orderStatus(order.clientId);
      if (answer.status === "unknownOid") unseen.push(order);
      else known.push(resultFromStatus(order, answer));
    }
    if (unseen.length === 0) return this.finish(plan, known, journal);
    if (this.#now() - plan.createdAtMs > this.#config.orderTtlSeconds * 1000) {
      const expired = unseen.map((order) =>
        unsent(order, `never reached the exchange; plan older than ${this.#config.orderTtlSeconds} s, not re-sent`),
      );
      return this.finish(plan, [...known, ...expired], journal);
    }
    return this.send(plan, unseen, pending, journal, known);
  }

  /** Signs and sends `orders` in one action; on an unknown outcome, asks for each by cloid. */
  private async send(
    plan: HyperliquidPlan,
    orders: readonly PerpOrder[],
    pending: HyperliquidPending,
    journal: VenueJournal<HyperliquidPending>,
    already: readonly OrderResult[] = [],
  ): Promise<VenueExecution> {
    const nonce = this.nextNonce();
    await journal.pending({ plan, nonces: [...pending.nonces, nonce] });
    // After the record, before the signature: a lease lost here leaves a pending cycle whose
    // orders never left, which the next holder's resume finds unknown by cloid and sends once.
    await journal.authorize?.(`sign and send ${orders.length} HyperLiquid order(s)`);
    const action = orderAction(orders);
    const vaultAddress = this.#config.vaultAddress?.toLowerCase() ?? null;
    const signature = signL1Action(this.#signer, action, nonce, vaultAddress, this.#config.network);
    let results: OrderResult[];
    try {
      const answer = await this.client.exchange({ action, nonce, signature, vaultAddress });
      if (answer.status === "err") {
        results = orders.map((o) => ({ ...unsent(o, `action refused: ${answer.response}`), status: "rejected" }));
      } else if (answer.response.data.statuses.length !== orders.length) {
        results = await this.reconcile(orders);
      } else {
        results = orders.map((o, i) => resultFromPlaced(o, answer.response.data.statuses[i] as PlacedOrderStatus));
      }
    } catch (error) {
      if (error instanceof AmbiguousSubmissionError) results = await this.reconcile(orders);
      else if (error instanceof ProviderError) results = orders.map((o) => unsent(o, error.message));
      else throw error;
    }
    return this.finish(plan, [...already, ...results], journal);
  }

  /** Asks for each order by cloid; one the exchange never saw stays `unknown` (not re-sent here). */
  private async reconcile(orders: readonly PerpOrder[]): Promise<OrderResult[]> {
    const out: OrderResult[] = [];
    for (const order of orders) {
      const answer = await this.orderStatus(order.clientId);
      out.push(
        answer.status === "unknownOid"
          ? unsent(order, "outcome of the submission unknown and the exchange has no such order")
          : resultFromStatus(order, answer),
      );
    }
    return out;
  }

  /**
   * `orderStatus` tells how much of an order filled but not at what price: the account's fills
   * (`userFills`, matched by order id) give the volume-weighted price. One request for all.
   */
  private async withFillPrices(results: readonly OrderResult[]): Promise<OrderResult[]> {
    const missing = results.filter(
      (r) => r.averagePrice === null && r.venueOrderId !== null && Number(r.filledSize) > 0,
    );
    if (missing.length === 0) return [...results];
    const fills = await this.client.info({ type: "userFills", user: this.user }, userFillsSchema);
    const byOid = new Map<string, { size: number; notional: number }>();
    for (const f of fills) {
      const acc = byOid.get(String(f.oid)) ?? { size: 0, notional: 0 };
      acc.size += Number(f.sz);
      acc.notional += Number(f.sz) * Number(f.px);
      byOid.set(String(f.oid), acc);
    }
    return results.map((r) => {
      const acc = r.venueOrderId === null ? undefined : byOid.get(r.venueOrderId);
      return r.averagePrice === null && acc && acc.size > 0 ? { ...r, averagePrice: acc.notional / acc.size } : r;
    });
  }

  private orderStatus(cloid: string): Promise<OrderStatusAnswer> {
    return this.client.info({ type: "orderStatus", user: this.user, oid: cloid }, orderStatusSchema);
  }

  private async finish(
    plan: HyperliquidPlan,
    results: readonly OrderResult[],
    journal: VenueJournal<HyperliquidPending>,
  ): Promise<VenueExecution> {
    const priced = await this.withFillPrices(results);
    await journal.results?.(priced);
    const state = await this.clearinghouse();
    const filled = priced.filter((r) => Number(r.filledSize) > 0).length;
    const complete = priced.every((r) => r.status === "filled");
    const failed = priced.filter((r) => r.status !== "filled").map((r) => `${r.order.symbol}: ${r.reason ?? r.status}`);
    return {
      kind: complete ? "executed" : filled > 0 ? "partial" : "failed",
      reason: complete ? null : failed.join("; "),
      results: priced,
      navBeforeUsd: plan.navUsd,
      navAfterUsd: Number(state.marginSummary.accountValue),
    };
  }

  /** Milliseconds, strictly increasing: the exchange refuses a nonce it has seen. */
  private nextNonce(): number {
    this.#lastNonce = Math.max(this.#now(), this.#lastNonce + 1);
    return this.#lastNonce;
  }
}

/** The exchange's `order` action; key order is part of the signed bytes. */
export function orderAction(orders: readonly PerpOrder[]): MsgpackValue {
  return {
    type: "order",
    orders: orders.map((o) => ({
      a: o.asset,
      b: o.side === "buy",
      p: o.limitPrice,
      s: o.size,
      r: o.reduceOnly,
      t: { limit: { tif: "Ioc" } },
      c: o.clientId,
    })),
    grouping: "na",
  };
}

function positionsOf(state: ClearinghouseState): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { position } of state.assetPositions) {
    const size = Number(position.szi);
    if (size !== 0) out[position.coin] = size;
  }
  return out;
}
