/**
 * The PPO agent's asset set, point in time. Its action space is fixed when it is trained, so it
 * may only name assets that had traded by the end of its training data: building it from the
 * whole file would hand the agent tokens listed later (ARB in 2023 for an agent trained on
 * 2020-2021), which no agent trained at that time could have known.
 */
import type { MarketPanel } from "../../core/types.js";

/** The `candidates` (panel indices) with a close on some bar at or before `asOf`, in order. */
export function listedBy(panel: MarketPanel, candidates: readonly number[], asOf: number): number[] {
  const last = Math.min(asOf, panel.timestamps.length - 1);
  return candidates.filter((i) => {
    const row = panel.close[i];
    if (!row) return false;
    for (let t = 0; t <= last; t++) if ((row[t] as number) > 0) return true;
    return false;
  });
}
