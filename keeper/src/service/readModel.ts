/**
 * What the operator surfaces (HTTP API, dashboard, metrics) read about the keeper, and the one
 * action they may take. The keeper's SQLite store implements the read side; the running
 * keeper implements the control side.
 */

export type CycleStatus =
  | "planned"
  | "simulated"
  | "signed"
  | "submitted"
  | "confirmed"
  | "reconciled"
  | "failed"
  | "skipped"
  | "dry-run";

export interface CycleRecord {
  readonly id: number;
  /** Unix seconds (chain time for the local demo). */
  readonly startedAt: number;
  readonly finishedAt: number | null;
  readonly status: CycleStatus;
  readonly nonce: string | null;
  readonly txHash: string | null;
  /** Why the cycle failed or was skipped (decoded revert, risk check, kill switch, ...). */
  readonly reason: string | null;
  readonly navBefore: number | null;
  readonly navAfter: number | null;
  /** Execution cost in USD (NAV before minus NAV after, at oracle prices). */
  readonly costUsd: number | null;
  readonly gasUsed: string | null;
  readonly targetWeights: Readonly<Record<string, number>>;
}

export interface NavPoint {
  readonly t: number;
  readonly navPerShare: number;
  readonly navUsd: number;
  /** Benchmark value rebased to the vault's first NAV per share; null when unknown. */
  readonly benchmark: number | null;
}

export interface CompositionPoint {
  readonly t: number;
  readonly weights: Readonly<Record<string, number>>;
}

export type RiskLevel = "very low" | "low" | "medium" | "high" | "very high";

export interface KeeperStatus {
  readonly running: boolean;
  readonly killSwitch: boolean;
  readonly dryRun: boolean;
  readonly chainId: number;
  readonly vault: string;
  readonly strategy: string;
  readonly lastCycle: CycleRecord | null;
  readonly nextRunAt: number | null;
  readonly riskLevel: RiskLevel;
}

export interface KeeperReadModel {
  status(): KeeperStatus;
  currentWeights(): Readonly<Record<string, number>>;
  targetWeights(): Readonly<Record<string, number>>;
  cycles(limit: number): readonly CycleRecord[];
  navHistory(): readonly NavPoint[];
  compositionHistory(): readonly CompositionPoint[];
  /** NAV-per-share series of baseline strategies, rebased like `navHistory`. */
  baselines(): Readonly<Record<string, readonly NavPoint[]>>;
}

export interface KeeperControl {
  /** Runs a rebalance cycle now (outside the schedule); refused while the kill switch is on. */
  triggerRebalance(): Promise<{ readonly accepted: boolean; readonly reason?: string }>;
}
