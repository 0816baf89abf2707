/**
 * When the keeper rebalances: on the strategy's frequency (every `everySeconds` since the last
 * rebalance) and earlier when the vault drifted from its last target by more than the
 * threshold. Pure, so the rule is tested without a chain.
 */
export interface ScheduleConfig {
  readonly everySeconds: number;
  readonly driftThresholdBps: number;
}

export interface ScheduleInput {
  readonly now: number;
  /** Chain time of the last successful rebalance (null before the first). */
  readonly lastRebalanceAt: number | null;
  /** Largest distance of a current weight from the last target, in bps (0 without a target). */
  readonly driftBps: number;
}

export type RunReason = "first" | "schedule" | "drift";

export interface ScheduleDecision {
  readonly due: boolean;
  readonly reason: RunReason | null;
  readonly nextRunAt: number;
}

export function decideRun(input: ScheduleInput, config: ScheduleConfig): ScheduleDecision {
  if (input.lastRebalanceAt === null) return { due: true, reason: "first", nextRunAt: input.now };
  const nextRunAt = input.lastRebalanceAt + config.everySeconds;
  if (input.now >= nextRunAt) return { due: true, reason: "schedule", nextRunAt };
  if (input.driftBps > config.driftThresholdBps) return { due: true, reason: "drift", nextRunAt };
  return { due: false, reason: null, nextRunAt };
}
