import type { CycleOutcome, CycleRecord, CycleStatus } from "../readModel.js";

/**
 * A cycle's outcome for health checks, the API and metrics: the one the keeper recorded, or,
 * for a record without one (written before outcomes were stored, or by another read model),
 * the outcome its status implies (the same rule as store migration 4). Statuses between
 * planning and reconciliation mean the cycle is still running, or was cut off and will be
 * resumed from the store.
 */
const FROM_STATUS: Readonly<Record<CycleStatus, CycleOutcome | "in-progress">> = {
  planned: "in-progress",
  simulated: "in-progress",
  signed: "in-progress",
  submitted: "in-progress",
  confirmed: "in-progress",
  reconciled: "traded",
  skipped: "held",
  held: "held",
  "dry-run": "dry-run",
  failed: "failed",
};

export function cycleOutcome(cycle: CycleRecord): CycleOutcome | "in-progress" {
  if (cycle.outcome) return cycle.outcome;
  const implied = FROM_STATUS[cycle.status];
  if (implied === "traded" && cycle.sizing?.startsWith("partial")) return "partial";
  if (implied === "failed" && cycle.reason?.startsWith("nothing to trade")) return "nothing-to-trade";
  return implied;
}

/**
 * Whether the cycle did what it was there for: true when it traded (fully or in part), found
 * nothing to trade or simulated a dry run; false when it failed; null while it runs and for a
 * hold (no order on purpose: see the reason).
 */
export function cycleSucceeded(cycle: CycleRecord): boolean | null {
  const outcome = cycleOutcome(cycle);
  if (outcome === "failed") return false;
  if (outcome === "in-progress" || outcome === "held") return null;
  return true;
}
