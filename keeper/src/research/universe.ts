/**
 * The research universe ("classify" step): which assets the strategies may hold at bar t,
 * evaluated on bars <= t. Two rules:
 * - "seasoned" (default): the backtester's seasoned universe — 60 days of prices and some
 *   volume in that window (an asset without volume cannot be costed) — over the candidates
 *   below. It keeps each strategy's own logic intact.
 * - "classifier": the keeper's point-in-time token classifier over the same candidates, in
 *   ranked mode unless configured (what the production keeper's rotation would allow). Like the
 *   keeper's rotation it decides every `everyBars` bars (bars 0, everyBars, 2 x everyBars ...)
 *   and holds the universe in between: re-ranking every bar would churn the basket far more
 *   than the keeper ever does. On a shortfall its policy applies: "hold" keeps the universe of
 *   the latest earlier decision without one (the base asset only when there is none), "base"
 *   holds only the base asset.
 * Candidates: everything but stablecoins (the base asset is always eligible as the idle
 * buffer) and wrapped duplicates (WETH, WBTC, wstETH) when the underlying is in the panel — the
 * same exposure twice would double its weight in equal-weight rules.
 */

import type { Eligibility } from "../backtest/pointInTimeView.js";
import { seasonedUniverse } from "../backtest/seasonedUniverse.js";
import { classifyUniverse } from "../classifier/classify.js";
import type { ClassifierConfigInput } from "../classifier/config.js";
import { BARS_PER_YEAR, type MarketPanel } from "../core/types.js";
import { dedupeByUnderlying } from "../data/underlying.js";

export type UniverseKind = "seasoned" | "classifier";

/** Days of prices before an asset may be held (bars: days times the panel's bars per day). */
const MIN_HISTORY_DAYS = 60;

/** Panel indices that can ever be in the universe (the PPO agent's fixed action space), base excluded. */
export function candidateAssets(panel: MarketPanel, baseSymbol = "USDC"): number[] {
  const risky = panel.assets.filter((a) => a.symbol !== baseSymbol && a.category !== "stablecoin").map((a) => a.symbol);
  // One member per underlying group (data/underlying.ts): WBTC only without BTC, and so on.
  const kept = new Set(dedupeByUnderlying(risky));
  return panel.assets.flatMap((a, i) => (kept.has(a.symbol) ? [i] : []));
}

export function researchEligibility(
  panel: MarketPanel,
  baseSymbol = "USDC",
  kind: UniverseKind = "seasoned",
  classifier: ClassifierConfigInput = { mode: "ranked" },
  everyBars = 30,
): Eligibility {
  const candidates = new Set(candidateAssets(panel, baseSymbol).map((i) => panel.assets[i]!.symbol));
  const exclude = new Set(panel.assets.map((a) => a.symbol).filter((s) => s !== baseSymbol && !candidates.has(s)));
  const minHistoryBars = Math.round((MIN_HISTORY_DAYS * BARS_PER_YEAR[panel.freq]) / 365);
  const seasoned = seasonedUniverse({ exclude, baseSymbol, minHistoryBars, requireVolume: true });
  if (kind === "seasoned") return seasoned;
  // The classifier truncates the panel itself; its answer depends only on the bar, so cache it.
  const cache = new Map<number, ReadonlySet<string> | null>();
  // What the universe holds after the decision at bar k (a shortfall under "hold" keeps the
  // previous one); the next decision's hysteresis sees it as held. Bars <= k only.
  const heldAfter = new Map<number, ReadonlySet<string>>();
  const selectedAt = (view: MarketPanel, t: number): ReadonlySet<string> | null => {
    if (!cache.has(t)) {
      const before = t >= everyBars ? heldAt(view, t - everyBars) : new Set<string>();
      const u = classifyUniverse(view, t, classifier, { held: [...before] });
      cache.set(t, u.shortfall === null ? new Set(u.selected) : u.shortfall.policy === "base" ? new Set() : null);
    }
    return cache.get(t) ?? null;
  };
  const heldAt = (view: MarketPanel, k: number): ReadonlySet<string> => {
    let out = heldAfter.get(k);
    if (!out) {
      out = selectedAt(view, k) ?? (k >= everyBars ? heldAt(view, k - everyBars) : new Set<string>());
      heldAfter.set(k, out);
    }
    return out;
  };
  return (view, t) => {
    // "hold": the latest earlier bar without a shortfall decides (point in time: bars <= t only).
    let selected: ReadonlySet<string> | null = null;
    for (let k = t - (t % everyBars); k >= 0 && selected === null; k -= everyBars) selected = selectedAt(view, k);
    const costable = seasoned(view, t);
    return view.assets.map(
      (a, i) => a.symbol === baseSymbol || (costable[i] === true && selected !== null && selected.has(a.symbol)),
    );
  };
}
