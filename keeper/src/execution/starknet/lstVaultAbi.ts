/**
 * The Starknet LST vault's ABI, read from the committed copy (`starknet/abi/lst_vault.abi.json`,
 * written by `npm run cairo:build`) or from a Sierra contract class. It is validated up front so
 * that a stale or foreign ABI fails at start-up with a ConfigError, not as a malformed
 * transaction later.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Abi } from "starknet";
import { z } from "zod";
import { ConfigError } from "../../core/errors.js";

export const DEFAULT_LST_VAULT_ABI_PATH = fileURLToPath(
  new URL("../../../../starknet/abi/lst_vault.abi.json", import.meta.url),
);

const abiParam = z.object({ name: z.string(), type: z.string() });
const abiFunction = z.object({
  type: z.literal("function"),
  name: z.string(),
  inputs: z.array(abiParam),
  outputs: z.array(z.object({ type: z.string() })),
  state_mutability: z.enum(["view", "external"]),
});
const abiEntry = z.looseObject({
  type: z.string(),
  name: z.string().optional(),
  items: z.array(z.unknown()).optional(),
});

export type AbiFunction = z.infer<typeof abiFunction>;

export interface LstVaultAbi {
  readonly abi: Abi;
  readonly functions: ReadonlyMap<string, AbiFunction>;
}

/** Entry points the keeper relies on, with the mutability it expects. */
export const REQUIRED_ENTRYPOINTS: Readonly<Record<string, AbiFunction["state_mutability"]>> = {
  approve: "external",
  deposit: "external",
  mint: "external",
  withdraw: "external",
  redeem: "external",
  transfer_tokens_to_fund: "external",
  transfer_tokens_from_fund: "external",
  rebalance: "external",
  total_assets: "view",
  preview_deposit: "view",
  preview_redeem: "view",
  convert_to_assets: "view",
  max_withdraw: "view",
  basket: "view",
  slot_values: "view",
  quote_swap: "view",
  config: "view",
  pending_fee_shares: "view",
};

/**
 * Accepts the ABI array itself or a Sierra contract class (`{ abi: [...] }`, where `abi` may
 * also be a JSON string as in some compilers' output).
 */
export function parseLstVaultAbi(json: unknown): LstVaultAbi {
  let raw: unknown = json;
  if (typeof raw === "object" && raw !== null && !Array.isArray(raw) && "abi" in raw) {
    if (typeof raw.abi !== "string") raw = raw.abi;
    else {
      try {
        raw = JSON.parse(raw.abi);
      } catch (cause) {
        throw new ConfigError("LST vault ABI string is not JSON", { cause: String(cause) });
      }
    }
  }
  const entries = z.array(abiEntry).safeParse(raw);
  if (!entries.success) throw new ConfigError("LST vault ABI is not an ABI array", { issues: entries.error.issues });
  const functions = new Map<string, AbiFunction>();
  const collect = (item: unknown): void => {
    const fn = abiFunction.safeParse(item);
    if (fn.success) functions.set(fn.data.name, fn.data);
  };
  for (const entry of entries.data) {
    if (entry.type === "function") collect(entry);
    if (entry.type === "interface") for (const item of entry.items ?? []) collect(item);
  }
  for (const [name, mutability] of Object.entries(REQUIRED_ENTRYPOINTS)) {
    const fn = functions.get(name);
    if (!fn) throw new ConfigError(`LST vault ABI lacks entry point ${name}`);
    if (fn.state_mutability !== mutability) {
      throw new ConfigError(`LST vault ABI: ${name} is ${fn.state_mutability}, expected ${mutability}`);
    }
  }
  return { abi: entries.data as Abi, functions };
}

export function loadLstVaultAbi(path: string = DEFAULT_LST_VAULT_ABI_PATH): LstVaultAbi {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new ConfigError(`cannot read the LST vault ABI at ${path} (npm run cairo:build writes it)`, {
      cause: String(cause),
    });
  }
  return parseLstVaultAbi(json);
}
