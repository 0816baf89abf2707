/**
 * Shared start-up of the keeper commands: flags -> validated config -> market data for the
 * strategy -> a keeper opened with preflight checks. Errors before anything is sent are
 * printed clearly and become exit code 2.
 */
import { parseArgs } from "node:util";
import { type KeeperConfig, loadKeeperConfig } from "../../config/keeperConfig.js";
import { redactUrlsIn } from "../../config/redactUrl.js";
import { BallastError, ConfigError } from "../../core/errors.js";
import { loadMarketCsv } from "../../data/csv.js";
import { StrategyOracle } from "../../execution/strategyOracle.js";
import { ClassifierUniverse } from "../../execution/universeSource.js";
import { type Keeper, openKeeper } from "../../service/keeper.js";
import { createLogger } from "../../service/logger.js";
import { strategyFor } from "../strategyChoice.js";
import { describeUsageProblem } from "../usage.js";

export const KEEPER_FLAGS = {
  config: { type: "string" },
  market: { type: "string" },
  "rpc-url": { type: "string", multiple: true },
  "data-dir": { type: "string" },
  "allow-reckless-limits": { type: "boolean" },
} as const;

/** What each keeper command does, for its `--help`. */
const KEEPER_COMMANDS = {
  run: "runs the keeper on its schedule until SIGINT/SIGTERM",
  "dry-run": "runs one cycle up to simulation and signing, without submitting",
  rebalance: "runs one rebalance cycle now, outside the schedule",
} as const;

export type KeeperCommand = keyof typeof KEEPER_COMMANDS;

export function keeperUsage(command: KeeperCommand): string {
  return `usage: ${command} --config <file.json> --market <csv> [--rpc-url URL ...] [--data-dir DIR]
                [--allow-reckless-limits]
${KEEPER_COMMANDS[command]}.
  --config FILE             keeper config (JSON); BALLAST_* variables and these flags override it
  --market CSV              daily market data for the strategy
  --rpc-url URL             RPC endpoint, repeatable (the first is preferred, the others are failovers)
  --data-dir DIR            where the store, journal and KILL file live (created 0700)
  --allow-reckless-limits   accept fee caps, slippage or turnover settings beyond the sane bounds
  --help, -h                this text`;
}

export interface KeeperFlags {
  readonly config?: string | undefined;
  readonly market?: string | undefined;
  readonly "rpc-url"?: string[] | undefined;
  readonly "data-dir"?: string | undefined;
  readonly "allow-reckless-limits"?: boolean | undefined;
}

/** Strict: an unknown flag is a ConfigError naming the closest known flag. */
export function parseKeeperFlags(command: KeeperCommand, argv: string[]): KeeperFlags {
  try {
    return parseArgs({ args: argv, options: KEEPER_FLAGS, strict: true, allowPositionals: false }).values;
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

/** Opens a keeper whose strategy reads daily market data from `--market <csv>`. */
export async function openFromFlags(flags: KeeperFlags, config: KeeperConfig): Promise<Keeper> {
  if (!flags.market) throw new ConfigError("--market <csv> is required: the strategy needs daily market data");
  const { panel, report } = loadMarketCsv(flags.market, { symbols: config.tokens.map((t) => t.symbol) });
  const symbols = config.tokens.map((t) => t.symbol);
  const oracle = new StrategyOracle(strategyFor(config.strategy.name, config.strategy.maxWeight), panel, symbols);
  const env = process.env;
  const secrets = [config.signer.keyEnv, config.submitter.keyEnv, config.admin.keyEnv]
    .map((k) => env[k] ?? "")
    .filter(Boolean);
  const logger = createLogger({ secrets });
  // What validation dropped, repaired or flagged; the market guard then checks the view each cycle.
  const found = Object.entries(report.counts).filter(([, n]) => n > 0);
  if (found.length > 0) logger.warn({ market: flags.market, ...Object.fromEntries(found) }, "market data issues");
  return openKeeper(config, {
    oracle,
    logger,
    market: () => panel,
    riskLevel: (t, holdings) => oracle.riskLevel(t, holdings),
    // Rotations re-run the classifier on the same market data, point in time.
    ...(config.strategy.rotationDays > 0
      ? { universe: new ClassifierUniverse(panel, config.strategy.classifier) }
      : {}),
  });
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
