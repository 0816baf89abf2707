/**
 * The Arbitrum IndexVault as a core `Venue` (a `BasketVenue`, see vaultVenue.ts). `plan` sizes
 * legs from the vault's own snapshot and builds the order for the current on-chain nonce,
 * unsigned. `execute` checks the gas cap, signs it (EIP-712, signer key), simulates the exact
 * call with `eth_call` from the submitter, hands the signed order to the journal, then submits
 * it from the submitter account and waits, handing the journal every broadcast before waiting
 * on it. So a crash at any point leaves enough on disk to resume without signing a second
 * order. `simulate` is the dry run: signed and simulated, never sent nor journaled.
 *
 * The order names the submitter (only it can execute the order) and signs a minimum output per
 * leg from the keeper's own quote (see legMinimum.ts). When a submitted order reverts on chain it
 * has been published: the keeper cancels it (a signed `CancelOrders` relayed by the submitter)
 * before anything else, so no two signed orders are ever live for the vault.
 */
import type { Interface, TransactionReceipt, Wallet } from "ethers";
import type { IndexVault } from "../../../../types/ethers-contracts/index.js";
import { ExecutionError, InvalidInputError } from "../../core/errors.js";
import { toNumber } from "../../core/fixed.js";
import type {
  RebalanceWindow,
  SimulationResult,
  VenueCapabilities,
  VenueHolding,
  VenueJournal,
} from "../../core/venue.js";
import { type PoolReadHint, prefetchPoolState, readPoolHint } from "../../data/poolLiquidity.js";
import type { ImpactFit } from "../../market/impactCalibration.js";
import type { FailoverRpc } from "../failoverRpc.js";
import { toBps, type VenueAsset } from "../portfolioManager.js";
import { decodeRevert } from "../revertReason.js";
import { currentFees, type FeePolicy, sendWithReplacement, waitForAny } from "../txSender.js";
import { legOrders, legResults, type TokenOf } from "./legOrders.js";
import {
  hashRebalanceOrder,
  type RebalanceOrder,
  signCancelOrders,
  signRebalanceOrder,
  toTypedValue,
} from "./rebalanceOrder.js";
import { type CandidateSet, chooseLegRoutes } from "./routeChoice.js";
import { getPoolCall, predictPool, readRouteModels, routeHops } from "./routeLiquidity.js";
import { attachRefits, refitNote } from "./routeRefits.js";
import { type LegPlan, type SizedPlan, sizeLegs } from "./sizeLegs.js";
import { connectIndexVault, indexVaultInterface } from "./vaultAbi.js";
import {
  type Fill,
  nothingToTrade,
  type PendingOrder,
  type RoutingInput,
  type VaultExecution,
  type VaultPlan,
  type VaultPlanOptions,
  type VaultPositions,
  type VaultSnapshot,
  type VaultVenue,
} from "./vaultVenue.js";

export interface VenueToken {
  readonly symbol: string;
  readonly address: string;
  readonly decimals: number;
  /** Uniswap V3 path bytes selling the token into the base asset / buying it with the base. */
  readonly sellPath: string;
  readonly buyPath: string;
  /** Extra candidate routes for route learning (tokens[].routes). */
  readonly routes?: readonly { readonly sellPath?: string | undefined; readonly buyPath?: string | undefined }[];
}

export interface PlanningPolicy {
  readonly minTradeBps: number;
  readonly buyHaircutBps: number;
  readonly sellHaircutBps: number;
  readonly maxSlippageBps: number;
  readonly sizingMarginBps: number;
  readonly orderTtlSeconds: number;
}

/** Fault-injection seams for end-to-end tests (a crash after signing, a sandwich before submit). */
export interface ExecutionHooks {
  readonly afterSigned?: () => Promise<void>;
  readonly beforeSubmit?: () => Promise<void>;
}

export interface IndexVaultVenueOptions {
  readonly rpc: FailoverRpc;
  readonly chainId: number;
  readonly vaultAddress: string;
  readonly signer: Wallet;
  readonly submitter: Wallet;
  readonly tokens: readonly VenueToken[];
  readonly planning: PlanningPolicy;
  readonly fees: FeePolicy;
  /** Uniswap V3 factory, to find the pools whose liquidity sizes the legs. */
  readonly uniswapFactory: string;
  readonly hooks?: ExecutionHooks;
}

/** Planned turnover is kept this far below the vault's limit: the vault prices legs at execution. */
const TURNOVER_MARGIN = 0.95;
/** Re-sizings tried while scaling a plan into the turnover budget (each one shrinks the move). */
const TURNOVER_ATTEMPTS = 4;
/** `cancelOrders` with a signature costs about 40k gas; the limit leaves ample room. */
const CANCEL_GAS_LIMIT = 150_000n;

/** A spot basket: long only, fully invested (the base asset holds what the others do not). */
const SPOT: VenueCapabilities = { shorts: false, maxGross: 1, maxNet: 1, fullyInvested: true };

const FAILED = (reason: string, txHash: string | null = null, gasUsed: bigint | null = null): VaultExecution => ({
  kind: "failed",
  reason,
  results: [],
  navBeforeUsd: null,
  navAfterUsd: null,
  txHash,
  gasUsed,
  navBefore: null,
  navAfter: null,
  fills: [],
});

export class IndexVaultVenue implements VaultVenue {
  readonly name = "arbitrum";
  readonly capabilities = SPOT;
  private readonly iface: Interface;
  /**
   * Each route pool's bitmap words and ticks as the last cycle (or `seedPoolHints`) saw them, by
   * lower-case address: which reads `prefetch` adds to the cycle's first batch. Besides the
   * pools' immutables, only which reads to make: every changing value the sizing uses is read
   * in the cycle (see PoolReadHint).
   */
  private readonly poolHints = new Map<string, PoolReadHint>();

  constructor(private readonly options: IndexVaultVenueOptions) {
    this.iface = indexVaultInterface();
  }

  private vault(): IndexVault {
    return connectIndexVault(this.options.vaultAddress, this.options.rpc.provider);
  }

  private token(address: string): VenueToken {
    const token = this.options.tokens.find((t) => t.address.toLowerCase() === address.toLowerCase());
    if (!token) throw new ExecutionError(`vault holds ${address}, which the config does not describe`);
    return token;
  }

  private readonly tokenOf: TokenOf = (address) => this.token(address);

  /**
   * Issues, all at once, the reads a cycle makes of the chain and the vault (block, vault state
   * and limits, caps of every configured token, the submitter's balance and nonce, the pools of
   * every configured route and their state at the address the factory will name), so that
   * inside an RPC session (FailoverRpc.session) they travel in one batch and the cycle's later
   * reads of the same things are answered from it. Only a warm-up: a read it fails or misses is
   * made again where it is needed, with retries. `accounts`: balances the caller reads too.
   */
  async prefetch(accounts: readonly string[] = []): Promise<void> {
    const { rpc, uniswapFactory } = this.options;
    const p = rpc.provider;
    const submitter = this.options.submitter.address;
    const hops = this.routePools();
    await Promise.allSettled([
      this.prefetchState(),
      p.getTransactionCount(submitter, "pending"),
      ...[...hops.values()].flatMap(([near, far, fee]) => [
        getPoolCall(uniswapFactory, p, near, far, fee),
        prefetchPoolState(p, predictPool(uniswapFactory, near, far, fee), this.hintFor(near, far, fee)),
      ]),
      ...accounts.map((a) => p.getBalance(a)),
    ]);
  }

  /**
   * Reads each route pool's tick and immutables (at the address the factory will name) so that
   * the first cycle's batch can carry the pools' bitmap words too (see PoolReadHint). For
   * start-up, in the batch of its other reads; a pool it cannot read only has no hint.
   */
  async seedPoolHints(): Promise<void> {
    const p = this.options.rpc.provider;
    const horizon = this.scanHorizon();
    await Promise.all(
      [...this.routePools().values()].map(async ([near, far, fee]) => {
        const address = predictPool(this.options.uniswapFactory, near, far, fee);
        const hint = await readPoolHint(p, address, horizon);
        if (hint && !this.poolHints.has(address.toLowerCase())) this.poolHints.set(address.toLowerCase(), hint);
      }),
    );
  }

  private hintFor(near: string, far: string, fee: number): PoolReadHint | undefined {
    return this.poolHints.get(predictPool(this.options.uniswapFactory, near, far, fee).toLowerCase());
  }

  /**
   * The relative price move each pool is scanned over. A leg within the slippage budget moves a
   * pool's price by about twice its impact at most: scanning 3x the budget covers every accepted
   * leg without letting a liquidity edge far beyond any of them make the pools look thinner
   * than they are.
   */
  private scanHorizon(): number {
    return Math.max(0.01, (3 * this.options.planning.maxSlippageBps) / 10_000);
  }

  /** Every hop of every configured route, once: [near, far, fee] by "near/far/fee". */
  private routePools(): Map<string, [string, string, number]> {
    const hops = new Map<string, [string, string, number]>();
    for (const token of this.options.tokens.slice(1)) {
      for (const [path, selling] of [
        [token.sellPath, true] as const,
        [token.buyPath, false] as const,
        ...(token.routes ?? []).flatMap((r) => [[r.sellPath, true] as const, [r.buyPath, false] as const]),
      ]) {
        if (!path || path === "0x") continue;
        try {
          const { tokens: along, fees } = routeHops(path, selling);
          fees.forEach((fee, k) => {
            const near = along[k] as string;
            const far = along[k + 1] as string;
            hops.set(`${near}/${far}/${fee}`, [near, far, fee]);
          });
        } catch {
          // A malformed route is reported by the planning, not here.
        }
      }
    }
    return hops;
  }

  /** The chain's and the vault's part of `prefetch` (also what a cycle reads after a trade). */
  private async prefetchState(): Promise<void> {
    const p = this.options.rpc.provider;
    const vault = connectIndexVault(this.options.vaultAddress, p);
    await Promise.allSettled([
      p.getBlock("latest"),
      vault.assets(),
      vault.portfolio(),
      vault.totalSupply(),
      vault.decimals(),
      vault.lastRebalance(),
      vault.rebalanceLimits(),
      vault.rebalanceNonce(),
      ...this.options.tokens.slice(1).map((t) => vault.maxWeightBps(t.address)),
    ]);
  }

  async universe(): Promise<readonly VenueAsset[]> {
    const assets = await this.options.rpc.read("assets", () => this.vault().assets());
    const caps = await Promise.all(
      assets.map((a, i) =>
        i === 0 ? Promise.resolve(10_000n) : this.options.rpc.read("maxWeight", () => this.vault().maxWeightBps(a)),
      ),
    );
    return assets.map((address, i) => {
      const token = this.token(address);
      return { symbol: token.symbol, address, decimals: token.decimals, maxWeightBps: Number(caps[i]) };
    });
  }

  async snapshot(): Promise<VaultSnapshot> {
    const [assets, balances, pricesUsd, valuesInBase, weightsBps, nav] = await this.options.rpc.read("portfolio", () =>
      this.vault().portfolio(),
    );
    const decimals = assets.map((a) => this.token(a).decimals);
    return { assets, decimals, balances, pricesUsd, valuesInBase, weightsBps, nav };
  }

  async positions(): Promise<VaultPositions> {
    const snap = await this.snapshot();
    const [supply, shareDecimals] = await this.options.rpc.read("supply", () =>
      Promise.all([this.vault().totalSupply(), this.vault().decimals()]),
    );
    const baseDecimals = snap.decimals[0] ?? 6;
    const navBase = toNumber(snap.nav, baseDecimals);
    const basePrice = toNumber(snap.pricesUsd[0] ?? 100_000_000n, 8);
    const shares = toNumber(supply, Number(shareDecimals));
    const symbols = snap.assets.map((a) => this.token(a).symbol);
    const holdings = snap.assets.map(
      (_a, i): VenueHolding => ({
        symbol: symbols[i] as string,
        size: toNumber(snap.balances[i] ?? 0n, snap.decimals[i] ?? 18),
        notionalUsd: toNumber(snap.valuesInBase[i] ?? 0n, baseDecimals) * basePrice,
        weight: Number(snap.weightsBps[i] ?? 0n) / 10_000,
      }),
    );
    return {
      symbols,
      weightsBps: snap.weightsBps.map(Number),
      navUsd: navBase * basePrice,
      navPerShare: shares > 0 ? navBase / shares : 1,
      time: await this.time(),
      holdings,
      // Long only: the weights' sum, the base asset's included (1 within rounding).
      grossLeverage: holdings.reduce((sum, h) => sum + Math.abs(h.weight), 0),
    };
  }

  /** Reads the vault's cooldown, turnover and tolerance limits and when the cooldown ends. */
  async rebalanceWindow(): Promise<RebalanceWindow> {
    const [last, limits] = await this.options.rpc.read("rebalance limits", () =>
      Promise.all([this.vault().lastRebalance(), this.vault().rebalanceLimits()]),
    );
    const lastRebalance = Number(last);
    const cooldownSeconds = Number(limits.cooldown);
    return {
      lastRebalance,
      cooldownSeconds,
      // Mirrors the vault: no cooldown before the first rebalance.
      readyAt: lastRebalance === 0 ? 0 : lastRebalance + cooldownSeconds,
      maxTurnoverBps: Number(limits.maxTurnoverBps),
      toleranceBps: Number(limits.toleranceBps),
    };
  }

  /** The latest block's base fee, gwei (a feature of route learning; 0 when unknown). */
  private async gasGwei(): Promise<number> {
    const block = await this.options.rpc.read("latest block", (p) => p.getBlock("latest"));
    return toNumber(block?.baseFeePerGas ?? 0n, 9);
  }

  async rebalanceNonce(): Promise<bigint> {
    return this.options.rpc.read("nonce", () => this.vault().rebalanceNonce());
  }

  async time(): Promise<number> {
    const block = await this.options.rpc.read("latest block", (p) => p.getBlock("latest"));
    return block?.timestamp ?? 0;
  }

  /**
   * The order toward `target` (weights by symbol over the vault's assets, summing to 1), for
   * the vault's current nonce, unsigned; its `order` is null when every leg is below the
   * minimum trade size.
   */
  async plan(
    target: Readonly<Record<string, number>>,
    options: VaultPlanOptions = {},
    snapshot?: VaultSnapshot,
  ): Promise<VaultPlan> {
    const snap = snapshot ?? (await this.snapshot());
    const symbols = snap.assets.map((a) => this.token(a).symbol);
    const unknown = Object.keys(target).filter((s) => !symbols.includes(s));
    if (unknown.length > 0)
      throw new InvalidInputError(`target names assets the vault does not hold: ${unknown.join(", ")}`);
    const weights = symbols.map((s) => target[s] ?? 0);
    const short = symbols.filter((_s, i) => !((weights[i] ?? 0) >= 0));
    if (short.length > 0) throw new InvalidInputError(`a spot vault takes no short weight: ${short.join(", ")}`);
    const total = weights.reduce((a, b) => a + b, 0);
    if (Math.abs(total - 1) > 1e-6) throw new InvalidInputError(`target weights sum to ${total}, not 1`);
    // Whole bps summing to 10,000; the keeper's validated targets are whole bps already and stay as they are.
    const targetBps = toBps(weights);
    const exit = new Set(
      snap.assets.filter((_a, i) => options.exit?.includes(symbols[i] as string)).map((a) => a.toLowerCase()),
    );
    // The vault's own turnover limit unless the caller gives one: a plan above it would revert.
    const maxTurnoverBps = options.maxTurnoverBps ?? (await this.rebalanceWindow()).maxTurnoverBps;
    const sized = await this.size(snap, targetBps, exit, maxTurnoverBps, options.routing ?? null, options.impactFits);
    const targetWeights = Object.fromEntries(symbols.map((s, i) => [s, (sized.targetWeightsBps[i] ?? 0) / 10_000]));
    if (sized.legs.length === 0) return { order: null, sizing: sized, orders: [], targetWeights, notes: sized.notes };
    const order: RebalanceOrder = {
      assets: snap.assets,
      targetWeightsBps: sized.targetWeightsBps,
      legs: sized.legs,
      nonce: await this.rebalanceNonce(),
      deadline: BigInt((await this.time()) + this.options.planning.orderTtlSeconds),
      maxSlippageBps: this.options.planning.maxSlippageBps,
      submitter: this.options.submitter.address,
    };
    return { order, sizing: sized, orders: legOrders(order, this.tokenOf), targetWeights, notes: sized.notes };
  }

  /**
   * Sizes the legs toward `targetBps` (aligned with the snapshot's assets) on the pools'
   * liquidity. With a turnover budget (the vault's `maxTurnoverBps`), a plan that would trade
   * more is moved only part of the way toward the target, so the order fits the budget instead
   * of reverting `TurnoverAboveLimit`; it is then partial and later cycles do the rest.
   */
  private async size(
    snap: VaultSnapshot,
    targetBps: readonly number[],
    exit: ReadonlySet<string>,
    maxTurnoverBps: number | null,
    routing: RoutingInput | null,
    impactFits?: ReadonlyMap<string, ImpactFit>,
  ): Promise<SizedPlan> {
    const { planning, tokens } = this.options;
    let routes = {
      sell: snap.assets.map((a, i) => (i === 0 ? "" : this.token(a).sellPath)),
      buy: snap.assets.map((a, i) => (i === 0 ? "" : this.token(a).buyPath)),
    };
    const read = (r: typeof routes) =>
      readRouteModels({
        rpc: this.options.rpc,
        factory: this.options.uniswapFactory,
        snapshot: snap,
        routes: r,
        knownDecimals: new Map(tokens.map((t) => [t.address.toLowerCase(), t.decimals])),
        labels: snap.assets.map((a) => this.token(a).symbol),
        horizon: this.scanHorizon(),
        hints: this.poolHints,
      });
    // The k-th extra candidate of every asset, per side ("" where an asset has none).
    const extra = routing
      ? Math.max(0, ...snap.assets.map((a, i) => (i === 0 ? 0 : (this.token(a).routes?.length ?? 0))))
      : 0;
    const candidateRoutes = Array.from({ length: extra }, (_, k) => ({
      sell: snap.assets.map((a, i) => (i === 0 ? "" : (this.token(a).routes?.[k]?.sellPath ?? ""))),
      buy: snap.assets.map((a, i) => (i === 0 ? "" : (this.token(a).routes?.[k]?.buyPath ?? ""))),
    }));
    const [primaryModels, gasGwei, ...candidateModels] = await Promise.all([
      read(routes),
      routing ? this.gasGwei() : Promise.resolve(0),
      ...candidateRoutes.map(read),
    ]);
    const primaryRoutes = routes;
    let models = attachRefits(primaryModels, routes, impactFits);
    const exitIndices = new Set(snap.assets.flatMap((a, i) => (exit.has(a.toLowerCase()) ? [i] : [])));
    const sizeOver = (target: readonly number[], r: typeof routes, m: typeof models) =>
      sizeLegs(snap, target, r, m, {
        minTradeBps: planning.minTradeBps,
        buyHaircutBps: planning.buyHaircutBps,
        sellHaircutBps: planning.sellHaircutBps,
        maxSlippageBps: planning.maxSlippageBps,
        marginBps: planning.sizingMarginBps,
        quoteToleranceBps: planning.sizingMarginBps,
        exit: exitIndices,
      });
    let decided: ReadonlyMap<string, LegPlan["route"]> = new Map();
    if (routing && extra > 0) {
      // Legs sized over the primary routes tell each candidate the size it would trade.
      const first = sizeOver(targetBps, routes, models);
      const sets: CandidateSet[] = [
        { routes, models },
        ...candidateRoutes.map((r, k) => ({
          routes: r,
          models: attachRefits(candidateModels[k] as typeof models, r, impactFits),
        })),
      ];
      const chosen = chooseLegRoutes(first.plans, sets, { ...routing, gasGwei });
      routes = { sell: [...chosen.routes.sell], buy: [...chosen.routes.buy] };
      models = chosen.models;
      decided = new Map(
        chosen.decisions.map((d) => [`${d.side}:${d.asset}`, { id: d.route, features: d.features, scores: d.scores }]),
      );
    }
    const size = (target: readonly number[]): SizedPlan => {
      const plan = sizeOver(target, routes, models);
      if (decided.size === 0) return plan;
      return {
        ...plan,
        plans: plan.plans.map((p) => {
          const route = decided.get(`${p.side}:${p.asset}`);
          return route ? { ...p, route } : p;
        }),
      };
    };
    let sized = size(targetBps);
    const note = refitNote(models, routes, primaryRoutes, snap.assets, impactFits);
    const withRefitNote = (plan: SizedPlan): SizedPlan =>
      note === null ? plan : { ...plan, notes: [...plan.notes, note] };
    if (maxTurnoverBps !== null) {
      const navUsd = toNumber(snap.nav, snap.decimals[0] ?? 6) * toNumber(snap.pricesUsd[0] ?? 100_000_000n, 8);
      const budget = maxTurnoverBps * TURNOVER_MARGIN;
      const turnover = (plan: SizedPlan) =>
        navUsd > 0 ? (plan.plans.reduce((s, p) => s + p.sizeUsd, 0) / navUsd) * 10_000 : 0;
      const full = turnover(sized);
      // Legs are not linear in the move (a sell's proceeds fund the buys), so shrink and re-size
      // until the plan fits; each pass scales the remaining move by budget / turnover.
      let alpha = 1;
      for (let pass = 0; pass < TURNOVER_ATTEMPTS && turnover(sized) > budget; pass++) {
        alpha *= budget / turnover(sized);
        sized = size(partWay(snap.weightsBps.map(Number), targetBps, alpha));
      }
      if (alpha < 1) {
        const fits = turnover(sized) <= maxTurnoverBps;
        sized = {
          ...sized,
          partial: true,
          notes: [
            ...sized.notes,
            `turnover ${Math.round(full)} bps exceeds the vault's ${maxTurnoverBps} bps: moved ${Math.round(alpha * 100)}% of the way${fits ? "" : " (still above the budget)"}`,
          ],
        };
      }
    }
    return withRefitNote(sized);
  }

  /**
   * The dry run: checks the gas cap, signs the order and simulates the exact call from the
   * submitter. Nothing is sent, and the signature is not kept.
   */
  async simulate(plan: VaultPlan): Promise<SimulationResult> {
    if (!plan.order) return { ok: false, reason: "nothing to trade", estimatedFeesUsd: null };
    await currentFees(this.options.rpc, this.options.fees);
    const gas = await this.simulateCall(plan.order, await this.sign(plan.order));
    // Gas is paid in ETH, which the vault's feeds need not price: the estimate is gas, not USD.
    if (typeof gas === "string") return { ok: false, reason: `simulation reverted: ${gas}`, estimatedFeesUsd: null };
    return { ok: true, reason: null, estimatedFeesUsd: null };
  }

  private sign(order: RebalanceOrder): Promise<string> {
    return signRebalanceOrder(this.options.signer, BigInt(this.options.chainId), this.options.vaultAddress, order);
  }

  /**
   * Signs, simulates and submits a planned order. The journal gets the signed order before
   * anything is sent, and the order again after each broadcast.
   */
  async execute(plan: VaultPlan, journal: VenueJournal<PendingOrder>): Promise<VaultExecution> {
    const { order } = plan;
    if (!order) return { ...FAILED(nothingToTrade(plan)), kind: "nothing-to-trade" };
    // Refuse before signing when gas is above the cap: no signature exists for an order never sent.
    await currentFees(this.options.rpc, this.options.fees);
    await journal.authorize?.("sign");
    const signature = await this.sign(order);
    const gas = await this.simulateCall(order, signature);
    if (typeof gas === "string") return FAILED(`simulation reverted: ${gas}`);
    const pending: PendingOrder = {
      order,
      signature,
      digest: hashRebalanceOrder(BigInt(this.options.chainId), this.options.vaultAddress, order),
      gasLimit: (gas * 12n) / 10n,
      broadcasts: [],
    };
    await journal.pending(pending);
    await this.options.hooks?.afterSigned?.();
    return this.submit(pending, journal);
  }

  /** Simulates the exact call from the submitter; returns the gas estimate or the decoded revert. */
  private async simulateCall(order: RebalanceOrder, signature: string): Promise<bigint | string> {
    const from = this.options.submitter.address;
    // Both at once (one batch): the estimate only counts when the simulation passes.
    const [simulated, estimated] = await Promise.allSettled([
      this.options.rpc.read("simulate", () =>
        this.vault().rebalance.staticCall(toTypedValue(order), signature, { from }),
      ),
      this.options.rpc.read("estimate", () =>
        this.vault().rebalance.estimateGas(toTypedValue(order), signature, { from }),
      ),
    ]);
    if (simulated.status === "rejected") return decodeRevert(simulated.reason, this.iface);
    if (estimated.status === "rejected") return decodeRevert(estimated.reason, this.iface);
    return estimated.value;
  }

  private async submit(pending: PendingOrder, journal: VenueJournal<PendingOrder>): Promise<VaultExecution> {
    await this.options.hooks?.beforeSubmit?.();
    const data = this.iface.encodeFunctionData("rebalance", [toTypedValue(pending.order), pending.signature]);
    let journaled = pending;
    const receipt = await sendWithReplacement(
      this.options.rpc,
      this.options.submitter,
      { to: this.options.vaultAddress, data, gasLimit: pending.gasLimit },
      this.options.fees,
      this.options.chainId,
      (record) => {
        journaled = { ...journaled, broadcasts: [...journaled.broadcasts, record] };
        return journal.pending(journaled);
      },
      async () => journal.authorize?.("submit"),
    );
    return this.outcomeOf(receipt, pending, journal);
  }

  private async outcomeOf(
    receipt: TransactionReceipt,
    pending: PendingOrder,
    journal: VenueJournal<PendingOrder>,
  ): Promise<VaultExecution> {
    // A mined order changed the vault, maybe without a broadcast in this session (a resumed
    // order): nothing read before it may answer a read after it.
    this.options.rpc.forget();
    if (receipt.status !== 1) {
      // A mined revert carries no data in the receipt: replay the same call to decode it.
      const replay = await this.simulateCall(pending.order, pending.signature);
      const reason = typeof replay === "string" ? replay : "reverted on chain (replay now succeeds: state moved)";
      const cancelled = await this.cancel(pending.order.nonce, journal);
      return FAILED(`transaction reverted: ${reason}; ${cancelled}`, receipt.hash, receipt.gasUsed);
    }
    const fills: Fill[] = [];
    let navBefore: bigint | null = null;
    let navAfter: bigint | null = null;
    for (const log of receipt.logs) {
      if (log.address.toLowerCase() !== this.options.vaultAddress.toLowerCase()) continue;
      const parsed = this.iface.parseLog(log);
      if (parsed?.name === "LegExecuted") {
        const [tokenIn, tokenOut, amountIn, amountOut, minOut] = parsed.args as unknown as [
          string,
          string,
          bigint,
          bigint,
          bigint,
        ];
        fills.push({ tokenIn, tokenOut, amountIn, amountOut, minOut });
      } else if (parsed?.name === "Rebalanced") {
        navBefore = parsed.args[2] as bigint;
        navAfter = parsed.args[3] as bigint;
      }
    }
    // The caller reads the vault after the trade next (reconciliation): in one batch.
    await this.prefetchState();
    // Valued at the base asset's Chainlink price after the trade (read in that same batch).
    const snap = await this.snapshot();
    const basePrice = toNumber(snap.pricesUsd[0] ?? 100_000_000n, 8);
    const usd = (v: bigint | null) => (v === null ? null : toNumber(v, snap.decimals[0] ?? 6) * basePrice);
    const results = legResults(legOrders(pending.order, this.tokenOf), fills, this.tokenOf);
    await journal.results?.(results);
    return {
      kind: "executed",
      reason: null,
      results,
      navBeforeUsd: usd(navBefore),
      navAfterUsd: usd(navAfter),
      txHash: receipt.hash,
      gasUsed: receipt.gasUsed,
      navBefore,
      navAfter,
      fills,
    };
  }

  /**
   * Cancels every order up to `nonce` (the reverted order is public now): the signer signs a
   * `CancelOrders(nonce + 1)` and the submitter relays it. Returns what happened, for the record.
   */
  private async cancel(nonce: bigint, journal: VenueJournal<PendingOrder>): Promise<string> {
    const { rpc, chainId, vaultAddress } = this.options;
    const next = nonce + 1n;
    try {
      if ((await this.rebalanceNonce()) >= next) return `order ${nonce} already superseded`;
      await journal.authorize?.("sign");
      const signature = await signCancelOrders(this.options.signer, BigInt(chainId), vaultAddress, next);
      const data = this.iface.encodeFunctionData("cancelOrders", [next, signature]);
      const receipt = await sendWithReplacement(
        rpc,
        this.options.submitter,
        { to: vaultAddress, data, gasLimit: CANCEL_GAS_LIMIT },
        this.options.fees,
        chainId,
        () => undefined,
        async () => journal.authorize?.("submit"),
      );
      return receipt.status === 1 ? `order ${nonce} cancelled` : `cancelling order ${nonce} reverted`;
    } catch (error) {
      return `cancelling order ${nonce} failed: ${decodeRevert(error, this.iface)}`;
    }
  }

  /**
   * Finishes an order a previous run signed: a known transaction that was mined decides the
   * outcome; a consumed nonce means it landed; otherwise the same signed order is submitted
   * again while its deadline allows, and declared dead only once it provably cannot land.
   */
  async resume(pending: PendingOrder, journal: VenueJournal<PendingOrder>): Promise<VaultExecution> {
    const { rpc, fees } = this.options;
    const txHashes = pending.broadcasts.map((b) => b.hash);
    if (txHashes.length > 0) {
      const mined = await waitForAny(rpc, txHashes, 0, fees.pollMs);
      if (mined) return this.outcomeOf(mined, pending, journal);
    }
    const nonce = await this.rebalanceNonce();
    if (nonce > pending.order.nonce) {
      const events = await rpc.read("Rebalanced events", () =>
        this.vault().queryFilter(this.vault().filters.Rebalanced(pending.order.nonce)),
      );
      const event = events[0];
      if (!event) return FAILED(`nonce ${pending.order.nonce} consumed but no Rebalanced event found`);
      const receipt = await rpc.read("receipt", (p) => p.getTransactionReceipt(event.transactionHash));
      if (!receipt) throw new ExecutionError("receipt of a mined Rebalanced event is missing");
      return this.outcomeOf(receipt, pending, journal);
    }
    for (const hash of txHashes) {
      const tx = await rpc.read("transaction", (p) => p.getTransaction(hash));
      if (tx && tx.blockNumber === null) {
        // Still in the mempool: wait for it rather than racing it with a second transaction.
        const mined = await waitForAny(rpc, txHashes, fees.waitTimeoutMs, fees.pollMs);
        if (mined) return this.outcomeOf(mined, pending, journal);
      }
    }
    if (BigInt(await this.time()) > pending.order.deadline) {
      return FAILED(`order ${pending.order.nonce} expired before landing; the nonce is still unused`);
    }
    const replay = await this.simulateCall(pending.order, pending.signature);
    if (typeof replay === "string") return FAILED(`resumed order no longer simulates: ${replay}`);
    return this.submit(pending, journal);
  }
}

/** Weights `alpha` of the way from `current` to `target` (bps, summing to 10,000). */
function partWay(current: readonly number[], target: readonly number[], alpha: number): number[] {
  return toBps(current.map((c, i) => Math.max(0, c + alpha * ((target[i] ?? 0) - c))));
}
