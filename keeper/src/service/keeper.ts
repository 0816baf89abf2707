/** The market view at chain time `now`; null when there is none to check. */
export type MarketView = (now: number) => MarketPanel | null | Promise<MarketPanel | null>;

/**
 * The running keeper of a basket vault (the Arbitrum IndexVault), which it holds as a core
 * `BasketVenue` (execution/indexVault/vaultVenue.ts; cli builds the implementation). Each
 * cycle: resume whatever a previous run left between signing and a final state, move a
 * portfolio rotation along (start one when due), read the vault, ask the scheduler whether a
 * rebalance is due (frequency, drift, or a rotation changed the assets the strategy may hold),
 * ask the oracle for weights over those assets, validate them, then let the venue plan (legs
 * sized on the pools' liquidity) and execute (sign, simulate, submit), persisting every
 * transition the venue reports through its journal; finally reconcile the vault's new weights
 * with the target, record NAV and the legs' predicted vs realised costs. A dry run plans and has
 * the venue simulate, and sends nothing. The kill switch (config flag or `<dataDir>/KILL`)
 * stops all of it.
 *
 * Before anything is planned, the keeper holds (no order, one logged reason, a `held` cycle)
 * when the market view fails the market guard, and waits, without an attempt, while the
 * vault's cooldown runs (it schedules the next attempt for when the cooldown ends). Every
 * finished cycle has one outcome: traded, partial (with its distance from target), nothing to
 * trade, held, dry run or failed.
 */
import { existsSync } from "node:fs";
import { type KeeperConfig, killFilePath } from "../config/keeperConfig.js";
import { BallastError, InvalidInputError } from "../core/errors.js";
import { toNumber } from "../core/fixed.js";
import type { MarketPanel } from "../core/types.js";
import type { RebalanceWindow, VenueJournal } from "../core/venue.js";
import type { MarketVerdict } from "../data/marketGuard.js";
import type { FailoverRpc } from "../execution/failoverRpc.js";
import { bandedTargetBps, routeFeeTiers } from "../execution/indexVault/bandTargets.js";
import type { ExchangeRateReader } from "../execution/indexVault/exchangeRates.js";
import { type FillCost, fillCost } from "../execution/indexVault/fillCost.js";
import type { SizedPlan } from "../execution/indexVault/sizeLegs.js";
import {
  nothingToTrade,
  type PendingOrder,
  type RoutingInput,
  type VaultExecution,
  type VaultPlan,
  type VaultPositions,
  type VaultVenue,
} from "../execution/indexVault/vaultVenue.js";
import {
  clipToCaps,
  maxDriftBps,
  type Oracle,
  OracleHold,
  restrictWeights,
  type VenueAsset,
  validateTargetWeights,
  type Weights,
  weightCaps,
} from "../execution/portfolioManager.js";
import { type LearnedLeg, learnLegs } from "../market/routeBandit.js";
import { type BasketReturns, moveToward } from "../strategy/risk/volSteering.js";
import { CycleRecorder } from "./cycleRecorder.js";
import { type CycleSteering, steerCycle } from "./cycleSteering.js";
import { liveImpactFits, refitViews } from "./impactCalibration.js";
import type { KeeperMetrics } from "./keeperMetrics.js";
import { withLeadership } from "./leadership/leaderReadModel.js";
import { type Leadership, LocalLeadership } from "./leadership/leadership.js";
import type { Logger } from "./logger.js";
import { checkMarketView } from "./marketCheck.js";
import type { CycleOutcome, CycleRecord, KeeperControl, KeeperReadModel, RiskLevel, YieldPlan } from "./readModel.js";
import type { RotationManager } from "./rotation/rotationManager.js";
import { decideRun } from "./scheduler.js";
import type { KeeperState, KeeperStore } from "./store/keeperStore.js";
import { accountOf, filledLegs, plannedLegs, type StoredOrders, unfilledLegs } from "./vaultVenueView.js";
import { unbackedZeroTargets } from "./zeroTargets.js";

/** Volatility levels in order: a route feature is the level's index (0 very low .. 4 very high). */
const RISK_ORDER: readonly RiskLevel[] = ["very low", "low", "medium", "high", "very high"];
export interface KeeperDeps {
  readonly config: KeeperConfig;
  readonly store: KeeperStore;
  readonly rpc: FailoverRpc;
  /** The Arbitrum IndexVault, through the core venue seam (cli constructs the implementation). */
  readonly venue: VaultVenue;
  readonly oracle: Oracle;
  readonly logger: Logger;
  readonly signerAddress: string;
  readonly submitterAddress: string;
  readonly metrics: KeeperMetrics;
  /** Who may sign: always this process with SQLite; the lease holder with PostgreSQL. */
  readonly leadership?: Leadership;
  /**
   * The market view the strategy decides on, checked by the market guard before any weights
   * are computed, at chain time `now`. Without it (or when it answers null: a live source that
   * refused its data, which the oracle then reports) nothing vouches for the data, so no zero
   * target for a held asset is accepted.
   */
  readonly market?: MarketView;
  /** Portfolio rotation; absent when no universe source was given or rotation is off. */
  readonly rotation?: RotationManager;
  /** Benchmark NAV per share at chain time t (rebased), when the caller has one. */
  readonly benchmark?: (t: number) => number | null;
  /** The risk level at chain time t of the vault's holdings (weights by symbol). */
  readonly riskLevel?: (t: number, holdings: Weights) => RiskLevel;
  /**
   * The held basket's returns at chain time t, for the volatility steering (and the risk
   * label, which then comes from it); null while the market view has no bars.
   */
  readonly basketReturns?: (t: number, holdings: Weights) => BasketReturns | null | Promise<BasketReturns | null>;
  /**
   * What the strategy counts as yield per asset, and the reader of the vault's rate feeds: each
   * cycle stores a rate snapshot of every asset whose yield shows in its rate (accrual "price").
   */
  readonly yields?: { readonly plan: YieldPlanOf; readonly rates: Pick<ExchangeRateReader, "read"> };
}

/** The yield plan of the strategy in force for the vault's assets now (symbols change at a rotation). */
export type YieldPlanOf = (vaultSymbols: readonly string[]) => YieldPlan;

const FINAL_OK = new Set(["confirmed", "reconciled"]);
/** Outcomes after which the vault is where the strategy wanted it, or as near as it could get. */
const REBALANCED: ReadonlySet<CycleOutcome | null> = new Set(["traded", "partial", "nothing-to-trade"]);
/** Outcomes an operator's trigger reports as accepted. */
const ACCEPTED: ReadonlySet<CycleOutcome | null> = new Set([...REBALANCED, "dry-run"]);
/** Least time between two rebalances whose only purpose is to finish selling a removed asset. */
const EXIT_RETRY_SECONDS = 3_600;

export class Keeper implements KeeperControl {
  private busy: Promise<unknown> = Promise.resolve();
  private stopped = false;
  /** Ends the wait between two ticks, so a stop does not wait out `pollSeconds`. */
  private wake: (() => void) | null = null;
  private readonly outcomes: CycleRecorder;
  readonly leadership: Leadership;
  /** The interval and drift rule in force: the config's, until a switched release brings its own. */
  private scheduleOverride: Pick<KeeperConfig["schedule"], "everySeconds" | "driftThresholdBps"> | null = null;
  /** The yield plan last written to the store (JSON), so an unchanged one is not rewritten each cycle. */
  private writtenYieldPlan: string | null = null;

  constructor(readonly deps: KeeperDeps) {
    this.outcomes = new CycleRecorder(deps);
    this.leadership = deps.leadership ?? new LocalLeadership();
  }

  get store(): KeeperStore {
    return this.deps.store;
  }

  /** What the operator surfaces read: the store, with this process's leadership in the status. */
  get readModel(): KeeperReadModel {
    return withLeadership(this.deps.store, this.leadership);
  }

  /** From the next cycle on, rebalances on this interval and drift rule (a release switched at a rotation). */
  useSchedule(schedule: Pick<KeeperConfig["schedule"], "everySeconds" | "driftThresholdBps">): void {
    this.scheduleOverride = { ...schedule };
    this.deps.logger.info(schedule, "schedule in force");
  }

  private schedule(): KeeperConfig["schedule"] {
    return { ...this.deps.config.schedule, ...this.scheduleOverride };
  }

  killed(): boolean {
    return killSwitchOn(this.deps.config);
  }

  /** Serialises cycles: the schedule and an operator's trigger never overlap. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.busy.then(fn, fn);
    this.busy = next.catch(() => undefined);
    return next;
  }

  async triggerRebalance(): Promise<{
    readonly accepted: boolean;
    readonly outcome?: CycleOutcome | null;
    readonly reason?: string;
  }> {
    if (this.killed()) return { accepted: false, reason: "kill switch is on" };
    if (!this.leadership.isLeader()) {
      const { holder } = this.leadership.view();
      return { accepted: false, reason: `standby: the vault's lease is held by ${holder ?? "another keeper"}` };
    }
    const cycle = await this.exclusive(() => this.cycle(true));
    if (cycle === null) return { accepted: false, reason: "no cycle ran" };
    return ACCEPTED.has(cycle.outcome)
      ? { accepted: true, outcome: cycle.outcome }
      : { accepted: false, outcome: cycle.outcome, reason: cycle.reason ?? cycle.outcome ?? cycle.status };
  }

  /**
   * One scheduler tick: resumes, records NAV, and rebalances when due. A standby (another
   * keeper holds the vault's lease) does nothing, writes nothing, and returns null.
   */
  async tick(): Promise<CycleRecord | null> {
    return this.exclusive(() => this.cycle(false));
  }

  private async cycle(force: boolean): Promise<CycleRecord | null> {
    if (!this.leadership.isLeader()) {
      this.deps.logger.debug(this.leadership.view(), "standby: another keeper holds the vault's lease");
      return null;
    }
    const before = this.deps.store.queries;
    let cycle: CycleRecord | null = null;
    try {
      cycle = await this.leaderCycle(force);
      return cycle;
    } finally {
      const statements = this.deps.store.queries - before;
      this.deps.metrics.storeQueries.set(statements);
      // Per tick, to size the database for many vaults (docs/operator.md, "Database load").
      this.deps.logger.debug({ storeQueries: statements, cycle: cycle?.id ?? null }, "tick: store statements");
    }
  }

  /**
   * One cycle in a read session: the reads it will make are issued together first (one batched
   * round trip), and its later reads are answered from them until the cycle sends a transaction.
   */
  private leaderCycle(force: boolean): Promise<CycleRecord | null> {
    return this.deps.rpc.session(async () => {
      // With the kill switch on the cycle reads only the chain time: nothing to warm up.
      if (!this.killed()) await this.deps.venue.prefetch([this.deps.submitterAddress]);
      return this.runCycle(force);
    });
  }

  /**
   * Stores the rate of every held asset whose yield shows in its exchange rate (for the
   * realised yield on /api/yields). Never fails the cycle: a failed read is recorded as the
   * asset's reason and logged.
   */
  private async snapshotRates(now: number, universe: readonly VenueAsset[]): Promise<void> {
    const yields = this.deps.yields;
    if (!yields) return;
    const plan = yields.plan(universe.map((a) => a.symbol));
    // Written again only when it changed (a switched release, a rotation's new basket).
    const planText = JSON.stringify(plan);
    const inRate = new Set(plan.assets.filter((a) => a.accrual === "price").map((a) => a.asset.toUpperCase()));
    const assets = universe.filter((a) => inRate.has(a.symbol.toUpperCase()));
    try {
      if (planText !== this.writtenYieldPlan) {
        await this.deps.store.setState({ yieldPlan: plan });
        this.writtenYieldPlan = planText;
      }
      if (assets.length === 0) return;
      const { readings, issues } = await yields.rates.read(assets);
      await this.deps.store.yieldStore.record(
        readings.map((r) => ({ asset: r.symbol, t: now, rate: r.rate, source: r.source })),
      );
      await this.deps.store.setState({ yieldRateIssues: issues });
      if (Object.keys(issues).length > 0) this.deps.logger.warn({ issues }, "exchange rates not read");
    } catch (error) {
      this.deps.logger.warn({ err: error instanceof Error ? error.message : String(error) }, "rate snapshot not saved");
    }
  }

  /** A cycle at the chain's time; when it ends, however, the heartbeat says which chain time it saw. */
  private async runCycle(force: boolean): Promise<CycleRecord | null> {
    const started = performance.now();
    const now = await this.deps.venue.time();
    try {
      return await this.cycleAt(now, force, started);
    } finally {
      this.deps.metrics.lastTick.set(now);
    }
  }

  private async cycleAt(now: number, force: boolean, started: number): Promise<CycleRecord | null> {
    const { store, venue, logger, config, oracle } = this.deps;
    const killed = this.killed();
    await store.setState({
      chainId: config.chainId,
      vault: config.vault,
      strategy: oracle.name,
      dryRun: config.dryRun,
      killSwitch: killed,
      activeRpcUrl: this.deps.rpc.activeUrl,
      running: !this.stopped,
    });
    if (killed) {
      logger.warn("kill switch on: no cycle");
      return null;
    }
    await this.readSubmitterBalance();
    await this.resumePending();
    await this.advanceRotation(now, await venue.universe());
    // Read after the rotation moved: an asset it just added or removed changes what may be held.
    const universe = await venue.universe();
    const exiting = (await this.deps.rotation?.exiting()) ?? new Set<string>();
    // The assets the strategy may weight: the vault's, less those a rotation is removing.
    const eligible = universe.filter((a) => !exiting.has(a.address.toLowerCase())).map((a) => a.symbol);
    const positions = await venue.positions();
    const current = Object.fromEntries(positions.symbols.map((s, i) => [s, (positions.weightsBps[i] ?? 0) / 10_000]));
    await store.recordNav({
      t: now,
      navPerShare: positions.navPerShare,
      navUsd: positions.navUsd,
      benchmark: this.deps.benchmark?.(now) ?? null,
    });
    await store.recordComposition(now, current);
    await this.snapshotRates(now, universe);
    const lastTarget = await store.targetWeights();
    const drift = Object.keys(lastTarget).length
      ? maxDriftBps(
          positions.weightsBps,
          positions.symbols.map((s) => Math.round((lastTarget[s] ?? 0) * 10_000)),
        )
      : 0;
    const steering = await this.steering(now, current);
    const decision = decideRun(
      { now, lastRebalanceAt: await this.lastRebalanceAt(), driftBps: drift },
      steering?.schedule ?? this.schedule(),
    );
    const previous = (await store.state()).targetUniverse;
    const rotated = (previous !== null && !sameSet(previous, eligible)) || (await this.exitUnfinished(exiting, now));
    await store.setState({
      currentWeights: current,
      venueAccount: this.venueAccount(positions),
      nextRunAt: decision.nextRunAt,
      ...(steering
        ? { riskLevel: steering.riskLevel, steering: steering.status }
        : this.deps.riskLevel
          ? { riskLevel: this.deps.riskLevel(now, current) }
          : {}),
    });
    if (!decision.due && !force && !rotated) {
      await this.outcomes.release();
      return null;
    }
    const reason = force ? "operator" : decision.due ? decision.reason : "rotation";
    const window = await venue.rebalanceWindow();
    if (now < window.readyAt) return this.outcomes.waitForCooldown(now, window, force, started);
    const verdict = await this.checkMarket(now, universe, eligible);
    if (verdict && !verdict.ok) return this.outcomes.hold(now, verdict.reason, started, { check: verdict.check });
    await this.outcomes.release();
    logger.info(
      {
        reason,
        driftBps: drift,
        ...(steering ? { volLevel: steering.status.level, vol: steering.status.reason } : {}),
      },
      "rebalance due",
    );
    const held = new Set(positions.symbols.filter((_symbol, i) => i > 0 && (positions.weightsBps[i] ?? 0) > 0));
    const cycle = await this.rebalance(now, current, eligible, exiting, {
      window,
      held: eligible.filter((s) => held.has(s)),
      vouched: new Set(verdict?.vouched ?? []),
      started,
      steering,
      universe,
    });
    // A sell that emptied an asset being removed lets the rotation remove it right away.
    if (this.deps.rotation && REBALANCED.has(cycle.outcome)) {
      await this.advanceRotation(await venue.time(), await venue.universe(), false);
    }
    return cycle;
  }

  /**
   * True when an asset a rotation removes still has a balance (a capped sell left some) and no
   * cycle ran in the last `EXIT_RETRY_SECONDS`: its removal waits for the sells, which must not
   * wait for the next scheduled rebalance, nor be retried on every poll.
   */
  private async exitUnfinished(exiting: ReadonlySet<string>, now: number): Promise<boolean> {
    if (exiting.size === 0) return false;
    const last = (await this.deps.store.cycles(1))[0];
    if (last && now - last.startedAt < EXIT_RETRY_SECONDS) return false;
    const snap = await this.deps.venue.snapshot();
    return snap.assets.some((a, i) => exiting.has(a.toLowerCase()) && (snap.balances[i] ?? 0n) > 0n);
  }

  /** Runs the market guard on the view the strategy will see; null without a market source. */
  private async checkMarket(
    now: number,
    universe: readonly VenueAsset[],
    eligible: readonly string[],
  ): Promise<MarketVerdict | null> {
    const { market, venue, config, metrics, logger } = this.deps;
    const panel = market ? await market(now) : null;
    if (!panel) return null;
    const verdict = await checkMarketView({ venue, panel, now, universe, eligible, config: config.market });
    if (verdict.ageSeconds !== null) metrics.dataAge.set(verdict.ageSeconds);
    if (verdict.ok) logger.debug({ newestBarAt: verdict.newestBarAt, ageSeconds: verdict.ageSeconds }, "market ok");
    return verdict;
  }

  private async readSubmitterBalance(): Promise<void> {
    const { rpc, submitterAddress, metrics } = this.deps;
    const balance = await rpc.read("submitter balance", (p) => p.getBalance(submitterAddress));
    metrics.submitterBalance.set(toNumber(balance, 18));
  }

  /** Moves the rotation along; its failures are logged, never fatal to the cycle. */
  private async advanceRotation(now: number, universe: readonly VenueAsset[], start = true): Promise<void> {
    const { rotation, logger } = this.deps;
    if (!rotation) return;
    try {
      await rotation.advance(now, universe, start);
    } catch (error) {
      if (!(error instanceof BallastError)) throw error;
      logger.error({ err: error.message }, "rotation could not advance");
    }
  }

  /** This cycle's volatility steering; null without a basket-returns source (no market bars yet). */
  private async steering(now: number, holdings: Weights): Promise<CycleSteering | null> {
    const { basketReturns, store, logger, metrics } = this.deps;
    const basket = (await basketReturns?.(now, holdings)) ?? null;
    if (!basket) return null;
    const previous = (await store.state()).steering;
    const steering = steerCycle(this.schedule(), basket, previous);
    metrics.steered(steering.status);
    if (previous?.level !== steering.status.level || previous.enabled !== steering.status.enabled) {
      const { enabled, level, intervalSeconds, tradeFraction, reason } = steering.status;
      // Off, a change only moves the dashboard's label: not worth an info line.
      const fields = { from: previous?.level ?? null, level, intervalSeconds, tradeFraction, reason };
      if (enabled) logger.info(fields, "volatility level");
      else logger.debug(fields, "volatility level");
    }
    return steering;
  }

  /** `wanted` with every weight above the vault's (or the config's) cap clipped into the base asset. */
  private clipToVaultCaps(wanted: Weights, eligible: readonly string[], universe: readonly VenueAsset[]): Weights {
    const base = eligible[0];
    if (base === undefined) return wanted;
    const { weights, clipped } = clipToCaps(wanted, weightCaps(universe, this.deps.config.strategy.maxWeight), base);
    if (clipped.length > 0) {
      this.deps.logger.info({ clipped, base }, "target above the vault's caps: the excess stays in the base asset");
    }
    return weights;
  }

  /** The steering's share of the way from `current` to `wanted`, within each asset's cap. */
  private steerTarget(
    wanted: Weights,
    current: Weights,
    eligible: readonly string[],
    guard: { readonly steering: CycleSteering | null; readonly universe: readonly VenueAsset[] },
  ): Weights {
    const fraction = guard.steering?.status.tradeFraction ?? 1;
    if (fraction >= 1) return wanted;
    const maxWeight = this.deps.config.strategy.maxWeight;
    const caps = weightCaps(guard.universe, maxWeight);
    const target = moveToward(current, wanted, fraction, eligible, (s) => caps[s] ?? maxWeight);
    this.deps.logger.info(
      { fraction, level: guard.steering?.status.level, reason: guard.steering?.status.reason },
      "volatility steering: trading part of the move to target",
    );
    return target;
  }

  /** Route learning's input to this cycle's planning: the stored arms, the policy, the volatility level. */
  private async routingInput(steering: CycleSteering | null): Promise<RoutingInput> {
    const { marginBps, alpha, maxBonusBps } = this.deps.config.routing;
    const level = steering?.status.level ?? null;
    return {
      arms: await this.deps.store.routeStore.arms(),
      policy: { marginBps, alpha, maxBonusBps },
      volLevel: level === null ? 2 : RISK_ORDER.indexOf(level),
    };
  }

  /** Teaches the route bandit the realised cost of every leg whose route it chose (once per cycle). */
  private async learnRoutes(id: number, costs: readonly FillCost[], at: number): Promise<void> {
    const plans = await this.deps.store.legPlans(id);
    const legs = plans.flatMap((plan, i): LearnedLeg[] => {
      const realised = costs[i]?.realisedCostBps ?? null;
      if (!plan.route || plan.predictedCostBps === null || realised === null) return [];
      return [
        {
          route: plan.route.id,
          features: plan.route.features,
          scores: plan.route.scores,
          predictedCostBps: plan.predictedCostBps,
          realisedCostBps: realised,
        },
      ];
    });
    if (legs.length === 0) return;
    await this.deps.store.routeStore.learn(id, at, (arms) => learnLegs(arms, legs));
    this.deps.logger.info(
      {
        cycle: id,
        legs: legs.map((l) => ({ route: l.route, predictedBps: l.predictedCostBps, realisedBps: l.realisedCostBps })),
      },
      "route bandit learned from fills",
    );
  }

  private async lastRebalanceAt(): Promise<number | null> {
    // Nothing to trade counts: the vault was already at the target, so the schedule restarts.
    const done = (await this.deps.store.cycles(500)).find(
      (c) => REBALANCED.has(c.outcome) || (c.outcome === null && FINAL_OK.has(c.status)),
    );
    return done ? done.startedAt : null;
  }

  private async rebalance(
    now: number,
    current: Weights,
    eligible: readonly string[],
    exiting: ReadonlySet<string>,
    guard: {
      readonly window: RebalanceWindow;
      /** Eligible basket assets the vault holds. */
      readonly held: readonly string[];
      /** Symbols whose market data the guard found valid this cycle. */
      readonly vouched: ReadonlySet<string>;
      readonly started: number;
      /** This cycle's volatility steering (its trade fraction scales the move to the target). */
      readonly steering: CycleSteering | null;
      readonly universe: readonly VenueAsset[];
    },
  ): Promise<CycleRecord> {
    const { store, venue, oracle, logger, config } = this.deps;
    const { started } = guard;
    const proposed = await oracle.targetWeights({ now, currentWeights: current, universe: eligible });
    if (proposed instanceof OracleHold) {
      // A refusal (stale or disputed live data) holds like the market guard: one record per
      // reason, the dashboard banner and `keeper_holding`. It has not seen the universe, so a
      // rotation still triggers after it.
      return this.outcomes.hold(now, proposed.reason, started);
    }
    // The strategy has seen this universe: a rotation's change no longer triggers a cycle by
    // itself (even when the strategy holds or its weights are rejected: no retry on every poll).
    await store.setState({ targetUniverse: [...eligible] });
    const wanted = proposed === null ? null : restrictWeights(proposed, eligible);
    if (wanted === null) return this.outcomes.hold(now, "strategy holds", started, { blocked: false });
    // Where targets become orders: a zero for a held asset needs a rotation or valid data behind it.
    const unbacked = unbackedZeroTargets(wanted, guard.held, guard.vouched);
    if (unbacked.length > 0) {
      return this.outcomes.hold(
        now,
        `zero target for ${unbacked.join(", ")}, which the vault holds, without valid market data behind it (no sale of it)`,
        started,
      );
    }
    // Within the vault's caps (the excess stays in the base asset), then the steering's share
    // of the way to it.
    const capped = this.clipToVaultCaps(wanted, eligible, guard.universe);
    const target = this.steerTarget(capped, current, eligible, guard);
    const id = await store.beginCycle(now, target);
    let targetBps: number[];
    // What this cycle trades to: the strategy's target, or its edge of the no-trade band.
    let tradedTo: Weights = target;
    const universe = await venue.universe();
    try {
      targetBps = validateTargetWeights(target, universe, { maxWeight: config.strategy.maxWeight });
      const band = config.strategy.noTradeBand;
      if (band) {
        const buyPaths = Object.fromEntries(config.tokens.map((t) => [t.symbol, t.buyPath]));
        const banded = bandedTargetBps(universe, current, targetBps, routeFeeTiers(universe, buyPaths), band);
        if (banded === null) {
          await store.updateCycle(id, {
            status: "skipped",
            outcome: "nothing-to-trade",
            reason: "no-trade band: every weight is inside its band",
            finishedAt: now,
          });
          logger.info({ cycle: id, outcome: "nothing-to-trade" }, "every weight inside its no-trade band");
          return this.outcomes.finished(id, started);
        }
        targetBps = banded;
        tradedTo = Object.fromEntries(universe.map((a, i) => [a.symbol, (banded[i] ?? 0) / 10_000]));
      }
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      await store.updateCycle(id, {
        status: "failed",
        outcome: "failed",
        reason: `risk check: ${error.message}`,
        finishedAt: now,
      });
      logger.error({ cycle: id, outcome: "failed", reason: error.message }, "target weights rejected");
      return this.outcomes.finished(id, started);
    }
    try {
      const impactFits = await liveImpactFits(store, config.tokens, config.planning.impactRecalibration);
      // What this cycle sizes with, for /metrics (the refits are recomputed every cycle, not stored).
      if (impactFits) await store.setState({ impactRefits: refitViews(impactFits) });
      const plan = await venue.plan(
        Object.fromEntries(universe.map((a, i) => [a.symbol, (targetBps[i] ?? 0) / 10_000])),
        {
          exit: universe.filter((a) => exiting.has(a.address.toLowerCase())).map((a) => a.symbol),
          maxTurnoverBps: guard.window.maxTurnoverBps,
          ...(config.routing.enabled ? { routing: await this.routingInput(guard.steering) } : {}),
          impactFits,
        },
      );
      if (plan.order === null) {
        const reason = nothingToTrade(plan);
        await store.updateCycle(id, {
          status: "skipped",
          outcome: "nothing-to-trade",
          reason,
          finishedAt: await venue.time(),
        });
        // The vault is at the target already: it is the target drift is measured against.
        if (!config.dryRun) await store.setState({ targetWeights: target });
        logger.info({ cycle: id, outcome: "nothing-to-trade", reason }, "nothing to trade");
        return this.outcomes.finished(id, started);
      }
      await this.planned(id, plan.order, plan.sizing, plan.orders);
      if (config.dryRun) {
        const simulation = await venue.simulate(plan);
        const reason = simulation.ok ? "dry run: simulated and signed, not submitted" : simulation.reason;
        await this.ordersEnded(id, (orders) => unfilledLegs(orders, simulation.ok ? "dry run: not sent" : reason));
        await store.updateCycle(id, {
          status: simulation.ok ? "dry-run" : "failed",
          outcome: simulation.ok ? "dry-run" : "failed",
          reason,
          finishedAt: await venue.time(),
        });
        if (simulation.ok) logger.info({ cycle: id, outcome: "dry-run" }, "dry run simulated");
        else logger.error({ cycle: id, outcome: "failed", reason }, "dry run failed");
        return this.outcomes.finished(id, started);
      }
      const outcome = await venue.execute(plan, this.journal(id));
      return await this.finish(id, outcome, target, started, tradedTo);
    } catch (error) {
      const status = (await store.cycle(id))?.status;
      // Signed or submitted: the order may still land. Leave it for `resumePending`.
      if (status === "signed" || status === "submitted") throw error;
      const reason = error instanceof BallastError ? error.message : `unexpected: ${String(error)}`;
      await store.updateCycle(id, { status: "failed", outcome: "failed", reason, finishedAt: await venue.time() });
      // Nothing was signed: legs this cycle planned end unsent, with the reason.
      await this.ordersEnded(id, (orders) => unfilledLegs(orders, reason));
      logger.error({ cycle: id, outcome: "failed", reason }, "cycle failed");
      const record = this.outcomes.finished(id, started);
      if (!(error instanceof BallastError)) throw error;
      return record;
    }
  }

  /** Finishes a cycle a previous run left in `signed` or `submitted`. */
  async resumePending(): Promise<CycleRecord | null> {
    const { store, venue, logger } = this.deps;
    const abandoned = await store.abandonUnsigned(
      "abandoned before signing: the keeper that planned it stopped (crash, or lost its lease)",
      await venue.time(),
    );
    if (abandoned.length > 0) logger.warn({ cycles: abandoned }, "closed cycles a previous keeper left unsigned");
    const found = await store.pendingCycle();
    if (!found) return null;
    logger.warn({ cycle: found.cycle.id, status: found.cycle.status, nonce: found.cycle.nonce }, "resuming cycle");
    const started = performance.now();
    const outcome = await venue.resume(found.pending, this.journal(found.cycle.id));
    return this.finish(found.cycle.id, outcome, found.cycle.targetWeights, started);
  }

  /** Records the planned order (unsigned), its sizing and its legs before anything is signed. */
  private async planned(
    id: number,
    order: NonNullable<VaultPlan["order"]>,
    sizing: SizedPlan,
    legs: VaultPlan["orders"],
  ): Promise<void> {
    const { store, logger } = this.deps;
    await store.saveOrder(id, order, sizing.plans);
    await store.updateCycle(id, { nonce: order.nonce.toString(), sizing: sizingNote(sizing) });
    await store.setState({ venueOrders: { cycleId: id, orders: plannedLegs(legs) } });
    if (sizing.partial) logger.warn({ cycle: id, notes: sizing.notes }, "partial rebalance: legs capped");
  }

  /** Rewrites the legs of cycle `id` in the status view (when they are that cycle's) with how they ended. */
  private async ordersEnded(id: number, ended: (orders: StoredOrders) => StoredOrders): Promise<void> {
    const { store } = this.deps;
    const prior = (await store.state()).venueOrders;
    if (prior?.cycleId === id) await store.setState({ venueOrders: { cycleId: id, orders: ended(prior.orders) } });
  }

  /** The vault as a venue account, for the status `venue` view and `keeper_venue_position_usd`. */
  private venueAccount(positions: VaultPositions): KeeperState["venueAccount"] {
    const { venue, config, submitterAddress } = this.deps;
    return {
      name: venue.name,
      describes: `IndexVault ${config.vault} on chain ${config.chainId}, submitted by ${submitterAddress}`,
      account: accountOf(positions),
    };
  }

  /**
   * The venue hands over the signed order before it sends anything, then the order again after
   * each broadcast (with that broadcast last): each is in the store before the venue goes on.
   */
  private journal(id: number): VenueJournal<PendingOrder> {
    const { store, metrics, logger } = this.deps;
    return {
      pending: async (record) => {
        const sent = record.broadcasts.at(-1);
        if (!sent) {
          await store.saveSignature(id, record.signature, record.digest, record.gasLimit);
          await store.updateCycle(id, { status: "signed" });
          return;
        }
        await store.addTransaction(id, sent, Math.floor(Date.now() / 1000));
        await store.updateCycle(id, { status: "submitted", txHash: sent.hash });
        metrics.submissions.inc({ kind: sent.replaces ? "replacement" : "first" });
        logger.info({ cycle: id, tx: sent.hash, replaces: sent.replaces }, "transaction sent");
      },
      // Fencing: the lease is confirmed in the database, with margin, right before each act.
      authorize: (act) => this.leadership.fence(act),
    };
  }

  /**
   * Records an executed order and reconciles the vault against `tradedTo`, the weights the order
   * aimed at (the strategy's `target`, or its no-trade band's edge): being inside the band is
   * the point of a banded trade, not a partial one.
   */
  private async finish(
    id: number,
    outcome: VaultExecution,
    target: Weights,
    started: number,
    tradedTo: Weights = target,
  ): Promise<CycleRecord> {
    const { store, venue, logger, metrics } = this.deps;
    const finishedAt = await venue.time();
    if (outcome.kind !== "executed") {
      await store.updateCycle(id, {
        status: "failed",
        outcome: "failed",
        reason: outcome.reason,
        txHash: outcome.txHash,
        gasUsed: outcome.gasUsed?.toString() ?? null,
        finishedAt,
      });
      if (outcome.gasUsed !== null) metrics.executed(outcome.gasUsed, null);
      await this.ordersEnded(id, (orders) => unfilledLegs(orders, outcome.reason));
      logger.error({ cycle: id, outcome: "failed", reason: outcome.reason, tx: outcome.txHash }, "rebalance failed");
      return this.outcomes.finished(id, started);
    }
    const snap = await venue.snapshot();
    const navBefore = outcome.navBeforeUsd;
    const navAfter = outcome.navAfterUsd;
    const costUsd = navBefore !== null && navAfter !== null ? navBefore - navAfter : null;
    const costs = outcome.fills.map((f) => fillCost(f, snap));
    await store.addFills(id, outcome.fills, costs);
    await this.learnRoutes(id, costs, finishedAt);
    await store.updateCycle(id, {
      status: "confirmed",
      txHash: outcome.txHash,
      gasUsed: outcome.gasUsed?.toString() ?? null,
      navBefore,
      navAfter,
      costUsd,
    });
    metrics.executed(outcome.gasUsed, costUsd);
    // Reconcile: the vault's weights after the trade against what the order aimed at.
    const positions = await venue.positions();
    const weights = Object.fromEntries(positions.symbols.map((s, i) => [s, (positions.weightsBps[i] ?? 0) / 10_000]));
    const distance = maxDriftBps(
      positions.weightsBps,
      positions.symbols.map((s) => Math.round((tradedTo[s] ?? 0) * 10_000)),
    );
    const banded = tradedTo !== target;
    await store.setState({
      currentWeights: weights,
      targetWeights: target,
      venueAccount: this.venueAccount(positions),
      venueOrders: { cycleId: id, orders: filledLegs(outcome.results) },
    });
    await store.recordComposition(finishedAt, weights);
    await store.recordNav({
      t: finishedAt,
      navPerShare: positions.navPerShare,
      navUsd: positions.navUsd,
      benchmark: this.deps.benchmark?.(finishedAt) ?? null,
    });
    // Partial: the sizing capped a leg or scaled the move (slippage, turnover), or the vault is
    // further from what the order aimed at than the vault's own tolerance.
    const { toleranceBps } = await venue.rebalanceWindow();
    const capped = (await store.cycle(id))?.sizing?.startsWith("partial") === true;
    const partial = capped || distance > toleranceBps;
    await store.updateCycle(id, {
      status: "reconciled",
      outcome: partial ? "partial" : "traded",
      distanceBps: distance,
      reason: partial
        ? `partial: ${distance} bps from ${banded ? "the band's edge" : "target"} (vault tolerance ${toleranceBps} bps)`
        : banded
          ? `traded to the no-trade band's edge (${distance} bps from it); weights inside their bands were left`
          : distance > 0
            ? `within tolerance: ${distance} bps from target`
            : null,
      finishedAt,
    });
    metrics.targetDistance.set(distance / 10_000);
    const fields = { cycle: id, tx: outcome.txHash, gasUsed: outcome.gasUsed?.toString(), distanceBps: distance };
    if (partial) logger.warn({ ...fields, outcome: "partial", toleranceBps }, "partial rebalance");
    else logger.info({ ...fields, outcome: "traded" }, "rebalanced");
    return this.outcomes.finished(id, started);
  }

  /**
   * Runs ticks every `pollSeconds` until `stop()`; errors are logged, never fatal. With a lease
   * (PostgreSQL) it first starts keeping or waiting for the vault's lease, and a takeover wakes
   * the loop at once, so the new leader resumes the journal without waiting out the poll.
   */
  async run(): Promise<void> {
    const { logger, config } = this.deps;
    this.stopped = false;
    await this.leadership.start(() => this.wake?.());
    while (!this.stopped) {
      try {
        await this.tick();
      } catch (error) {
        logger.error({ err: error instanceof Error ? error.message : String(error) }, "tick failed");
      }
      if (this.stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, config.schedule.pollSeconds * 1000);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
    await this.standDown();
  }

  /** Stops the loop after the current step (safe from a signal handler). */
  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  /** Stops, waits for the cycle in progress, releases the lease and closes the RPC and the store. */
  async close(): Promise<void> {
    this.stop();
    await this.busy;
    await this.standDown();
    this.deps.rpc.destroy();
    await this.deps.store.close();
  }

  /** Marks the keeper stopped (as the leader only: a standby writes nothing) and gives up the lease. */
  private async standDown(): Promise<void> {
    if (this.leadership.isLeader()) {
      try {
        await this.deps.store.setState({ running: false });
      } catch (error) {
        this.deps.logger.warn({ err: error instanceof Error ? error.message : String(error) }, "state not saved");
      }
    }
    await this.leadership.stop();
  }
}

/** Writes the keeper's identity into a store just opened; closes the store if that fails. */
export async function announce(store: KeeperStore, facts: Partial<KeeperState>): Promise<void> {
  try {
    await store.setState(facts);
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
}

export function killSwitchOn(config: KeeperConfig): boolean {
  return config.killSwitch || existsSync(killFilePath(config));
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** One line for the cycle record: predicted cost, and what the sizing capped or could not model. */
function sizingNote(sizing: SizedPlan): string {
  const head = `${sizing.partial ? "partial: " : ""}predicted cost $${sizing.predictedCostUsd.toFixed(2)}`;
  return sizing.notes.length ? `${head}; ${sizing.notes.join("; ")}` : head;
}
