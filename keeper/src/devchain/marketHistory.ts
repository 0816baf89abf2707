/**
 * A daily market history that ends at the local chain's start prices: the synthetic market's
 * path for `symbols`, rescaled so its newest close (the UTC day before `nowSeconds`) equals
 * `START_PRICES_USD`, which is what the local Chainlink-style feeds answer on a fresh chain.
 * A keeper pointed at a freshly started local chain (`npm run devchain`) with this history as
 * its `--market` CSV then passes its freshness and Chainlink-agreement checks, as it would on
 * Arbitrum with a live data source.
 */
import type { TokenSymbol } from "../config/addressBook.js";
import { generateSyntheticMarket } from "../data/synthetic.js";
import { START_PRICES_USD } from "./marketSpec.js";

const DAY = 86_400;

export function localMarketHistoryCsv(
  symbols: readonly TokenSymbol[],
  days: number,
  nowSeconds: number,
  seed = 7,
): string {
  const panel = generateSyntheticMarket({ seed, bars: days, freq: "24h", assets: [...symbols] });
  // The newest bar is the one that closed at the last UTC midnight before now.
  const lastClose = Math.floor(nowSeconds / DAY) * DAY;
  const lines = ["date,symbol,close_usd,volume_usd"];
  symbols.forEach((symbol) => {
    const i = panel.assets.findIndex((a) => a.symbol === symbol);
    const close = panel.close[i] as Float64Array;
    const volume = panel.volume[i] as Float64Array;
    const scale = START_PRICES_USD[symbol] / (close[days - 1] as number);
    for (let d = 0; d < days; d++) {
      // A daily row is dated by the UTC day it closes (the close is at the end of that day).
      const date = new Date((lastClose - (days - d) * DAY) * 1000).toISOString().slice(0, 10);
      lines.push(
        `${date},${symbol},${((close[d] as number) * scale).toPrecision(10)},${Number.isFinite(volume[d]) ? (volume[d] as number).toFixed(0) : ""}`,
      );
    }
  });
  return `${lines.join("\n")}\n`;
}
