/**
 * Portfolio rotation, driven once per keeper tick. Every `rotationDays` it asks the universe
 * source (the point-in-time classifier) for the new universe, plans the change and records a
 * rotation with one step per asset; then it moves each step along, persisting every
 * transition before acting so a restart resumes without repeating anything:
 *
 * - add:     pending -> scheduling -> scheduled -(timelock)-> executing -> executed
 * - declare: the same path for `setDeviation(asset, feed threshold)`, scheduled with the add (so
 *            both leave the timelock together) and executed once the asset is registered: a
 *            new asset starts at the vault's widest entry spread (255 bps) and would keep it
 * - remove:  selling (target weight 0, the rebalance sells it) -> removing -> removed
 *
 * The chain is the source of truth at every step: an asset already registered is `executed`,
 * a deviation the vault already declares is `executed`, a call already scheduled is `scheduled`
 * (never scheduled twice), an asset no longer listed is `removed`, a scheduled call that vanished unexecuted was revoked (`failed`).
 *
 * Without the admin key (production: the admin is a multisig) nothing is sent: the step holds
 * a proposal (target, exact calldata, earliest execution time), it is logged and served by
 * the API, and the keeper waits for the change to appear on chain.
 */
import { BallastError } from "../../core/errors.js";
import { type BookEntry, planRotation } from "../../execution/indexVault/rotation/planRotation.js";
import type { VaultGovernance } from "../../execution/indexVault/rotation/vaultGovernance.js";
import type { VenueAsset } from "../../execution/portfolioManager.js";
import type { UniverseSource } from "../../execution/universeSource.js";
import type { Logger } from "../logger.js";
import type { AdminProposal, RotationRecord, RotationStepRecord, RotationStepStatus } from "../readModel.js";
import type { KeeperStore } from "../store/keeperStore.js";

export interface RotationSettings {
  /** Days between rotations; 0 never starts one (an active one is still finished). */
  readonly rotationDays: number;
  readonly minAssets: number;
  /** Cap for an added asset when neither its config nor the current basket gives one. */
  readonly defaultMaxWeightBps: number;
}

export interface RotationDeps {
  readonly store: KeeperStore;
  readonly governance: VaultGovernance;
  readonly universe: UniverseSource;
  readonly book: readonly BookEntry[];
  readonly settings: RotationSettings;
  readonly logger: Logger;
}

/** The widest deviation the vault declares, and where it starts every new asset. */
const MAX_DEVIATION_BPS = 255;

interface TimelockedSpec {
  /** The vault function, for logs, reasons and proposals. */
  readonly action: string;
  /** What the log says once the step's effect is on chain. */
  readonly doneMessage: string;
  /** Whether the chain already shows the step's effect. */
  readonly done: () => Promise<boolean>;
  /** Whether executing must wait ("waiting") or can never happen ("failed"); null when it may go. */
  readonly blocked: () => Promise<"waiting" | "failed" | null>;
}

const TERMINAL = new Set<RotationStepStatus>(["executed", "removed", "failed"]);
/** Status a step returns to when its transaction vanished from the node. */
const BEFORE_SEND: Partial<Record<RotationStepStatus, RotationStepStatus>> = {
  scheduling: "pending",
  executing: "scheduled",
  removing: "selling",
};

export class RotationManager {
  constructor(private readonly deps: RotationDeps) {}

  /** The rotation in progress, if any. */
  active(): Promise<RotationRecord | null> {
    return this.deps.store.rotationStore.active();
  }

  /** Lower-case addresses of assets being removed: the strategy gives them 0 and they are sold in full. */
  async exiting(): Promise<Set<string>> {
    const active = await this.active();
    const out = new Set<string>();
    for (const s of active?.steps ?? []) {
      if (s.kind === "remove" && !TERMINAL.has(s.status)) out.add(s.token.toLowerCase());
    }
    return out;
  }

  /** Chain time the next rotation is due, or null when none will start. */
  async nextAt(): Promise<number | null> {
    const { store, settings } = this.deps;
    if (settings.rotationDays <= 0) return null;
    const anchor = (await store.rotationStore.lastStartedAt()) ?? (await store.state()).rotationAnchor;
    return anchor === null ? null : anchor + settings.rotationDays * 86_400;
  }

  /**
   * Moves the active rotation's steps as far as the chain allows; with `start`, first starts a
   * rotation when one is due.
   */
  async advance(now: number, held: readonly VenueAsset[], start = true): Promise<void> {
    const { store } = this.deps;
    let active = await this.active();
    if (!active) {
      if (!start) return;
      if ((await store.state()).rotationAnchor === null) await store.setState({ rotationAnchor: now });
      const due = await this.nextAt();
      if (due === null || now < due) return;
      active = await this.begin(now, held);
      if (!active) return;
    }
    for (const step of active.steps) {
      if (TERMINAL.has(step.status)) continue;
      try {
        await this.advanceStep(active.id, step, now);
      } catch (error) {
        if (!(error instanceof BallastError)) throw error;
        // A failed read or send leaves the step where it was; the next tick tries again.
        await store.rotationStore.updateStep(step.id, now, { reason: error.message });
        this.deps.logger.error({ rotation: active.id, step: step.symbol, err: error.message }, "rotation step failed");
      }
    }
    const after = await this.active();
    if (after?.steps.every((s) => TERMINAL.has(s.status))) {
      const done = (kind: "add" | "remove", status: RotationStepStatus) =>
        after.steps.filter((s) => s.kind === kind && s.status === status).map((s) => s.symbol);
      const failed = after.steps.filter((s) => s.status === "failed").map((s) => `${s.symbol} (${s.reason})`);
      const reason =
        `added ${done("add", "executed").join(" ") || "none"}; removed ${done("remove", "removed").join(" ") || "none"}` +
        (failed.length ? `; failed ${failed.join(", ")}` : "");
      await store.rotationStore.finish(after.id, now, reason);
      this.deps.logger.info({ rotation: after.id, reason }, "rotation finished");
    }
  }

  private async begin(now: number, held: readonly VenueAsset[]): Promise<RotationRecord | null> {
    const { store, governance, universe, book, settings, logger } = this.deps;
    const selection = await universe.select(
      now,
      held.slice(1).map((a) => a.symbol),
    );
    // A classifier shortfall keeps the universe (its "hold" policy), whatever the plan would be.
    const plan = selection.shortfall
      ? { keep: held.slice(1).map((a) => a.symbol), remove: [], add: [], rejected: [], skipped: selection.shortfall }
      : planRotation({
          held: held.map((a) => ({ symbol: a.symbol, address: a.address })),
          selected: selection.selected,
          book,
          minAssets: settings.minAssets,
          // An added asset gets the same risk limit as the basket it joins (the strategy's own cap
          // is a target; the vault's limit must leave room for drift and costs above it).
          defaultMaxWeightBps:
            held.slice(1).reduce((m, a) => Math.max(m, a.maxWeightBps), 0) || settings.defaultMaxWeightBps,
        });
    const steps = [
      ...plan.remove.map((r) => ({
        kind: "remove" as const,
        symbol: r.symbol,
        token: r.address,
        status: "selling" as const,
        callData: governance.removeAssetData(r.address),
      })),
      ...plan.add.map((a) => ({
        kind: "add" as const,
        symbol: a.symbol,
        token: a.address,
        status: "pending" as const,
        callData: governance.addAssetData(a),
      })),
      // 255 is where the vault starts a new asset: nothing to declare.
      ...plan.add.flatMap((a) =>
        a.oracle.deviationBps !== undefined && a.oracle.deviationBps < MAX_DEVIATION_BPS
          ? [
              {
                kind: "declare" as const,
                symbol: a.symbol,
                token: a.address,
                status: "pending" as const,
                callData: governance.setDeviationData(a.address, a.oracle.deviationBps),
              },
            ]
          : [],
      ),
    ];
    const status = plan.skipped ? "skipped" : steps.length === 0 ? "done" : "in-progress";
    const reason = plan.skipped ?? (steps.length === 0 ? "no change: the classifier kept the universe" : null);
    const summary = {
      keep: plan.keep,
      remove: plan.remove.map((r) => r.symbol),
      add: plan.add.map((a) => a.symbol),
      rejected: plan.rejected,
      why: selection.reasons,
    };
    const id = await store.rotationStore.create(now, selection.selected, summary, steps, status, reason);
    logger.info(
      { rotation: id, status, ...summary, selected: selection.selected, asOf: selection.asOf },
      "rotation started",
    );
    for (const r of plan.rejected) logger.warn({ rotation: id, symbol: r.symbol, reason: r.reason }, "asset not added");
    return status === "in-progress" ? this.active() : null;
  }

  private async advanceStep(rotationId: number, initial: RotationStepRecord, now: number): Promise<void> {
    const { governance, store } = this.deps;
    const update = store.rotationStore.updateStep.bind(store.rotationStore);
    let step = initial;
    // A transaction sent by an earlier tick (or process): wait for it, or forget it if the node did.
    const previous = BEFORE_SEND[step.status];
    if (step.txHash && previous) {
      const { receipt, pending } = await governance.lookup(step.txHash);
      if (pending) return;
      if (!receipt) {
        await update(step.id, now, {
          status: previous,
          txHash: null,
          reason: `transaction ${step.txHash} was dropped`,
        });
        step = { ...step, status: previous, txHash: null };
      } else if (receipt.status !== 1) {
        await update(step.id, now, { status: previous, reason: `transaction ${step.txHash} reverted` });
        step = { ...step, status: previous };
      }
    }
    if (step.kind === "remove") await this.advanceRemove(rotationId, step, now);
    else await this.advanceTimelocked(rotationId, step, now, this.timelockedSpec(rotationId, step));
  }

  /** What tells an add or declare step done, what it waits for, and how it is named. */
  private timelockedSpec(rotationId: number, step: RotationStepRecord): TimelockedSpec {
    const { governance, store } = this.deps;
    if (step.kind === "add") {
      return {
        action: "addAsset",
        doneMessage: "asset added",
        done: () => governance.isRegistered(step.token),
        blocked: async () => null,
      };
    }
    const declared = governance.decodeDeviation(step.callData as string);
    return {
      action: "setDeviation",
      doneMessage: "feed deviation declared",
      done: async () => (await governance.deviationOf(step.token)) === declared,
      // setDeviation reverts for an unregistered asset: it waits for the add, and fails with it.
      blocked: async () => {
        if (await governance.isRegistered(step.token)) return null;
        const rotation = await store.rotationStore.active();
        const add =
          rotation?.id === rotationId
            ? rotation.steps.find((s) => s.kind === "add" && s.token === step.token)
            : undefined;
        return add?.status === "failed" ? "failed" : "waiting";
      },
    };
  }

  private async advanceTimelocked(
    rotationId: number,
    step: RotationStepRecord,
    now: number,
    spec: TimelockedSpec,
  ): Promise<void> {
    const { governance, store, logger } = this.deps;
    const update = (patch: Parameters<typeof store.rotationStore.updateStep>[2]) =>
      store.rotationStore.updateStep(step.id, now, patch);
    const callData = step.callData as string;
    if (await spec.done()) {
      await update({ status: "executed", reason: null });
      logger.info({ rotation: rotationId, symbol: step.symbol }, spec.doneMessage);
      return;
    }
    const readyAt = await governance.scheduledAt(callData);
    if (step.status === "pending" || step.status === "proposed" || step.status === "scheduling") {
      if (readyAt > 0) {
        await update({ status: "scheduled", readyAt, reason: null });
        if (!governance.canSend) {
          await this.propose(rotationId, step, now, "scheduled", [
            this.executeProposal(spec.action, callData, readyAt),
          ]);
        }
        return;
      }
      if (!governance.canSend) {
        if (step.status !== "proposed") {
          const delay = await governance.timelockDelay();
          await this.propose(rotationId, step, now, "proposed", [
            { action: "schedule", to: governance.vaultAddress, data: governance.scheduleData(callData), earliest: now },
            this.executeProposal(spec.action, callData, null, delay),
          ]);
        }
        return;
      }
      const sent = await governance.send(governance.scheduleData(callData), (record) =>
        update({ status: "scheduling", txHash: record.hash }),
      );
      if (!sent.ok) {
        await update({ status: "pending", reason: `schedule not sent: ${sent.reason}` });
        return;
      }
      const at = await governance.scheduledAt(callData);
      await update({ status: "scheduled", readyAt: at, reason: null });
      logger.info({ rotation: rotationId, symbol: step.symbol, readyAt: at }, `${spec.action} scheduled`);
      return;
    }
    // scheduled (or executing, after a dropped transaction)
    if (readyAt === 0) {
      await update({ status: "failed", reason: `the scheduled ${spec.action} was revoked before it executed` });
      logger.warn({ rotation: rotationId, symbol: step.symbol }, `scheduled ${spec.action} revoked`);
      return;
    }
    if (now < readyAt) return;
    const blocked = await spec.blocked();
    if (blocked === "failed") {
      await update({ status: "failed", reason: "the asset was not added" });
      return;
    }
    if (blocked === "waiting" || !governance.canSend) return;
    const sent = await governance.send(callData, (record) => update({ status: "executing", txHash: record.hash }));
    if (!sent.ok) {
      await update({ status: "scheduled", reason: `${spec.action} not sent: ${sent.reason}` });
      return;
    }
    await update({ status: "executed", reason: null });
    logger.info({ rotation: rotationId, symbol: step.symbol, tx: sent.receipt.hash }, spec.doneMessage);
  }

  private async advanceRemove(rotationId: number, step: RotationStepRecord, now: number): Promise<void> {
    const { governance, store, logger } = this.deps;
    const update = (patch: Parameters<typeof store.rotationStore.updateStep>[2]) =>
      store.rotationStore.updateStep(step.id, now, patch);
    if (!(await governance.isRegistered(step.token))) {
      await update({ status: "removed", reason: null });
      logger.info({ rotation: rotationId, symbol: step.symbol }, "asset removed");
      return;
    }
    // The rebalance sells it (target 0, sold in full); removal waits for a zero balance.
    if ((await governance.held(step.token)) > 0n) return;
    const callData = step.callData as string;
    if (!governance.canSend) {
      if (step.status !== "proposed") {
        await this.propose(rotationId, step, now, "proposed", [
          { action: "removeAsset", to: governance.vaultAddress, data: callData, earliest: now },
        ]);
      }
      return;
    }
    const sent = await governance.send(callData, (record) => update({ status: "removing", txHash: record.hash }));
    if (!sent.ok) {
      await update({ status: "selling", reason: `removeAsset not sent: ${sent.reason}` });
      return;
    }
    await update({ status: "removed", reason: null });
    logger.info({ rotation: rotationId, symbol: step.symbol, tx: sent.receipt.hash }, "asset removed");
  }

  private executeProposal(action: string, callData: string, readyAt: number | null, delay?: number): AdminProposal {
    return {
      action: delay === undefined ? action : `${action} (${delay} s after the schedule lands)`,
      to: this.deps.governance.vaultAddress,
      data: callData,
      earliest: readyAt,
    };
  }

  private async propose(
    rotationId: number,
    step: RotationStepRecord,
    now: number,
    status: RotationStepStatus,
    proposal: AdminProposal[],
  ): Promise<void> {
    await this.deps.store.rotationStore.updateStep(step.id, now, {
      status,
      proposal,
      reason: "waiting for the admin (no admin key configured)",
    });
    this.deps.logger.warn(
      { rotation: rotationId, symbol: step.symbol, kind: step.kind, proposal },
      "admin action needed: propose these calls to the vault admin",
    );
  }
}
