/**
 * The keeper cycle for any core `Venue` (HyperLiquid perps, the Starknet LST vault): on a
 * schedule, the oracle's targets -> the venue's plan -> its dry run -> execute -> the venue's
 * own confirm and reconcile -> persist, every step written to the store (per venue, in
 * venue-neutral orders and results) before the next starts.
 *
 * Crash safety: the venue records its pending record through the journal before anything
 * leaves, and the store writes it (with the cycle's orders) in one transaction, awaited. A cycle
 * found `pending` at the start of a tick is handed to the venue's `resume`, which never sends an
 * order twice; nothing new is planned until it is finished. A cycle left before that record
 * (`planned`, `simulated`) sent nothing and is closed as failed.
 *
 * The kill switch (config or `<dataDir>/KILL`) holds every tick, resumes included (a resume may
 * send orders the exchange never saw). Dry run plans and simulates and records the orders
 * without executing. The Arbitrum vault, a core `BasketVenue` too, runs on the basket keeper
 * (service/keeper.ts), which adds what only a basket vault has: rotation, market guard, steering,
 * a no-trade band, route learning and impact recalibration.
 *
 * Leadership, as on the Arbitrum keeper: with a shared PostgreSQL every keeper of one venue
 * account competes for its lease, and only the holder ticks (a standby reads and writes
 * nothing). The venue calls the journal's `authorize` right before each signature and each
 * send, which is `Leadership.fence`: a holder that lost its lease signs and sends nothing, and
 * a cycle it had recorded stays pending for the next holder's resume.
 */

import { BallastError } from "../core/errors.js";
import type { Venue, VenueExecution, VenueJournal, VenuePlan } from "../core/venue.js";
import type { Oracle } from "../execution/portfolioManager.js";
import { OracleHold } from "../execution/portfolioManager.js";
import type { KeeperMetrics } from "./keeperMetrics.js";
import { withLeadership } from "./leadership/leaderReadModel.js";
import { type Leadership, LocalLeadership } from "./leadership/leadership.js";
import type { Logger } from "./logger.js";
import type {
  CycleOutcome,
  CycleRecord,
  CycleStatus,
  KeeperControl,
  KeeperReadModel,
  KeeperStatus,
  NavPoint,
} from "./readModel.js";
import { decideRun } from "./scheduler.js";
import type { VenueCycle, VenueCycleStatus, VenueStore } from "./store/venueStore.js";

export interface VenueKeeperOptions {
  readonly pollSeconds: number;
  readonly everySeconds: number;
  readonly driftThresholdBps: number;
  readonly dryRun: boolean;
  /** Read before every tick (the config flag or the KILL file). */
  readonly killSwitch: () => boolean;
  /** Where the venue is, safe to show (no key, URL redacted). */
  readonly describes: string;
}

export interface VenueKeeperDeps<S, P extends VenuePlan, R> {
  readonly venue: Venue<S, P, R>;
  readonly oracle: Oracle;
  readonly store: VenueStore;
  readonly logger: Logger;
  readonly metrics: KeeperMetrics;
  readonly options: VenueKeeperOptions;
  /** Who may sign: always this process with SQLite (the default); the lease holder with PostgreSQL. */
  readonly leadership?: Leadership;
}

const STATUS_OF: Readonly<Record<VenueCycleStatus, CycleStatus>> = {
  planned: "planned",
  simulated: "simulated",
  pending: "submitted",
  done: "reconciled",
  failed: "failed",
  held: "held",
  "dry-run": "dry-run",
};

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class VenueKeeper<S, P extends VenuePlan, R> implements KeeperReadModel, KeeperControl {
  private stopped = false;
  private wake: (() => void) | null = null;
  private busy: Promise<unknown> = Promise.resolve();
  readonly leadership: Leadership;

  constructor(readonly deps: VenueKeeperDeps<S, P, R>) {
    this.leadership = deps.leadership ?? new LocalLeadership();
  }

  /** What the operator surfaces read: this keeper's model, with the process's leadership in the status. */
  get readModel(): KeeperReadModel {
    return withLeadership(this, this.leadership);
  }

  /**
   * One tick: finish a pending cycle, or rebalance when due. Returns the cycle it recorded, if
   * any; a standby (another keeper holds the lease) does nothing, writes nothing, returns null.
   */
  tick(force = false): Promise<VenueCycle | null> {
    // One cycle at a time, whether from the schedule or the operator's POST.
    const run = this.busy.then(() => {
      if (this.leadership.isLeader()) return this.counted(force);
      this.deps.logger.debug(this.leadership.view(), "standby: another keeper holds the venue account's lease");
      return null;
    });
    this.busy = run.catch(() => undefined);
    return run;
  }

  /** A leader's tick, with the statements it sent to the store on /metrics and in the debug log. */
  private async counted(force: boolean): Promise<VenueCycle | null> {
    const before = this.deps.store.queries;
    let cycle: VenueCycle | null = null;
    try {
      cycle = await this.tickNow(force);
      return cycle;
    } finally {
      const statements = this.deps.store.queries - before;
      this.deps.metrics.storeQueries.set(statements);
      this.deps.logger.debug({ storeQueries: statements, cycle: cycle?.id ?? null }, "tick: store statements");
    }
  }

  private async tickNow(force: boolean): Promise<VenueCycle | null> {
    const { venue, store, options, logger } = this.deps;
    const killed = options.killSwitch();
    await store.setState({ running: true, killSwitch: killed, dryRun: options.dryRun, describes: options.describes });
    const now = await venue.time();
    if (killed) {
      const id = await store.begin(now, "held");
      await this.finish(id, now, Date.now(), "held", { reason: "kill switch on: nothing planned or resumed" });
      return this.cycle(id);
    }
    const abandoned = await store.abandonUnrecorded("interrupted before its orders were recorded: none sent", now);
    if (abandoned > 0) logger.warn({ abandoned }, "cycles closed: interrupted before recording");
    const unfinished = await store.unfinished();
    if (unfinished) return this.resume(unfinished.cycle, unfinished.pending as R);

    const account = await venue.positions();
    const state = await store.state();
    const current = Object.fromEntries(account.holdings.map((h) => [h.symbol, h.weight]));
    const drift = Math.max(
      0,
      ...[...new Set([...Object.keys(current), ...Object.keys(state.targetWeights)])].map((s) =>
        Math.round(Math.abs((current[s] ?? 0) - (state.targetWeights[s] ?? 0)) * 10_000),
      ),
    );
    const decision = decideRun(
      { now: account.time, lastRebalanceAt: state.lastRebalanceAt, driftBps: drift },
      { everySeconds: options.everySeconds, driftThresholdBps: options.driftThresholdBps },
    );
    await store.setState({ account, nextRunAt: decision.nextRunAt });
    await store.recordNav(account.time, account.navUsd);
    if (!decision.due && !force) return null;
    return this.rebalance(account.time, current);
  }

  private async rebalance(now: number, current: Readonly<Record<string, number>>): Promise<VenueCycle> {
    const { venue, oracle, store, options, logger } = this.deps;
    const startedMs = Date.now();
    const universe = (await venue.universe()).map((m) => m.symbol);
    const answer = await oracle.targetWeights({ now, currentWeights: current, universe });
    if (answer instanceof OracleHold || answer === null) {
      const reason = answer === null ? `oracle ${oracle.name} gave no weights` : answer.reason;
      const id = await store.begin(now, "held");
      await store.setState({ holdReason: reason });
      await this.finish(id, now, startedMs, "held", { reason });
      return this.cycle(id);
    }
    const id = await store.begin(now, "planned", answer);
    let recorded = false;
    try {
      const plan = await venue.plan(answer);
      await store.update(id, {
        targetWeights: plan.targetWeights,
        planId: planIdOf(plan),
      });
      if (plan.orders.length === 0) {
        await this.settle(id, now, startedMs, plan, null);
        return this.cycle(id);
      }
      const sim = await venue.simulate(plan);
      await store.update(id, { status: "simulated", feesUsd: sim.estimatedFeesUsd });
      if (!sim.ok) {
        await this.finish(id, now, startedMs, "failed", { reason: `simulation refused: ${sim.reason}` });
        return this.cycle(id);
      }
      if (options.dryRun) {
        await store.recordResults(
          id,
          plan.orders.map((order) => ({
            order,
            status: "unknown",
            filledSize: "0",
            averagePrice: null,
            venueOrderId: null,
            reason: "dry run: not sent",
          })),
        );
        await this.finish(id, now, startedMs, "dry-run", { reason: plan.notes.join("; ") || null });
        return this.cycle(id);
      }
      const journal: VenueJournal<R> = {
        pending: async (record) => {
          await store.recordPending(id, record, plan.orders);
          recorded = true;
        },
        results: (results) => store.recordResults(id, results),
        authorize: (act) => this.leadership.fence(act),
      };
      const execution = await venue.execute(plan, journal);
      await this.settle(id, now, startedMs, plan, execution);
    } catch (error) {
      if (recorded) {
        // Orders may have left: the cycle stays pending and the next tick resumes it.
        await store.update(id, { reason: `interrupted, to resume: ${message(error)}` });
        logger.error({ cycle: id, err: message(error) }, "venue cycle interrupted after recording; will resume");
      } else {
        if (!(error instanceof BallastError)) logger.error({ cycle: id, err: message(error) }, "venue cycle failed");
        await this.finish(id, now, startedMs, "failed", { reason: message(error) });
      }
    }
    return this.cycle(id);
  }

  private async resume(cycle: VenueCycle, pending: R): Promise<VenueCycle> {
    const { venue, store, logger } = this.deps;
    const startedMs = Date.now();
    logger.info({ cycle: cycle.id, venue: venue.name }, "resuming a recorded cycle");
    const journal: VenueJournal<R> = {
      pending: (record) => store.recordPending(cycle.id, record, []),
      results: (results) => store.recordResults(cycle.id, results),
      authorize: (act) => this.leadership.fence(act),
    };
    try {
      const execution = await venue.resume(pending, journal);
      await this.settle(cycle.id, cycle.startedAt, startedMs, { targetWeights: cycle.targetWeights }, execution);
    } catch (error) {
      await store.update(cycle.id, { reason: `resume interrupted, to retry: ${message(error)}` });
      logger.error({ cycle: cycle.id, err: message(error) }, "resume failed; the cycle stays pending");
    }
    return this.cycle(cycle.id);
  }

  /** Closes a cycle from the venue's execution (null: nothing to trade), with the positions after. */
  private async settle(
    id: number,
    now: number,
    startedMs: number,
    plan: Pick<VenuePlan, "targetWeights"> & { readonly notes?: readonly string[] },
    execution: VenueExecution | null,
  ): Promise<void> {
    const { venue, store } = this.deps;
    const account = await venue.positions();
    const weights = Object.fromEntries(account.holdings.map((h) => [h.symbol, h.weight]));
    const distanceBps = Math.max(
      0,
      ...Object.entries(plan.targetWeights).map(([s, w]) => Math.round(Math.abs((weights[s] ?? 0) - w) * 10_000)),
    );
    const kind = execution?.kind ?? "nothing-to-trade";
    const outcome: CycleOutcome =
      kind === "executed"
        ? "traded"
        : kind === "simulated"
          ? "dry-run"
          : (kind as "partial" | "nothing-to-trade" | "failed");
    const traded = outcome === "traded" || outcome === "partial";
    await store.setState({
      account,
      targetWeights: plan.targetWeights,
      holdReason: null,
      ...(traded || outcome === "nothing-to-trade" ? { lastRebalanceAt: now } : {}),
    });
    await store.recordNav(account.time, account.navUsd);
    await this.finish(id, now, startedMs, outcome, {
      reason: execution?.reason ?? (plan.notes?.join("; ") || null),
      navBefore: execution?.navBeforeUsd ?? null,
      navAfter: execution?.navAfterUsd ?? account.navUsd,
      distanceBps,
    });
  }

  private async finish(
    id: number,
    now: number,
    startedMs: number,
    outcome: CycleOutcome,
    patch: { reason: string | null; navBefore?: number | null; navAfter?: number | null; distanceBps?: number },
  ): Promise<void> {
    const status: VenueCycleStatus =
      outcome === "failed" ? "failed" : outcome === "held" ? "held" : outcome === "dry-run" ? "dry-run" : "done";
    await this.deps.store.update(id, { ...patch, status, outcome, finishedAt: now });
    this.deps.metrics.cycles.inc({ outcome });
    this.deps.metrics.cycleDuration.observe({ outcome }, (Date.now() - startedMs) / 1000);
    this.deps.logger.info(
      {
        venue: this.deps.venue.name,
        cycle: id,
        outcome,
        reason: patch.reason,
        seconds: (Date.now() - startedMs) / 1000,
      },
      "venue cycle finished",
    );
  }

  private async cycle(id: number): Promise<VenueCycle> {
    const found = (await this.deps.store.cycles(1_000)).find((c) => c.id === id);
    if (!found) throw new Error(`venue cycle ${id} vanished from the store`);
    return found;
  }

  /**
   * Ticks every `pollSeconds` until `stop()`; a failed tick is logged, never fatal. It first
   * starts keeping (or waiting for) the lease; a takeover wakes the loop at once, so the new
   * holder resumes the journal without waiting out the poll.
   */
  async run(): Promise<void> {
    await this.leadership.start(() => this.wake?.());
    while (!this.stopped) {
      try {
        await this.tick();
      } catch (error) {
        this.deps.logger.error({ err: message(error) }, "venue tick failed");
      }
      if (this.stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.deps.options.pollSeconds * 1000);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
    await this.standDown();
  }

  /** Marks the keeper stopped (as the holder only: a standby writes nothing) and gives up the lease. */
  async standDown(): Promise<void> {
    if (this.leadership.isLeader()) {
      try {
        await this.deps.store.setState({ running: false });
      } catch (error) {
        this.deps.logger.warn({ err: message(error) }, "state not saved");
      }
    }
    await this.leadership.stop();
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  // ------------------------------------------------------------------ KeeperControl

  async triggerRebalance(): Promise<{ accepted: boolean; outcome?: CycleOutcome | null; reason?: string }> {
    if (this.deps.options.killSwitch()) return { accepted: false, reason: "kill switch on" };
    if (!this.leadership.isLeader()) {
      const { holder } = this.leadership.view();
      return { accepted: false, reason: `standby: the venue account's lease is held by ${holder ?? "another keeper"}` };
    }
    const cycle = await this.tick(true);
    return { accepted: true, outcome: cycle?.outcome ?? null };
  }

  // ------------------------------------------------------------------ KeeperReadModel

  async status(): Promise<KeeperStatus> {
    const { store, venue, oracle } = this.deps;
    const state = await store.state();
    const last = (await store.cycles(1))[0] ?? null;
    return {
      running: state.running,
      killSwitch: state.killSwitch,
      dryRun: state.dryRun,
      chainId: 0,
      vault: state.describes,
      strategy: oracle.name,
      lastCycle: last ? toRecord(last) : null,
      nextRunAt: state.nextRunAt,
      riskLevel: null,
      // No volatility steering on these venues yet.
      steering: null,
      holdReason: state.holdReason,
      market: null,
      release: null,
      venue: {
        name: venue.name,
        describes: state.describes,
        account: state.account,
        lastOrders: last ? await store.orders(last.id) : [],
      },
    };
  }

  async currentWeights(): Promise<Readonly<Record<string, number>>> {
    const account = (await this.deps.store.state()).account;
    return Object.fromEntries((account?.holdings ?? []).map((h) => [h.symbol, h.weight]));
  }

  async targetWeights(): Promise<Readonly<Record<string, number>>> {
    return (await this.deps.store.state()).targetWeights;
  }

  async cycles(limit: number): Promise<readonly CycleRecord[]> {
    return (await this.deps.store.cycles(limit)).map(toRecord);
  }

  /** NAV in USD; a perps account or an LST vault has no share price here, so NAV per share is NAV. */
  async navHistory(): Promise<readonly NavPoint[]> {
    return (await this.deps.store.navHistory()).map((p) => ({
      t: p.t,
      navPerShare: p.navUsd,
      navUsd: p.navUsd,
      benchmark: null,
    }));
  }

  async compositionHistory() {
    return [];
  }

  async baselines() {
    return {};
  }

  /** The Arbitrum vault's legs (predicted vs realised swap cost) have no venue-neutral equivalent yet. */
  async legs() {
    return [];
  }

  async rotations() {
    return [];
  }
}

/** Both venues name their plans (`planId`); the core type does not require it. */
function planIdOf(plan: VenuePlan): string | null {
  const id = (plan as unknown as { readonly planId?: unknown }).planId;
  return typeof id === "string" ? id : null;
}

function toRecord(c: VenueCycle): CycleRecord {
  return {
    id: c.id,
    startedAt: c.startedAt,
    finishedAt: c.finishedAt,
    status: STATUS_OF[c.status],
    nonce: c.planId,
    txHash: null,
    reason: c.reason,
    navBefore: c.navBefore,
    navAfter: c.navAfter,
    costUsd: c.feesUsd,
    gasUsed: null,
    targetWeights: c.targetWeights,
    outcome: c.outcome,
    distanceBps: c.distanceBps,
  };
}
