/**
 * What the operator surfaces (HTTP API, dashboard, metrics) read about the keeper, and the one
 * action they may take. The keeper's SQLite store implements the read side; the running
 * keeper implements the control side.
 */

import type { YieldAccrual } from "../core/types.js";
import type { OrderResult, VenueAccount, VenueOrder } from "../core/venue.js";
import type { LeadershipView } from "./leadership/leadership.js";

export type CycleStatus =
  | "planned"
  | "simulated"
  | "signed"
  | "submitted"
  | "confirmed"
  | "reconciled"
  | "failed"
  | "skipped"
  | "held"
  | "dry-run";

/**
 * How a finished cycle ended, for the operator: `traded` (the vault reached its target within
 * the vault's tolerance), `partial` (it traded but a cap, the turnover budget or the slippage
 * budget, left it short: `distanceBps` says how far), `nothing-to-trade` (every leg below the
 * minimum size; not a failure), `held` (no order on purpose: the market guard, a zero target
 * from missing data, the strategy; `reason` says which), `dry-run` (signed and simulated, not
 * sent) and `failed`. Null while the cycle is in flight.
 */
export const CYCLE_OUTCOMES = ["traded", "partial", "nothing-to-trade", "held", "dry-run", "failed"] as const;
export type CycleOutcome = (typeof CYCLE_OUTCOMES)[number];

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
  /** What the leg sizing reported: capped legs (a partial rebalance), fallbacks to fixed haircuts. */
  readonly sizing?: string | null;
  /** Null while in flight (and for cycles recorded before outcomes were). */
  readonly outcome: CycleOutcome | null;
  /** After a trade: the largest distance of a vault weight from the strategy's target, bps. */
  readonly distanceBps: number | null;
}

/** One executed leg: the model's predicted cost next to the realised one (both vs Chainlink). */
export interface LegRecord {
  readonly cycleId: number;
  readonly legIndex: number | null;
  readonly tokenIn: string;
  readonly tokenOut: string;
  readonly amountIn: string;
  readonly amountOut: string;
  /** Chainlink value of the input, USD. */
  readonly valueInUsd: number | null;
  /** Fees + price impact the sizing predicted, bps of the input's value; null when unknown. */
  readonly predictedCostBps: number | null;
  /**
   * The analytic model's cost of the same leg, bps: what impact refits fit on. Equals
   * `predictedCostBps` unless the leg was sized with a refit.
   */
  readonly analyticCostBps: number | null;
  /** 1 - value out / value in at Chainlink prices, in bps. */
  readonly realisedCostBps: number | null;
  /** The route the bandit chose for the leg (route learning); null when it took the configured one. */
  readonly route: string | null;
}

export type RotationStatus = "in-progress" | "done" | "skipped";

export type RotationStepStatus =
  | "pending"
  | "proposed"
  | "scheduling"
  | "scheduled"
  | "executing"
  | "executed"
  | "selling"
  | "removing"
  | "removed"
  | "failed";

/** A call the vault admin (a multisig in production) should make; written when the keeper has no admin key. */
export interface AdminProposal {
  readonly action: string;
  readonly to: string;
  readonly data: string;
  /** Earliest chain time it can succeed (null: once the step before it landed). */
  readonly earliest: number | null;
}

/** add: `addAsset`; declare: `setDeviation` of an added asset's feed; remove: sell, then `removeAsset`. */
export type RotationStepKind = "add" | "declare" | "remove";

export interface RotationStepRecord {
  readonly id: number;
  readonly kind: RotationStepKind;
  readonly symbol: string;
  readonly token: string;
  readonly status: RotationStepStatus;
  /** The exact calldata of the admin call (`addAsset(...)` for adds, `removeAsset(...)` for removes). */
  readonly callData: string | null;
  /** When a scheduled `addAsset` becomes executable (chain time). */
  readonly readyAt: number | null;
  readonly txHash: string | null;
  readonly proposal: readonly AdminProposal[] | null;
  readonly reason: string | null;
  readonly updatedAt: number;
}

export interface RotationPlanSummary {
  readonly keep: readonly string[];
  readonly remove: readonly string[];
  readonly add: readonly string[];
  readonly rejected: readonly { readonly symbol: string; readonly reason: string }[];
  /** The classifier's deciding reason per token (a failed rule, or its rank). */
  readonly why?: Readonly<Record<string, string>>;
}

export interface RotationRecord {
  readonly id: number;
  readonly startedAt: number;
  readonly finishedAt: number | null;
  readonly status: RotationStatus;
  /** The classifier's universe at `startedAt`. */
  readonly selected: readonly string[];
  readonly plan: RotationPlanSummary;
  readonly reason: string | null;
  readonly steps: readonly RotationStepRecord[];
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

/** The volatility steering of the last cycle (status, dashboard, metrics). */
export interface SteeringStatus {
  readonly enabled: boolean;
  /** Level in force after hysteresis; null when too few bars were seen to measure one. */
  readonly level: RiskLevel | null;
  /** Annualised volatility of the held basket per lookback (null: not measurable on these bars). */
  readonly vol: readonly { readonly lookbackHours: number; readonly annualised: number | null }[];
  /** The schedule's interval after steering, and its multiplier on `schedule.everySeconds`. */
  readonly intervalSeconds: number;
  readonly intervalMultiplier: number;
  /** Share of the distance to the target a rebalance trades. */
  readonly tradeFraction: number;
  readonly reason: string;
}

export interface KeeperStatus {
  readonly running: boolean;
  readonly killSwitch: boolean;
  readonly dryRun: boolean;
  readonly chainId: number;
  readonly vault: string;
  readonly strategy: string;
  readonly lastCycle: CycleRecord | null;
  readonly nextRunAt: number | null;
  /** The strategy's risk label; null for an oracle that gives none (the venue keeper's). */
  readonly riskLevel: RiskLevel | null;
  /** What the volatility level did to the schedule and trade size; null before the first reading. */
  readonly steering: SteeringStatus | null;
  /** Why the keeper is not trading right now (market guard, vault cooldown); null when it may. */
  readonly holdReason: string | null;
  /** The live market data's last reading; null when the keeper has no live source. */
  readonly market: MarketFreshness | null;
  /** The research release the keeper serves; null when it runs a configured strategy. */
  readonly release: ReleaseInForce | null;
  /** The last rotation retrain (research on the live panel at a rotation) and what came of it. */
  readonly retrain?: RetrainRecord | null;
  /**
   * This process's leadership of the vault (leader or standby, the lease's holder, token and
   * expiry), from the process serving the status; absent where no process answers (`status`).
   */
  readonly leadership?: LeadershipView;
  /**
   * The venue and what it holds, in venue-neutral terms: set by every keeper once it has read its
   * venue (`keeper run --venue arbitrum|hyperliquid|starknet`).
   */
  readonly venue?: VenueView;
}

export interface VenueView {
  readonly name: string;
  /** Account and endpoint, redacted. */
  readonly describes: string;
  /** Positions as last read (signed weights of net liquidity); null before the first read. */
  readonly account: VenueAccount | null;
  /** The last cycle's orders and how each ended (null while unknown). */
  readonly lastOrders: readonly {
    readonly order: VenueOrder;
    readonly result: Omit<OrderResult, "order"> | null;
  }[];
}

export interface MarketFreshness {
  readonly source: string;
  /** Close time of the newest bar (unix seconds); null before any. */
  readonly newestBarAt: number | null;
  /** False when the last reading was refused (stale, disputed); `reason` says why. */
  readonly ok: boolean;
  readonly reason: string | null;
}

export interface ReleaseInForce {
  readonly dir: string;
  /** What the release serves: the candidate when the gate approved it, else the fallback. */
  readonly serves: string;
  readonly candidate: string;
  readonly approved: boolean;
  readonly reasons: readonly string[];
}

/**
 * A rotation retrain: research run in a child process on the live panel when a rotation
 * started; the keeper switches to its release only when it verifies, the gate approved it and
 * its universe is the basket after the rotation.
 */
export interface RetrainRecord {
  readonly rotationId: number;
  /** The release folder research writes (renamed into place only when complete). */
  readonly dir: string;
  /** The release the keeper was started on (`--release`); a restart on another one ignores this record. */
  readonly basedOn: string;
  /** running; switched (now in force); kept (the release in force stays, `reason` says why). */
  readonly status: "running" | "switched" | "kept";
  /** Wall-clock unix seconds. */
  readonly startedAt: number;
  readonly finishedAt: number | null;
  readonly reason: string | null;
}

/**
 * Where the APY the strategy used for an asset came from: a DefiLlama pool's adjusted APY, a
 * stated prior (the release's research config), or none (the strategy counts no yield for it).
 */
export type YieldSource = "defillama" | "prior" | "none";

/** The APY the strategy counted for one basket asset (vault symbol). */
export interface YieldUsed {
  readonly asset: string;
  readonly source: YieldSource;
  /** DefiLlama pool id, for source "defillama". */
  readonly pool: string | null;
  /** Adjusted APY (annual fraction); null for source "none". */
  readonly apy: number | null;
  /** Share of the pool's reward APY dropped by the adjustment; null when not from DefiLlama. */
  readonly rewardHaircut: number | null;
  /** When the APY was known (unix seconds): the pool's day, or the release's creation for a prior. */
  readonly asOf: number | null;
  /** How the yield reaches the holder; null when the asset earns none. */
  readonly accrual: YieldAccrual | null;
}

/** What the strategy in force counts as yield, per basket asset; written when the keeper starts. */
export interface YieldPlan {
  readonly strategy: string;
  readonly assets: readonly YieldUsed[];
}

/** One reading of an exchange-rate token's rate (units of its underlying per token). */
export interface RateSnapshot {
  readonly asset: string;
  /** Chain time, unix seconds. */
  readonly t: number;
  readonly rate: number;
  /** What was read (the vault's rate-adapter feed and its leg). */
  readonly source: string;
}

/** The first and last stored snapshots of one asset's rate. */
export interface RateSpan {
  readonly asset: string;
  readonly first: RateSnapshot;
  readonly last: RateSnapshot;
  readonly snapshots: number;
}

export interface AssetYieldView extends YieldUsed {
  /**
   * Annualised growth of the exchange rate between the first and last stored snapshot
   * (annual fraction); null when it cannot be measured (`realisedReason` says why).
   */
  readonly realised: number | null;
  readonly realisedReason: string | null;
  readonly rate: {
    readonly source: string;
    readonly from: number;
    readonly to: number;
    readonly firstRate: number;
    readonly lastRate: number;
    readonly snapshots: number;
  } | null;
}

export interface YieldsView {
  /** The strategy the plan describes; null before the keeper wrote one. */
  readonly strategy: string | null;
  /** False when the strategy counts no yield for any asset (the dashboard then hides the numbers). */
  readonly usesYields: boolean;
  readonly assets: readonly AssetYieldView[];
}

export interface KeeperReadModel {
  status(): Promise<KeeperStatus>;
  currentWeights(): Promise<Readonly<Record<string, number>>>;
  targetWeights(): Promise<Readonly<Record<string, number>>>;
  cycles(limit: number): Promise<readonly CycleRecord[]>;
  navHistory(): Promise<readonly NavPoint[]>;
  compositionHistory(): Promise<readonly CompositionPoint[]>;
  /** NAV-per-share series of baseline strategies, rebased like `navHistory`. */
  baselines(): Promise<Readonly<Record<string, readonly NavPoint[]>>>;
  /** Executed legs of a cycle with predicted and realised costs. */
  legs(cycleId: number): Promise<readonly LegRecord[]>;
  /** Portfolio rotations, newest first. */
  rotations(limit: number): Promise<readonly RotationRecord[]>;
  /** APY used against realised yield per basket asset; absent on a keeper that tracks none (venue keeper). */
  yields?(): Promise<YieldsView>;
  /** Route learning's arms and their metrics; absent on a keeper without route learning (venue keeper). */
  routes?(): Promise<readonly RouteView[]>;
  /** The impact refits the last cycle sized with, per route; absent on a keeper without recalibration (venue keeper). */
  impactRefits?(): Promise<readonly RefitView[]>;
}

/** One route's impact refit (service/impactCalibration.ts) as the last cycle used it. */
export interface RefitView {
  /** `sell:<path>` or `buy:<path>`, lower case: the route id (the route arm's, with route learning). */
  readonly route: string;
  readonly side: "sell" | "buy";
  /** Fills the refit is fitted on. */
  readonly fills: number;
  /** Multiplier on the analytic impact (1 = the analytic model). */
  readonly scale: number;
  /** Cost the analytic model misses at every size, bps. */
  readonly offsetBps: number;
  /** Weight of the fills against the prior at the analytic model, 0 .. 1. */
  readonly weight: number;
}

/** One learned route (a path and a side) as `/api/routes` and the dashboard show it. */
export interface RouteView {
  /** `sell:<path>` or `buy:<path>`, lower case: the arm's id. */
  readonly route: string;
  readonly side: "sell" | "buy";
  /** The path's tokens (addresses, in trade order) and each hop's fee (hundredths of a bip). */
  readonly tokens: readonly string[];
  readonly fees: readonly number[];
  /** Times chosen, fills learned from. */
  readonly picks: number;
  readonly updates: number;
  /** Realised minus predicted cost over the learned fills, bps (null before the first). */
  readonly meanErrorBps: number | null;
  readonly meanAbsErrorBps: number | null;
  /** Summed regret against the best expected route, bps (an estimate: routes not taken never traded). */
  readonly regretBps: number;
}

export interface KeeperControl {
  /** Runs a rebalance cycle now (outside the schedule); refused while the kill switch is on. */
  triggerRebalance(): Promise<{
    readonly accepted: boolean;
    readonly outcome?: CycleOutcome | null;
    readonly reason?: string;
  }>;
}
