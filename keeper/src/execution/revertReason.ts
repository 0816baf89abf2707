/**
 * Turns a failed call or transaction into a readable reason: the vault's custom error with its
 * arguments (e.g. `NavLossTooHigh(1000000, 900000)`), Uniswap's `Error(string)` reasons such as
 * "Too little received", or a panic code. The operator sees this on the cycle record.
 */
import { AbiCoder, type Interface } from "ethers";

const ERROR_STRING = "0x08c379a0";
const PANIC = "0x4e487b71";

/** The first hex revert payload found in the error or its nested causes. */
export function revertData(error: unknown, depth = 0): string | null {
  if (depth > 6 || typeof error !== "object" || error === null) return null;
  const e = error as { data?: unknown; info?: unknown; error?: unknown; cause?: unknown };
  if (typeof e.data === "string" && /^0x[0-9a-fA-F]{8,}$/.test(e.data)) return e.data;
  if (typeof e.data === "object" && e.data !== null) {
    const nested = revertData(e.data, depth + 1);
    if (nested) return nested;
  }
  for (const inner of [e.info, e.error, e.cause]) {
    const nested = revertData(inner, depth + 1);
    if (nested) return nested;
  }
  return null;
}

export function decodeRevertData(data: string, iface: Interface): string {
  const selector = data.slice(0, 10).toLowerCase();
  const coder = AbiCoder.defaultAbiCoder();
  if (selector === ERROR_STRING) return String(coder.decode(["string"], `0x${data.slice(10)}`)[0]);
  if (selector === PANIC) return `Panic(0x${BigInt(coder.decode(["uint256"], `0x${data.slice(10)}`)[0]).toString(16)})`;
  const parsed = iface.parseError(data);
  if (!parsed) return `unknown revert ${selector}`;
  return `${parsed.name}(${parsed.args.map((a: unknown) => String(a)).join(", ")})`;
}

/** A one-line reason for any error thrown by a call, an estimate or a transaction. */
export function decodeRevert(error: unknown, iface: Interface): string {
  const data = revertData(error);
  if (data) return decodeRevertData(data, iface);
  if (typeof error === "object" && error !== null) {
    const e = error as { reason?: unknown; shortMessage?: unknown; message?: unknown };
    if (typeof e.reason === "string" && e.reason) return e.reason;
    if (typeof e.shortMessage === "string") return e.shortMessage;
    if (typeof e.message === "string") return e.message;
  }
  return String(error);
}
