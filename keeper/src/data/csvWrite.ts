/**
 * A panel as a market CSV in the format csv.ts reads (`date,symbol,close_usd,volume_usd`, the
 * daily bar dated D closing at D+1 00:00 UTC), so a panel built in memory (the demo's market)
 * can be handed to a command that reads files, such as `research --data`. Missing closes are
 * left out; a missing volume is an empty cell.
 */
import { InvalidInputError } from "../core/errors.js";
import type { MarketPanel } from "../core/types.js";
import { barLabel } from "./time.js";

export interface MarketCsvOptions {
  /** Bars [from, to) of the panel (default: all). */
  readonly from?: number;
  readonly to?: number;
  /** Written symbol by panel symbol (e.g. WETH -> ETH); others keep their name. */
  readonly rename?: Readonly<Record<string, string>>;
}

export function marketCsv(panel: MarketPanel, options: MarketCsvOptions = {}): string {
  if (panel.freq !== "24h") throw new InvalidInputError("marketCsv writes daily panels only", { freq: panel.freq });
  const from = options.from ?? 0;
  const to = options.to ?? panel.timestamps.length;
  const rows = ["date,symbol,close_usd,volume_usd"];
  for (let t = from; t < to; t++) {
    const date = barLabel(panel.timestamps[t] as number, "24h");
    panel.assets.forEach((asset, i) => {
      const close = panel.close[i]?.[t] ?? Number.NaN;
      if (!Number.isFinite(close)) return;
      const volume = panel.volume[i]?.[t] ?? Number.NaN;
      const symbol = options.rename?.[asset.symbol] ?? asset.symbol;
      rows.push(`${date},${symbol},${close},${Number.isFinite(volume) ? volume : ""}`);
    });
  }
  return `${rows.join("\n")}\n`;
}
