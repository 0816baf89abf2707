/**
 * Rotation retrains for a keeper that serves a release. When a rotation starts, research runs
 * again (the `keeper research` command, in a child process, so the cycle loop keeps ticking and
 * serving the release in force) on the live panel up to the rotation, point in time, over the
 * rotation's new basket. It writes a release folder under <dataDir>/releases/; once research
 * exited and the rotation finished, the keeper switches to that release only when it verifies
 * like `keeper release verify`, the gate approved it (judged by the rules of the release in
 * force) and its universe is the vault's basket. Otherwise the release in force stays, and why.
 *
 * Restart-safe through the keeper state (`retrain`, `release`): research writes the folder into
 * a sibling temporary folder and renames it, so the folder exists only complete; a keeper
 * restarted while research ran evaluates the folder if it is there, else runs research again on
 * the panel file written at the rotation (the same data; research's selection cache resumes).
 * PPO is not retrained (`--no-ppo`): minutes to hours of training do not fit beside the keeper.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { MarketPanel } from "../core/types.js";
import { marketCsv } from "../data/csvWrite.js";
import type { MarketSource } from "../data/live/liveMarket.js";
import { underlyingOf } from "../data/underlying.js";
import type { LiveOracle } from "../execution/liveOracle.js";
import { keeperScheduleOf } from "../research/release/release.js";
import { decideSwitch } from "../research/release/switchDecision.js";
import type { Keeper } from "../service/keeper.js";
import type { Logger } from "../service/logger.js";
import type { ReleaseInForce, RetrainRecord, RotationRecord } from "../service/readModel.js";
import { type CliChild, runCliChild } from "./cliChild.js";
import { type LoadedRelease, loadRelease } from "./releaseFolder.js";

export interface RetrainDeps {
  readonly keeper: Keeper;
  readonly oracle: LiveOracle;
  readonly market: MarketSource;
  /** The release in force when the keeper opened. */
  readonly release: LoadedRelease;
  /** Where retrained releases go (<dataDir>/releases). */
  readonly releasesDir: string;
  readonly baseSymbol: string;
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
}

export function releaseInForce(release: LoadedRelease): ReleaseInForce {
  const { gate, strategy } = release.manifest;
  return {
    dir: release.dir,
    serves: strategy.id,
    candidate: gate.candidate.id,
    approved: gate.approved,
    reasons: gate.reasons,
  };
}

export class RotationRetrainer {
  private inForce: LoadedRelease;
  private child: CliChild | null = null;
  private busy = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: RetrainDeps) {
    this.inForce = deps.release;
  }

  /** The release the keeper serves now. */
  get release(): LoadedRelease {
    return this.inForce;
  }

  /** Serves `release` (a restarted keeper's recorded release) from the next cycle on. */
  serve(release: LoadedRelease): void {
    this.inForce = release;
    this.deps.oracle.use(release.manifest.strategy.id, (panel) => release.strategy(panel));
    // A release is its strategy and its schedule: both switch together.
    this.deps.keeper.useSchedule(keeperScheduleOf(release.manifest.schedule));
  }

  /** True while a research child of this process runs. */
  get running(): boolean {
    return this.child !== null && this.child.exitCode() === undefined;
  }

  /** Polls every `ms` (beside the cycle loop, never blocking it); failures are logged. */
  start(ms: number): void {
    this.timer = setInterval(() => {
      this.poll().catch((error: unknown) =>
        this.deps.logger.error({ err: error instanceof Error ? error.message : String(error) }, "retrain poll failed"),
      );
    }, ms);
    this.timer.unref();
  }

  /** Stops polling and the research child (a restart runs it again). */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.child?.stop();
  }

  /**
   * One step: starts research for a new rotation, or, once research exited and the rotation
   * finished, decides the switch. Only the vault's leader retrains (a standby would race it).
   */
  async poll(): Promise<RetrainRecord | null> {
    const { keeper } = this.deps;
    if (this.busy || !keeper.leadership.isLeader()) return null;
    this.busy = true;
    try {
      const { retrain } = await keeper.store.state();
      const rotations = await keeper.store.rotationStore.list(5);
      const latest = rotations[0];
      if (retrain?.status === "running" && retrain.basedOn !== this.deps.release.dir) {
        // Restarted on another release: the operator's choice wins over research begun for the old one.
        return await this.finish(
          retrain,
          `the keeper was restarted on another release (${this.deps.release.dir})`,
          null,
        );
      }
      if (retrain?.status === "running") {
        const rotation = rotations.find((r) => r.id === retrain.rotationId);
        return await this.follow(retrain, rotation);
      }
      if (latest && latest.id !== retrain?.rotationId) return await this.launch(latest);
      return retrain;
    } finally {
      this.busy = false;
    }
  }

  private now(): number {
    return Math.floor(Date.now() / 1000);
  }

  private async launch(rotation: RotationRecord): Promise<RetrainRecord> {
    const { keeper, market, logger, releasesDir, baseSymbol } = this.deps;
    const stamp = new Date(rotation.startedAt * 1000).toISOString().replace(/[-:]/g, "").slice(0, 15);
    const dir = join(releasesDir, `rotation-${rotation.id}-${stamp}`);
    mkdirSync(releasesDir, { recursive: true, mode: 0o700 });
    // The panel up to the rotation, over the basket it plans (kept and added assets): what
    // research may see, point in time.
    const basket = [...rotation.plan.keep, ...rotation.plan.add];
    const reading = await market.snapshot(rotation.startedAt);
    const record: RetrainRecord = {
      rotationId: rotation.id,
      dir,
      basedOn: this.deps.release.dir,
      status: "running",
      startedAt: this.now(),
      finishedAt: null,
      reason: null,
    };
    if (!reading.ok) return this.finish(record, `no accepted market reading at the rotation: ${reading.reason}`, null);
    writeFileSync(dataFile(dir), marketCsv(basketPanel(reading.panel, baseSymbol, basket)));
    await keeper.store.setState({ retrain: record });
    logger.info({ rotation: rotation.id, dir, basket }, "rotation retrain started");
    this.spawn(dir);
    return record;
  }

  private spawn(dir: string): void {
    const { rules } = this.inForce.manifest.gate;
    // A crashed run leaves only `<dir>.tmp-<pid>` folders behind, never a half `dir`.
    for (const name of readdirSync(dirname(dir))) {
      if (name.startsWith(`${basename(dir)}.tmp-`)) rmSync(join(dirname(dir), name), { recursive: true, force: true });
    }
    this.child = runCliChild(
      [
        "research",
        "--data",
        dataFile(dir),
        "--no-ppo",
        "--out",
        `${dir}.report`,
        "--cache-dir",
        join(dirname(dir), "research-cache"),
        "--release",
        dir,
        "--gate-margin",
        String(rules.margin),
        "--gate-min-dsr",
        String(rules.minDeflatedSharpe),
      ],
      this.deps.env,
      `${dir}.log`,
    );
    this.child.exited.catch(() => {});
  }

  private async follow(record: RetrainRecord, rotation: RotationRecord | undefined): Promise<RetrainRecord> {
    if (this.child === null) {
      // A restarted keeper: research's folder is complete if it exists; else run research again.
      if (!existsSync(record.dir)) {
        if (!existsSync(dataFile(record.dir))) return this.finish(record, "the rotation's panel file is gone", null);
        this.deps.logger.info({ rotation: record.rotationId, dir: record.dir }, "rotation retrain restarted");
        this.spawn(record.dir);
        return record;
      }
    } else {
      const code = this.child.exitCode();
      if (code === undefined) return record;
      if (code !== 0) {
        this.child = null;
        return this.finish(record, `research exited with code ${String(code)} (see ${record.dir}.log)`, null);
      }
    }
    // The release must match the basket after the rotation: wait until the rotation is done.
    if (rotation?.status === "in-progress") return record;
    this.child = null;
    const basket = (await this.deps.keeper.deps.venue.universe()).map((a) => a.symbol);
    const decision = decideSwitch({ dir: record.dir, load: loadRelease, manifestOf: (r) => r.manifest, basket });
    return this.finish(record, decision.reason, decision.switch ? decision.release : null);
  }

  private async finish(record: RetrainRecord, reason: string, release: LoadedRelease | null): Promise<RetrainRecord> {
    const { keeper, logger } = this.deps;
    const done: RetrainRecord = { ...record, status: release ? "switched" : "kept", finishedAt: this.now(), reason };
    // Persisted first: a restart serves what the state says is in force.
    await keeper.store.setState({ retrain: done, ...(release ? { release: releaseInForce(release) } : {}) });
    keeper.deps.metrics.retrains.inc({ result: done.status });
    keeper.deps.metrics.retrainSeconds.set(done.finishedAt! - done.startedAt);
    if (release) {
      const from = this.inForce.dir;
      this.serve(release);
      logger.info(
        { rotation: record.rotationId, from, to: release.dir, serves: release.manifest.strategy.id, reason },
        "release switched",
      );
    } else {
      logger.warn({ rotation: record.rotationId, dir: record.dir, kept: this.inForce.dir, reason }, "release kept");
    }
    return done;
  }
}

const dataFile = (dir: string) => `${dir}.data.csv`;

/**
 * The base asset and the rotation's basket, in the symbols research knows (WETH -> ETH: the same
 * exposure; a release maps them back to the vault's).
 */
function basketPanel(panel: MarketPanel, base: string, selected: readonly string[]): MarketPanel {
  const want = new Set([base, ...selected].map((s) => s.toUpperCase()));
  const rows = panel.assets.flatMap((a, i) => (want.has(a.symbol.toUpperCase()) ? [i] : []));
  return {
    freq: panel.freq,
    timestamps: panel.timestamps,
    assets: rows.map((i) => {
      const a = panel.assets[i] as MarketPanel["assets"][number];
      return { ...a, symbol: underlyingOf(a.symbol) };
    }),
    close: rows.map((i) => panel.close[i] as Float64Array),
    volume: rows.map((i) => panel.volume[i] as Float64Array),
  };
}
