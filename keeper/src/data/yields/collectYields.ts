/**
 * The yield collector: DefiLlama's pool list through the configured filters, each kept
 * pool's history cleaned into daily adjusted APYs, the underlyings' own yields added, and
 * every repair reported. Answers come through the SQLite market-data cache when the client
 * has one, so a second run inside the TTL makes no request.
 */
import { DataError } from "../../core/errors.js";
import type { LlamaPool, LlamaYieldsClient } from "./llamaYields.js";
import { poolTokens, selectPools } from "./selectPools.js";
import type { YieldCollectorConfig } from "./yieldConfig.js";
import { addUnderlying, cleanPoolHistory, type PoolYieldSeries, type YieldIssue } from "./yieldHistory.js";

export interface CollectedYields {
  /** The kept pools' latest snapshot, as DefiLlama listed them. */
  readonly pools: readonly LlamaPool[];
  /** Per kept pool, its adjusted daily history. */
  readonly series: ReadonlyMap<string, PoolYieldSeries>;
  readonly issues: readonly YieldIssue[];
}

export async function collectYields(
  client: Pick<LlamaYieldsClient, "pools" | "chart">,
  cfg: YieldCollectorConfig,
  nowSeconds: number,
): Promise<CollectedYields> {
  const listed = await client.pools();
  const kept = selectPools(listed, cfg);
  const known = new Set(listed.map((p) => p.pool));
  for (const a of cfg.assets)
    if (!known.has(a.pool))
      throw new DataError(`yields: asset ${a.symbol}'s pool ${a.pool} is not in DefiLlama's list`);
  for (const [token, u] of Object.entries(cfg.adjustment.underlying))
    if ("pool" in u && !known.has(u.pool))
      throw new DataError(`yields: ${token}'s underlying pool ${u.pool} is not in DefiLlama's list`);

  const issues: YieldIssue[] = [];
  const cleaned = new Map<string, PoolYieldSeries>();
  // One request at a time: DefiLlama rate-limits, and the collector runs daily, not hot.
  for (const p of kept)
    cleaned.set(p.pool, cleanPoolHistory(p.pool, await client.chart(p.pool), cfg, nowSeconds, issues));

  const series = new Map<string, PoolYieldSeries>();
  for (const p of kept) {
    let s = cleaned.get(p.pool) as PoolYieldSeries;
    for (const token of poolTokens(p.symbol)) {
      const u = cfg.adjustment.underlying[token];
      // A pool that is itself the source of an underlying's yield (Lido's stETH pool) already shows it.
      if (!u || ("pool" in u && u.pool === p.pool)) continue;
      s = addUnderlying(
        s,
        "pool" in u ? (cleaned.get(u.pool) as PoolYieldSeries) : u.apy,
        `${token} underlying`,
        issues,
      );
    }
    series.set(p.pool, s);
  }
  return { pools: kept, series, issues };
}
