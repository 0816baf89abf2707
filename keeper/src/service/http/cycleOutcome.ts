import type { CycleRecord, CycleStatus } from "../readModel.js";

export type CycleOutcome = "succeeded" | "failed" | "in-progress";

/**
 * How a cycle ended, for health checks and metrics. A skipped cycle (drift under threshold,
 * kill switch) and a dry run did what they were asked, so they count as successes; the
 * statuses between planning and reconciliation mean the cycle is still running (or was cut
 * off and will be resumed from the store).
 */
const OUTCOME: Readonly<Record<CycleStatus, CycleOutcome>> = {
  planned: "in-progress",
  simulated: "in-progress",
  signed: "in-progress",
  submitted: "in-progress",
  confirmed: "in-progress",
  reconciled: "succeeded",
  skipped: "succeeded",
  "dry-run": "succeeded",
  failed: "failed",
};

export const CYCLE_STATUSES = Object.keys(OUTCOME) as readonly CycleStatus[];

export function cycleOutcome(cycle: CycleRecord): CycleOutcome {
  return OUTCOME[cycle.status];
}
