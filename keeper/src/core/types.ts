/**
 * Shared types of the keeper. Everything downstream of the data layer (classifier,
 * strategies, backtester, planner) speaks these types, so they are deliberately plain:
 * numbers for research maths, `bigint` for on-chain amounts.
 */

/** Bar length of a market panel. Crypto trades every day: a year is 365 days. */
export type Frequency = "1h" | "24h";

export const SECONDS_PER_BAR: Readonly<Record<Frequency, number>> = { "1h": 3_600, "24h": 86_400 };
export const BARS_PER_YEAR: Readonly<Record<Frequency, number>> = { "1h": 365 * 24, "24h": 365 };

export type AssetCategory = "stablecoin" | "l1" | "l2" | "defi" | "lst" | "meme" | "index" | "other";

export interface AssetMeta {
  readonly symbol: string;
  readonly category: AssetCategory;
  /** ERC-20 decimals on the target chain (18 when unknown). */
  readonly decimals: number;
  /** Token address on the target chain, when known. */
  readonly address?: `0x${string}`;
  readonly chainId?: number;
}

/**
 * Aligned market history: one row per asset, one column per timestamp.
 * `close[i][t]` and `volume[i][t]` are NaN where the value is missing; nothing is silently
 * filled. Timestamps are unix seconds (UTC, bar close), strictly ascending, evenly spaced by
 * `SECONDS_PER_BAR[freq]`.
 */
export interface MarketPanel {
  readonly freq: Frequency;
  readonly timestamps: Float64Array;
  readonly assets: readonly AssetMeta[];
  readonly close: readonly Float64Array[];
  /** USD volume per bar; NaN where the source had none. */
  readonly volume: readonly Float64Array[];
  /** Where each asset's volume comes from (e.g. "coingecko", "binance", "bybit-perp"). */
  readonly volumeSource?: readonly (readonly string[])[];
  /** Off-price yields the assets earn (absent: none known). */
  readonly yields?: PanelYields;
}

/**
 * How a yield reaches the holder. "price": the token's price grows with it (wstETH and rETH
 * are exchange-rate tokens), so a price series already shows it. "balance": the holding grows
 * while the price does not (a rebasing token such as stETH, a lending deposit), so a
 * backtest must accrue it.
 */
export type YieldAccrual = "price" | "balance";

export interface PanelYields {
  /** Per asset, the adjusted APY (annual fraction) known at each bar's close; NaN = none. */
  readonly apy: readonly Float64Array[];
  /** Per asset; null = the asset earns nothing off its price. */
  readonly accrual: readonly (YieldAccrual | null)[];
  /** Where the APYs come from (e.g. "defillama", "constant prior"), for reports. */
  readonly source: string;
}

/** Target weights aligned with a panel's `assets` (fractions summing to 1). */
export type WeightVector = Float64Array;

/**
 * What a strategy may see at decision time: the panel truncated to bars `0..t` (inclusive),
 * using `subarray` views so nothing after `t` is reachable.
 */
export interface PointInTimeView {
  readonly panel: MarketPanel;
  /** Index of the last visible bar (== panel.timestamps.length - 1). */
  readonly t: number;
  /** Weights held right now (after drift), aligned with `panel.assets`. */
  readonly currentWeights: WeightVector;
  /** Assets the strategy may hold now (the classifier's universe); others must get 0. */
  readonly eligible: readonly boolean[];
}

/** A weight-producing strategy. `null` means "hold": no rebalance this bar. */
export interface Strategy {
  readonly name: string;
  decide(view: PointInTimeView): WeightVector | null;
}

/** Truncates a panel to bars `0..t` without copying (views share the buffers). */
export function panelUpTo(panel: MarketPanel, t: number): MarketPanel {
  const end = t + 1;
  return {
    freq: panel.freq,
    timestamps: panel.timestamps.subarray(0, end),
    assets: panel.assets,
    close: panel.close.map((row) => row.subarray(0, end)),
    volume: panel.volume.map((row) => row.subarray(0, end)),
    ...(panel.volumeSource ? { volumeSource: panel.volumeSource.map((row) => row.slice(0, end)) } : {}),
    ...(panel.yields ? { yields: { ...panel.yields, apy: panel.yields.apy.map((row) => row.subarray(0, end)) } } : {}),
  };
}

/** Index of the last bar of `panel` closed at or before `now` (unix seconds); -1 when none. */
export function lastBarAt(panel: MarketPanel, now: number): number {
  const ts = panel.timestamps;
  let lo = 0;
  let hi = ts.length;
  // First bar closing after `now`, by bisection; the one before it is the answer.
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((ts[mid] as number) <= now) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
