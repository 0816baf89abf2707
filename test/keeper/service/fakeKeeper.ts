/**
 * In-memory stand-in for the keeper's store and control loop, so the operator surfaces are
 * tested without a chain. The history is simulated, not hard-coded: seeded daily prices for
 * an Arbitrum basket, a vault that drifts with them and is rebalanced weekly to its targets
 * (paying a cost proportional to turnover), a benchmark and two baselines on the same prices,
 * and one sandwiched rebalance that reverted and was retried. One rotation is in progress on
 * the last day, waiting for the multisig admin: the keeper has no admin key, so it proposed
 * adding PENDLE and nothing has moved yet (which keeps the simulated composition consistent).
 */
import { createHash } from "node:crypto";
import { Rng } from "../../../keeper/src/data/rng.js";
import type {
  CompositionPoint,
  CycleRecord,
  KeeperControl,
  KeeperReadModel,
  KeeperStatus,
  LegRecord,
  MarketFreshness,
  NavPoint,
  ReleaseInForce,
  RotationRecord,
  VenueView,
} from "../../../keeper/src/service/readModel.js";

const DAY = 86_400;
const START = 1_735_689_600; // 2025-01-01T00:00:00Z
const ASSETS = ["WETH", "WBTC", "ARB", "LINK", "GMX", "USDC"] as const;
/** Daily volatility and drift per asset (USDC is the base asset). */
const DAILY_VOL = [0.035, 0.028, 0.055, 0.05, 0.06, 0];
const DAILY_DRIFT = [0.0008, 0.0009, -0.0005, 0.0004, 0.0002, 0];
const TARGET = [0.32, 0.28, 0.1, 0.1, 0.05, 0.15];
const REBALANCE_EVERY_DAYS = 7;
const COST_RATE = 0.0015;
const INITIAL_NAV_USD = 1_000_000;

export interface FakeKeeper {
  readonly readModel: FakeReadModel;
  readonly control: FakeControl;
}

export class FakeReadModel implements KeeperReadModel {
  killSwitch = false;
  dryRun = false;
  running = true;
  holdReason: string | null = null;
  market: MarketFreshness | null = null;
  release: ReleaseInForce | null = null;
  /** The venue view the status carries once set (absent before, as before a keeper read its venue). */
  venue: VenueView | null = null;
  /** When set, every read throws it (to test 500 handling). */
  failWith: Error | null = null;

  constructor(
    readonly nav: NavPoint[],
    readonly composition: CompositionPoint[],
    readonly cycleLog: CycleRecord[],
    readonly baselineSeries: Record<string, NavPoint[]>,
    readonly target: Record<string, number>,
    readonly rotationLog: RotationRecord[] = [],
  ) {}

  async status(): Promise<KeeperStatus> {
    this.check();
    return {
      running: this.running,
      killSwitch: this.killSwitch,
      dryRun: this.dryRun,
      chainId: 42161,
      vault: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      strategy: "risk-parity-ppo",
      lastCycle: this.cycleLog.at(-1) ?? null,
      nextRunAt: (this.nav.at(-1)?.t ?? START) + DAY,
      riskLevel: "medium",
      steering: null,
      holdReason: this.holdReason,
      market: this.market,
      release: this.release,
      ...(this.venue ? { venue: this.venue } : {}),
    };
  }

  async currentWeights(): Promise<Readonly<Record<string, number>>> {
    this.check();
    return this.composition.at(-1)?.weights ?? {};
  }

  async targetWeights(): Promise<Readonly<Record<string, number>>> {
    this.check();
    return this.target;
  }

  async cycles(limit: number): Promise<readonly CycleRecord[]> {
    this.check();
    return this.cycleLog.slice(-limit).reverse();
  }

  async navHistory(): Promise<readonly NavPoint[]> {
    this.check();
    return this.nav;
  }

  async compositionHistory(): Promise<readonly CompositionPoint[]> {
    this.check();
    return this.composition;
  }

  async baselines(): Promise<Readonly<Record<string, readonly NavPoint[]>>> {
    this.check();
    return this.baselineSeries;
  }

  /** The simulated history has no per-leg fills. */
  async legs(_cycleId: number): Promise<readonly LegRecord[]> {
    this.check();
    return [];
  }

  async rotations(limit: number): Promise<readonly RotationRecord[]> {
    this.check();
    return this.rotationLog.slice(0, limit);
  }

  private check(): void {
    if (this.failWith) throw this.failWith;
  }
}

export class FakeControl implements KeeperControl {
  triggers = 0;

  constructor(private readonly readModel: FakeReadModel) {}

  async triggerRebalance(): Promise<{ readonly accepted: boolean; readonly reason?: string }> {
    this.triggers++;
    if (this.readModel.killSwitch) return { accepted: false, reason: "kill switch is on" };
    return { accepted: true };
  }
}

export function buildFakeKeeper(seed = 7, days = 90): FakeKeeper {
  const rng = new Rng(seed);
  const n = ASSETS.length;
  const prices = ASSETS.map(() => 1);
  let weights = [...TARGET];
  let navPerShare = 1;
  const benchmarkHoldings = [0.5, 0.5]; // WETH/WBTC 50/50, bought on day 0 and held
  let equalWeight = 1;
  const buyAndHold = [...TARGET];

  const nav: NavPoint[] = [];
  const composition: CompositionPoint[] = [];
  const cycleLog: CycleRecord[] = [];
  const equalWeightSeries: NavPoint[] = [];
  const buyAndHoldSeries: NavPoint[] = [];
  const record = (w: readonly number[]): Record<string, number> =>
    Object.fromEntries(ASSETS.map((a, i) => [a, w[i] ?? 0]));

  for (let d = 0; d < days; d++) {
    const t = START + d * DAY;
    if (d > 0) {
      const growth = prices.map((_, i) => Math.exp((DAILY_DRIFT[i] ?? 0) + (DAILY_VOL[i] ?? 0) * rng.normal()));
      growth.forEach((g, i) => {
        prices[i] = (prices[i] ?? 1) * g;
      });
      const grown = weights.map((w, i) => w * (growth[i] ?? 1));
      const portfolioGrowth = grown.reduce((a, b) => a + b, 0);
      navPerShare *= portfolioGrowth;
      weights = grown.map((w) => w / portfolioGrowth);
      equalWeight *= growth.reduce((a, b) => a + b, 0) / n;
      buyAndHold.forEach((h, i) => {
        buyAndHold[i] = h * (growth[i] ?? 1);
      });
    }
    if (d > 0 && d % REBALANCE_EVERY_DAYS === 0) {
      const turnover = weights.reduce((acc, w, i) => acc + Math.abs(w - (TARGET[i] ?? 0)), 0) / 2;
      const navBefore = navPerShare * INITIAL_NAV_USD;
      const costUsd = turnover * navBefore * COST_RATE;
      const gasUsed = String(380_000 + Math.round(rng.uniform() * 120_000));
      const nonce = String(cycleLog.filter((c) => c.status === "reconciled").length);
      // The sandwiched order reverts on chain (gas spent, nonce not consumed) and is retried.
      const sandwiched = d === 35;
      if (sandwiched) {
        cycleLog.push(
          cycle({ id: cycleLog.length + 1, t, status: "failed", navBefore, costUsd: null, gasUsed, nonce }),
        );
      }
      navPerShare *= 1 - costUsd / navBefore;
      weights = [...TARGET];
      const retryAt = t + (sandwiched ? 600 : 0);
      cycleLog.push(
        cycle({ id: cycleLog.length + 1, t: retryAt, status: "reconciled", navBefore, costUsd, gasUsed, nonce }),
      );
    }
    const navUsd = navPerShare * INITIAL_NAV_USD;
    const benchmark = (benchmarkHoldings[0] ?? 0) * (prices[0] ?? 1) + (benchmarkHoldings[1] ?? 0) * (prices[1] ?? 1);
    nav.push({ t, navPerShare, navUsd, benchmark });
    composition.push({ t, weights: record(weights) });
    equalWeightSeries.push({ t, navPerShare: equalWeight, navUsd: equalWeight * INITIAL_NAV_USD, benchmark: null });
    const bh = buyAndHold.reduce((a, b) => a + b, 0);
    buyAndHoldSeries.push({ t, navPerShare: bh, navUsd: bh * INITIAL_NAV_USD, benchmark: null });
  }
  const readModel = new FakeReadModel(
    nav,
    composition,
    cycleLog,
    { "equal weight": equalWeightSeries, "buy and hold": buyAndHoldSeries },
    record(TARGET),
    [pendingRotation(START + (days - 1) * DAY)],
  );
  return { readModel, control: new FakeControl(readModel) };
}

interface CycleInput {
  readonly id: number;
  readonly t: number;
  readonly status: "failed" | "reconciled";
  readonly navBefore: number;
  readonly costUsd: number | null;
  readonly gasUsed: string;
  readonly nonce: string;
}

function cycle(c: CycleInput): CycleRecord {
  const failed = c.status === "failed";
  return {
    id: c.id,
    startedAt: c.t,
    finishedAt: c.t + 40,
    status: c.status,
    nonce: c.nonce,
    txHash: `0x${createHash("sha256").update(`tx-${c.id}-${c.t}`).digest("hex")}`,
    // What the keeper records for a sandwiched order: the vault's decoded custom error.
    reason: failed
      ? `reverted: NavLossTooHigh(navBefore=${c.navBefore.toFixed(2)}, navAfter=${(c.navBefore * 0.987).toFixed(2)})`
      : null,
    navBefore: c.navBefore,
    navAfter: c.costUsd === null ? null : c.navBefore - c.costUsd,
    costUsd: c.costUsd,
    gasUsed: c.gasUsed,
    targetWeights: Object.fromEntries(ASSETS.map((a, i) => [a, TARGET[i] ?? 0])),
    outcome: failed ? "failed" : "traded",
    distanceBps: failed ? null : 0,
  };
}

/** A rotation waiting for the admin: adding PENDLE was proposed (schedule, then addAsset). */
function pendingRotation(t: number): RotationRecord {
  const vault = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
  const callData = `0x${"ab".repeat(36)}`;
  return {
    id: 1,
    startedAt: t,
    finishedAt: null,
    status: "in-progress",
    selected: [...ASSETS.filter((a) => a !== "USDC"), "PENDLE"],
    plan: { keep: ASSETS.filter((a) => a !== "USDC"), remove: [], add: ["PENDLE"], rejected: [] },
    reason: null,
    steps: [
      {
        id: 1,
        kind: "add",
        symbol: "PENDLE",
        token: "0x0c880f6761F1af8d9Aa9C466984b80DAb9a8c9e8",
        status: "proposed",
        callData,
        readyAt: null,
        txHash: null,
        proposal: [
          { action: "schedule", to: vault, data: callData, earliest: t },
          { action: "addAsset", to: vault, data: callData, earliest: t + 2 * DAY },
        ],
        reason: "no admin key: waiting for the admin to schedule and execute",
        updatedAt: t,
      },
    ],
  };
}
