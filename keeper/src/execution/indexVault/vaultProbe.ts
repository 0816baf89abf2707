/**
 * Start-up check that the configured vault address is an IndexVault this keeper can drive,
 * by calling a few of IIndexVault's view functions (reads only). Without it, a token or any
 * other contract given as the vault fails later with a raw "execution reverted". Refused, with
 * a message saying what the address is instead:
 *   - no code at the address;
 *   - a contract that does not answer `REBALANCE_ORDER_TYPEHASH()`, `asset()` and `assets()`
 *     (an ERC-20 is named as such, with its symbol);
 *   - an IndexVault whose order type hash differs from the one this keeper signs (another
 *     version), or whose base asset is not the config's first token.
 */
import { getAddress, Interface, id, type JsonRpcProvider, type Result, TypedDataEncoder } from "ethers";
import { ConfigError, ProviderError } from "../../core/errors.js";
import type { FailoverRpc } from "../failoverRpc.js";
import { REBALANCE_ORDER_TYPES } from "./rebalanceOrder.js";

const VAULT_VIEWS = new Interface([
  "function REBALANCE_ORDER_TYPEHASH() view returns (bytes32)",
  "function asset() view returns (address)",
  "function assets() view returns (address[])",
]);
const TOKEN_VIEWS = new Interface(["function symbol() view returns (string)"]);

/** The type hash the vault must have for this keeper's signatures to verify. */
export const KEEPER_ORDER_TYPEHASH = id(TypedDataEncoder.from(REBALANCE_ORDER_TYPES).encodeType("RebalanceOrder"));

export interface VaultProbeResult {
  readonly baseAsset: string;
  readonly assets: readonly string[];
}

export async function probeIndexVault(rpc: FailoverRpc, vault: string, baseAsset: string): Promise<VaultProbeResult> {
  const code = await rpc.read("vault code", (p) => p.getCode(vault));
  if (code === "0x") throw new ConfigError(`no contract at vault address ${vault}`);
  const [typeHash, asset, assets] = await Promise.all([
    view(rpc, vault, VAULT_VIEWS, "REBALANCE_ORDER_TYPEHASH"),
    view(rpc, vault, VAULT_VIEWS, "asset"),
    view(rpc, vault, VAULT_VIEWS, "assets"),
  ]);
  if (typeHash === null || asset === null || assets === null) {
    const symbol = await view(rpc, vault, TOKEN_VIEWS, "symbol");
    const what = symbol === null ? "a contract that is not an IndexVault" : `the ERC-20 token "${String(symbol[0])}"`;
    throw new ConfigError(
      `vault ${vault} is ${what}: it does not answer IndexVault's REBALANCE_ORDER_TYPEHASH(), asset() and assets(); ` +
        "check the vault address in the config (BALLAST_VAULT)",
    );
  }
  if (String(typeHash[0]) !== KEEPER_ORDER_TYPEHASH) {
    throw new ConfigError(
      `vault ${vault} signs orders of another type (type hash ${String(typeHash[0])}, this keeper's is ` +
        `${KEEPER_ORDER_TYPEHASH}): the vault and the keeper are different versions`,
    );
  }
  const onChainBase = getAddress(String(asset[0]));
  if (onChainBase !== getAddress(baseAsset)) {
    throw new ConfigError(
      `vault ${vault}'s base asset is ${onChainBase}, but the config's first token is ${getAddress(baseAsset)}`,
    );
  }
  return { baseAsset: onChainBase, assets: (assets[0] as string[]).map((a) => getAddress(a)) };
}

/** The decoded answer of a view call, or null when the contract reverts or answers nothing decodable. */
async function view(rpc: FailoverRpc, to: string, iface: Interface, fn: string): Promise<Result | null> {
  let data: string;
  try {
    data = await rpc.read(fn, (p: JsonRpcProvider) => p.call({ to, data: iface.encodeFunctionData(fn) }));
  } catch (error) {
    // A node that cannot be reached is a different problem, reported as such.
    if (error instanceof ProviderError) throw error;
    return null;
  }
  try {
    return iface.decodeFunctionResult(fn, data);
  } catch {
    return null;
  }
}
