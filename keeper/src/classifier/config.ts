/**
 * Classifier configuration, validated with zod. Windows are in days whatever the panel's bar
 * length, so the same config means the same thing on daily and hourly data, and in the
 * Flipside SQL that mirrors the rules (keeper/src/data/flipside/universeSql.ts).
 */
import { z } from "zod";
import { ConfigError } from "../core/errors.js";
import { MEME_LIST } from "./memeList.js";

const categories = z.enum(["stablecoin", "l1", "l2", "defi", "lst", "meme", "index", "other"]);

export const classifierConfigSchema = z
  .strictObject({
    /** Return window: close(t) / close(t - lookbackDays) - 1. */
    lookbackDays: z.number().int().min(1).max(365).default(30),
    /** A token must beat the universe-average return by at least this much (0.02 = 2 points). */
    returnMargin: z.number().min(-1).max(10).default(0),
    /** Trend: the short moving average of closes must be above the long one. */
    shortMaDays: z.number().int().min(1).default(7),
    longMaDays: z.number().int().min(2).default(30),
    /** Relative volume = mean volume over the recent window / mean over the base window. */
    volumeRecentDays: z.number().int().min(1).default(7),
    volumeBaseDays: z.number().int().min(2).default(90),
    /** A token's relative volume must be >= this multiple of the universe average. */
    volumeMultiple: z.number().min(0).default(0.75),
    /** Without usable volume a token fails the volume rule (true) or passes it with a note (false). */
    requireVolume: z.boolean().default(true),
    /** Meme rule: annualised volatility above this, over this window, with no protocol category. */
    memeVolDays: z.number().int().min(5).default(90),
    memeVolThreshold: z.number().positive().default(1.5),
    memeList: z.array(z.string()).default([...MEME_LIST]),
    /** Explicit includes: override the meme filter (list and rule) for these symbols. */
    include: z.array(z.string()).default([]),
    /** Categories never selected (stablecoins are the cash leg, not a momentum bet). */
    excludeCategories: z.array(categories).default(["stablecoin"]),
    /** Days of price history required at t (about six months). */
    minHistoryDays: z.number().int().min(1).default(180),
    /**
     * Minimum USD liquidity on Arbitrum Uniswap V3, applied when pool data is supplied:
     * pool TVL from on-chain reads, or in the Flipside query its point-in-time proxy,
     * average daily Uniswap V3 swap volume over `liquidityDays`.
     */
    minLiquidityUsd: z.number().min(0).default(1_000_000),
    liquidityDays: z.number().int().min(1).default(30),
    /** Universe size cap; ties in return break by symbol (ascending). */
    maxAssets: z.number().int().min(1).default(8),
    /**
     * "strict": the seed's rules, every rule a filter (the Flipside SQL mirrors this mode).
     * "ranked": category, history, meme, volume, liquidity and duplicate rules are filters; the
     * return and trend rules become a score, and the best `maxAssets` are selected, so the
     * universe is never empty while any token passes the filters.
     */
    mode: z.enum(["strict", "ranked"]).default("strict"),
    /** Fewest tokens a usable universe holds (capped at `maxAssets`); below it the decision reports a shortfall. */
    minAssets: z.number().int().min(1).default(3),
    /**
     * What a consumer does on a shortfall: "hold" keeps the universe it has; "base" holds only
     * the base asset until enough tokens pass again.
     */
    belowMinimum: z.enum(["hold", "base"]).default("hold"),
    /**
     * Ranked mode's volume filter: relative volume (recent / base, the token's own history)
     * at least this; a token whose trading has dried up cannot be entered or left cheaply.
     */
    volumeFloor: z.number().min(0).default(0.25),
    /**
     * Ranked mode's hysteresis: a token already held stays while it passes the filters and ranks
     * within `maxAssets + holdBuffer`, ahead of newcomers, so rank noise does not rotate the vault.
     */
    holdBuffer: z.number().int().min(0).default(2),
    /** Ranked mode's score: weights of the cross-sectional z-scores of return and trend. */
    scoreWeights: z.object({ return: z.number().min(0).default(1), trend: z.number().min(0).default(1) }).prefault({}),
  })

  .refine((c) => c.shortMaDays < c.longMaDays, { message: "shortMaDays must be < longMaDays" })
  .refine((c) => c.volumeRecentDays < c.volumeBaseDays, { message: "volumeRecentDays must be < volumeBaseDays" });

export type ClassifierConfig = z.output<typeof classifierConfigSchema>;
export type ClassifierConfigInput = z.input<typeof classifierConfigSchema>;

/** Validated config with defaults filled in. */
export function parseClassifierConfig(input: ClassifierConfigInput = {}): ClassifierConfig {
  const parsed = classifierConfigSchema.safeParse(input);
  if (!parsed.success) throw new ConfigError(`classifier config: ${z.prettifyError(parsed.error)}`);
  return {
    ...parsed.data,
    memeList: parsed.data.memeList.map((s) => s.toUpperCase()),
    include: parsed.data.include.map((s) => s.toUpperCase()),
  };
}
