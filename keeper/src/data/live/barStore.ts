/**
 * The live panel's bars, persisted in the keeper's SQLite data cache (cache.ts) so a restart
 * backfills only what it missed. One entry per (source, symbol) holds that symbol's bars;
 * `merge` rewrites it in one atomic INSERT OR REPLACE, so a crash mid-append leaves the old
 * list, never half of a new one. Bars are kept by close time: a newer answer for the same bar
 * replaces the older one.
 */
import type { DataCache } from "../cache.js";
import type { Bar } from "./bars.js";

/** Stored bars never expire by age; `keepBars` bounds the size instead. */
const TEN_YEARS = 10 * 365 * 86_400;

type StoredBar = readonly [number, number, number | null];

export class BarStore {
  constructor(
    private readonly cache: DataCache,
    private readonly source: string,
    /** Most bars kept per symbol (the newest). */
    private readonly keepBars: number,
  ) {}

  private key(symbol: string) {
    return { provider: `live-bars:${this.source}`, query: symbol.toUpperCase(), from: 0, to: 0 };
  }

  bars(symbol: string): Bar[] {
    const hit = this.cache.get<StoredBar[]>(this.key(symbol));
    if (!hit) return [];
    return hit.value.map(([t, close, volume]) => ({ t, close, volume: volume ?? Number.NaN }));
  }

  newest(symbol: string): number | null {
    const bars = this.bars(symbol);
    return bars.length > 0 ? (bars[bars.length - 1] as Bar).t : null;
  }

  /** Adds `incoming` (same close time: incoming wins), keeps the newest `keepBars`. */
  merge(symbol: string, incoming: readonly Bar[]): void {
    if (incoming.length === 0) return;
    const byTime = new Map(this.bars(symbol).map((b) => [b.t, b]));
    for (const b of incoming) if (Number.isFinite(b.close) && b.close > 0) byTime.set(b.t, b);
    const kept = [...byTime.values()].sort((a, b) => a.t - b.t).slice(-this.keepBars);
    const stored: StoredBar[] = kept.map((b) => [b.t, b.close, Number.isFinite(b.volume) ? b.volume : null]);
    this.cache.set(this.key(symbol), stored, TEN_YEARS);
  }
}
