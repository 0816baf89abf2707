/**
 * Reads, for every asset of the vault, the pools along its sell and buy routes (found through
 * the Uniswap V3 factory) and turns them into cost models for `sizeLegs`. This is the I/O half
 * of the sizing; each pool is read once per cycle. A pool that cannot be found or read leaves
 * that route without a model, and the sizing falls back to fixed haircuts for it.
 */
import { Contract, ZeroAddress } from "ethers";
import { type PoolLiquidity, readPoolLiquidity } from "../../data/poolLiquidity.js";
import type { FailoverRpc } from "../failoverRpc.js";
import type { PortfolioSnapshot, Routes } from "./planLegs.js";
import { decodePath } from "./rebalanceOrder.js";
import { type RouteHop, routeModel } from "./routeModel.js";
import type { RouteModels } from "./sizeLegs.js";

const FACTORY_ABI = ["function getPool(address, address, uint24) view returns (address)"];
const ERC20_ABI = ["function decimals() view returns (uint8)"];

export interface RouteLiquidityInput {
  readonly rpc: FailoverRpc;
  readonly factory: string;
  readonly snapshot: PortfolioSnapshot;
  readonly routes: Routes;
  /** Decimals the caller already knows (config tokens), by lower-case address. */
  readonly knownDecimals: ReadonlyMap<string, number>;
  readonly labels: readonly string[];
  /** Relative price move each pool is scanned over (see `readPoolLiquidity`). */
  readonly horizon: number;
}

export async function readRouteModels(input: RouteLiquidityInput): Promise<RouteModels> {
  const { rpc, snapshot } = input;
  // A pool, or why it is missing (not deployed, or unreadable).
  const pools = new Map<string, Promise<PoolLiquidity | string>>();
  const decimals = new Map(input.knownDecimals);
  const factory = new Contract(input.factory, FACTORY_ABI);
  const poolFor = (a: string, b: string, fee: number): Promise<PoolLiquidity | string> => {
    const key = `${[a.toLowerCase(), b.toLowerCase()].sort().join("/")}/${fee}`;
    let found = pools.get(key);
    if (!found) {
      found = (async () => {
        const address = (await rpc.read("getPool", (p) =>
          factory.connect(p).getFunction("getPool").staticCall(a, b, fee),
        )) as string;
        if (address === ZeroAddress) return `no ${fee} pool for ${a}/${b}`;
        return rpc.read("pool liquidity", (p) => readPoolLiquidity(p, address, { horizon: input.horizon }));
      })().catch((error: unknown) => `pool ${a}/${b}/${fee} unreadable: ${(error as Error).message}`);
      pools.set(key, found);
    }
    return found;
  };
  const decimalsOf = async (token: string): Promise<void> => {
    if (decimals.has(token.toLowerCase())) return;
    const value = await rpc
      .read(
        "decimals",
        (p) => new Contract(token, ERC20_ABI, p).getFunction("decimals").staticCall() as Promise<bigint>,
      )
      .catch(() => null);
    if (value !== null) decimals.set(token.toLowerCase(), Number(value));
  };
  const baseUsd = Number(snapshot.pricesUsd[0] ?? 100_000_000n) / 1e8;

  const model = async (path: string | undefined, selling: boolean) => {
    if (!path || path === "0x") return { route: null, reason: "no route configured" } as const;
    let decoded: { tokens: string[]; fees: number[] };
    try {
      decoded = decodePath(path);
    } catch {
      return { route: null, reason: "malformed route" } as const;
    }
    // Hops from the base asset outward: a sell path runs asset -> base, so reverse it.
    const tokens = selling ? [...decoded.tokens].reverse() : decoded.tokens;
    const fees = selling ? [...decoded.fees].reverse() : decoded.fees;
    await Promise.all(tokens.map(decimalsOf));
    const hops: RouteHop[] = await Promise.all(
      fees.map(async (fee, k) => {
        const near = tokens[k] as string;
        const far = tokens[k + 1] as string;
        const pool = await poolFor(near, far, fee);
        return typeof pool === "string" ? { near, far, fee, pool: null, missing: pool } : { near, far, fee, pool };
      }),
    );
    return routeModel({ hops, baseUsd, decimalsOf: (t) => decimals.get(t.toLowerCase()), selling });
  };

  const n = snapshot.assets.length;
  const sell = await Promise.all(
    Array.from({ length: n }, (_, i) => (i === 0 ? null : model(input.routes.sell[i], true))),
  );
  const buy = await Promise.all(
    Array.from({ length: n }, (_, i) => (i === 0 ? null : model(input.routes.buy[i], false))),
  );
  return {
    sell: sell.map((m) => m?.route ?? null),
    buy: buy.map((m) => m?.route ?? null),
    unknown: sell.map((s, i) => {
      const b = buy[i];
      const reasons = [s && !s.route ? `sell: ${s.reason}` : null, b && !b.route ? `buy: ${b.reason}` : null];
      const text = reasons.filter((r) => r !== null).join("; ");
      return text === "" ? null : text;
    }),
    labels: input.labels,
  };
}
