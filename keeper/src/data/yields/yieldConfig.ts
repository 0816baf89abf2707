/**
 * What the yield collector keeps and how it adjusts APYs, validated once with zod. Filters
 * pick pools from DefiLlama's list; the adjustment turns a pool's advertised APY into what a
 * holder can expect (reward tokens haircut, an underlying's own yield added); the history
 * rules say what counts as an outlier and how long a gap may be carried; `assets` says which
 * pool's APY each portfolio asset earns and whether its price already shows it.
 */
import { z } from "zod";
import { ConfigError } from "../../core/errors.js";

const upper = z
  .string()
  .min(1)
  .transform((s) => s.toUpperCase());

/** How a yield reaches the holder (see core/types.ts `YieldAccrual`). */
export const yieldAccrualSchema = z.enum(["price", "balance"]);

export const yieldCollectorConfigSchema = z
  .object({
    filters: z
      .object({
        /** DefiLlama chain names, case-insensitive ("Arbitrum", "Ethereum"); absent = any. */
        chains: z.array(z.string().min(1)).min(1).optional(),
        /** DefiLlama project slugs ("aave-v3", "lido"); absent = any. */
        protocols: z.array(z.string().min(1)).min(1).optional(),
        /**
         * Whitelisted underlyings: token symbols or addresses. A pool is kept only when every
         * token of its symbol ("USDC-WETH" has two) or every one of its underlying token
         * addresses is listed. Absent = any.
         */
        underlyings: z.array(upper).min(1).optional(),
        minTvlUsd: z.number().min(0).default(1_000_000),
        /** true: stablecoin pools only; false: non-stablecoin pools only; absent: both. */
        stablecoin: z.boolean().optional(),
        /** Pools DefiLlama itself flags as outliers are dropped unless this is false. */
        dropFlaggedOutliers: z.boolean().default(true),
        /** Explicit pool ids, kept whatever the other filters say (the assets' pools are added too). */
        pools: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .prefault({}),
    adjustment: z
      .object({
        /** Share of the reward-token APY removed (rewards are sold at a discount, or not at all). */
        rewardHaircut: z.number().min(0).max(1).default(0.5),
        /**
         * Yield an underlying token earns by itself, added to every kept pool that holds it:
         * the APY history of another pool (e.g. Lido's stETH staking pool for WSTETH) or a
         * constant annual fraction. Keys are token symbols.
         */
        underlying: z
          .record(
            upper,
            z.union([z.object({ pool: z.string().min(1) }).strict(), z.object({ apy: z.number() }).strict()]),
          )
          .default({}),
      })
      .strict()
      .prefault({}),
    history: z
      .object({
        /** APYs above this annual fraction (or below -`maxApy`) are outliers outright. */
        maxApy: z.number().positive().default(2),
        /** Trailing window (days) of the robust outlier test. */
        outlierWindowDays: z.number().int().min(3).default(30),
        /** A point further than this many scaled MADs from the trailing median is an outlier... */
        outlierMads: z.number().positive().default(8),
        /** ...and further than this absolute distance (annual fraction), so flat series do not flag noise. */
        outlierMinDistance: z.number().min(0).default(0.02),
        /** Days a missing APY is carried forward; longer gaps stay missing. */
        maxGapDays: z.number().int().min(0).default(3),
      })
      .strict()
      .prefault({}),
    /** The yield each portfolio asset earns: its pool and how it accrues. */
    assets: z
      .array(z.object({ symbol: upper, pool: z.string().min(1), accrual: yieldAccrualSchema }).strict())
      .default([]),
  })
  .strict();

export type YieldCollectorConfigInput = z.input<typeof yieldCollectorConfigSchema>;
export type YieldCollectorConfig = z.output<typeof yieldCollectorConfigSchema>;

export function parseYieldCollectorConfig(raw: unknown, where = "yield collector config"): YieldCollectorConfig {
  const parsed = yieldCollectorConfigSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`${where}: ${z.prettifyError(parsed.error)}`);
  const symbols = parsed.data.assets.map((a) => a.symbol);
  const dup = symbols.find((s, i) => symbols.indexOf(s) !== i);
  if (dup !== undefined) throw new ConfigError(`${where}: asset ${dup} is listed twice`);
  return parsed.data;
}
