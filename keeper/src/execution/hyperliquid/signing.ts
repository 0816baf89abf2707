/**
 * HyperLiquid's signature for exchange ("L1") actions. The action is hashed, not signed as
 * typed data itself: msgpack(action) ++ nonce (8 bytes, big-endian) ++ 0x00, or 0x01 ++ the
 * 20-byte vault address when trading for a vault, is hashed with keccak-256 into a
 * "connection id". The signer then signs an EIP-712 `Agent { string source; bytes32
 * connectionId }` in the domain `Exchange` version 1, chain id 1337, verifying contract zero,
 * with source "a" on mainnet and "b" on testnet, so a signature made for one network is
 * worthless on the other. The signer may be the account itself or an approved agent wallet;
 * the exchange recovers the address from the signature and maps an agent to its account.
 */
import { getBytes, keccak256, type SigningKey, TypedDataEncoder, verifyTypedData } from "ethers";
import { encodeMsgpack, type MsgpackValue } from "./msgpack.js";

export type HyperliquidNetwork = "mainnet" | "testnet";

export interface L1Signature {
  readonly r: string;
  readonly s: string;
  readonly v: number;
}

const DOMAIN = {
  name: "Exchange",
  version: "1",
  chainId: 1337,
  verifyingContract: "0x0000000000000000000000000000000000000000",
} as const;

const AGENT_TYPES = {
  Agent: [
    { name: "source", type: "string" },
    { name: "connectionId", type: "bytes32" },
  ],
};

/** keccak256(msgpack(action) ++ nonce ++ vault marker [++ vault address]). */
export function actionHash(action: MsgpackValue, nonce: number | bigint, vaultAddress: string | null): string {
  const packed = encodeMsgpack(action);
  const vault = vaultAddress === null ? null : getBytes(vaultAddress);
  const bytes = new Uint8Array(packed.length + 8 + 1 + (vault?.length ?? 0));
  bytes.set(packed, 0);
  new DataView(bytes.buffer).setBigUint64(packed.length, BigInt(nonce), false);
  bytes[packed.length + 8] = vault === null ? 0 : 1;
  if (vault) bytes.set(vault, packed.length + 9);
  return keccak256(bytes);
}

function phantomAgent(connectionId: string, network: HyperliquidNetwork) {
  return { source: network === "mainnet" ? "a" : "b", connectionId };
}

/** The EIP-712 digest the signer signs for `action`. */
export function l1Digest(
  action: MsgpackValue,
  nonce: number | bigint,
  vaultAddress: string | null,
  network: HyperliquidNetwork,
): string {
  return TypedDataEncoder.hash(DOMAIN, AGENT_TYPES, phantomAgent(actionHash(action, nonce, vaultAddress), network));
}

export function signL1Action(
  key: SigningKey,
  action: MsgpackValue,
  nonce: number | bigint,
  vaultAddress: string | null,
  network: HyperliquidNetwork,
): L1Signature {
  const sig = key.sign(l1Digest(action, nonce, vaultAddress, network));
  return { r: sig.r, s: sig.s, v: sig.v };
}

/** The address that signed `action` (the account or its agent). */
export function recoverL1Signer(
  action: MsgpackValue,
  nonce: number | bigint,
  vaultAddress: string | null,
  network: HyperliquidNetwork,
  signature: L1Signature,
): string {
  return verifyTypedData(
    DOMAIN,
    AGENT_TYPES,
    phantomAgent(actionHash(action, nonce, vaultAddress), network),
    signature,
  );
}
