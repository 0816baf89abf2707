/**
 * The Starknet LST vault as a Venue: the basket read from the vault's views, a plan of swaps
 * toward an oracle's target weights (planSwaps.ts), a dry run through `starknet_estimateFee`,
 * and one invoke transaction (a multicall of the account) signed with starknet.js and sent
 * through any Starknet JSON-RPC node.
 *
 * The cycle, and what each step guarantees:
 * - plan: targets are validated for a spot vault (no shorts, sum 1, listed assets only), turned
 *   into the vault's bps, and planned with the vault's own oracle prices. When the account also
 *   holds the owner role (`setTargetsOnChain`), the multicall first writes the targets
 *   (`set_target_weights`), so the vault checks the swaps against the oracle's targets; otherwise
 *   targets further than the vault's tolerance from the owner's are refused before signing.
 * - simulate: the account's nonce (`starknet_getNonce`) and a fee estimate; a reverted execution
 *   or a fee whose signed bound exceeds the cap is refused, and nothing is signed.
 * - execute: the transaction is signed, its hash computed locally, and the signed transaction
 *   recorded in the journal before it is sent; then confirmed by receipt and reconciled against
 *   the vault's views (weights after, NAV after).
 * - resume: the recorded hash is looked up first. Known to the node: confirm it. Unknown, nonce
 *   unchanged: the same signed bytes are sent again (the same transaction). Unknown, nonce moved:
 *   another transaction used the nonce; nothing is sent.
 */
import { createHash } from "node:crypto";
import {
  type BlockIdentifier,
  type Call,
  CallData,
  hash,
  type ResourceBoundsBN,
  RpcError,
  type SignerInterface,
  shortString,
  transaction,
} from "starknet";
import { redactUrlsIn } from "../../config/redactUrl.js";
import type { StarknetConfig } from "../../config/starknetConfig.js";
import { DataError, ExecutionError, InvalidInputError, ProviderError } from "../../core/errors.js";
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
  VenueOrder,
  VenuePlan,
} from "../../core/venue.js";
import { toBps, validateSignedWeights } from "../portfolioManager.js";
import { LstVaultCalls } from "./lstVaultCalls.js";
import { LstVaultReader } from "./lstVaultReader.js";
import type { LstVaultConfig } from "./lstVaultTypes.js";
import { type PlannedSwap, type PlanSlot, planSwaps } from "./planSwaps.js";
import type { InvokeTxnV3, StarknetPending } from "./starknetJournal.js";

const WAD = 10n ** 18n;
/** AVNU's route percentages are in units of 10^-12 (100% = 10^12). */
const FULL_ROUTE = 10n ** 12n;
/** JSON-RPC error codes of the Starknet spec the venue acts on. */
const TXN_HASH_NOT_FOUND = 29;
const TRANSACTION_EXECUTION_ERROR = 41;
const DUPLICATE_TX = 59;

/** What the venue needs from a Starknet JSON-RPC provider; starknet.js `RpcProvider` has it all. */
export interface StarknetRpc {
  getChainId(): Promise<string>;
  getNonceForAddress(address: string, blockIdentifier?: BlockIdentifier): Promise<string>;
  callContract(call: Call, blockIdentifier?: BlockIdentifier): Promise<string[]>;
  getBlockWithTxHashes(blockIdentifier?: BlockIdentifier): Promise<unknown>;
  getInvokeEstimateFee(
    invocation: { contractAddress: string; calldata: string[]; signature: string[] },
    details: Record<string, unknown>,
    blockIdentifier?: BlockIdentifier,
    skipValidate?: boolean,
  ): Promise<{ overall_fee: bigint; resourceBounds: ResourceBoundsBN; unit: string }>;
  invokeSignedTx(transaction: InvokeTxnV3): Promise<{ transaction_hash: string }>;
  getTransactionStatus(txHash: string): Promise<{ finality_status: string; execution_status?: string }>;
  getTransactionReceipt(txHash: string): Promise<unknown>;
}

export interface StarknetSlotState extends PlanSlot {
  readonly pairId: string;
  /** The owner's (on-chain) target, bps. */
  readonly onChainTargetBps: number;
  /** Value in WETH wei at the vault's oracle prices. */
  readonly valueWei: bigint;
}

export interface StarknetSnapshot {
  /** Block timestamp of the latest block. */
  readonly time: number;
  readonly config: LstVaultConfig;
  readonly slots: readonly StarknetSlotState[];
  readonly navWei: bigint;
  /** ETH/USD and STRK/USD from the vault's Pragma oracle, and when ETH/USD was last updated. */
  readonly ethUsd: number;
  readonly strkUsd: number;
  readonly priceUpdatedAt: number;
}

export interface StarknetPlan extends VenuePlan {
  readonly planId: string;
  readonly calls: readonly Call[];
  readonly swaps: readonly PlannedSwap[];
  readonly targetBps: readonly number[];
  readonly predictedBps: readonly number[];
  readonly snapshot: StarknetSnapshot;
}

export interface StarknetVenueOptions {
  readonly config: StarknetConfig;
  readonly rpc: StarknetRpc;
  readonly signer: SignerInterface;
  readonly sleep?: (ms: number) => Promise<void>;
}

const SPOT: VenueCapabilities = { shorts: false, maxGross: 1, maxNet: 1, fullyInvested: true };

function hexOf(n: bigint | number): string {
  return `0x${BigInt(n).toString(16)}`;
}

function units(amount: bigint): string {
  const whole = amount / WAD;
  const frac = (amount % WAD).toString().padStart(18, "0").replace(/0+$/, "");
  return frac.length === 0 ? whole.toString() : `${whole}.${frac}`;
}

function symbolOf(pairId: string): string {
  return pairId.split("/")[0] ?? pairId;
}

function rpcCode(error: unknown): number | undefined {
  return error instanceof RpcError ? error.code : undefined;
}

/** The revert reason inside a node's execution error (a Cairo short string such as 'COOLDOWN'). */
function revertReason(error: unknown): string {
  if (error instanceof RpcError) {
    const data = (error.baseError as { data?: unknown }).data;
    return JSON.stringify(data ?? error.baseError.message);
  }
  return error instanceof Error ? error.message : String(error);
}

export class StarknetVenue implements Venue<StarknetSnapshot, StarknetPlan, StarknetPending> {
  readonly name = "starknet";
  readonly capabilities = SPOT;
  private readonly reader: LstVaultReader;
  private readonly calls: LstVaultCalls;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly account: string;

  constructor(private readonly options: StarknetVenueOptions) {
    this.reader = new LstVaultReader(options.rpc, options.config.vaultAddress);
    this.calls = new LstVaultCalls(options.config.vaultAddress);
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.account = hexOf(BigInt(options.config.accountAddress));
  }

  async time(): Promise<number> {
    const block = (await this.rpc("starknet_getBlockWithTxHashes", () =>
      this.options.rpc.getBlockWithTxHashes("latest"),
    )) as { timestamp?: unknown };
    if (typeof block.timestamp !== "number") throw new ProviderError("block without a timestamp");
    return block.timestamp;
  }

  async universe(): Promise<readonly VenueMarket[]> {
    const basket = await this.reader.basket();
    return basket.map((slot, i) => ({
      symbol: i === 0 ? this.options.config.assetSymbol : symbolOf(slot.pairId),
      maxWeightBps: 10_000,
    }));
  }

  async snapshot(): Promise<StarknetSnapshot> {
    const [config, basket, time] = await Promise.all([this.reader.config(), this.reader.basket(), this.time()]);
    const base = basket[0];
    if (base === undefined) throw new ProviderError("the vault reports an empty basket");
    // Every price the vault will read, checked for age first: a stale one makes its views and the
    // rebalance revert, and refusing here names the feed and by how much.
    let eth = { price: 0, updatedAt: 0 };
    for (const [i, slot] of basket.entries()) {
      const pair = i === 0 ? config.basePairId : slot.pairId;
      const price = await this.oraclePrice(config.oracle, pair);
      if (time - price.updatedAt > config.risk.maxPriceAgeSeconds) {
        throw new DataError(
          `oracle price ${pair} is stale: updated ${time - price.updatedAt} s ago, the vault accepts ${config.risk.maxPriceAgeSeconds} s`,
          { details: { pair, updatedAt: price.updatedAt, now: time } },
        );
      }
      if (i === 0) eth = price;
    }
    const strk = await this.oraclePrice(config.oracle, "STRK/USD");
    const values = await this.reader.slotValues();
    const slots: StarknetSlotState[] = [];
    for (const [i, slot] of basket.entries()) {
      const balance = await this.balanceOf(slot.token);
      const priceWad = i === 0 ? WAD : (await this.reader.quoteSwap(slot.token, base.token, WAD, 0)).expectedOut;
      slots.push({
        symbol: i === 0 ? this.options.config.assetSymbol : symbolOf(slot.pairId),
        token: slot.token,
        pairId: slot.pairId,
        balance,
        priceWad,
        onChainTargetBps: slot.targetBps,
        valueWei: values[i] ?? 0n,
      });
    }
    return {
      time,
      config,
      slots,
      navWei: slots.reduce((a, s) => a + s.valueWei, 0n),
      ethUsd: eth.price,
      strkUsd: strk.price,
      priceUpdatedAt: eth.updatedAt,
    };
  }

  async positions(): Promise<VenueAccount> {
    return this.accountOf(await this.snapshot());
  }

  async plan(
    target: Readonly<Record<string, number>>,
    options: PlanOptions = {},
    given?: StarknetSnapshot,
  ): Promise<StarknetPlan> {
    const snapshot = given ?? (await this.snapshot());
    const markets = snapshot.slots.map((s) => ({ symbol: s.symbol, maxWeightBps: 10_000 }));
    const exits = new Set(options.exit ?? []);
    const weights = validateSignedWeights({ ...target }, markets, this.capabilities);
    // A symbol to exit is sold in full; its weight goes to the vault's asset (WETH).
    let freed = 0;
    for (const symbol of exits) {
      if (!(symbol in weights)) throw new InvalidInputError(`exit names ${symbol}, which the vault does not list`);
      freed += weights[symbol] ?? 0;
      weights[symbol] = 0;
    }
    const assetSymbol = this.options.config.assetSymbol;
    weights[assetSymbol] = (weights[assetSymbol] ?? 0) + freed;
    const targetBps = toBps(snapshot.slots.map((s) => weights[s.symbol] ?? 0));
    const tolerance = snapshot.config.risk.weightToleranceBps;
    const notes: string[] = [];
    if (!this.options.config.setTargetsOnChain) {
      const far = snapshot.slots.filter((s, i) => Math.abs(s.onChainTargetBps - (targetBps[i] ?? 0)) > tolerance);
      if (far.length > 0) {
        throw new InvalidInputError(
          `the oracle's targets differ from the vault's by more than its tolerance (${tolerance} bps) for ${far.map((s) => s.symbol).join(", ")}; the account is not set to write targets (setTargetsOnChain)`,
          { oracle: targetBps, vault: snapshot.slots.map((s) => s.onChainTargetBps) },
        );
      }
    }
    const { maxSlippageBps, minTradeBps, assumedCostBps } = this.options.config;
    if (maxSlippageBps > snapshot.config.risk.maxSlippageBps) {
      throw new InvalidInputError(
        `maxSlippageBps ${maxSlippageBps} is above the vault's cap ${snapshot.config.risk.maxSlippageBps}`,
      );
    }
    const swapPlan = planSwaps({ slots: snapshot.slots, targetBps, maxSlippageBps, minTradeBps, assumedCostBps });
    const checkedBps = this.options.config.setTargetsOnChain
      ? targetBps
      : snapshot.slots.map((s) => s.onChainTargetBps);
    const off = swapPlan.predictedBps.findIndex((p, i) => Math.abs(p - (checkedBps[i] ?? 0)) > tolerance);
    if (off !== -1) {
      throw new ExecutionError(
        `the plan would leave ${snapshot.slots[off]?.symbol} at ${swapPlan.predictedBps[off]} bps, outside the vault's tolerance of ${checkedBps[off]} ± ${tolerance}`,
      );
    }
    const calls: Call[] = [];
    if (swapPlan.swaps.length > 0) {
      if (this.options.config.setTargetsOnChain) calls.push(this.calls.setTargetWeights(targetBps));
      calls.push(
        this.calls.rebalance(
          swapPlan.swaps.map((s) => ({
            tokenIn: s.tokenIn,
            tokenOut: s.tokenOut,
            amountIn: s.amountIn,
            routes: [
              {
                tokenFrom: s.tokenIn,
                tokenTo: s.tokenOut,
                exchangeAddress: this.options.config.exchangeAddress,
                percent: FULL_ROUTE,
                additionalSwapParams: [],
              },
            ],
          })),
          maxSlippageBps,
        ),
      );
    } else {
      notes.push("every slot is within the minimum trade of its target: nothing to trade");
    }
    const planId = createHash("sha256")
      .update(JSON.stringify({ t: snapshot.time, calls: calls.map((c) => [c.entrypoint, c.calldata]) }))
      .digest("hex")
      .slice(0, 16);
    const orders: VenueOrder[] = swapPlan.swaps.map((s, i) => {
      const slot = snapshot.slots[s.slot] as StarknetSlotState;
      // Limit = the worst WETH price per LST unit the vault's minimum out allows.
      const size = s.side === "sell" ? s.amountIn : s.expectedOut;
      const limit = s.side === "sell" ? (s.minOut * WAD) / s.amountIn : (s.amountIn * WAD) / s.minOut;
      return {
        clientId: `${planId}:${i}`,
        symbol: slot.symbol,
        side: s.side,
        size: units(size),
        limitPrice: units(limit),
        reduceOnly: s.side === "sell",
      };
    });
    const targetWeights = Object.fromEntries(snapshot.slots.map((s, i) => [s.symbol, (targetBps[i] ?? 0) / 10_000]));
    const plan: StarknetPlan = {
      planId,
      orders,
      targetWeights,
      notes,
      calls,
      swaps: swapPlan.swaps,
      targetBps,
      predictedBps: swapPlan.predictedBps,
      snapshot,
    };
    return plan;
  }

  async simulate(plan: StarknetPlan): Promise<SimulationResult> {
    const sim = await this.estimate(plan);
    return sim.kind === "ok"
      ? { ok: true, reason: null, estimatedFeesUsd: this.feeUsd(sim.maxFee, plan.snapshot) }
      : { ok: false, reason: sim.reason, estimatedFeesUsd: 0 };
  }

  async execute(plan: StarknetPlan, journal: VenueJournal<StarknetPending>): Promise<VenueExecution> {
    const navBeforeUsd = this.usd(plan.snapshot.navWei, plan.snapshot);
    if (plan.calls.length === 0) {
      return { kind: "nothing-to-trade", reason: null, results: [], navBeforeUsd, navAfterUsd: navBeforeUsd };
    }
    const sim = await this.estimate(plan);
    if (sim.kind === "refused") {
      return { kind: "failed", reason: sim.reason, results: [], navBeforeUsd, navAfterUsd: null };
    }
    await journal.authorize?.("sign the Starknet rebalance");
    const pending = await this.sign(plan, sim.nonce, sim.resourceBounds);
    // Recorded before anything leaves: a crash from here on is finished by `resume`.
    await journal.pending(pending);
    await journal.authorize?.("send the Starknet rebalance");
    const sent = await this.send(pending);
    if (sent === "unknown") return this.resume(pending, journal);
    if (sent !== "sent") return this.refused(pending, journal, sent, navBeforeUsd);
    return this.finish(pending, journal, navBeforeUsd);
  }

  /**
   * Sends the signed transaction. "sent": the node took it (or already had it: DUPLICATE_TX).
   * "unknown": no answer (a timeout, a dropped connection), so whether it arrived is for
   * `resume` to find out by hash. Otherwise the node's refusal, which is final: a refused
   * transaction never executes.
   */
  private async send(pending: StarknetPending): Promise<"sent" | "unknown" | string> {
    try {
      const sent = await this.options.rpc.invokeSignedTx(pending.transaction);
      if (BigInt(sent.transaction_hash) !== BigInt(pending.transactionHash)) {
        throw new ExecutionError("the node reports another hash than the one signed", {
          details: { signed: pending.transactionHash, reported: sent.transaction_hash },
        });
      }
      return "sent";
    } catch (error) {
      if (error instanceof ExecutionError) throw error;
      const code = rpcCode(error);
      if (code === undefined) return "unknown";
      if (code === DUPLICATE_TX) return "sent";
      return `the node refused transaction ${pending.transactionHash} (${code}): ${revertReason(error)}`;
    }
  }

  private async refused(
    pending: StarknetPending,
    journal: VenueJournal<StarknetPending>,
    reason: string,
    navBeforeUsd: number | null,
  ): Promise<VenueExecution> {
    const results = pending.orders.map((order) => this.result(order, "rejected", reason));
    await journal.results?.(results);
    return { kind: "failed", reason, results, navBeforeUsd, navAfterUsd: null };
  }

  async resume(pending: StarknetPending, journal: VenueJournal<StarknetPending>): Promise<VenueExecution> {
    if (
      BigInt(pending.accountAddress) !== BigInt(this.account) ||
      BigInt(pending.vaultAddress) !== BigInt(this.options.config.vaultAddress)
    ) {
      throw new InvalidInputError("the pending transaction belongs to another account or vault", {
        pending: { account: pending.accountAddress, vault: pending.vaultAddress },
        config: { account: this.account, vault: this.options.config.vaultAddress },
      });
    }
    const known = await this.statusOf(pending.transactionHash);
    if (known === null) {
      const nonce = BigInt(await this.nonce());
      if (nonce > BigInt(pending.nonce)) {
        const results = pending.orders.map((order) =>
          this.result(order, "unknown", "nonce used by another transaction"),
        );
        await journal.results?.(results);
        return {
          kind: "failed",
          reason: `nonce ${BigInt(pending.nonce)} was used by another transaction; the signed rebalance ${pending.transactionHash} never reached the node and is not sent again`,
          results,
          navBeforeUsd: null,
          navAfterUsd: null,
        };
      }
      // Never seen and its nonce still free: the same signed bytes, hence the same transaction.
      await journal.authorize?.("re-send the recorded Starknet rebalance");
      const sent = await this.send(pending);
      if (sent === "unknown") {
        throw new ProviderError(
          `no answer to starknet_addInvokeTransaction for ${pending.transactionHash}: run resume again`,
        );
      }
      if (sent !== "sent") return this.refused(pending, journal, sent, null);
    }
    return this.finish(pending, journal, null);
  }

  /** Receipt, then the vault's views again: what the swaps did to the weights. */
  private async finish(
    pending: StarknetPending,
    journal: VenueJournal<StarknetPending>,
    navBeforeUsd: number | null,
  ): Promise<VenueExecution> {
    const receipt = await this.receipt(pending.transactionHash);
    if (receipt.execution_status === "REVERTED") {
      const reason = `transaction ${pending.transactionHash} reverted: ${receipt.revert_reason ?? "no reason given"}`;
      const results = pending.orders.map((order) => this.result(order, "rejected", reason));
      await journal.results?.(results);
      return { kind: "failed", reason, results, navBeforeUsd, navAfterUsd: null };
    }
    const after = await this.snapshot();
    const account = this.accountOf(after);
    const results = pending.orders.map((order) => this.result(order, "filled", null, pending.transactionHash));
    await journal.results?.(results);
    const off = account.holdings
      .filter(
        (h) =>
          Math.abs(h.weight - (pending.targetWeights[h.symbol] ?? 0)) * 10_000 > after.config.risk.weightToleranceBps,
      )
      .map((h) => h.symbol);
    return {
      kind: off.length === 0 ? "executed" : "partial",
      reason:
        off.length === 0 ? null : `accepted, but ${off.join(", ")} ended outside the tolerance of the oracle's target`,
      results,
      navBeforeUsd,
      navAfterUsd: account.navUsd,
    };
  }

  private result(
    order: VenueOrder,
    status: OrderResult["status"],
    reason: string | null,
    venueOrderId: string | null = null,
  ): OrderResult {
    return {
      order,
      status,
      filledSize: status === "filled" ? order.size : "0",
      averagePrice: null,
      venueOrderId,
      reason,
    };
  }

  private accountOf(snapshot: StarknetSnapshot): VenueAccount {
    const navUsd = this.usd(snapshot.navWei, snapshot);
    const holdings = snapshot.slots.map((s) => {
      const notionalUsd = this.usd(s.valueWei, snapshot);
      return {
        symbol: s.symbol,
        size: Number(s.balance) / 1e18,
        notionalUsd,
        weight: navUsd === 0 ? 0 : notionalUsd / navUsd,
      };
    });
    return { time: snapshot.time, navUsd, holdings, grossLeverage: holdings.reduce((a, h) => a + h.weight, 0) };
  }

  private usd(wei: bigint, snapshot: StarknetSnapshot): number {
    return (Number(wei) / 1e18) * snapshot.ethUsd;
  }

  private feeUsd(fri: bigint, snapshot: StarknetSnapshot): number {
    return (Number(fri) / 1e18) * snapshot.strkUsd;
  }

  private async estimate(
    plan: StarknetPlan,
  ): Promise<
    | { kind: "ok"; nonce: string; maxFee: bigint; resourceBounds: ResourceBoundsBN }
    | { kind: "refused"; reason: string }
  > {
    const nonce = await this.nonce();
    const calldata = transaction.getExecuteCalldata([...plan.calls], "1").map((f) => hexOf(BigInt(f)));
    let fee: Awaited<ReturnType<StarknetRpc["getInvokeEstimateFee"]>>;
    try {
      fee = await this.options.rpc.getInvokeEstimateFee(
        { contractAddress: this.account, calldata, signature: [] },
        { ...this.v3Details(nonce), resourceBounds: zeroBounds() },
        "latest",
        true,
      );
    } catch (error) {
      if (rpcCode(error) === TRANSACTION_EXECUTION_ERROR) {
        return { kind: "refused", reason: `simulation reverted: ${revertReason(error)}` };
      }
      throw new ProviderError(`starknet_estimateFee failed: ${redactUrlsIn(revertReason(error))}`, { cause: error });
    }
    const cap = this.options.config.maxFeeStrk;
    if (fee.overall_fee > cap) {
      return {
        kind: "refused",
        reason: `fee bound ${units(fee.overall_fee)} STRK is above the cap of ${units(cap)} STRK`,
      };
    }
    return { kind: "ok", nonce, maxFee: fee.overall_fee, resourceBounds: fee.resourceBounds };
  }

  private v3Details(nonce: string) {
    return {
      nonce,
      version: "0x3" as const,
      tip: 0n,
      paymasterData: [],
      accountDeploymentData: [],
      nonceDataAvailabilityMode: "L1" as const,
      feeDataAvailabilityMode: "L1" as const,
    };
  }

  private async sign(plan: StarknetPlan, nonce: string, resourceBounds: ResourceBoundsBN): Promise<StarknetPending> {
    const chainId = await this.rpc("starknet_chainId", () => this.options.rpc.getChainId());
    const calls = [...plan.calls];
    const details = {
      ...this.v3Details(nonce),
      resourceBounds,
      walletAddress: this.account,
      chainId,
      cairoVersion: "1" as const,
    };
    const signature = await this.options.signer.signTransaction(
      calls,
      details as Parameters<SignerInterface["signTransaction"]>[1],
    );
    const compiledCalldata = transaction.getExecuteCalldata(calls, "1");
    const transactionHash = hash.calculateInvokeTransactionHash({
      senderAddress: this.account,
      version: "0x3",
      compiledCalldata,
      chainId: chainId as Parameters<typeof hash.calculateInvokeTransactionHash>[0]["chainId"],
      nonce,
      accountDeploymentData: [],
      nonceDataAvailabilityMode: 0,
      feeDataAvailabilityMode: 0,
      resourceBounds,
      tip: 0n,
      paymasterData: [],
    });
    const sig = (Array.isArray(signature) ? signature : [signature.r, signature.s]).map((x) => hexOf(BigInt(x)));
    const bound = (b: { max_amount: bigint; max_price_per_unit: bigint }) => ({
      max_amount: hexOf(b.max_amount),
      max_price_per_unit: hexOf(b.max_price_per_unit),
    });
    return {
      venue: "starknet",
      planId: plan.planId,
      signedAt: plan.snapshot.time,
      chainId: hexOf(BigInt(chainId)),
      accountAddress: this.account,
      vaultAddress: hexOf(BigInt(this.options.config.vaultAddress)),
      nonce: hexOf(BigInt(nonce)),
      transactionHash: hexOf(BigInt(transactionHash)),
      transaction: {
        type: "INVOKE",
        sender_address: this.account,
        calldata: compiledCalldata.map((f) => hexOf(BigInt(f))),
        version: "0x3",
        signature: sig,
        nonce: hexOf(BigInt(nonce)),
        resource_bounds: {
          l1_gas: bound(resourceBounds.l1_gas),
          l2_gas: bound(resourceBounds.l2_gas),
          l1_data_gas: bound(resourceBounds.l1_data_gas),
        },
        tip: "0x0",
        paymaster_data: [],
        account_deployment_data: [],
        nonce_data_availability_mode: "L1",
        fee_data_availability_mode: "L1",
      },
      orders: [...plan.orders],
      targetWeights: { ...plan.targetWeights },
    };
  }

  /** The node's status of `txHash`, or null when it has never seen it. */
  private async statusOf(txHash: string): Promise<{ finality_status: string } | null> {
    try {
      return await this.options.rpc.getTransactionStatus(txHash);
    } catch (error) {
      if (rpcCode(error) === TXN_HASH_NOT_FOUND) return null;
      throw new ProviderError(`starknet_getTransactionStatus failed: ${redactUrlsIn(revertReason(error))}`, {
        cause: error,
      });
    }
  }

  private async receipt(txHash: string): Promise<{ execution_status: string; revert_reason?: string }> {
    const deadline = Date.now() + this.options.config.confirmTimeoutMs;
    for (;;) {
      const status = await this.statusOf(txHash);
      // Confirmed only once in an L2 block: RECEIVED, CANDIDATE and PRE_CONFIRMED may still go.
      if (
        status !== null &&
        (status.finality_status === "ACCEPTED_ON_L2" || status.finality_status === "ACCEPTED_ON_L1")
      ) {
        const receipt = (await this.rpc("starknet_getTransactionReceipt", () =>
          this.options.rpc.getTransactionReceipt(txHash),
        )) as { execution_status?: unknown; revert_reason?: unknown; value?: unknown };
        const value = (receipt.value ?? receipt) as { execution_status?: unknown; revert_reason?: unknown };
        if (value.execution_status === "SUCCEEDED" || value.execution_status === "REVERTED") {
          return {
            execution_status: value.execution_status,
            ...(typeof value.revert_reason === "string" ? { revert_reason: value.revert_reason } : {}),
          };
        }
        throw new ProviderError("receipt without an execution status", { details: { txHash } });
      }
      if (Date.now() >= deadline) {
        throw new ExecutionError(
          `transaction ${txHash} not accepted after ${this.options.config.confirmTimeoutMs} ms: it stays in the journal, run resume`,
          { details: { txHash, status: status?.finality_status ?? "unknown to the node" } },
        );
      }
      await this.sleep(this.options.config.pollIntervalMs);
    }
  }

  private nonce(): Promise<string> {
    return this.rpc("starknet_getNonce", () => this.options.rpc.getNonceForAddress(this.account, "pre_confirmed"));
  }

  private async balanceOf(token: string): Promise<bigint> {
    const felts = await this.rpc("starknet_call balance_of", () =>
      this.options.rpc.callContract({
        contractAddress: token,
        entrypoint: "balance_of",
        calldata: CallData.compile([this.options.config.vaultAddress]),
      }),
    );
    const [low, high] = felts;
    if (felts.length !== 2 || low === undefined || high === undefined) {
      throw new ProviderError(`balance_of of ${token}: expected a u256`, { details: { felts } });
    }
    return BigInt(low) + (BigInt(high) << 128n);
  }

  /** Pragma's `get_data_median(SpotEntry(pair))`: price, decimals, last update. */
  private async oraclePrice(oracle: string, pairId: string): Promise<{ price: number; updatedAt: number }> {
    const felts = await this.rpc(`starknet_call get_data_median ${pairId}`, () =>
      this.options.rpc.callContract({
        contractAddress: oracle,
        entrypoint: "get_data_median",
        calldata: ["0x0", shortString.encodeShortString(pairId)],
      }),
    );
    const [price, decimals, updated] = felts;
    if (felts.length < 5 || price === undefined || decimals === undefined || updated === undefined) {
      throw new ProviderError(`get_data_median ${pairId}: unexpected answer`, { details: { felts } });
    }
    return { price: Number(BigInt(price)) / 10 ** Number(BigInt(decimals)), updatedAt: Number(BigInt(updated)) };
  }

  private async rpc<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw new ProviderError(`${what} failed: ${redactUrlsIn(revertReason(error))}`, { cause: error });
    }
  }
}

function zeroBounds(): ResourceBoundsBN {
  const zero = { max_amount: 0n, max_price_per_unit: 0n };
  return { l1_gas: zero, l2_gas: zero, l1_data_gas: zero };
}
