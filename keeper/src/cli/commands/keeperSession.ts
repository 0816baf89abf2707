/**
 * Shared start-up of the keeper commands: flags -> validated config -> live market data
 * (backfilled) for the strategy -> a keeper opened with preflight checks. Errors before anything is sent are
 * printed clearly and become exit code 2.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type KeeperConfig, loadKeeperConfig } from "../../config/keeperConfig.js";
import { redactUrlsIn } from "../../config/redactUrl.js";
import { BallastError, ConfigError, DataError } from "../../core/errors.js";
import type { MarketSource } from "../../data/live/liveMarket.js";
import { FailoverRpc } from "../../execution/failoverRpc.js";
import { LiveOracle } from "../../execution/liveOracle.js";
import { ClassifierUniverse, type UniverseSource } from "../../execution/universeSource.js";
import { checkReleaseUniverse, keeperScheduleOf, type ReleaseSchedule } from "../../research/release/release.js";
import type { Keeper } from "../../service/keeper.js";
import type { KeeperMetrics } from "../../service/keeperMetrics.js";
import { createLogger, type Logger } from "../../service/logger.js";
import { type OpenedLiveMarket, openLiveMarket } from "../openLiveMarket.js";
import { loadRelease } from "../releaseFolder.js";
import { RotationRetrainer, releaseInForce } from "../rotationRetrain.js";
import { strategyFor } from "../strategyChoice.js";
import { describeUsageProblem } from "../usage.js";
import { yieldPlanOf } from "../yieldPlan.js";
import { openKeeper } from "./openKeeper.js";

export const KEEPER_FLAGS = {
  config: { type: "string" },
  venue: { type: "string" },
  market: { type: "string" },
  release: { type: "string" },
  "rpc-url": { type: "string", multiple: true },
  "data-dir": { type: "string" },
  "allow-reckless-limits": { type: "boolean" },
} as const;

/** `run` also serves the operator surfaces (API, dashboard, /metrics). */
const RUN_FLAGS = {
  ...KEEPER_FLAGS,
  fleet: { type: "string" },
  "no-serve": { type: "boolean" },
  port: { type: "string" },
  host: { type: "string" },
} as const;

/** What each keeper command does, for its `--help`. */
const KEEPER_COMMANDS = {
  run: "runs the keeper on its schedule until SIGINT/SIGTERM",
  "dry-run": "runs one cycle up to simulation and signing, without submitting",
  rebalance: "runs one rebalance cycle now, outside the schedule",
} as const;

export type KeeperCommand = keyof typeof KEEPER_COMMANDS;

export function keeperUsage(command: KeeperCommand): string {
  return `usage: ${command} [--venue arbitrum|hyperliquid|starknet] --config <file.json>${command === "run" ? " | --fleet <fleet.json>" : ""} [--release DIR] [--market <csv>] [--rpc-url URL ...] [--data-dir DIR]
                [--allow-reckless-limits]${command === "run" ? " [--no-serve] [--port N] [--host H]" : ""}
${KEEPER_COMMANDS[command]}.
  --config FILE             keeper config (JSON); BALLAST_* variables and these flags override it
  --release DIR             serve the weights and schedule of a research release (refused unless its
                            gate verdict, files and universe check out; see \`keeper release verify\`)
  --market CSV              take the market history from this CSV (market.source "csv"); without it
                            the configured market.source (default: the vault's Chainlink feeds)
  --venue V                 arbitrum (default: the basket vault), hyperliquid (perps) or starknet (LST
                            vault); the last two read a venue keeper config (README, "Venues") and
                            take only --config and --data-dir${command === "run" ? ", --no-serve, --port and --host" : ""}${
                              command === "run"
                                ? `
  --fleet FILE              serve every vault of a fleet file in this process (docs/operator.md, "Many
                            vaults per process"); takes only --no-serve, --port and --host
  --no-serve                do not start the operator server (API, dashboard, /metrics)
  --port N                  operator server port (default 8787; 0 picks a free one)
  --host H                  operator server address (default 127.0.0.1); POST /api/rebalance needs
                            "Authorization: Bearer $BALLAST_API_TOKEN" (generated and printed when unset)`
                                : ""
                            }
  --rpc-url URL             RPC endpoint, repeatable (the first is preferred, the others are failovers)
  --data-dir DIR            where the store, journal and KILL file live (created 0700)
  --allow-reckless-limits   accept fee caps, slippage or turnover settings beyond the sane bounds
  --help, -h                this text`;
}

export interface KeeperFlags {
  readonly config?: string | undefined;
  readonly market?: string | undefined;
  readonly release?: string | undefined;
  readonly "rpc-url"?: string[] | undefined;
  readonly "data-dir"?: string | undefined;
  readonly "allow-reckless-limits"?: boolean | undefined;
  readonly venue?: string | undefined;
  /** `run` only. */
  readonly fleet?: string | undefined;
  readonly "no-serve"?: boolean | undefined;
  readonly port?: string | undefined;
  readonly host?: string | undefined;
}

/** Strict: an unknown flag is a ConfigError naming the closest known flag. */
export function parseKeeperFlags(command: KeeperCommand, argv: string[]): KeeperFlags {
  try {
    const options = command === "run" ? RUN_FLAGS : KEEPER_FLAGS;
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const usage = keeperUsage(command);
    throw new ConfigError(`${command}: ${describeUsageProblem(error, usage)}\n${usage}`);
  }
}

export function configFromFlags(flags: KeeperFlags, extra: Record<string, unknown> = {}): KeeperConfig {
  return loadKeeperConfig({
    file: flags.config,
    overrides: {
      ...(flags["rpc-url"] ? { rpcUrls: flags["rpc-url"] } : {}),
      ...(flags["data-dir"] ? { dataDir: flags["data-dir"] } : {}),
      ...(flags["allow-reckless-limits"] ? { allowRecklessLimits: true } : {}),
      ...extra,
    },
  });
}

export interface KeeperSession {
  readonly keeper: Keeper;
  readonly oracle: LiveOracle;
  /** Rotation retrains, when the keeper serves a release and rotates (`run` polls it). */
  readonly retrainer: RotationRetrainer | null;
  /** Closes the keeper, the market's RPC connection and its bar store. */
  close(): Promise<void>;
}

/**
 * Opens a keeper on live market data: the market is backfilled first (history from the
 * configured source; `--market <csv>` makes the operator's CSV that source), then every cycle
 * the oracle takes a fresh snapshot and refuses to trade on stale or disputed data.
 */
export async function openSession(
  flags: KeeperFlags,
  config: KeeperConfig,
  env: NodeJS.ProcessEnv = process.env,
  options: { readonly logger?: Logger; readonly metrics?: KeeperMetrics } = {},
): Promise<KeeperSession> {
  // A release is checked before anything touches the network: a bad one never gets further.
  const release = flags.release ? loadRelease(flags.release) : null;
  const withMarket: KeeperConfig = flags.market
    ? { ...config, market: { ...config.market, source: "csv", csvPath: flags.market } }
    : config;
  const effective = release ? followSchedule(withMarket, release.manifest.schedule) : withMarket;
  const secrets = [config.signer.keyEnv, config.submitter.keyEnv, config.admin.keyEnv]
    .map((k) => env[k] ?? "")
    .filter(Boolean);
  const logger = options.logger ?? createLogger({ secrets });
  const rpc = new FailoverRpc({
    urls: effective.rpcUrls,
    chainId: effective.chainId,
    retries: effective.rpc.retries,
    backoffMs: effective.rpc.backoffMs,
    timeoutMs: effective.rpc.timeoutMs,
    onFailover: (from, to) => logger.warn({ from, to }, "market rpc failover"),
    onBatchLimit: (url, size, reason) => logger.warn({ url, size, reason }, "market rpc batch size lowered"),
  });
  let live: OpenedLiveMarket | undefined;
  try {
    live = await openLiveMarket(effective, rpc, env);
    const opened = live;
    logger.info(
      { source: opened.source, fetched: opened.backfill.fetched, newestBarAt: opened.backfill.newestBarAt },
      "market backfilled",
    );
    if (release) {
      checkReleaseUniverse(release.manifest, opened.basket);
      logger.info(
        { release: release.dir, serves: release.manifest.strategy.id, approved: release.manifest.gate.approved },
        "release loaded",
      );
    }
    const symbols = effective.tokens.map((t) => t.symbol);
    const oracle = new LiveOracle({
      name: release ? release.manifest.strategy.id : effective.strategy.name,
      market: opened.market,
      strategy: release
        ? (panel) => release.strategy(panel)
        : () => strategyFor(effective.strategy.name, effective.strategy.maxWeight),
      venueSymbols: symbols,
      onReading: (r) => {
        if (!r.ok) logger.warn({ code: r.code, newestBarAt: r.newestBarAt }, r.reason);
        else if (r.warning) logger.warn({ newestBarAt: r.newestBarAt }, r.warning);
        // Data freshness for status and the dashboard (the keeper exists once a cycle reads).
        sessionKeeper?.store
          .setState({
            market: { source: opened.source, newestBarAt: r.newestBarAt, ok: r.ok, reason: r.ok ? null : r.reason },
          })
          .catch((error: unknown) =>
            logger.warn({ err: error instanceof Error ? error.message : String(error) }, "market reading not saved"),
          );
      },
    });
    let sessionKeeper: Keeper | null = null;
    let retrainerRef: RotationRetrainer | null = null;
    const keeper = await openKeeper(effective, {
      oracle,
      logger,
      ...(options.metrics ? { metrics: options.metrics } : {}),
      env,
      riskLevel: (t, holdings) => oracle.riskLevel(t, holdings),
      basketReturns: (t, holdings) => oracle.basketReturnsAt(t, holdings),
      // The release in force: a rotation retrain may switch it (the retrainer exists once the keeper does).
      yieldPlan: (vaultSymbols) =>
        yieldPlanOf((retrainerRef?.release ?? release)?.manifest ?? null, oracle.name, vaultSymbols),
      // The market guard checks the same live view the strategy decides on (null when refused:
      // the oracle then holds the cycle with the market's reason).
      market: async (now) => {
        const reading = await opened.market.snapshot(now);
        return reading.ok ? reading.panel : null;
      },
      // Rotations re-run the classifier on the live panel, point in time.
      ...(effective.strategy.rotationDays > 0
        ? { universe: liveUniverse(opened.market, effective.strategy.classifier) }
        : {}),
    });
    sessionKeeper = keeper;
    const retrainer =
      release && effective.strategy.rotationDays > 0
        ? new RotationRetrainer({
            keeper,
            oracle,
            market: opened.market,
            release,
            releasesDir: join(effective.dataDir, "releases"),
            baseSymbol: symbols[0] as string,
            env,
            logger,
          })
        : null;
    retrainerRef = retrainer;
    // A keeper that switched releases at a rotation serves the recorded one after a restart
    // (unless the operator started it on another release: theirs wins).
    const { retrain, release: recorded } = await keeper.store.state();
    if (retrainer && release && recorded && retrain?.status === "switched" && retrain.basedOn === release.dir) {
      try {
        const inForce = loadRelease(recorded.dir);
        checkReleaseUniverse(inForce.manifest, opened.basket);
        retrainer.serve(inForce);
        logger.info({ release: inForce.dir, serves: inForce.manifest.strategy.id }, "release in force restored");
      } catch (error) {
        await keeper.close();
        throw error;
      }
    }
    await keeper.store.setState({
      market: { source: opened.source, newestBarAt: opened.backfill.newestBarAt, ok: true, reason: null },
      release: retrainer ? releaseInForce(retrainer.release) : release ? releaseInForce(release) : null,
    });
    return {
      keeper,
      oracle,
      retrainer,
      close: async () => {
        await retrainer?.close();
        await keeper.close();
        rpc.destroy();
        opened.close();
      },
    };
  } catch (error) {
    rpc.destroy();
    live?.close();
    throw error;
  }
}

/** The release's rebalance schedule replaces the configured one. */
function followSchedule(config: KeeperConfig, schedule: ReleaseSchedule): KeeperConfig {
  return { ...config, schedule: { ...config.schedule, ...keeperScheduleOf(schedule) } };
}

/** The classifier on the market's newest accepted panel; a refused reading fails the rotation step. */
function liveUniverse(market: MarketSource, classifier: KeeperConfig["strategy"]["classifier"]): UniverseSource {
  return {
    select: async (now) => {
      const reading = await market.snapshot(now);
      if (!reading.ok) throw new DataError(`rotation: ${reading.reason}`);
      return new ClassifierUniverse(reading.panel, classifier).select(now);
    },
  };
}

/** Runs a command body, mapping start-up errors to exit code 2 with a readable message. */
export async function withStartupErrors(body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(redactUrlsIn(error.message));
      return 2;
    }
    if (error instanceof BallastError) {
      console.error(`${error.name}: ${redactUrlsIn(error.message)}`);
      return 1;
    }
    throw error;
  }
}
