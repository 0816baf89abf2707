/**
 * An independent, deliberately naive Cairo calldata encoder driven only by the ABI JSON. The
 * adapter's tests compare starknet.js's calldata against it: both must agree on the layout the
 * ABI describes (u256 as [low, high], arrays length-prefixed, struct members in ABI order).
 */

interface AbiMember {
  readonly name: string;
  readonly type: string;
}

interface AbiEntryJson {
  readonly type: string;
  readonly name?: string;
  readonly members?: readonly AbiMember[];
  readonly inputs?: readonly AbiMember[];
  readonly items?: readonly AbiEntryJson[];
}

export type AbiValue = bigint | number | boolean | string | readonly AbiValue[] | { readonly [k: string]: AbiValue };

const SCALARS = new Set([
  "core::felt252",
  "core::bool",
  "core::integer::u8",
  "core::integer::u16",
  "core::integer::u32",
  "core::integer::u64",
  "core::integer::u128",
  "core::starknet::contract_address::ContractAddress",
]);

function asBigInt(value: AbiValue, type: string): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number") return BigInt(value);
  if (typeof value === "boolean") return value ? 1n : 0n;
  if (typeof value === "string") return BigInt(value);
  throw new Error(`${type}: expected a scalar, got ${JSON.stringify(value)}`);
}

export class AbiEncoder {
  private readonly structs = new Map<string, readonly AbiMember[]>();
  private readonly functions = new Map<string, readonly AbiMember[]>();

  constructor(abi: readonly AbiEntryJson[]) {
    const visit = (entry: AbiEntryJson): void => {
      if (entry.type === "struct" && entry.name && entry.members) this.structs.set(entry.name, entry.members);
      if ((entry.type === "function" || entry.type === "constructor") && entry.name && entry.inputs) {
        this.functions.set(entry.name, entry.inputs);
      }
      for (const item of entry.items ?? []) visit(item);
    };
    for (const entry of abi) visit(entry);
  }

  inputs(fn: string): readonly AbiMember[] {
    const inputs = this.functions.get(fn);
    if (!inputs) throw new Error(`no function ${fn} in the ABI`);
    return inputs;
  }

  /** Calldata of `fn` with arguments given by ABI parameter name, as decimal strings. */
  encodeCall(fn: string, args: Record<string, AbiValue>): string[] {
    return this.inputs(fn).flatMap((input) => {
      const value = args[input.name];
      if (value === undefined) throw new Error(`missing argument ${input.name}`);
      return this.encode(input.type, value);
    });
  }

  encode(type: string, value: AbiValue): string[] {
    if (SCALARS.has(type)) return [asBigInt(value, type).toString()];
    if (type === "core::byte_array::ByteArray") {
      if (typeof value !== "string") throw new Error(`${type}: expected a string`);
      // Full 31-byte words, then the pending word and its length.
      const bytes = Buffer.from(value, "ascii");
      const words: string[] = [];
      let i = 0;
      for (; i + 31 <= bytes.length; i += 31)
        words.push(BigInt(`0x${bytes.subarray(i, i + 31).toString("hex")}`).toString());
      const pending = bytes.subarray(i);
      const pendingWord = pending.length === 0 ? 0n : BigInt(`0x${pending.toString("hex")}`);
      return [String(words.length), ...words, pendingWord.toString(), String(pending.length)];
    }
    if (type === "core::integer::u256") {
      const n = asBigInt(value, type);
      return [(n & ((1n << 128n) - 1n)).toString(), (n >> 128n).toString()];
    }
    const array = /^core::array::(?:Array|Span)::<(.+)>$/.exec(type);
    if (array) {
      if (!Array.isArray(value)) throw new Error(`${type}: expected an array`);
      const inner = array[1] ?? "";
      return [String(value.length), ...value.flatMap((v: AbiValue) => this.encode(inner, v))];
    }
    const members = this.structs.get(type);
    if (members) {
      if (typeof value !== "object" || value === null || Array.isArray(value))
        throw new Error(`${type}: expected an object`);
      const record = value as { readonly [k: string]: AbiValue };
      return members.flatMap((m) => {
        const field = record[m.name];
        if (field === undefined) throw new Error(`${type}.${m.name} missing`);
        return this.encode(m.type, field);
      });
    }
    throw new Error(`reference encoder does not know ${type}`);
  }
}
