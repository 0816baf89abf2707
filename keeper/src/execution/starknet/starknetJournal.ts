/**
 * What the Starknet venue persists before a transaction leaves, and a small file-backed journal
 * for it. The record holds the signed INVOKE_TXN_V3 exactly as it goes on the wire and its hash:
 * after a crash, `resume` asks the node for that hash and, only if the node has never seen it
 * and the account's nonce has not moved, sends the very same bytes again (same nonce, same
 * hash: the same transaction, never a second one). The service store is being rewritten
 * separately; until the Venue seam lands, this journal is what a caller can use.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { z } from "zod";
import { DataError } from "../../core/errors.js";
import type { OrderResult, VenueJournal } from "../../core/venue.js";

const hex = z.string().regex(/^0x[0-9a-fA-F]+$/);
const bound = z.strictObject({ max_amount: hex, max_price_per_unit: hex });

/** INVOKE_TXN_V3 in the JSON-RPC wire format (all felts 0x-hex). */
const invokeTxnSchema = z.strictObject({
  type: z.literal("INVOKE"),
  sender_address: hex,
  calldata: z.array(hex),
  version: z.literal("0x3"),
  signature: z.array(hex),
  nonce: hex,
  resource_bounds: z.strictObject({ l1_gas: bound, l2_gas: bound, l1_data_gas: bound }),
  tip: hex,
  paymaster_data: z.array(hex),
  account_deployment_data: z.array(hex),
  nonce_data_availability_mode: z.literal("L1"),
  fee_data_availability_mode: z.literal("L1"),
});

export type InvokeTxnV3 = z.infer<typeof invokeTxnSchema>;

const orderSchema = z.strictObject({
  clientId: z.string(),
  symbol: z.string(),
  side: z.enum(["buy", "sell"]),
  size: z.string(),
  limitPrice: z.string(),
  reduceOnly: z.boolean(),
});

export const starknetPendingSchema = z.strictObject({
  venue: z.literal("starknet"),
  planId: z.string().min(1),
  /** Unix seconds the transaction was signed. */
  signedAt: z.number().int(),
  chainId: hex,
  accountAddress: hex,
  vaultAddress: hex,
  nonce: hex,
  transactionHash: hex,
  transaction: invokeTxnSchema,
  orders: z.array(orderSchema),
  targetWeights: z.record(z.string(), z.number()),
});

export type StarknetPending = z.infer<typeof starknetPendingSchema>;

const entrySchema = z.strictObject({
  pending: starknetPendingSchema,
  /** Set once the transaction's outcome is known (accepted or reverted) or it can never land. */
  settled: z
    .strictObject({ status: z.string(), results: z.array(z.unknown()) })
    .nullable()
    .default(null),
});

/**
 * A JSON file holding the last pending rebalance. Each write goes to a temporary file that is
 * fsynced and renamed over the old one, so a crash leaves either the old or the new record.
 */
export class FileStarknetJournal implements VenueJournal<StarknetPending> {
  constructor(private readonly path: string) {}

  pending(record: StarknetPending): void {
    this.write({ pending: starknetPendingSchema.parse(record), settled: null });
  }

  results(results: readonly OrderResult[]): void {
    const entry = this.read();
    if (entry === null) return;
    const status = results.every((r) => r.status === "filled") ? "filled" : (results[0]?.status ?? "nothing-to-trade");
    this.write({ ...entry, settled: { status, results: [...results] } });
  }

  /** The recorded transaction whose outcome is not known yet: what `resume` must finish. */
  unsettled(): StarknetPending | null {
    const entry = this.read();
    return entry === null || entry.settled !== null ? null : entry.pending;
  }

  private read(): z.infer<typeof entrySchema> | null {
    if (!existsSync(this.path)) return null;
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(this.path, "utf8"));
    } catch (cause) {
      throw new DataError(`Starknet journal ${this.path} is not valid JSON: fix or move it before resuming`, {
        cause,
      });
    }
    const parsed = entrySchema.safeParse(json);
    if (!parsed.success) {
      throw new DataError(`Starknet journal ${this.path} does not match its schema`, {
        details: { issues: parsed.error.issues },
      });
    }
    return parsed.data;
  }

  private write(entry: z.infer<typeof entrySchema>): void {
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, "w", 0o600);
    try {
      writeSync(fd, `${JSON.stringify(entry, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
  }
}
