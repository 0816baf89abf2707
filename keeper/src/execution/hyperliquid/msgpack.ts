/**
 * A MessagePack encoder limited to what HyperLiquid actions contain: maps with string keys (in
 * insertion order, which is part of the signed bytes), arrays, strings, booleans, null and
 * integers. Each value takes the shortest encoding the MessagePack spec allows, as the
 * reference encoder does; prices and sizes travel as decimal strings, so a float is refused
 * rather than encoded in a form the exchange might hash differently.
 */
import { InvalidInputError } from "../../core/errors.js";

export type MsgpackValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | readonly MsgpackValue[]
  | { readonly [key: string]: MsgpackValue | undefined };

const UTF8 = new TextEncoder();
const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);

export function encodeMsgpack(value: MsgpackValue): Uint8Array {
  const out: number[] = [];
  write(value, out);
  return Uint8Array.from(out);
}

function write(value: MsgpackValue | undefined, out: number[]): void {
  if (value === null || value === undefined) out.push(0xc0);
  else if (value === true) out.push(0xc3);
  else if (value === false) out.push(0xc2);
  else if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) {
      throw new InvalidInputError(`msgpack: ${value} is not a safe integer (send decimals as strings)`);
    }
    writeInt(BigInt(value), out);
  } else if (typeof value === "bigint") writeInt(value, out);
  else if (typeof value === "string") writeString(value, out);
  else if (Array.isArray(value)) {
    header(value.length, 0x90, 0xdc, 0xdd, out);
    for (const item of value) write(item, out);
  } else {
    // `undefined` members are left out, as JSON.stringify does with the same object.
    const entries = Object.entries(value as Record<string, MsgpackValue | undefined>).filter(
      ([, v]) => v !== undefined,
    );
    header(entries.length, 0x80, 0xde, 0xdf, out);
    for (const [k, v] of entries) {
      writeString(k, out);
      write(v, out);
    }
  }
}

/** fix / 16-bit / 32-bit length header (fix holds up to 15 entries). */
function header(n: number, fix: number, h16: number, h32: number, out: number[]): void {
  if (n < 16) out.push(fix | n);
  else if (n <= 0xffff) out.push(h16, ...be(BigInt(n), 2));
  else out.push(h32, ...be(BigInt(n), 4));
}

function writeString(s: string, out: number[]): void {
  const bytes = UTF8.encode(s);
  const n = bytes.length;
  if (n < 32) out.push(0xa0 | n);
  else if (n <= 0xff) out.push(0xd9, n);
  else if (n <= 0xffff) out.push(0xda, ...be(BigInt(n), 2));
  else out.push(0xdb, ...be(BigInt(n), 4));
  for (const b of bytes) out.push(b);
}

function writeInt(v: bigint, out: number[]): void {
  if (v >= 0n) {
    if (v > U64_MAX) throw new InvalidInputError(`msgpack: ${v} does not fit in 64 bits`);
    if (v < 128n) out.push(Number(v));
    else if (v <= 0xffn) out.push(0xcc, Number(v));
    else if (v <= 0xffffn) out.push(0xcd, ...be(v, 2));
    else if (v <= 0xffffffffn) out.push(0xce, ...be(v, 4));
    else out.push(0xcf, ...be(v, 8));
    return;
  }
  if (v < I64_MIN) throw new InvalidInputError(`msgpack: ${v} does not fit in 64 bits`);
  if (v >= -32n) out.push(Number(v) & 0xff);
  else if (v >= -128n) out.push(0xd0, ...be(BigInt.asUintN(8, v), 1));
  else if (v >= -32_768n) out.push(0xd1, ...be(BigInt.asUintN(16, v), 2));
  else if (v >= -2_147_483_648n) out.push(0xd2, ...be(BigInt.asUintN(32, v), 4));
  else out.push(0xd3, ...be(BigInt.asUintN(64, v), 8));
}

/** Big-endian bytes of a non-negative `v` in `width` bytes. */
function be(v: bigint, width: number): number[] {
  const bytes: number[] = [];
  for (let i = width - 1; i >= 0; i--) bytes.push(Number((v >> BigInt(8 * i)) & 0xffn));
  return bytes;
}
