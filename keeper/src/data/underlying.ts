/**
 * Underlying groups: tokens that are the same market exposure under another wrapper (WBTC is
 * BTC, WETH is ETH, wstETH is stETH). Holding two members of a group is the same exposure
 * twice, so an equal-weight rule would double its weight; the classifier, the research
 * candidate list and the backtest universe keep one member per group.
 *
 * This is the one registry of such groups. Members are listed in order of preference: the
 * first one present in a panel represents the group (the unwrapped asset, whose history is
 * usually the longest and whose market the wrapper tracks).
 */

const GROUPS: Readonly<Record<string, readonly string[]>> = {
  BTC: ["BTC", "WBTC"],
  ETH: ["ETH", "WETH"],
  STETH: ["STETH", "WSTETH"],
};

const UNDERLYING: ReadonlyMap<string, string> = new Map(
  Object.entries(GROUPS).flatMap(([underlying, members]) => members.map((m) => [m, underlying] as const)),
);

/** The underlying exposure of `symbol` (case-insensitive): itself unless it is a wrapper. */
export function underlyingOf(symbol: string): string {
  const key = symbol.toUpperCase();
  return UNDERLYING.get(key) ?? key;
}

/** Rank of `symbol` within its group (0 = preferred); 0 for symbols outside any group. */
function preference(symbol: string): number {
  const key = symbol.toUpperCase();
  const members = GROUPS[underlyingOf(key)];
  const rank = members ? members.indexOf(key) : 0;
  return Math.max(rank, 0);
}

/**
 * Keeps one symbol per underlying: the preferred member of each group among `symbols`, in the
 * order the kept symbols appear. Symbols outside any group are all kept.
 */
export function dedupeByUnderlying(symbols: readonly string[]): string[] {
  const best = new Map<string, string>();
  for (const s of symbols) {
    const u = underlyingOf(s);
    const cur = best.get(u);
    if (cur === undefined || preference(s) < preference(cur)) best.set(u, s);
  }
  const kept = new Set(best.values());
  return symbols.filter((s) => kept.has(s));
}

/**
 * The symbols `dedupeByUnderlying` drops from `symbols`, each with the symbol that stands for
 * its exposure; for reports ("WBTC left out: same exposure as BTC").
 */
export function duplicateExposures(symbols: readonly string[]): { symbol: string; keptAs: string }[] {
  const kept = dedupeByUnderlying(symbols);
  const byUnderlying = new Map(kept.map((s) => [underlyingOf(s), s]));
  const keptSet = new Set(kept);
  return symbols
    .filter((s) => !keptSet.has(s))
    .map((s) => ({ symbol: s, keptAs: byUnderlying.get(underlyingOf(s)) ?? s }));
}
