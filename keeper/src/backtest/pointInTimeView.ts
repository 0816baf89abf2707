/**
 * The view a strategy gets at decision bar t. The truncated panel, the weights copy and the
 * eligibility are built only when the strategy reads them: a strategy that trades once a day
 * on an hourly run then costs almost nothing on the other 23 bars. Whatever is built contains
 * bars 0..t only (`panelUpTo`), so nothing after the decision time is reachable.
 */
import type { MarketPanel, PointInTimeView, WeightVector } from "../core/types.js";
import { panelUpTo } from "../core/types.js";

/** Which assets may be held at bar t; must read bars <= t only. */
export type Eligibility = (panel: MarketPanel, t: number) => readonly boolean[];

/** Default universe: every asset with a positive price at bar t. */
export const pricedAt: Eligibility = (panel, t) => panel.close.map((row) => row[t]! > 0);

/**
 * `panelUpTo(panel, t)`, except that the per-bar volume-source labels (plain string arrays,
 * which cannot be viewed without copying) are copied only if read: copying them on every
 * decision would make a long run quadratic in its length.
 */
export function truncatedPanel(full: MarketPanel, t: number): MarketPanel {
  const { volumeSource, ...numeric } = full;
  const view = panelUpTo(numeric, t);
  if (!volumeSource) return view;
  let labels: (readonly string[])[] | null = null;
  return Object.defineProperty(view, "volumeSource", {
    enumerable: true,
    get: () => {
      labels ??= volumeSource.map((row) => row.slice(0, t + 1));
      return labels;
    },
  });
}

export class LazyPointInTimeView implements PointInTimeView {
  readonly t: number;
  private readonly full: MarketPanel;
  private readonly liveWeights: WeightVector;
  private readonly eligibility: Eligibility;
  private cachedPanel: MarketPanel | null = null;
  private cachedWeights: WeightVector | null = null;
  private cachedEligible: readonly boolean[] | null = null;

  constructor(full: MarketPanel, t: number, liveWeights: WeightVector, eligibility: Eligibility) {
    this.full = full;
    this.t = t;
    this.liveWeights = liveWeights;
    this.eligibility = eligibility;
  }

  get panel(): MarketPanel {
    this.cachedPanel ??= truncatedPanel(this.full, this.t);
    return this.cachedPanel;
  }

  get currentWeights(): WeightVector {
    this.cachedWeights ??= Float64Array.from(this.liveWeights);
    return this.cachedWeights;
  }

  get eligible(): readonly boolean[] {
    // Eligibility is computed on the truncated panel, so a universe rule cannot peek either.
    this.cachedEligible ??= this.eligibility(this.panel, this.t);
    return this.cachedEligible;
  }
}
