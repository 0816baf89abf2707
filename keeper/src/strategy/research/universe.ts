/**
 * The research universe ("classify" step): which assets the strategies may hold at bar t,
 * evaluated on bars <= t. Two rules:
 * - "seasoned" (default): the backtester's seasoned universe — 60 bars of prices and some
 *   volume in that window (an asset without volume cannot be costed) — over the candidates
 *   below. It keeps each strategy's own logic intact.
 * - "classifier": the keeper's point-in-time token classifier (return, trend, relative volume
 *   and meme rules) over the same candidates, i.e. what the production keeper would allow.
 * Candidates: everything but stablecoins (the base asset is always eligible as the idle
 * buffer) and wrapped duplicates (WETH, WBTC) when the underlying is in the panel — the same
 * exposure twice would double its weight in equal-weight rules.
 */

import type { Eligibility } from "../../backtest/pointInTimeView.js";
import { seasonedUniverse } from "../../backtest/seasonedUniverse.js";
import { classifyUniverse } from "../../classifier/classify.js";
import type { MarketPanel } from "../../core/types.js";

export type UniverseKind = "seasoned" | "classifier";

/** Wrapped token -> its underlying: the same exposure (research holds the underlying, a vault the token). */
export const WRAPPED: Readonly<Record<string, string>> = { WETH: "ETH", WBTC: "BTC" };
const MIN_HISTORY_BARS = 60;

/** Panel indices that can ever be in the universe (the PPO agent's fixed action space), base excluded. */
export function candidateAssets(panel: MarketPanel, baseSymbol = "USDC"): number[] {
  const symbols = new Set(panel.assets.map((a) => a.symbol));
  const out: number[] = [];
  panel.assets.forEach((a, i) => {
    if (a.symbol === baseSymbol || a.category === "stablecoin") return;
    const underlying = WRAPPED[a.symbol];
    if (underlying && symbols.has(underlying)) return;
    out.push(i);
  });
  return out;
}

export function researchEligibility(
  panel: MarketPanel,
  baseSymbol = "USDC",
  kind: UniverseKind = "seasoned",
): Eligibility {
  const candidates = new Set(candidateAssets(panel, baseSymbol).map((i) => panel.assets[i]!.symbol));
  const exclude = new Set(panel.assets.map((a) => a.symbol).filter((s) => s !== baseSymbol && !candidates.has(s)));
  const seasoned = seasonedUniverse({ exclude, baseSymbol, minHistoryBars: MIN_HISTORY_BARS, requireVolume: true });
  if (kind === "seasoned") return seasoned;
  // The classifier truncates the panel itself; its answer depends only on the bar, so cache it.
  const cache = new Map<number, readonly boolean[]>();
  return (view, t) => {
    const hit = cache.get(t);
    if (hit) return hit;
    const costable = seasoned(view, t);
    const selected = new Set(classifyUniverse(view, t).selected);
    const out = view.assets.map((a, i) => a.symbol === baseSymbol || (costable[i] === true && selected.has(a.symbol)));
    cache.set(t, out);
    return out;
  };
}
