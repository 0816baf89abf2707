/**
 * Checks at start-up that every hop of every candidate route (tokens[].routes) uses a pool the
 * vault's governance registered (M-4: the vault reverts a leg over any other pool). A candidate
 * the vault would refuse is a configuration error, named by its pool, not a failed cycle later.
 */
import { ConfigError } from "../../core/errors.js";
import type { FailoverRpc } from "../failoverRpc.js";
import { decodePath } from "./rebalanceOrder.js";
import { connectIndexVault } from "./vaultAbi.js";

export interface CandidateRoutes {
  readonly symbol: string;
  readonly routes: readonly { readonly sellPath?: string | undefined; readonly buyPath?: string | undefined }[];
}

export async function checkRoutesRegistered(
  rpc: FailoverRpc,
  vaultAddress: string,
  tokens: readonly CandidateRoutes[],
): Promise<void> {
  const hops = new Map<string, { a: string; b: string; fee: number; where: string }>();
  tokens.forEach((token) => {
    token.routes.forEach((route, k) => {
      for (const [side, path] of [
        ["sellPath", route.sellPath],
        ["buyPath", route.buyPath],
      ] as const) {
        if (path === undefined) continue;
        const { tokens: along, fees } = decodePath(path);
        fees.forEach((fee, h) => {
          const a = along[h] as string;
          const b = along[h + 1] as string;
          const key = `${[a.toLowerCase(), b.toLowerCase()].sort().join("/")}/${fee}`;
          if (!hops.has(key)) hops.set(key, { a, b, fee, where: `${token.symbol} routes[${k}].${side}` });
        });
      }
    });
  });
  const vault = connectIndexVault(vaultAddress, rpc.provider);
  const checked = await Promise.all(
    [...hops.values()].map(async (h) => ({
      ...h,
      registered: await rpc.read("isPool", () => vault.isPool(h.a, h.b, h.fee)),
    })),
  );
  const missing = checked.filter((h) => !h.registered);
  if (missing.length > 0)
    throw new ConfigError(
      `candidate routes use pools the vault has not registered: ${missing
        .map((h) => `${h.a}/${h.b} fee ${h.fee} (${h.where})`)
        .join("; ")}`,
    );
}
