/**
 * The operator's market CSV (csv.ts format) as a bar source: read and validated once, then
 * served by range. A CSV does not grow by itself, so a keeper on CSV only trades while the
 * file's newest bar is within the configured age (the operator appends to it, or the keeper
 * refuses with "stale").
 */
import type { MarketPanel } from "../../core/types.js";
import { loadMarketCsv } from "../csv.js";
import { type BarSource, type BarsBySymbol, barsFromPanel } from "./bars.js";

export class CsvBarSource implements BarSource {
  readonly name = "csv";
  private panel: MarketPanel | null = null;

  constructor(private readonly path: string) {}

  async bars(symbols: readonly string[], from: number, to: number): Promise<BarsBySymbol> {
    // Re-read on every call: the operator may have appended rows since the last cycle.
    this.panel = loadMarketCsv(this.path, { symbols: [...symbols] }).panel;
    const panel = this.panel;
    return barsFromPanel(panel, symbols, from, to);
  }
}
