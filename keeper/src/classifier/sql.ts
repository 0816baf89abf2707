/**
 * The classifier's rules as one Flipside SQL query, templated from the same validated config
 * the TypeScript classifier uses, so the two cannot drift apart silently.
 */
import { InvalidInputError } from "../core/errors.js";
import type { AssetMeta } from "../core/types.js";
import { SNOWFLAKE, type SqlDialect } from "../data/flipside/sqlDialect.js";
import { universeSql } from "../data/flipside/universeSql.js";
import { type ClassifierConfigInput, parseClassifierConfig } from "./config.js";

/**
 * SQL selecting the universe at `date` (YYYY-MM-DD) among `assets` that have an Arbitrum
 * address. Flipside (Snowflake) by default; `SQLITE` for offline verification.
 */
export function classifierSql(
  assets: readonly AssetMeta[],
  date: string,
  configInput: ClassifierConfigInput = {},
  dialect: SqlDialect = SNOWFLAKE,
): string {
  const cfg = parseClassifierConfig(configInput);
  if (cfg.mode !== "strict") {
    throw new InvalidInputError("classifierSql: the SQL mirrors the strict rules only; ranked mode runs in TypeScript");
  }
  const tokens = assets
    .filter((a): a is AssetMeta & { address: `0x${string}` } => a.address !== undefined)
    .map((a) => ({ symbol: a.symbol, address: a.address, category: a.category }));
  if (tokens.length === 0) throw new InvalidInputError("classifierSql: no asset has an Arbitrum address");
  return universeSql(
    {
      date,
      tokens,
      lookbackDays: cfg.lookbackDays,
      returnMargin: cfg.returnMargin,
      shortMaDays: cfg.shortMaDays,
      longMaDays: cfg.longMaDays,
      volumeRecentDays: cfg.volumeRecentDays,
      volumeBaseDays: cfg.volumeBaseDays,
      volumeMultiple: cfg.volumeMultiple,
      requireVolume: cfg.requireVolume,
      memeVolDays: cfg.memeVolDays,
      memeVolThreshold: cfg.memeVolThreshold,
      memeList: cfg.memeList,
      include: cfg.include,
      excludeCategories: cfg.excludeCategories,
      minHistoryDays: cfg.minHistoryDays,
      minLiquidityUsd: cfg.minLiquidityUsd,
      liquidityDays: cfg.liquidityDays,
      maxAssets: cfg.maxAssets,
    },
    dialect,
  );
}
