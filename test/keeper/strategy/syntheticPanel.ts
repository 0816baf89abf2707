/** Seeded synthetic market panels and point-in-time views for strategy tests. */
import type { AssetCategory, MarketPanel, PointInTimeView } from "../../../keeper/src/core/types.js";
import { panelUpTo } from "../../../keeper/src/core/types.js";
import { Prng } from "../../../keeper/src/strategy/math/prng.js";

export interface SyntheticAsset {
  readonly symbol: string;
  readonly category?: AssetCategory;
  /** Per-bar log drift and volatility. */
  readonly drift: number;
  readonly vol: number;
  readonly volumeUsd?: number;
}

export function syntheticPanel(assets: readonly SyntheticAsset[], bars: number, seed: number): MarketPanel {
  const rng = new Prng(seed);
  const start = 1_600_000_000 - (1_600_000_000 % 86_400);
  const timestamps = Float64Array.from({ length: bars }, (_, t) => start + t * 86_400);
  const close = assets.map((a) => {
    const row = new Float64Array(bars);
    let p = 100;
    for (let t = 0; t < bars; t++) {
      if (t > 0) p *= Math.exp(a.drift + a.vol * rng.normal());
      row[t] = p;
    }
    return row;
  });
  const volume = assets.map((a) =>
    Float64Array.from({ length: bars }, () => (a.volumeUsd ?? 1e6) * (0.8 + 0.4 * rng.next())),
  );
  return {
    freq: "24h",
    timestamps,
    assets: assets.map((a) => ({ symbol: a.symbol, category: a.category ?? "l1", decimals: 18 })),
    close,
    volume,
  };
}

/**
 * A view at bar t. `untruncated` hands over the whole panel (future included) so that a
 * look-ahead test catches code that indexes past `view.t` instead of relying on truncation.
 */
export function viewAt(
  panel: MarketPanel,
  t: number,
  opts: { eligible?: readonly boolean[]; current?: Float64Array; untruncated?: boolean } = {},
): PointInTimeView {
  const n = panel.assets.length;
  return {
    panel: opts.untruncated ? panel : panelUpTo(panel, t),
    t,
    currentWeights: opts.current ?? new Float64Array(n).fill(1 / n),
    eligible: opts.eligible ?? new Array<boolean>(n).fill(true),
  };
}

/** A copy of the panel whose bars after t are replaced by different random data. */
export function withDifferentFuture(panel: MarketPanel, t: number, seed: number): MarketPanel {
  const rng = new Prng(seed);
  return {
    ...panel,
    close: panel.close.map((row) => row.map((v, k) => (k > t ? v * Math.exp(0.5 * rng.normal()) : v))),
    volume: panel.volume.map((row) => row.map((v, k) => (k > t ? v * 10 * rng.next() : v))),
  };
}

export const STANDARD_ASSETS: readonly SyntheticAsset[] = [
  { symbol: "USDC", category: "stablecoin", drift: 0, vol: 0.0005, volumeUsd: 5e8 },
  { symbol: "BTC", drift: 0.001, vol: 0.03, volumeUsd: 2e10 },
  { symbol: "ETH", drift: 0.0012, vol: 0.04, volumeUsd: 1e10 },
  { symbol: "SOL", drift: 0.002, vol: 0.06, volumeUsd: 1e9 },
  { symbol: "DOGE", drift: -0.001, vol: 0.07, volumeUsd: 5e8 },
];
