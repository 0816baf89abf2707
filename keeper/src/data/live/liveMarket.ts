/**
 * The keeper's live market: a point-in-time panel kept current from a bar source, with
 * Chainlink read on chain every cycle as the cross-check.
 *
 * - `backfill(now)` (at start) fetches the history the strategy needs into the bar store,
 *   only the part the store does not already hold.
 * - `snapshot(now)` (every cycle) appends the bars closed since the newest stored one, reads
 *   every feed, and returns either the panel, its newest bar time and the Chainlink prices, or
 *   a refusal with a reason: the newest bar is older than `maxBarAgeSeconds`, the newest close
 *   and Chainlink differ by more than `maxDeviation`, a feed cannot be read, or there is no
 *   data at all. A provider that fails while appending does not stop the cycle by itself: the
 *   stored bars stand, and the age rule decides (so a short outage trades on, a long one
 *   refuses, and fresh data trades again with no operator step).
 */
import { BallastError } from "../../core/errors.js";
import type { MarketPanel } from "../../core/types.js";
import type { FeedAnswer } from "../onchain.js";
import { buildPanel, type RawSeries } from "../panel.js";
import type { BarStore } from "./barStore.js";
import { type Bar, type BarSource, type BarsBySymbol, DAY, lastClosedBar } from "./bars.js";

export interface MarketSnapshot {
  readonly ok: true;
  /** Daily panel of every market symbol, ending at `newestBarAt`. */
  readonly panel: MarketPanel;
  readonly bars: BarsBySymbol;
  /** Close time of the newest bar every symbol has (unix seconds). */
  readonly newestBarAt: number;
  /** Latest Chainlink answer in USD by symbol (symbols with a feed). */
  readonly chainlinkUsd: Readonly<Record<string, number>>;
  /** Provider error met while appending, when the stored bars were still fresh enough. */
  readonly warning: string | null;
}

export type RefusalCode = "stale" | "disagreement" | "chainlink" | "no-data";

export interface MarketRefusal {
  readonly ok: false;
  readonly code: RefusalCode;
  readonly reason: string;
  readonly newestBarAt: number | null;
}

export type MarketReading = MarketSnapshot | MarketRefusal;

export interface MarketSource {
  snapshot(now: number): Promise<MarketReading>;
}

export interface LiveMarketOptions {
  /** Every symbol the strategy and the rotation may look at, base asset first. */
  readonly symbols: readonly string[];
  /**
   * Symbols that must have data to trade (the vault's basket); default all. The others (assets
   * a rotation may add) are in the panel when the source has them, NaN otherwise.
   */
  readonly required?: readonly string[];
  readonly source: BarSource;
  readonly store: BarStore;
  /** Latest Chainlink answers by symbol (symbols without a feed are absent). */
  readonly chainlink: () => Promise<Record<string, FeedAnswer>>;
  /** Bars the strategy needs (the panel's length). */
  readonly historyBars: number;
  readonly maxBarAgeSeconds: number;
  /** Largest |close / chainlink - 1| accepted on the newest bar. */
  readonly maxDeviation: number;
}

export interface BackfillReport {
  readonly fetched: Readonly<Record<string, number>>;
  readonly newestBarAt: number | null;
}

export class LiveMarket implements MarketSource {
  constructor(private readonly opts: LiveMarketOptions) {}

  /** Fills the store with the last `historyBars` bars closed at `now`; returns what was fetched. */
  async backfill(now: number): Promise<BackfillReport> {
    const to = lastClosedBar(now);
    const from = to - (this.opts.historyBars - 1) * DAY;
    const fetched: Record<string, number> = {};
    // Only the symbols whose stored history starts late or ends early are asked for.
    const missing = this.opts.symbols.filter((s) => {
      const bars = this.opts.store.bars(s);
      return bars.length === 0 || (bars[0] as Bar).t > from || (bars[bars.length - 1] as Bar).t < to;
    });
    if (missing.length > 0) {
      const got = await this.opts.source.bars(missing, from, to);
      for (const s of missing) {
        const bars = got[s] ?? [];
        this.opts.store.merge(s, bars);
        fetched[s] = bars.length;
      }
    }
    return { fetched, newestBarAt: this.newestCommon() };
  }

  async snapshot(now: number): Promise<MarketReading> {
    const { symbols, store, source, maxBarAgeSeconds, maxDeviation } = this.opts;
    const to = lastClosedBar(now);
    let warning: string | null = null;
    const oldest = this.newestCommon();
    const from = oldest === null ? to - (this.opts.historyBars - 1) * DAY : oldest + DAY;
    if (from <= to) {
      try {
        const got = await source.bars(symbols, from, to);
        for (const s of symbols) store.merge(s, got[s] ?? []);
      } catch (error) {
        if (!(error instanceof BallastError)) throw error;
        warning = `${source.name}: ${describe(error)}`;
      }
    }
    let feeds: Record<string, FeedAnswer>;
    try {
      feeds = await this.opts.chainlink();
    } catch (error) {
      if (!(error instanceof BallastError)) throw error;
      return this.refuse("chainlink", `cannot read Chainlink: ${error.message}`, this.newestCommon());
    }
    const newest = this.newestCommon();
    if (newest === null) {
      return this.refuse("no-data", `no market data from ${source.name}${warning ? ` (${warning})` : ""}`, null);
    }
    const age = now - newest;
    if (age > maxBarAgeSeconds) {
      const hours = (age / 3600).toFixed(1);
      return this.refuse(
        "stale",
        `market data is stale: newest bar closed ${hours} h ago (limit ${(maxBarAgeSeconds / 3600).toFixed(1)} h)${warning ? `; ${warning}` : ""}`,
        newest,
      );
    }
    const bars: Record<string, Bar[]> = {};
    for (const s of symbols) bars[s] = store.bars(s).filter((b) => b.t <= newest);
    const chainlinkUsd: Record<string, number> = {};
    for (const [s, answer] of Object.entries(feeds)) chainlinkUsd[s] = answer.price;
    // The feeds are the history itself when the source is Chainlink: nothing to cross-check.
    if (source.name !== "chainlink") {
      for (const s of symbols) {
        const cl = chainlinkUsd[s];
        const last = bars[s]?.at(-1);
        if (cl === undefined || !last || last.t !== newest) continue;
        const deviation = Math.abs(last.close / cl - 1);
        if (!(deviation <= maxDeviation)) {
          return this.refuse(
            "disagreement",
            `${s}: ${source.name} close ${last.close} and Chainlink ${cl} differ by ${(100 * deviation).toFixed(2)}% (limit ${(100 * maxDeviation).toFixed(2)}%)`,
            newest,
          );
        }
      }
    }
    return {
      ok: true,
      panel: this.panel(bars, newest),
      bars,
      newestBarAt: newest,
      chainlinkUsd,
      warning,
    };
  }

  /** Newest bar close every required symbol has; null when one has none. */
  private newestCommon(): number | null {
    let newest: number | null = null;
    for (const s of this.opts.required ?? this.opts.symbols) {
      const t = this.opts.store.newest(s);
      if (t === null) return null;
      newest = newest === null ? t : Math.min(newest, t);
    }
    return newest;
  }

  private panel(bars: BarsBySymbol, end: number): MarketPanel {
    const series: RawSeries[] = this.opts.symbols.map((symbol) => {
      const rows = (bars[symbol] ?? []).slice(-this.opts.historyBars);
      return {
        symbol,
        timestamps: rows.map((b) => b.t),
        close: rows.map((b) => b.close),
        volume: rows.map((b) => b.volume),
        volumeSource: this.opts.source.name,
      };
    });
    // Spikes are only flagged: repairing looks at the next bar, which a live panel does not have.
    return buildPanel(series, {
      freq: "24h",
      start: end - (this.opts.historyBars - 1) * DAY,
      end,
      spikes: "flag",
    }).panel;
  }

  private refuse(code: RefusalCode, reason: string, newestBarAt: number | null): MarketRefusal {
    return { ok: false, code, reason, newestBarAt };
  }
}

/** The error's message and, for a retry budget that ran out, the last failure's. */
function describe(error: BallastError): string {
  return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
}
