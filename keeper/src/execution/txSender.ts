/**
 * Sends a transaction from the submitter account with an explicit nonce and EIP-1559 fees,
 * waits for it, and replaces it with the same nonce and higher fees when it sits unmined too
 * long. Fees never exceed the configured cap: above it the keeper does not send at all.
 */
import { Transaction, type TransactionReceipt, type Wallet } from "ethers";
import { ExecutionError } from "../core/errors.js";
import type { FailoverRpc } from "./failoverRpc.js";
import { revertData } from "./revertReason.js";

export interface FeePolicy {
  /** Hard cap on maxFeePerGas (wei). */
  readonly maxFeePerGasCap: bigint;
  readonly priorityFee: bigint;
  /** Replacement bump in percent (nodes require >= 10). */
  readonly bumpPercent: number;
  /** A transaction unmined this long is replaced. */
  readonly stuckAfterMs: number;
  readonly pollMs: number;
  readonly maxReplacements: number;
  /** Give up waiting (the cycle stays `submitted` and is resumed later). */
  readonly waitTimeoutMs: number;
}

export interface Fees {
  readonly maxFeePerGas: bigint;
  readonly maxPriorityFeePerGas: bigint;
}

export interface TxRequest {
  readonly to: string;
  readonly data: string;
  readonly gasLimit: bigint;
}

export interface BroadcastRecord {
  readonly hash: string;
  readonly nonce: number;
  readonly maxFeePerGas: bigint;
  readonly replaces: string | null;
}

/** Fees for the next block; throws when even the minimum exceeds the cap. */
export async function currentFees(rpc: FailoverRpc, policy: FeePolicy): Promise<Fees> {
  const block = await rpc.read("latest block", (p) => p.getBlock("latest"));
  const baseFee = block?.baseFeePerGas ?? 0n;
  if (baseFee + policy.priorityFee > policy.maxFeePerGasCap) {
    throw new ExecutionError(`gas price above cap: base fee ${baseFee} wei > cap ${policy.maxFeePerGasCap} wei`, {
      details: { baseFee: baseFee.toString() },
    });
  }
  const wanted = baseFee * 2n + policy.priorityFee;
  return {
    maxFeePerGas: wanted > policy.maxFeePerGasCap ? policy.maxFeePerGasCap : wanted,
    maxPriorityFeePerGas: policy.priorityFee,
  };
}

function bump(fees: Fees, policy: FeePolicy): Fees | null {
  const pct = BigInt(100 + policy.bumpPercent);
  const maxFee = (fees.maxFeePerGas * pct) / 100n;
  const tip = (fees.maxPriorityFeePerGas * pct) / 100n;
  if (fees.maxFeePerGas >= policy.maxFeePerGasCap) return null;
  const cappedMax = maxFee > policy.maxFeePerGasCap ? policy.maxFeePerGasCap : maxFee;
  return { maxFeePerGas: cappedMax, maxPriorityFeePerGas: tip > cappedMax ? cappedMax : tip };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A broadcast transaction's hash, and its receipt when the node had mined it already. */
interface Broadcast {
  readonly hash: string;
  readonly receipt: TransactionReceipt | null;
}

/**
 * Signs and broadcasts; the first receipt poll rides in the broadcast's batch, after it, so a
 * node that mines on receipt (or quickly) answers both in one round trip. A null or failed
 * poll only means the usual polling follows.
 */
async function signAndBroadcast(
  rpc: FailoverRpc,
  wallet: Wallet,
  request: TxRequest,
  nonce: number,
  fees: Fees,
  chainId: number,
): Promise<Broadcast> {
  const signed = await wallet.signTransaction({
    type: 2,
    chainId,
    nonce,
    to: request.to,
    data: request.data,
    gasLimit: request.gasLimit,
    maxFeePerGas: fees.maxFeePerGas,
    maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
  });
  const hash = Transaction.from(signed).hash as string;
  const [broadcast, polled] = await Promise.allSettled([
    broadcastSigned(rpc, signed, hash),
    rpc.provider.getTransactionReceipt(hash),
  ]);
  if (broadcast.status === "rejected") throw broadcast.reason;
  return { hash, receipt: polled.status === "fulfilled" ? polled.value : null };
}

async function broadcastSigned(rpc: FailoverRpc, signed: string, hash: string): Promise<void> {
  try {
    await rpc.read("broadcast", (p) => p.broadcastTransaction(signed));
  } catch (error) {
    // Nodes that mine on receipt (Hardhat's automine) answer a reverting transaction with its
    // revert data although it was mined: the receipt, not this answer, decides the outcome.
    if (revertData(error) !== null) return;
    // A broadcast retried after a lost answer meets its own first copy ("nonce too low",
    // "already known"): when the node knows this exact hash, the broadcast did succeed.
    const known = await rpc.read("transaction by hash", (p) => p.getTransaction(hash));
    if (known === null) throw error;
  }
}

/** Waits for any of `hashes` to be mined; null after `timeoutMs`. */
export async function waitForAny(
  rpc: FailoverRpc,
  hashes: readonly string[],
  timeoutMs: number,
  pollMs: number,
): Promise<TransactionReceipt | null> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    for (const hash of hashes) {
      const receipt = await rpc.read("receipt", (p) => p.getTransactionReceipt(hash));
      if (receipt) return receipt;
    }
    if (Date.now() >= until) return null;
    await sleep(pollMs);
  }
}

/**
 * Sends `request` and waits for it, replacing it while stuck. `onBroadcast` runs after every
 * broadcast (first and replacements) so the caller can persist the hash before waiting.
 */
export async function sendWithReplacement(
  rpc: FailoverRpc,
  wallet: Wallet,
  request: TxRequest,
  policy: FeePolicy,
  chainId: number,
  onBroadcast: (record: BroadcastRecord) => void | Promise<void>,
  /** Runs before every broadcast (first send and replacements); throwing stops the send. */
  beforeBroadcast?: () => Promise<void>,
): Promise<TransactionReceipt> {
  const nonce = await rpc.read("submitter nonce", (p) => p.getTransactionCount(wallet.address, "pending"));
  let fees = await currentFees(rpc, policy);
  const hashes: string[] = [];
  let replacements = 0;
  const started = Date.now();
  for (;;) {
    await beforeBroadcast?.();
    const { hash, receipt: mined } = await signAndBroadcast(rpc, wallet, request, nonce, fees, chainId);
    // Awaited: the journal has the hash before the keeper waits on it.
    await onBroadcast({ hash, nonce, maxFeePerGas: fees.maxFeePerGas, replaces: hashes.at(-1) ?? null });
    hashes.push(hash);
    if (mined) return mined;
    const remaining = policy.waitTimeoutMs - (Date.now() - started);
    const canReplace = replacements < policy.maxReplacements;
    const receipt = await waitForAny(
      rpc,
      hashes,
      canReplace ? Math.min(policy.stuckAfterMs, remaining) : remaining,
      policy.pollMs,
    );
    if (receipt) return receipt;
    const next = canReplace ? bump(fees, policy) : null;
    if (!next || Date.now() - started >= policy.waitTimeoutMs) {
      const last = await waitForAny(
        rpc,
        hashes,
        Math.max(0, policy.waitTimeoutMs - (Date.now() - started)),
        policy.pollMs,
      );
      if (last) return last;
      throw new ExecutionError("transaction not mined before the wait timeout", { details: { hashes, nonce } });
    }
    fees = next;
    replacements++;
  }
}
