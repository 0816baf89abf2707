/**
 * Volume for an hourly panel from a daily one. The shared hourly file has closes only, and the
 * square-root impact model needs a trailing daily volume, so an hourly bar with no volume of
 * its own gets 1/24 of the previous UTC day's volume of the same symbol. The previous day, not
 * the bar's own day: that day's total is only known at its close, and a bar must not read
 * later data. The trailing daily volume an impact estimate sees is then the daily file's,
 * lagged by one day. The volume source says where each filled value came from.
 */
import { InvalidInputError } from "../core/errors.js";
import { type MarketPanel, SECONDS_PER_BAR } from "../core/types.js";
import { indexAtOrBefore } from "./time.js";

export interface SpreadVolumeResult {
  readonly panel: MarketPanel;
  /** Symbols that received volume, and those the daily panel does not hold. */
  readonly filled: readonly string[];
  readonly missing: readonly string[];
}

/** `hourly` with missing volumes filled from `daily` (see the header); the input is not changed. */
export function spreadDailyVolume(hourly: MarketPanel, daily: MarketPanel): SpreadVolumeResult {
  if (hourly.freq !== "1h" || daily.freq !== "24h") {
    throw new InvalidInputError("spreadDailyVolume: needs an hourly panel and a daily panel", {
      hourly: hourly.freq,
      daily: daily.freq,
    });
  }
  const barsPerDay = SECONDS_PER_BAR["24h"] / SECONDS_PER_BAR["1h"];
  const dailyIndex = new Map(daily.assets.map((a, i) => [a.symbol, i]));
  const filled: string[] = [];
  const missing: string[] = [];
  const volume: Float64Array[] = [];
  const volumeSource: string[][] = [];
  hourly.assets.forEach((asset, i) => {
    const own = hourly.volume[i] as Float64Array;
    const ownSource = hourly.volumeSource?.[i];
    const out = Float64Array.from(own);
    const src = ownSource ? [...ownSource] : new Array<string>(own.length).fill("");
    const d = dailyIndex.get(asset.symbol);
    if (d === undefined) {
      missing.push(asset.symbol);
    } else {
      const dv = daily.volume[d] as Float64Array;
      const dsrc = daily.volumeSource?.[d];
      let any = false;
      for (let t = 0; t < out.length; t++) {
        if (!Number.isNaN(out[t] as number)) continue;
        // The last daily bar that closed strictly before this hour's bar opened.
        const opened = (hourly.timestamps[t] as number) - SECONDS_PER_BAR["1h"];
        const k = indexAtOrBefore(daily.timestamps, opened);
        const v = k >= 0 ? (dv[k] as number) : Number.NaN;
        if (!Number.isNaN(v)) {
          out[t] = v / barsPerDay;
          src[t] = `${dsrc?.[k] || "daily"} (previous day / 24)`;
          any = true;
        }
      }
      (any ? filled : missing).push(asset.symbol);
    }
    volume.push(out);
    volumeSource.push(src);
  });
  return { panel: { ...hourly, volume, volumeSource }, filled, missing };
}
