/**
 * The Flipside query's liquidity measure, computed from a panel: average daily Uniswap V3
 * swap volume on Arbitrum over the last `days` days up to bar t (missing days count as zero
 * volume). Used to feed the TypeScript classifier the same liquidity the SQL sees.
 */
import { type MarketPanel, panelUpTo, SECONDS_PER_BAR } from "../../core/types.js";
import { FLIPSIDE_VOLUME_SOURCE } from "./marketData.js";

export function dexVolumeLiquidity(
  panel: MarketPanel,
  t: number,
  days: number,
): { asOf: number; bySymbol: Record<string, number> } {
  const view = panelUpTo(panel, t);
  const bars = days * (86_400 / SECONDS_PER_BAR[view.freq]);
  const bySymbol: Record<string, number> = {};
  view.assets.forEach((asset, i) => {
    const volume = view.volume[i] as Float64Array;
    const sources = view.volumeSource?.[i];
    let sum = 0;
    for (let k = Math.max(0, t - bars + 1); k <= t; k++) {
      const v = volume[k] as number;
      if (!Number.isNaN(v) && (sources === undefined || sources[k] === FLIPSIDE_VOLUME_SOURCE)) sum += v;
    }
    bySymbol[asset.symbol] = sum / days;
  });
  return { asOf: view.timestamps[t] as number, bySymbol };
}
