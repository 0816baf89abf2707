/**
 * Shared start-up of the keeper commands: flags -> validated config -> market data for the
 * strategy -> a keeper opened with preflight checks. Errors before anything is sent are
 * printed clearly and become exit code 2.
 */
import { parseArgs } from "node:util";
import { type KeeperConfig, loadKeeperConfig } from "../../config/keeperConfig.js";
import { BallastError, ConfigError } from "../../core/errors.js";
import { loadMarketCsv } from "../../data/csv.js";
import { StrategyOracle } from "../../execution/strategyOracle.js";
import { ClassifierUniverse } from "../../execution/universeSource.js";
import { type Keeper, openKeeper } from "../../service/keeper.js";
import { createLogger } from "../../service/logger.js";
import { strategyFor } from "../strategyChoice.js";

export const KEEPER_FLAGS = {
  config: { type: "string" },
  market: { type: "string" },
  "rpc-url": { type: "string", multiple: true },
  "data-dir": { type: "string" },
} as const;

export interface KeeperFlags {
  readonly config?: string | undefined;
  readonly market?: string | undefined;
  readonly "rpc-url"?: string[] | undefined;
  readonly "data-dir"?: string | undefined;
}

export function parseKeeperFlags(argv: string[]): KeeperFlags {
  return parseArgs({ args: argv, options: KEEPER_FLAGS, strict: true }).values;
}

export function configFromFlags(flags: KeeperFlags, extra: Record<string, unknown> = {}): KeeperConfig {
  return loadKeeperConfig({
    file: flags.config,
    overrides: {
      ...(flags["rpc-url"] ? { rpcUrls: flags["rpc-url"] } : {}),
      ...(flags["data-dir"] ? { dataDir: flags["data-dir"] } : {}),
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
    riskLevel: (t) => oracle.riskLevel(t),
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
    if (error instanceof ConfigError || (error instanceof TypeError && "code" in error)) {
      console.error(error.message);
      return 2;
    }
    if (error instanceof BallastError) {
      console.error(`${error.name}: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
