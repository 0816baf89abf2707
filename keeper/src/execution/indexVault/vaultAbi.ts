/**
 * The IndexVault's complete ABI. The vault's linked libraries (prices, basket edits, trades,
 * the in-kind exit) run by DELEGATECALL, so their errors and events come from the vault's
 * address, but the compiler lists only what the vault's own code raises and emits. This adds
 * the shared `ErrorsLib` and `EventsLib` declarations, so every revert decodes and every log parses.
 */
import { Contract, type ContractRunner, Interface, type InterfaceAbi } from "ethers";
import {
  ErrorsLib__factory,
  EventsLib__factory,
  type IndexVault,
  IndexVault__factory,
} from "../../../../types/ethers-contracts/index.js";

function merged(): InterfaceAbi {
  const seen = new Set<string>();
  const out: (typeof IndexVault__factory.abi)[number][] = [];
  for (const fragment of [...IndexVault__factory.abi, ...ErrorsLib__factory.abi, ...EventsLib__factory.abi]) {
    const key = `${fragment.type}:${"name" in fragment ? fragment.name : ""}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(fragment as (typeof IndexVault__factory.abi)[number]);
  }
  return out;
}

/** Vault functions plus every error and event the vault or its libraries can produce. */
export const INDEX_VAULT_ABI: InterfaceAbi = merged();

export function indexVaultInterface(): Interface {
  return new Interface(INDEX_VAULT_ABI);
}

/** A typed vault handle whose interface also knows the libraries' errors and events. */
export function connectIndexVault(address: string, runner: ContractRunner | null): IndexVault {
  return new Contract(address, INDEX_VAULT_ABI, runner) as unknown as IndexVault;
}
