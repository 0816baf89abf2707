/**
 * The market guard: the checks a market view must pass before the keeper lets a strategy turn
 * it into weights. A strategy that is shown a basket asset with no bar, a zero price or a bar
 * from last week does not fail: it quietly gives that asset a weight of 0, and the keeper then
 * sells all of it. So the view is checked first, and any failure holds the cycle instead.
 *
 * Checks, in order (the first failure is the reason):
 * 1. every basket asset has a row in the panel;
 * 2. there is a bar closed at or before the clock, no older than `maxBarAgeSeconds`;
 * 3. each checked asset's close on that bar is positive and finite;
 * 4. no close moved more than `maxJumpBps` from the asset's previous valid close, unless the
 *    Chainlink price the vault uses agrees with the new close to within `confirmToleranceBps`.
 *
 * Pure: the snapshot carries everything (bars, the clock, the Chainlink prices), so the CSV
 * path, a live market-data service and the tests feed it the same way.
 */
import { lastBarAt, type MarketPanel } from "../core/types.js";

/** What the guard looks at. */
export interface MarketSnapshot {
  /** Bars for (at least) the basket; bars after `asOf` are ignored. */
  readonly panel: MarketPanel;
  /** The keeper's clock (chain time), unix seconds. */
  readonly asOf: number;
  /** Chainlink USD prices by symbol (the vault's own feeds), to confirm a large move. */
  readonly chainlinkUsd?: Readonly<Record<string, number>>;
}

export interface MarketGuardConfig {
  /** Oldest acceptable newest bar, seconds before `asOf`. */
  readonly maxBarAgeSeconds: number;
  /** Largest move from the previous valid close accepted without Chainlink's confirmation, bps. */
  readonly maxJumpBps: number;
  /** A Chainlink price within this distance of the new close confirms a large move, bps. */
  readonly confirmToleranceBps: number;
}

export type MarketCheck = "missing-asset" | "no-bar" | "stale" | "bad-price" | "unconfirmed-jump";

export type MarketVerdict =
  | {
      readonly ok: true;
      /** Close time of the bar the strategy will decide on. */
      readonly newestBarAt: number;
      readonly ageSeconds: number;
      /** The symbols whose data was checked and found valid. */
      readonly vouched: readonly string[];
    }
  | {
      readonly ok: false;
      readonly check: MarketCheck;
      /** One sentence for the log, the cycle record and the dashboard. */
      readonly reason: string;
      /** Null when there is no bar at all. */
      readonly newestBarAt: number | null;
      readonly ageSeconds: number | null;
    };

/**
 * Checks `symbols` (the basket) in `snapshot`. `optional` symbols (the base asset) are checked
 * when the panel has them and skipped otherwise.
 */
export function checkMarket(
  snapshot: MarketSnapshot,
  symbols: readonly string[],
  config: MarketGuardConfig,
  optional: readonly string[] = [],
): MarketVerdict {
  const { panel, asOf } = snapshot;
  const row = new Map(panel.assets.map((a, i) => [a.symbol, i]));
  const missing = symbols.filter((s) => !row.has(s));
  if (missing.length > 0) {
    return hold("missing-asset", `market data has no ${missing.join(", ")} (a basket asset)`, null, asOf);
  }
  const t = lastBarAt(panel, asOf);
  if (t < 0) return hold("no-bar", `market data has no bar at or before ${iso(asOf)}`, null, asOf);
  const barAt = panel.timestamps[t] as number;
  const age = asOf - barAt;
  if (age > config.maxBarAgeSeconds) {
    // The age itself is in the verdict, not the reason: the reason stays the same while the
    // same bar stays the newest, so one hold is one record, not one per poll.
    return hold(
      "stale",
      `newest market bar ${iso(barAt)} is older than ${hours(config.maxBarAgeSeconds)}`,
      barAt,
      asOf,
    );
  }
  const checked = [...symbols, ...optional.filter((s) => row.has(s) && !symbols.includes(s))];
  for (const symbol of checked) {
    const close = panel.close[row.get(symbol) as number] as Float64Array;
    const price = close[t] as number;
    if (!(Number.isFinite(price) && price > 0)) {
      return hold("bad-price", `${symbol} has no positive finite price on the bar of ${iso(barAt)}`, barAt, asOf);
    }
    const previous = previousValid(close, t);
    if (previous === null) continue;
    const moveBps = Math.abs(price / previous - 1) * 10_000;
    if (moveBps <= config.maxJumpBps) continue;
    const chainlink = snapshot.chainlinkUsd?.[symbol];
    const confirmed =
      chainlink !== undefined &&
      Number.isFinite(chainlink) &&
      chainlink > 0 &&
      Math.abs(price / chainlink - 1) * 10_000 <= config.confirmToleranceBps;
    if (!confirmed) {
      // The Chainlink answer is left out of the reason, which must not change on every poll.
      const seen = chainlink === undefined ? "no Chainlink price to confirm it" : "Chainlink does not confirm it";
      return hold(
        "unconfirmed-jump",
        `${symbol} moved ${Math.round(moveBps)} bps in one bar to ${price} (limit ${config.maxJumpBps} bps; ${seen})`,
        barAt,
        asOf,
      );
    }
  }
  return { ok: true, newestBarAt: barAt, ageSeconds: age, vouched: checked };
}

function hold(check: MarketCheck, reason: string, barAt: number | null, asOf: number): MarketVerdict {
  return {
    ok: false,
    check,
    reason: `market guard: ${reason}`,
    newestBarAt: barAt,
    ageSeconds: barAt === null ? null : asOf - barAt,
  };
}

/** The last finite positive close before bar `t`, or null when there is none. */
function previousValid(close: Float64Array, t: number): number | null {
  for (let k = t - 1; k >= 0; k--) {
    const v = close[k] as number;
    if (Number.isFinite(v) && v > 0) return v;
  }
  return null;
}

function iso(t: number): string {
  return new Date(t * 1000).toISOString().replace(".000Z", "Z");
}

function hours(seconds: number): string {
  return `${(seconds / 3_600).toFixed(1)} h`;
}
