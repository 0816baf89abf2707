/**
 * Leadership of one vault through a lease row in the shared PostgreSQL (store/leaseStore.ts).
 *
 * Every `renewMs` the holder extends its lease to `ttlMs` from now (database clock) and a
 * standby tries to take it, which succeeds only once it has expired: a holder that dies or
 * loses the database is replaced at most `ttlMs + renewMs` after its last renewal. The
 * holder's own view of its lease is kept on its monotonic clock, measured from when it *sent*
 * the renewal (the database's expiry is later than that), so a slow answer only shortens it.
 *
 * Fencing: before it signs and before every broadcast the keeper calls `fence`, which renews
 * in the database (one round trip, bounded by the store's timeout) and then requires the
 * lease to last `marginMs` more. An unreachable database, a refused renewal (the lease moved:
 * the token no longer matches) or too little time left all throw `LeaseLostError`, and the
 * keeper does not act. The margin covers the time from the check to the act itself.
 */
import { LeaseLostError } from "../../core/errors.js";
import type { KeeperMetrics } from "../keeperMetrics.js";
import type { Logger } from "../logger.js";
import type { LeaseRecord, LeaseStore } from "../store/leaseStore.js";
import type { Leadership, LeadershipView } from "./leadership.js";

export interface LeaseSettings {
  readonly ttlMs: number;
  readonly renewMs: number;
  readonly marginMs: number;
}

export class LeaseLeadership implements Leadership {
  private held: LeaseRecord | null = null;
  /** Monotonic time (performance.now) until which the held lease is certainly ours. */
  private validUntil = 0;
  private seen: LeaseRecord | null = null;
  private leaderSince: number | null = null;
  private acquisitions = 0;
  private timer: NodeJS.Timeout | null = null;
  private onLeader: () => void = () => undefined;
  private round: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly deps: {
      readonly leases: LeaseStore;
      readonly vault: string;
      readonly self: string;
      readonly settings: LeaseSettings;
      readonly logger: Logger;
      readonly metrics: KeeperMetrics;
    },
  ) {}

  isLeader(): boolean {
    return this.held !== null && performance.now() + this.deps.settings.marginMs < this.validUntil;
  }

  async fence(act: string): Promise<void> {
    const held = this.held;
    if (held === null) throw new LeaseLostError(`not the lease holder of vault ${this.deps.vault}: will not ${act}`);
    const sent = performance.now();
    let renewed: LeaseRecord | null;
    try {
      renewed = await this.deps.leases.renew(this.deps.vault, this.deps.self, held.token, this.deps.settings.ttlMs);
    } catch (error) {
      this.lose(`database unreachable before ${act}`, error);
      throw new LeaseLostError(
        `lease of vault ${this.deps.vault} unconfirmed (database unreachable): will not ${act}`,
        {
          cause: error,
        },
      );
    }
    if (renewed === null) {
      this.lose(`lease refused before ${act}`);
      throw new LeaseLostError(`lease of vault ${this.deps.vault} (token ${held.token}) has moved: will not ${act}`);
    }
    this.keep(renewed, sent);
    if (performance.now() + this.deps.settings.marginMs >= this.validUntil) {
      this.lose(`lease too short to ${act}`);
      throw new LeaseLostError(`lease of vault ${this.deps.vault} ends within the margin: will not ${act}`);
    }
  }

  view(): LeadershipView {
    const lease = this.seen;
    return {
      mode: "lease",
      role: this.isLeader() ? "leader" : "standby",
      self: this.deps.self,
      holder: lease?.holder ?? null,
      token: lease?.token ?? null,
      expiresAt: lease?.expiresAt ?? null,
      leaderSince: this.leaderSince,
      acquisitions: this.acquisitions,
    };
  }

  async start(onLeader: () => void): Promise<void> {
    this.onLeader = onLeader;
    if (this.timer !== null && !this.stopped) return;
    this.stopped = false;
    await this.step();
    const loop = () => {
      this.timer = setTimeout(() => {
        this.round = this.step().finally(() => {
          if (!this.stopped) loop();
        });
      }, this.deps.settings.renewMs);
    };
    loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.round;
    const held = this.held;
    this.held = null;
    this.deps.metrics.leader.set(0);
    if (held === null) return;
    try {
      await this.deps.leases.release(this.deps.vault, this.deps.self, held.token);
      this.deps.logger.info({ vault: this.deps.vault, token: held.token }, "lease released");
    } catch (error) {
      // The lease then simply expires: a standby waits `ttlMs` instead of taking it at once.
      this.deps.logger.warn({ err: errorText(error) }, "lease not released (database unreachable): it will expire");
    }
  }

  /** One renewal (holder) or attempt (standby). Failures are logged, never thrown. */
  private async step(): Promise<void> {
    const { leases, vault, self, settings, logger } = this.deps;
    const sent = performance.now();
    const held = this.held;
    try {
      if (held !== null) {
        const renewed = await leases.renew(vault, self, held.token, settings.ttlMs);
        if (renewed === null) this.lose("renewal refused");
        else this.keep(renewed, sent);
        if (renewed === null) this.seen = await leases.current(vault);
        return;
      }
      const got = await leases.acquire(vault, self, settings.ttlMs);
      if (got === null) {
        this.seen = await leases.current(vault);
        return;
      }
      const previous = this.seen;
      this.keep(got, sent);
      this.acquisitions++;
      this.leaderSince = Date.now();
      this.deps.metrics.leaseTakeovers.inc();
      this.deps.metrics.leaseToken.set(got.token);
      logger.warn(
        {
          vault,
          token: got.token,
          previousHolder: previous && previous.holder !== self ? previous.holder : null,
          previousExpiredAt: previous?.expiresAt ?? null,
        },
        previous && previous.holder !== self ? "lease taken over: this keeper now leads the vault" : "lease acquired",
      );
      this.onLeader();
    } catch (error) {
      if (held !== null) this.lose("database unreachable", error);
      else logger.debug({ err: errorText(error) }, "lease attempt failed (database unreachable)");
    }
  }

  private keep(lease: LeaseRecord, sentAt: number): void {
    this.held = lease;
    this.seen = lease;
    this.validUntil = sentAt + this.deps.settings.ttlMs;
    this.deps.metrics.leader.set(1);
  }

  private lose(why: string, error?: unknown): void {
    if (this.held === null) return;
    const token = this.held.token;
    this.held = null;
    this.validUntil = 0;
    this.leaderSince = null;
    this.deps.metrics.leader.set(0);
    this.deps.metrics.leaseLosses.inc();
    this.deps.logger.error(
      { vault: this.deps.vault, token, why, ...(error === undefined ? {} : { err: errorText(error) }) },
      "lease lost: this keeper stops signing",
    );
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
