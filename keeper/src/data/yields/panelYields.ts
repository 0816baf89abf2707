/**
 * Yields joined to a market panel, point in time: at each bar the APY is the last daily value
 * whose day closed at or before the bar's close, and no older than `maxAgeSeconds` (a pool
 * whose history stops does not keep lending its last APY forever).
 */
import { InvalidInputError } from "../../core/errors.js";
import type { MarketPanel, PanelYields, YieldAccrual } from "../../core/types.js";
import type { PoolYieldSeries } from "./yieldHistory.js";

export interface AssetYield {
  readonly symbol: string;
  readonly series: PoolYieldSeries;
  readonly accrual: YieldAccrual;
}

export function panelYieldsFromSeries(
  panel: MarketPanel,
  earners: readonly AssetYield[],
  opts: { source: string; maxAgeSeconds?: number },
): PanelYields {
  const maxAge = opts.maxAgeSeconds ?? 3 * 86_400;
  const T = panel.timestamps.length;
  const apy = panel.assets.map(() => new Float64Array(T).fill(Number.NaN));
  const accrual: (YieldAccrual | null)[] = panel.assets.map(() => null);
  for (const e of earners) {
    const i = panel.assets.findIndex((a) => a.symbol.toUpperCase() === e.symbol.toUpperCase());
    if (i < 0) continue;
    if (accrual[i] !== null) throw new InvalidInputError(`yields: ${e.symbol} has two yield sources`);
    accrual[i] = e.accrual;
    const row = apy[i] as Float64Array;
    const ts = e.series.timestamps;
    let k = -1;
    for (let t = 0; t < T; t++) {
      const close = panel.timestamps[t] as number;
      while (k + 1 < ts.length && (ts[k + 1] as number) <= close) k++;
      if (k < 0 || close - (ts[k] as number) > maxAge) continue;
      row[t] = e.series.apy[k] as number;
    }
  }
  return { apy, accrual, source: opts.source };
}

/** The panel with `yields` set (a new object; the price arrays are shared). */
export function withYields(panel: MarketPanel, yields: PanelYields): MarketPanel {
  return { ...panel, yields };
}
