/**
 * Records the cycles that end without a trade on purpose, and counts every finished cycle in
 * the metrics. A hold (the market guard, a zero target no data vouches for, the vault's
 * cooldown when an operator asks, the strategy) is one cycle record and one log line for as
 * long as the same reason lasts: a keeper polling every minute into the same stale data writes
 * one record, not 1,440 a day. While something blocks trading, `holdReason` (status, /health,
 * the dashboard banner) and `keeper_holding` say so.
 */

import type { RebalanceWindow } from "../core/venue.js";
import type { MarketCheck } from "../data/marketGuard.js";
import type { KeeperMetrics } from "./keeperMetrics.js";
import type { Logger } from "./logger.js";
import type { CycleRecord } from "./readModel.js";
import type { KeeperStore } from "./store/keeperStore.js";

export interface HoldOptions {
  /** The market-guard check that failed, for `keeper_market_holds_total`. */
  readonly check?: MarketCheck;
  /** False for the strategy's own decision to hold: recorded, but nothing blocks the keeper. */
  readonly blocked?: boolean;
}

export class CycleRecorder {
  constructor(
    private readonly deps: { readonly store: KeeperStore; readonly logger: Logger; readonly metrics: KeeperMetrics },
  ) {}

  /** Records a hold (`started`: `performance.now()` when the cycle began) and returns its record. */
  async hold(now: number, reason: string, started: number, options: HoldOptions = {}): Promise<CycleRecord> {
    const { store, logger, metrics } = this.deps;
    if (options.blocked === false) await this.release();
    else await this.block(reason);
    const last = (await store.cycles(1))[0];
    if (last && last.outcome === "held" && last.reason === reason) {
      await store.updateCycle(last.id, { finishedAt: now });
      return (await store.cycle(last.id)) as CycleRecord;
    }
    const id = await store.beginCycle(now, {}, "held");
    await store.updateCycle(id, { outcome: "held", reason, finishedAt: now });
    if (options.check) metrics.marketHeld(options.check);
    logger.warn({ cycle: id, outcome: "held", reason }, "cycle held");
    return this.finished(id, started);
  }

  /**
   * The vault would revert `CooldownActive`: no attempt. The next run is set to the cooldown's
   * end and the wait logged once; an operator's trigger (`force`) gets a held cycle, so the
   * refusal and its reason are on record. Null otherwise: a wait is not a cycle.
   */
  async waitForCooldown(
    now: number,
    window: RebalanceWindow,
    force: boolean,
    started: number,
  ): Promise<CycleRecord | null> {
    const { store, logger } = this.deps;
    const reason = `waiting for the vault's cooldown until ${isoTime(window.readyAt)}`;
    if ((await store.state()).holdReason !== reason) {
      logger.info({ readyAt: window.readyAt, waitSeconds: window.readyAt - now }, reason);
    }
    await store.setState({ nextRunAt: window.readyAt });
    await this.block(reason);
    return force ? this.hold(now, reason, started) : null;
  }

  /** The keeper may trade again: clears a hold that no longer applies. */
  async release(): Promise<void> {
    if ((await this.deps.store.state()).holdReason !== null) await this.deps.store.setState({ holdReason: null });
    this.deps.metrics.holding.set(0);
  }

  /** Counts a finished cycle in the metrics and returns its record. */
  async finished(id: number, started: number): Promise<CycleRecord> {
    const cycle = (await this.deps.store.cycle(id)) as CycleRecord;
    if (cycle.outcome) this.deps.metrics.cycleFinished(cycle.outcome, (performance.now() - started) / 1000);
    return cycle;
  }

  private async block(reason: string): Promise<void> {
    await this.deps.store.setState({ holdReason: reason });
    this.deps.metrics.holding.set(1);
  }
}

function isoTime(t: number): string {
  return new Date(t * 1000).toISOString().replace(".000Z", "Z");
}
