/**
 * EIP-712 encoding of the vault's `RebalanceOrder` (see contracts/interfaces/IIndexVault.sol).
 * The keeper signs with these exact types; the vault recomputes the digest on chain.
 */
import { getAddress, type Signer, solidityPacked, TypedDataEncoder } from "ethers";
import { InvalidInputError } from "../../core/errors.js";

export interface SwapLeg {
  /** Uniswap V3 path bytes (hex). */
  readonly path: string;
  readonly amountIn: bigint;
  /**
   * Least output the leg may fill at: the keeper's own quote less its tolerance. The vault
   * also applies its Chainlink floor (oracle value less `maxSlippageBps`); 0 leaves only that.
   */
  readonly minAmountOut: bigint;
}

export interface RebalanceOrder {
  readonly assets: readonly string[];
  readonly targetWeightsBps: readonly number[];
  readonly legs: readonly SwapLeg[];
  readonly nonce: bigint;
  readonly deadline: bigint;
  readonly maxSlippageBps: number;
  /** The only account that may submit the order (a leaked order is inert elsewhere). */
  readonly submitter: string;
}

export const REBALANCE_ORDER_TYPES = {
  RebalanceOrder: [
    { name: "assets", type: "address[]" },
    { name: "targetWeightsBps", type: "uint16[]" },
    { name: "legs", type: "SwapLeg[]" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
    { name: "maxSlippageBps", type: "uint16" },
    { name: "submitter", type: "address" },
  ],
  SwapLeg: [
    { name: "path", type: "bytes" },
    { name: "amountIn", type: "uint256" },
    { name: "minAmountOut", type: "uint256" },
  ],
};

export const CANCEL_ORDERS_TYPES = { CancelOrders: [{ name: "nextNonce", type: "uint256" }] };

export function vaultDomain(chainId: bigint, vault: string) {
  return { name: "Ballast IndexVault", version: "1", chainId, verifyingContract: vault };
}

/** The digest the vault's `hashOrder` returns for the same order. */
export function hashRebalanceOrder(chainId: bigint, vault: string, order: RebalanceOrder): string {
  return TypedDataEncoder.hash(vaultDomain(chainId, vault), REBALANCE_ORDER_TYPES, toTypedValue(order));
}

/** Signs an order with the keeper signer's key (EIP-712 `eth_signTypedData_v4`). */
export async function signRebalanceOrder(
  signer: Signer,
  chainId: bigint,
  vault: string,
  order: RebalanceOrder,
): Promise<string> {
  return signer.signTypedData(vaultDomain(chainId, vault), REBALANCE_ORDER_TYPES, toTypedValue(order));
}

/**
 * Signs a cancellation of every order below `nextNonce` (EIP-712 `CancelOrders`); any account
 * may relay it to `cancelOrders`, so the signer key never needs gas.
 */
export async function signCancelOrders(
  signer: Signer,
  chainId: bigint,
  vault: string,
  nextNonce: bigint,
): Promise<string> {
  return signer.signTypedData(vaultDomain(chainId, vault), CANCEL_ORDERS_TYPES, { nextNonce });
}

/** Ethers-friendly struct value (mutable arrays) for signing and for contract calls. */
export function toTypedValue(order: RebalanceOrder) {
  return {
    assets: [...order.assets],
    targetWeightsBps: [...order.targetWeightsBps],
    legs: order.legs.map((leg) => ({ path: leg.path, amountIn: leg.amountIn, minAmountOut: leg.minAmountOut })),
    nonce: order.nonce,
    deadline: order.deadline,
    maxSlippageBps: order.maxSlippageBps,
    submitter: order.submitter,
  };
}

/** Encodes a Uniswap V3 path: token, fee, token, ..., token. */
export function encodePath(tokens: readonly string[], fees: readonly number[]): string {
  if (tokens.length < 2 || fees.length !== tokens.length - 1) {
    throw new InvalidInputError("encodePath: need n tokens and n-1 fees", { tokens: tokens.length, fees: fees.length });
  }
  const types: string[] = [];
  const values: (string | number)[] = [];
  tokens.forEach((token, i) => {
    types.push("address");
    values.push(token);
    const fee = fees[i];
    if (fee !== undefined) {
      types.push("uint24");
      values.push(fee);
    }
  });
  return solidityPacked(types, values);
}

/** Decodes Uniswap V3 path bytes into its tokens (checksummed) and fees (hundredths of a bip). */
export function decodePath(path: string): { tokens: string[]; fees: number[] } {
  const hex = path.startsWith("0x") ? path.slice(2) : path;
  // 20-byte token, then (3-byte fee, 20-byte token) per hop.
  if (hex.length < 86 || (hex.length - 40) % 46 !== 0) throw new InvalidInputError(`not a Uniswap V3 path: ${path}`);
  const tokens = [getAddress(`0x${hex.slice(0, 40)}`)];
  const fees: number[] = [];
  for (let at = 40; at < hex.length; at += 46) {
    fees.push(Number.parseInt(hex.slice(at, at + 6), 16));
    tokens.push(getAddress(`0x${hex.slice(at + 6, at + 46)}`));
  }
  return { tokens, fees };
}
