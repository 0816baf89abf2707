/**
 * Runs many vaults' keepers in one process. Each vault has its own loop here: open its keeper
 * (preflight, store, lease), run it until stopped, and on any failure (a start-up error such as
 * a dead RPC, an exception out of the keeper's loop) log it, count it, mark the vault failed and
 * try again after a backoff that doubles up to a ceiling. The loops share nothing but the event
 * loop, so one vault's failure or slow RPC never waits on another's.
 *
 * How a keeper is opened is the composition root's business (cli/commands/fleetRun.ts): the
 * supervisor only sees `open()`.
 */
import type { KeeperMetrics } from "../keeperMetrics.js";
import type { Logger } from "../logger.js";
import type { KeeperControl, KeeperReadModel } from "../readModel.js";
import { FleetMetrics } from "./fleetMetrics.js";

/** One running keeper, as the supervisor drives it. */
export interface FleetMember {
  readonly readModel: KeeperReadModel;
  readonly control: KeeperControl;
  /** Runs until `stop()`; returning otherwise, or throwing, counts as a failure. */
  run(): Promise<void>;
  stop(): void;
  close(): Promise<void>;
}

export interface FleetVaultSpec {
  readonly name: string;
  readonly venue: string;
  /** Opens the vault's keeper, updating `metrics` (the vault's labelled instruments, kept across restarts). */
  open(metrics: KeeperMetrics, logger: Logger): Promise<FleetMember>;
}

export type FleetVaultState = "starting" | "running" | "failed" | "stopped";

export interface FleetVaultStatus {
  readonly name: string;
  readonly venue: string;
  readonly state: FleetVaultState;
  /** Failures since the process started (start-up errors and keeper loop exits). */
  readonly failures: number;
  readonly lastError: string | null;
  /** Unix ms of the last failure, and of the next start attempt while failed. */
  readonly failedAt: number | null;
  readonly retryAt: number | null;
  /** Unix ms the keeper last reached `running`. */
  readonly runningSince: number | null;
}

export interface FleetSupervisorOptions {
  readonly vaults: readonly FleetVaultSpec[];
  readonly logger: Logger;
  readonly restart: { readonly initialMs: number; readonly maxMs: number };
}

interface VaultSlot {
  readonly spec: FleetVaultSpec;
  readonly logger: Logger;
  member: FleetMember | null;
  status: FleetVaultStatus;
  /** Ends the backoff wait early (on stop). */
  wake: (() => void) | null;
}

export class FleetSupervisor {
  readonly metrics: FleetMetrics;
  private readonly slots: Map<string, VaultSlot>;
  private stopped = false;

  constructor(private readonly options: FleetSupervisorOptions) {
    this.metrics = new FleetMetrics(options.vaults.map((v) => v.name));
    this.slots = new Map(
      options.vaults.map((spec) => [
        spec.name,
        {
          spec,
          logger: options.logger.child({ vault: spec.name }),
          member: null,
          wake: null,
          status: {
            name: spec.name,
            venue: spec.venue,
            state: "starting",
            failures: 0,
            lastError: null,
            failedAt: null,
            retryAt: null,
            runningSince: null,
          },
        },
      ]),
    );
  }

  /** Every vault's status, in the fleet file's order. */
  status(): readonly FleetVaultStatus[] {
    return [...this.slots.values()].map((s) => s.status);
  }

  /** The vault's keeper while it runs; null while it starts, has failed, or is unknown. */
  member(name: string): FleetMember | null {
    return this.slots.get(name)?.member ?? null;
  }

  has(name: string): boolean {
    return this.slots.has(name);
  }

  /** Runs every vault until `stop()`; resolves once each keeper has stopped and closed. */
  async run(): Promise<void> {
    this.stopped = false;
    await Promise.all([...this.slots.values()].map((slot) => this.supervise(slot)));
  }

  /** Stops every keeper after its current step, and ends any backoff wait (safe from a signal handler). */
  stop(): void {
    this.stopped = true;
    for (const slot of this.slots.values()) {
      slot.member?.stop();
      slot.wake?.();
    }
  }

  private async supervise(slot: VaultSlot): Promise<void> {
    let delayMs = this.options.restart.initialMs;
    while (!this.stopped) {
      this.update(slot, { state: "starting", retryAt: null });
      let member: FleetMember | null = null;
      try {
        member = await slot.spec.open(this.metrics.vault(slot.spec.name), slot.logger);
        slot.member = member;
        // A stop that arrived while the keeper was opening.
        if (this.stopped) member.stop();
        this.update(slot, { state: "running", runningSince: Date.now() });
        this.metrics.running(slot.spec.name, true);
        slot.logger.info({ venue: slot.spec.venue }, "fleet: vault keeper running");
        // It opened: a later failure starts the backoff from the bottom again.
        delayMs = this.options.restart.initialMs;
        await member.run();
        if (!this.stopped) throw new Error("the keeper's loop ended without a stop");
      } catch (error) {
        this.fail(slot, error, delayMs);
      } finally {
        this.metrics.running(slot.spec.name, false);
        slot.member = null;
        if (member) await this.closeQuietly(slot, member);
      }
      if (this.stopped) break;
      if (slot.status.state === "failed") {
        await this.pause(slot, delayMs);
        delayMs = Math.min(delayMs * 2, this.options.restart.maxMs);
      }
    }
    this.update(slot, { state: "stopped", retryAt: null });
  }

  private fail(slot: VaultSlot, error: unknown, delayMs: number): void {
    const message = error instanceof Error ? error.message : String(error);
    const now = Date.now();
    if (this.stopped) {
      slot.logger.warn({ err: message }, "fleet: vault keeper failed while stopping");
      return;
    }
    this.update(slot, {
      state: "failed",
      failures: slot.status.failures + 1,
      lastError: message,
      failedAt: now,
      retryAt: now + delayMs,
    });
    this.metrics.failed(slot.spec.name);
    slot.logger.error(
      { err: message, retryInMs: delayMs, failures: slot.status.failures },
      "fleet: vault keeper failed",
    );
  }

  private async closeQuietly(slot: VaultSlot, member: FleetMember): Promise<void> {
    try {
      await member.close();
    } catch (error) {
      slot.logger.warn(
        { err: error instanceof Error ? error.message : String(error) },
        "fleet: vault keeper close failed",
      );
    }
  }

  private pause(slot: VaultSlot, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        slot.wake = null;
        resolve();
      }
      slot.wake = done;
    });
  }

  private update(slot: VaultSlot, change: Partial<FleetVaultStatus>): void {
    slot.status = { ...slot.status, ...change };
  }
}
