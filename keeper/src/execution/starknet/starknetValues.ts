/**
 * Range checks for values going into Starknet calldata. starknet.js silently wraps or throws
 * untyped errors on out-of-range input; the keeper wants an InvalidInputError naming the field
 * before anything is signed.
 */
import { shortString } from "starknet";
import { InvalidInputError } from "../../core/errors.js";

/** Contract addresses are felts below 2^251. */
const ADDRESS_BOUND = 2n ** 251n;
const U256_BOUND = 2n ** 256n;
const U128_BOUND = 2n ** 128n;
const FELT_PRIME = 2n ** 251n + 17n * 2n ** 192n + 1n;

/** Validates a contract address and returns it as lowercase 0x-hex without padding. */
export function starknetAddress(value: string, field: string): string {
  if (!/^0x[0-9a-fA-F]{1,64}$/.test(value)) throw new InvalidInputError(`${field}: not a 0x-hex address`, { value });
  const n = BigInt(value);
  if (n >= ADDRESS_BOUND) throw new InvalidInputError(`${field}: address out of range`, { value });
  return `0x${n.toString(16)}`;
}

export function u256(value: bigint, field: string): bigint {
  if (value < 0n || value >= U256_BOUND) throw new InvalidInputError(`${field}: not a u256`, { value });
  return value;
}

export function u128(value: bigint, field: string): bigint {
  if (value < 0n || value >= U128_BOUND) throw new InvalidInputError(`${field}: not a u128`, { value });
  return value;
}

export function felt(value: bigint, field: string): bigint {
  if (value < 0n || value >= FELT_PRIME) throw new InvalidInputError(`${field}: not a felt252`, { value });
  return value;
}

/** Basis points in [0, 10_000] (the vault stores them as u16). */
export function bps(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 10_000) {
    throw new InvalidInputError(`${field}: basis points must be an integer in [0, 10000]`, { value });
  }
  return value;
}

/** Whole seconds for a u64 duration (a JS number: durations stay far below 2^53). */
export function seconds(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new InvalidInputError(`${field}: whole seconds expected`, { value });
  return value;
}

/** Encodes a pair id such as "WSTETH/USD" as the felt the oracle expects. */
export function pairIdFelt(pairId: string): string {
  if (!shortString.isShortString(pairId) || !shortString.isASCII(pairId) || pairId.length === 0) {
    throw new InvalidInputError(`pair id must be 1-31 ASCII characters: ${pairId}`);
  }
  return shortString.encodeShortString(pairId);
}
