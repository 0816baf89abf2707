/**
 * The vault's admin side as the rotation needs it: the exact calldata of `addAsset` /
 * `setDeviation` / `removeAsset` / `schedule(calldata)`, chain reads that tell whether a step
 * already happened (a scheduled id, a registered asset, a declared deviation, a held balance),
 * and, when the keeper holds
 * the admin key (local chain, tests, a single-key deployment), sending those calls. Without
 * the key (`admin` null: the admin is a multisig) it only reads; the caller writes proposals.
 */
import { type Interface, keccak256, type TransactionReceipt, type Wallet } from "ethers";
import type { IndexVault } from "../../../../../types/ethers-contracts/index.js";
import { ExecutionError } from "../../../core/errors.js";
import type { FailoverRpc } from "../../failoverRpc.js";
import { decodeRevert } from "../../revertReason.js";
import { type BroadcastRecord, type FeePolicy, sendWithReplacement } from "../../txSender.js";
import { connectIndexVault, indexVaultInterface } from "../vaultAbi.js";
import type { AssetToAdd } from "./planRotation.js";

export interface VaultGovernanceOptions {
  readonly rpc: FailoverRpc;
  readonly chainId: number;
  readonly vault: string;
  /** The admin's key, or null when the admin is not the keeper (proposal mode). */
  readonly admin: Wallet | null;
  readonly fees: FeePolicy;
  /** Runs before every broadcast; throwing stops it (a keeper that lost its lease sends nothing). */
  readonly beforeBroadcast?: () => Promise<void>;
}

export class VaultGovernance {
  private readonly iface: Interface;

  constructor(private readonly options: VaultGovernanceOptions) {
    this.iface = indexVaultInterface();
  }

  get vaultAddress(): string {
    return this.options.vault;
  }

  /** True when the keeper sends admin calls itself; false when it writes proposals. */
  get canSend(): boolean {
    return this.options.admin !== null;
  }

  private vault(): IndexVault {
    return connectIndexVault(this.options.vault, this.options.rpc.provider);
  }

  addAssetData(asset: AssetToAdd): string {
    return this.iface.encodeFunctionData("addAsset", [
      asset.address,
      {
        feed: asset.oracle.feed,
        heartbeat: asset.oracle.heartbeat,
        minAnswer: asset.oracle.minAnswer,
        maxAnswer: asset.oracle.maxAnswer,
      },
      asset.maxWeightBps,
      asset.sellPath,
    ]);
  }

  /** Declares `token`'s feed deviation threshold; lowering it from the new asset's 255 is timelocked. */
  setDeviationData(token: string, deviationBps: number): string {
    return this.iface.encodeFunctionData("setDeviation", [token, deviationBps]);
  }

  /** The threshold a `setDeviation` calldata declares. */
  decodeDeviation(callData: string): number {
    const [, deviationBps] = this.iface.decodeFunctionData("setDeviation", callData);
    return Number(deviationBps);
  }

  removeAssetData(token: string): string {
    return this.iface.encodeFunctionData("removeAsset", [token]);
  }

  scheduleData(callData: string): string {
    return this.iface.encodeFunctionData("schedule", [callData]);
  }

  /** When the timelocked call `callData` becomes executable; 0 when it is not scheduled. */
  async scheduledAt(callData: string): Promise<number> {
    const at = await this.options.rpc.read("scheduledAt", () => this.vault().scheduledAt(keccak256(callData)));
    return Number(at);
  }

  async timelockDelay(): Promise<number> {
    return Number(await this.options.rpc.read("timelockDelay", () => this.vault().timelockDelay()));
  }

  async isRegistered(token: string): Promise<boolean> {
    const assets = await this.options.rpc.read("assets", () => this.vault().assets());
    return assets.some((a) => a.toLowerCase() === token.toLowerCase());
  }

  /** The deviation threshold the vault has declared for `token` (0 while it is not registered). */
  async deviationOf(token: string): Promise<number> {
    return Number(await this.options.rpc.read("deviationBps", () => this.vault().deviationBps(token)));
  }

  async held(token: string): Promise<bigint> {
    return this.options.rpc.read("held", () => this.vault().held(token));
  }

  /** A transaction's receipt, or null while unknown/pending; `pending` says whether the node still has it. */
  async lookup(hash: string): Promise<{ receipt: TransactionReceipt | null; pending: boolean }> {
    const receipt = await this.options.rpc.read("receipt", (p) => p.getTransactionReceipt(hash));
    if (receipt) return { receipt, pending: false };
    const tx = await this.options.rpc.read("transaction", (p) => p.getTransaction(hash));
    return { receipt: null, pending: tx !== null };
  }

  /**
   * Simulates `data` from the admin, then sends it and waits. Returns the decoded revert
   * instead of sending when the simulation fails (nothing is spent). `onBroadcast` runs before
   * the wait so the caller can persist the hash.
   */
  async send(
    data: string,
    onBroadcast: (record: BroadcastRecord) => void | Promise<void>,
  ): Promise<{ ok: true; receipt: TransactionReceipt } | { ok: false; reason: string }> {
    const admin = this.options.admin;
    if (!admin) throw new ExecutionError("no admin key: the rotation writes proposals instead of sending");
    const { rpc } = this.options;
    const call = { from: admin.address, to: this.options.vault, data };
    let gas: bigint;
    try {
      await rpc.read("admin call", (p) => p.call(call));
      gas = await rpc.read("admin estimate", (p) => p.estimateGas(call));
    } catch (error) {
      return { ok: false, reason: decodeRevert(error, this.iface) };
    }
    const receipt = await sendWithReplacement(
      rpc,
      admin,
      { to: this.options.vault, data, gasLimit: (gas * 12n) / 10n },
      this.options.fees,
      this.options.chainId,
      onBroadcast,
      this.options.beforeBroadcast,
    );
    if (receipt.status !== 1) return { ok: false, reason: `admin transaction ${receipt.hash} reverted` };
    return { ok: true, receipt };
  }
}
