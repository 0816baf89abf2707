/**
 * A local stand-in for a Starknet JSON-RPC node on 127.0.0.1, for the Starknet venue's tests. It
 * speaks the real method names and payload shapes of the JSON-RPC spec (0.10): starknet_specVersion,
 * starknet_chainId, starknet_getNonce, starknet_getBlockWithTxHashes, starknet_call,
 * starknet_estimateFee, starknet_addInvokeTransaction, starknet_getTransactionStatus and
 * starknet_getTransactionReceipt, with the spec's error codes (20 CONTRACT_NOT_FOUND, 29
 * TXN_HASH_NOT_FOUND, 40 CONTRACT_ERROR, 41 TRANSACTION_EXECUTION_ERROR, 52
 * INVALID_TRANSACTION_NONCE, 55 VALIDATION_FAILURE, 59 DUPLICATE_TX).
 *
 * What it models, in memory (no Cairo runs here: wasm-cairo cannot serve calls at RPC speed):
 * - accounts: an INVOKE_TXN_V3's hash is recomputed from its fields (starknet.js's
 *   `calculateInvokeTransactionHash`) and its signature checked against the account's Stark
 *   public key, as an OpenZeppelin account's `__validate__` does; the nonce must be the
 *   account's and moves on every accepted transaction, reverted or not, as on Starknet;
 * - the LST vault's views the keeper reads (`config`, `basket`, `slot_values`, `quote_swap`) and
 *   its `rebalance` and `set_target_weights`, re-implementing the Cairo contract's checks and
 *   revert reasons (NOT_KEEPER, COOLDOWN, SLIPPAGE_ABOVE_CAP, STALE_PRICE, MIN_OUT,
 *   NAV_LOSS, WEIGHT_OUT_OF_TOLERANCE, ...) and its rounding;
 * - ERC-20 `balance_of`, a Pragma-shaped oracle (`get_data_median`) and an AVNU-shaped router
 *   paying the oracle cross rate less a haircut (the Cairo tests' MockMarket);
 * - fees: a fixed gas use per call and per swap at configurable gas prices; `starknet_estimateFee`
 *   runs the calls but skips `__validate__` (the venue asks for SKIP_VALIDATE), and a sent
 *   transaction whose L2 gas bound is below its use reverts.
 * What it does not model: Cairo execution itself (the compiled vault is exercised by the
 * wasm-cairo proof in scripts/starknet/planProof.ts), events, blocks beyond a number and a
 * timestamp, any other entry point (they revert ENTRYPOINT_NOT_FOUND), the management fee, and
 * mempool ordering. Tests control acceptance (at once, or held until `acceptPending`), and can
 * lose a request or its answer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ec, hash, shortString } from "starknet";

const BPS = 10_000n;
const U128 = (1n << 128n) - 1n;

export interface LocalLst {
  readonly token: string;
  readonly pairId: string;
}

export interface LocalRisk {
  weightToleranceBps: number;
  maxSlippageBps: number;
  maxNavLossBps: number;
  rebalanceCooldown: number;
  maxPriceAge: number;
}

export interface StarknetLocalOptions {
  readonly vault: string;
  readonly weth: string;
  readonly oracle: string;
  readonly router: string;
  readonly owner: string;
  readonly keeper: string;
  readonly lsts: readonly LocalLst[];
  /** Target bps per slot, WETH first. */
  readonly targetBps: readonly number[];
  readonly risk: LocalRisk;
  /** Oracle prices, 8 decimals, by pair id ("ETH/USD", "WSTETH/USD", "STRK/USD"). */
  readonly prices: Readonly<Record<string, bigint>>;
  readonly time: number;
}

class RpcFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

class Revert extends Error {}

interface Receipt {
  readonly hash: string;
  status: "RECEIVED" | "ACCEPTED_ON_L2";
  executionStatus: "SUCCEEDED" | "REVERTED";
  revertReason?: string;
  fee: bigint;
  block: number;
  /** Applied when the transaction is accepted. */
  apply?: () => void;
}

type Json = Record<string, unknown>;

function hex(n: bigint | number): string {
  return `0x${BigInt(n).toString(16)}`;
}

function u256(n: bigint): string[] {
  return [hex(n & U128), hex(n >> 128n)];
}

function key(address: string): string {
  return hex(BigInt(address));
}

export class StarknetLocal {
  readonly chainId = shortString.encodeShortString("SN_SEPOLIA");
  time: number;
  blockNumber = 1;
  /** Gas prices in fri; raise them to exercise the fee cap. */
  l2GasPrice = 3_000_000_000n;
  l1GasPrice = 30_000_000_000_000n;
  l1DataGasPrice = 1_000_000n;
  /** The router pays this many bps under the oracle cross rate. */
  haircutBps = 5n;
  /** False: transactions stay RECEIVED until `acceptPending()`. */
  acceptAtOnce = true;
  /** Count of requests per method, to measure round trips. */
  readonly requests = new Map<string, number>();
  readonly prices = new Map<string, { price: bigint; updatedAt: number }>();
  readonly risk: LocalRisk;
  paused = false;
  lastRebalanceAt = 0;
  private readonly balances = new Map<string, Map<string, bigint>>();
  private readonly accounts = new Map<string, { publicKey: string; nonce: bigint }>();
  private readonly receipts = new Map<string, Receipt>();
  private readonly targets: number[];
  private readonly slots: { token: string; pairId: string }[];
  private readonly basePair = "ETH/USD";
  private server: Server | undefined;
  private dropNext: string | undefined;
  private loseAnswerOf: string | undefined;

  constructor(readonly options: StarknetLocalOptions) {
    this.time = options.time;
    this.risk = { ...options.risk };
    this.targets = [...options.targetBps];
    this.slots = [
      { token: key(options.weth), pairId: this.basePair },
      ...options.lsts.map((l) => ({ token: key(l.token), pairId: l.pairId })),
    ];
    for (const [pair, price] of Object.entries(options.prices))
      this.prices.set(pair, { price, updatedAt: options.time });
  }

  /** An account contract whose `__validate__` checks a Stark signature by `privateKey`. */
  addAccount(address: string, privateKey: string): void {
    const publicKey = Buffer.from(ec.starkCurve.getPublicKey(privateKey.replace(/^0x/, ""), false)).toString("hex");
    this.accounts.set(key(address), { publicKey, nonce: 0n });
  }

  mint(token: string, holder: string, amount: bigint): void {
    const t = this.balances.get(key(token)) ?? new Map<string, bigint>();
    t.set(key(holder), (t.get(key(holder)) ?? 0n) + amount);
    this.balances.set(key(token), t);
  }

  balanceOf(token: string, holder: string): bigint {
    return this.balances.get(key(token))?.get(key(holder)) ?? 0n;
  }

  nonceOf(address: string): bigint {
    return this.accounts.get(key(address))?.nonce ?? 0n;
  }

  targetBps(): number[] {
    return [...this.targets];
  }

  /** Transactions sent, by hash (what a test asserts "sent once" on). */
  transactionCount(): number {
    return this.receipts.size;
  }

  /** The next request of `method` never reaches the node (a dropped connection before it arrived). */
  dropNextRequest(method: string): void {
    this.dropNext = method;
  }

  /** The next request of `method` is processed but its answer is lost (the socket closes). */
  loseNextAnswer(method: string): void {
    this.loseAnswerOf = method;
  }

  /** Accepts every RECEIVED transaction (in the order received) into a new block. */
  acceptPending(): void {
    for (const r of this.receipts.values()) {
      if (r.status !== "RECEIVED") continue;
      r.apply?.();
      r.status = "ACCEPTED_ON_L2";
      r.block = this.blockNumber;
    }
    this.blockNumber++;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/rpc`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString("utf8");
    });
    req.on("end", () => {
      let request: { id: number; method: string; params: Json };
      try {
        request = JSON.parse(body) as typeof request;
      } catch {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } }));
        return;
      }
      this.requests.set(request.method, (this.requests.get(request.method) ?? 0) + 1);
      if (this.dropNext === request.method) {
        this.dropNext = undefined;
        req.socket.destroy();
        return;
      }
      let payload: Json;
      try {
        payload = { result: this.dispatch(request.method, request.params ?? {}) };
      } catch (error) {
        payload =
          error instanceof RpcFailure
            ? {
                error: {
                  code: error.code,
                  message: error.message,
                  ...(error.data === undefined ? {} : { data: error.data }),
                },
              }
            : { error: { code: -32603, message: String(error) } };
      }
      if (this.loseAnswerOf === request.method) {
        this.loseAnswerOf = undefined;
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ jsonrpc: "2.0", id: request.id, ...payload }));
    });
  }

  private dispatch(method: string, params: Json): unknown {
    switch (method) {
      case "starknet_specVersion":
        return "0.10.0";
      case "starknet_chainId":
        return this.chainId;
      case "starknet_getNonce": {
        const account = this.accounts.get(key(String(params.contract_address)));
        if (!account) throw new RpcFailure(20, "Contract not found");
        return hex(account.nonce);
      }
      case "starknet_getBlockWithTxHashes":
        return this.block();
      case "starknet_call": {
        const call = params.request as { contract_address: string; entry_point_selector: string; calldata: string[] };
        try {
          return this.view(key(call.contract_address), BigInt(call.entry_point_selector), call.calldata.map(BigInt));
        } catch (error) {
          if (error instanceof Revert) throw new RpcFailure(40, "Contract error", { revert_error: error.message });
          throw error;
        }
      }
      case "starknet_estimateFee":
        return (params.request as Json[]).map((tx, i) => this.estimate(tx, i));
      case "starknet_addInvokeTransaction":
        return this.addInvoke(params.invoke_transaction as Json);
      case "starknet_getTransactionStatus": {
        const r = this.receipts.get(key(String(params.transaction_hash)));
        if (!r) throw new RpcFailure(29, "Transaction hash not found");
        return r.status === "RECEIVED"
          ? { finality_status: "RECEIVED" }
          : { finality_status: r.status, execution_status: r.executionStatus };
      }
      case "starknet_getTransactionReceipt": {
        const r = this.receipts.get(key(String(params.transaction_hash)));
        if (!r || r.status === "RECEIVED") throw new RpcFailure(29, "Transaction hash not found");
        return {
          type: "INVOKE",
          transaction_hash: r.hash,
          actual_fee: { amount: hex(r.fee), unit: "FRI" },
          execution_status: r.executionStatus,
          finality_status: r.status,
          block_hash: hex(1000 + r.block),
          block_number: r.block,
          messages_sent: [],
          events: [],
          execution_resources: { l1_gas: 0, l1_data_gas: 128, l2_gas: Number(r.fee / this.l2GasPrice) },
          ...(r.revertReason === undefined ? {} : { revert_reason: r.revertReason }),
        };
      }
      default:
        throw new RpcFailure(-32601, `Method not found: ${method}`);
    }
  }

  private block(): Json {
    const price = (fri: bigint) => ({ price_in_fri: hex(fri), price_in_wei: hex(fri / 1000n) });
    return {
      status: "ACCEPTED_ON_L2",
      block_hash: hex(1000 + this.blockNumber),
      parent_hash: hex(999 + this.blockNumber),
      block_number: this.blockNumber,
      new_root: "0x1",
      timestamp: this.time,
      sequencer_address: "0x1",
      l1_gas_price: price(this.l1GasPrice),
      l2_gas_price: price(this.l2GasPrice),
      l1_data_gas_price: price(this.l1DataGasPrice),
      l1_da_mode: "BLOB",
      starknet_version: "0.14.0",
      transactions: [],
    };
  }

  // ---- views ----------------------------------------------------------------------------------

  private view(contract: string, selector: bigint, data: bigint[]): string[] {
    const is = (name: string) => selector === BigInt(hash.getSelectorFromName(name));
    if (contract === key(this.options.oracle) && is("get_data_median")) {
      const pair = shortString.decodeShortString(hex(data[1] ?? 0n));
      const p = this.prices.get(pair);
      // Pragma answers a zero price for a pair it does not publish.
      return [hex(p?.price ?? 0n), "0x8", hex(p?.updatedAt ?? 0), "0x5", "0x1"];
    }
    if (is("balance_of") && this.balances.has(contract)) return u256(this.balanceOf(contract, hex(data[0] ?? 0n)));
    if (is("balance_of") && this.slots.some((s) => s.token === contract)) return u256(0n);
    if (contract !== key(this.options.vault)) throw new RpcFailure(20, "Contract not found");
    if (is("basket")) {
      return [
        hex(this.slots.length),
        ...this.slots.flatMap((s, i) => [s.token, shortString.encodeShortString(s.pairId), hex(this.targets[i] ?? 0)]),
      ];
    }
    if (is("slot_values")) {
      const values = this.values(this.prices_(this.slots.some((_, i) => i > 0 && this.held(i) > 0n)));
      return [hex(values.length), ...values.flatMap(u256)];
    }
    if (is("quote_swap")) {
      const [tokenIn = 0n, tokenOut = 0n, low = 0n, high = 0n, slippage = 0n] = data;
      if (slippage > BPS) throw new Revert("BAD_SLIPPAGE");
      const prices = this.prices_(true);
      const q = this.quote(
        low + (high << 128n),
        prices[this.slotOf(hex(tokenIn))] ?? 0n,
        prices[this.slotOf(hex(tokenOut))] ?? 0n,
        slippage,
      );
      return [...u256(q.expected), ...u256(q.min)];
    }
    if (is("config")) {
      const r = this.risk;
      return [
        key(this.options.owner),
        "0x0",
        key(this.options.keeper),
        this.paused ? "0x1" : "0x0",
        key(this.options.oracle),
        shortString.encodeShortString(this.basePair),
        key(this.options.router),
        "0x0",
        "0x0",
        hex(r.weightToleranceBps),
        hex(r.maxSlippageBps),
        hex(r.maxNavLossBps),
        hex(r.rebalanceCooldown),
        hex(r.maxPriceAge),
        hex(this.lastRebalanceAt),
        "0x0",
      ];
    }
    throw new Revert("ENTRYPOINT_NOT_FOUND");
  }

  private held(slot: number): bigint {
    return this.balanceOf(this.slots[slot]?.token ?? "0x0", this.options.vault);
  }

  private slotOf(token: string): number {
    const i = this.slots.findIndex((s) => s.token === key(token));
    if (i === -1) throw new Revert("NOT_IN_BASKET");
    return i;
  }

  /** Prices as the vault reads them (18-decimal wads), checked for zero and age as the vault does. */
  private prices_(read: boolean): bigint[] {
    return this.slots.map((s) => {
      if (!read) return 0n;
      const p = this.prices.get(s.pairId);
      if (!p || p.price === 0n) throw new Revert("ZERO_PRICE");
      if (p.updatedAt > this.time) throw new Revert("FUTURE_PRICE");
      if (this.time - p.updatedAt > this.risk.maxPriceAge) throw new Revert("STALE_PRICE");
      return p.price * 10n ** 10n;
    });
  }

  private values(prices: bigint[], balances?: bigint[]): bigint[] {
    return this.slots.map((_, i) => {
      const b = balances?.[i] ?? this.held(i);
      return i === 0 ? b : (b * (prices[i] ?? 0n)) / (prices[0] ?? 1n);
    });
  }

  private quote(
    amountIn: bigint,
    priceIn: bigint,
    priceOut: bigint,
    slippage: bigint,
  ): { expected: bigint; min: bigint } {
    const expected = (amountIn * priceIn) / priceOut;
    return { expected, min: (expected * (BPS - slippage) + BPS - 1n) / BPS };
  }

  // ---- transactions ---------------------------------------------------------------------------

  private txHash(tx: Json): string {
    const rb = tx.resource_bounds as Record<string, { max_amount: string; max_price_per_unit: string }>;
    const bound = (b: { max_amount: string; max_price_per_unit: string } | undefined) => ({
      max_amount: BigInt(b?.max_amount ?? 0),
      max_price_per_unit: BigInt(b?.max_price_per_unit ?? 0),
    });
    return key(
      hash.calculateInvokeTransactionHash({
        senderAddress: String(tx.sender_address),
        version: String(tx.version) as "0x3",
        compiledCalldata: (tx.calldata as string[]).map(String),
        chainId: this.chainId as Parameters<typeof hash.calculateInvokeTransactionHash>[0]["chainId"],
        nonce: String(tx.nonce),
        accountDeploymentData: [],
        nonceDataAvailabilityMode: 0,
        feeDataAvailabilityMode: 0,
        resourceBounds: { l1_gas: bound(rb.l1_gas), l2_gas: bound(rb.l2_gas), l1_data_gas: bound(rb.l1_data_gas) },
        tip: String(tx.tip ?? "0x0"),
        paymasterData: [],
      }),
    );
  }

  /** Runs the transaction on the current state; returns the fee and a commit, or throws Revert. */
  private run(tx: Json): { l2Gas: bigint; commit: () => void } {
    const sender = key(String(tx.sender_address));
    const calls = decodeExecute((tx.calldata as string[]).map(BigInt));
    const effects: (() => void)[] = [];
    // Targets written earlier in the same multicall count for later calls, as on chain.
    let targets = [...this.targets];
    let l2Gas = 400_000n;
    for (const call of calls) {
      l2Gas += 300_000n;
      if (call.to !== key(this.options.vault)) throw new Revert("ENTRYPOINT_NOT_FOUND");
      if (call.selector === BigInt(hash.getSelectorFromName("set_target_weights"))) {
        if (sender !== key(this.options.owner)) throw new Revert("NOT_OWNER");
        const [n = 0n, ...ws] = call.data;
        if (Number(n) !== this.slots.length) throw new Revert("WEIGHTS_LENGTH");
        const next = ws.slice(0, Number(n)).map(Number);
        if (next.reduce((a, b) => a + b, 0) !== 10_000) throw new Revert("WEIGHTS_SUM");
        targets = next;
        effects.push(() => this.targets.splice(0, this.targets.length, ...next));
      } else if (call.selector === BigInt(hash.getSelectorFromName("rebalance"))) {
        const { swaps, slippage } = decodeRebalance(call.data);
        l2Gas += 500_000n * BigInt(swaps.length);
        effects.push(this.rebalance(sender, swaps, slippage, targets));
      } else {
        throw new Revert("ENTRYPOINT_NOT_FOUND");
      }
    }
    return {
      l2Gas,
      commit: () => {
        for (const e of effects) e();
      },
    };
  }

  /** The vault's `rebalance`, checks in the contract's order; returns its state change. */
  private rebalance(sender: string, swaps: DecodedSwap[], slippage: bigint, targets: number[]): () => void {
    if (this.paused) throw new Revert("PAUSED");
    if (sender !== key(this.options.keeper)) throw new Revert("NOT_KEEPER");
    if (this.lastRebalanceAt !== 0 && this.time < this.lastRebalanceAt + this.risk.rebalanceCooldown)
      throw new Revert("COOLDOWN");
    if (slippage > BigInt(this.risk.maxSlippageBps)) throw new Revert("SLIPPAGE_ABOVE_CAP");
    const prices = this.prices_(true);
    const balances = this.slots.map((_, i) => this.held(i));
    const navBefore = this.values(prices, balances).reduce((a, b) => a + b, 0n);
    if (navBefore === 0n) throw new Revert("EMPTY_VAULT");
    for (const s of swaps) {
      const i = this.slotOf(s.tokenIn);
      const o = this.slotOf(s.tokenOut);
      if (i === o) throw new Revert("SAME_TOKEN");
      if (s.amountIn === 0n) throw new Revert("ZERO_AMOUNT");
      if ((balances[i] ?? 0n) < s.amountIn) throw new Revert("INSUFFICIENT_BALANCE");
      const q = this.quote(s.amountIn, prices[i] ?? 0n, prices[o] ?? 0n, slippage);
      if (q.min === 0n) throw new Revert("ZERO_MIN_OUT");
      if (s.routes === 0) throw new Revert("NO_ROUTES");
      const paid = (s.amountIn * (prices[i] ?? 0n) * (BPS - this.haircutBps)) / ((prices[o] ?? 1n) * BPS);
      if (paid < q.min) throw new Revert("Insufficient tokens received");
      balances[i] = (balances[i] ?? 0n) - s.amountIn;
      balances[o] = (balances[o] ?? 0n) + paid;
    }
    const values = this.values(prices, balances);
    const navAfter = values.reduce((a, b) => a + b, 0n);
    if (navAfter * BPS < navBefore * (BPS - BigInt(this.risk.maxNavLossBps))) throw new Revert("NAV_LOSS");
    for (const [slot, v] of values.entries()) {
      const weight = (v * BPS) / navAfter;
      const target = BigInt(targets[slot] ?? 0);
      const diff = weight > target ? weight - target : target - weight;
      if (diff > BigInt(this.risk.weightToleranceBps)) throw new Revert("WEIGHT_OUT_OF_TOLERANCE");
    }
    return () => {
      for (const [i, s] of this.slots.entries()) {
        const t = this.balances.get(s.token) ?? new Map<string, bigint>();
        t.set(key(this.options.vault), balances[i] ?? 0n);
        this.balances.set(s.token, t);
      }
      this.lastRebalanceAt = this.time;
    };
  }

  private gasFee(l2Gas: bigint): bigint {
    return l2Gas * this.l2GasPrice + 128n * this.l1DataGasPrice;
  }

  private estimate(tx: Json, index: number): Json {
    let l2Gas: bigint;
    try {
      ({ l2Gas } = this.run(tx));
    } catch (error) {
      if (error instanceof Revert) {
        throw new RpcFailure(41, "Transaction execution error", {
          transaction_index: index,
          execution_error: `Execution failed. Failure reason: '${error.message}'.`,
        });
      }
      throw error;
    }
    return {
      l1_gas_consumed: "0x0",
      l1_gas_price: hex(this.l1GasPrice),
      l2_gas_consumed: hex(l2Gas),
      l2_gas_price: hex(this.l2GasPrice),
      l1_data_gas_consumed: "0x80",
      l1_data_gas_price: hex(this.l1DataGasPrice),
      overall_fee: hex(this.gasFee(l2Gas)),
      unit: "FRI",
    };
  }

  private addInvoke(tx: Json): Json {
    const sender = key(String(tx.sender_address));
    const account = this.accounts.get(sender);
    if (!account) throw new RpcFailure(20, "Contract not found");
    const txHash = this.txHash(tx);
    if (this.receipts.has(txHash))
      throw new RpcFailure(59, "A transaction with the same hash already exists in the mempool");
    if (BigInt(String(tx.nonce)) !== account.nonce) {
      throw new RpcFailure(52, "Invalid transaction nonce", `expected ${hex(account.nonce)}, got ${String(tx.nonce)}`);
    }
    const [r = "0x0", s = "0x0"] = tx.signature as string[];
    const signature = new ec.starkCurve.Signature(BigInt(r), BigInt(s));
    if (!ec.starkCurve.verify(signature, txHash, account.publicKey)) {
      throw new RpcFailure(55, "Account validation failed", "invalid signature");
    }
    const rb = tx.resource_bounds as Record<string, { max_amount: string; max_price_per_unit: string }>;
    account.nonce++;
    const receipt: Receipt = { hash: txHash, status: "RECEIVED", executionStatus: "SUCCEEDED", fee: 0n, block: 0 };
    try {
      const { l2Gas, commit } = this.run(tx);
      if (BigInt(rb.l2_gas?.max_amount ?? 0) < l2Gas || BigInt(rb.l2_gas?.max_price_per_unit ?? 0) < this.l2GasPrice) {
        throw new Revert("Insufficient max L2Gas");
      }
      receipt.fee = this.gasFee(l2Gas);
      receipt.apply = commit;
    } catch (error) {
      if (!(error instanceof Revert)) throw error;
      receipt.executionStatus = "REVERTED";
      receipt.revertReason = `Execution failed. Failure reason: '${error.message}'.`;
      receipt.fee = this.gasFee(400_000n);
    }
    this.receipts.set(txHash, receipt);
    if (this.acceptAtOnce) this.acceptPending();
    return { transaction_hash: txHash };
  }
}

interface DecodedCall {
  readonly to: string;
  readonly selector: bigint;
  readonly data: bigint[];
}

interface DecodedSwap {
  readonly tokenIn: string;
  readonly tokenOut: string;
  readonly amountIn: bigint;
  readonly routes: number;
}

/** A Cairo 1 account's `__execute__` calldata: [n, (to, selector, len, data...)...]. */
function decodeExecute(felts: bigint[]): DecodedCall[] {
  let at = 0;
  const next = (): bigint => {
    const v = felts[at++];
    if (v === undefined) throw new Revert("BAD_CALLDATA");
    return v;
  };
  const calls: DecodedCall[] = [];
  for (let n = Number(next()); n > 0; n--) {
    const to = hex(next());
    const selector = next();
    const len = Number(next());
    calls.push({ to, selector, data: felts.slice(at, at + len) });
    at += len;
  }
  return calls;
}

/** `rebalance(swaps: Array<SwapStep>, max_slippage_bps: u16)` calldata. */
function decodeRebalance(data: bigint[]): { swaps: DecodedSwap[]; slippage: bigint } {
  let at = 0;
  const next = (): bigint => {
    const v = data[at++];
    if (v === undefined) throw new Revert("BAD_CALLDATA");
    return v;
  };
  const swaps: DecodedSwap[] = [];
  for (let n = Number(next()); n > 0; n--) {
    const tokenIn = hex(next());
    const tokenOut = hex(next());
    const amountIn = next() + (next() << 128n);
    const routes = Number(next());
    for (let r = 0; r < routes; r++) {
      // token_from, token_to, exchange_address, percent, then the params array.
      at += 4;
      const params = Number(next());
      at += params;
    }
    swaps.push({ tokenIn, tokenOut, amountIn, routes });
  }
  return { swaps, slippage: next() };
}

/**
 * The stand-in's addresses in the keeper's tests, bench and `npm run venue:local`: a vault over
 * WETH, wstETH and rETH, its Pragma-shaped oracle and exchange, and the keeper account (Keira)
 * with her key (a throwaway test key, never funded anywhere real).
 */
export const LOCAL_STARKNET = {
  vault: "0x1001",
  weth: "0x2001",
  wsteth: "0x2002",
  reth: "0x2003",
  oracle: "0x3001",
  exchange: "0x3002",
  keeper: "0x4001",
  keeperKey: "0x2dccce1da22003777062ee0870e9881b01a8fd6b9fc3ec5ab3e5ce7e17ed1e5",
} as const;

/**
 * A stand-in holding the state of the Cairo plan proof (scripts/starknet/planProofSource.ts):
 * 100 WETH, 60 wstETH and 10 rETH at $3,000 / $3,570 / $3,390, the keeper account registered,
 * all on target in WETH until the owner or the keeper writes other targets.
 */
export function proofStateStarknet(options: {
  readonly time: number;
  /** The vault's owner (default: the keeper, which then writes the oracle's targets itself). */
  readonly owner?: string;
  readonly targetBps?: readonly number[];
  readonly maxPriceAge?: number;
}): StarknetLocal {
  const a = LOCAL_STARKNET;
  const local = new StarknetLocal({
    vault: a.vault,
    weth: a.weth,
    oracle: a.oracle,
    router: a.exchange,
    owner: options.owner ?? a.keeper,
    keeper: a.keeper,
    lsts: [
      { token: a.wsteth, pairId: "WSTETH/USD" },
      { token: a.reth, pairId: "RETH/USD" },
    ],
    targetBps: options.targetBps ?? [10_000, 0, 0],
    risk: {
      weightToleranceBps: 200,
      maxSlippageBps: 100,
      maxNavLossBps: 50,
      rebalanceCooldown: 3600,
      maxPriceAge: options.maxPriceAge ?? 3600,
    },
    prices: {
      "ETH/USD": 300_000_000_000n,
      "WSTETH/USD": 357_000_000_000n,
      "RETH/USD": 339_000_000_000n,
      "STRK/USD": 50_000_000n,
    },
    time: options.time,
  });
  const e18 = 10n ** 18n;
  local.addAccount(a.keeper, a.keeperKey);
  local.mint(a.weth, a.vault, 100n * e18);
  local.mint(a.wsteth, a.vault, 60n * e18);
  local.mint(a.reth, a.vault, 10n * e18);
  return local;
}
