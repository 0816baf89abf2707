/**
 * `--train-end`, `--test-start` and `--test-end`: dates as the data file labels its bars (a
 * daily file's `YYYY-MM-DD`, an hourly file's `YYYY-MM-DD HH:MM` close time), resolved to bar
 * indices of a panel and checked: each inside the data, train-end before test-start, and the
 * test range at least two bars long. On an hourly panel a bare date means the whole day: the
 * first bar of that day as a start, its last bar as an end.
 */
import { InvalidInputError } from "../core/errors.js";
import { type MarketPanel, SECONDS_PER_BAR } from "../core/types.js";
import { barLabel, dailyBarClose, indexAtOrBefore, parseUtcSeconds } from "../data/time.js";

export interface DateRangeFlags {
  readonly trainEnd?: string | undefined;
  readonly testStart?: string | undefined;
  readonly testEnd?: string | undefined;
}

/** Bar indices (inclusive); `trainEnd` is null when not given. */
export interface BarRange {
  readonly trainEnd: number | null;
  readonly testStart: number;
  readonly testEnd: number;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?$/;

/** Closes (unix seconds, inclusive) of the bars a flag names: one bar, or a whole hourly day. */
function closesOf(panel: MarketPanel, flag: string, text: string): { lo: number; hi: number } {
  const t = text.trim();
  if (panel.freq === "24h") {
    if (!DATE_ONLY.test(t)) throw new InvalidInputError(`${flag} must be YYYY-MM-DD on daily data, got "${text}"`);
    const c = dailyBarClose(t);
    return { lo: c, hi: c };
  }
  if (DATE_ONLY.test(t)) {
    const midnight = parseUtcSeconds(t);
    return { lo: midnight + SECONDS_PER_BAR["1h"], hi: midnight + SECONDS_PER_BAR["24h"] };
  }
  if (!DATE_TIME.test(t)) {
    throw new InvalidInputError(`${flag} must be YYYY-MM-DD or "YYYY-MM-DD HH:MM" on hourly data, got "${text}"`);
  }
  const c = parseUtcSeconds(t);
  return { lo: c, hi: c };
}

/** Index of the bar a flag names, which must lie inside the panel's bars (a day: overlap them). */
export function barOf(panel: MarketPanel, flag: string, text: string, edge: "start" | "end"): number {
  let range: { lo: number; hi: number };
  try {
    range = closesOf(panel, flag, text);
  } catch (err) {
    if (err instanceof InvalidInputError && err.message.startsWith(flag)) throw err;
    throw new InvalidInputError(`${flag}: not a valid date "${text}"`);
  }
  const ts = panel.timestamps;
  const first = ts[0] as number;
  const last = ts[ts.length - 1] as number;
  const span = `${barLabel(first, panel.freq)} .. ${barLabel(last, panel.freq)}`;
  if (range.hi < first || range.lo > last) {
    throw new InvalidInputError(`${flag} ${text} is outside the data (${span})`);
  }
  // A day that the data covers only in part (its first or last day) names the bars it has.
  const close = edge === "start" ? Math.max(range.lo, first) : Math.min(range.hi, last);
  const i = indexAtOrBefore(ts, close);
  // Between two bars (an hourly datetime off the hour): a start takes the next bar, an end the previous.
  return edge === "start" && ts[i] !== close ? i + 1 : i;
}

/**
 * Resolves the flags on `panel`. Without `--test-start` the test range starts after the train
 * end (or at the first bar); without `--test-end` it runs to the last bar.
 */
export function resolveDateRange(panel: MarketPanel, flags: DateRangeFlags): BarRange {
  const T = panel.timestamps.length;
  const trainEnd = flags.trainEnd === undefined ? null : barOf(panel, "--train-end", flags.trainEnd, "end");
  const testStart =
    flags.testStart === undefined
      ? trainEnd === null
        ? 0
        : trainEnd + 1
      : barOf(panel, "--test-start", flags.testStart, "start");
  const testEnd = flags.testEnd === undefined ? T - 1 : barOf(panel, "--test-end", flags.testEnd, "end");
  if (trainEnd !== null && testStart <= trainEnd) {
    throw new InvalidInputError(
      `--test-start must come after --train-end (train ends ${barLabel(panel.timestamps[trainEnd]!, panel.freq)}, test starts ${barLabel(panel.timestamps[Math.min(testStart, T - 1)]!, panel.freq)})`,
    );
  }
  if (testEnd - testStart < 1) {
    throw new InvalidInputError("the test range (--test-start .. --test-end) must hold at least two bars");
  }
  return { trainEnd, testStart, testEnd };
}
