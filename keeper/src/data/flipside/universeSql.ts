/**
 * The classifier's rules as one Flipside SQL query over Arbitrum data (see
 * keeper/src/classifier/classify.ts for the rules in TypeScript; both must agree, and
 * test/keeper/classifier/sqlAgreement.test.ts runs this SQL on recorded rows to check it).
 *
 * Data, point in time: only rows before the end of the decision day are read.
 * - Daily close = the price of the last hour of the UTC day in `ez_prices_hourly` (its
 *   `hour` is the start of the hourly bar, so the 23:00 row closes the day).
 * - Daily volume = the USD size of every Uniswap V3 swap on Arbitrum in which the token was
 *   sold (`amount_in_usd`) or bought (`amount_out_usd`), from `ez_dex_swaps`. One venue, so
 *   relative volume is fair here too.
 * - Liquidity = average daily Uniswap V3 swap volume over `liquidityDays`: Flipside has the
 *   swaps point in time, while pool TVL history is not a table we can rely on, so the query
 *   uses this proxy for the minimum-liquidity rule.
 * Output: one row per token with every measure, one 0/1 flag per rule, the rank among
 * tokens passing all rules, and `included`.
 */
import { InvalidInputError } from "../../core/errors.js";
import { type SqlDialect, shiftIsoDate, sqlAddress, sqlString } from "./sqlDialect.js";

export interface UniverseSqlToken {
  readonly symbol: string;
  readonly address: string;
  readonly category: string;
}

export interface UniverseSqlParams {
  /** Decision day (YYYY-MM-DD): data up to the end of this UTC day. */
  readonly date: string;
  readonly tokens: readonly UniverseSqlToken[];
  readonly lookbackDays: number;
  readonly returnMargin: number;
  readonly shortMaDays: number;
  readonly longMaDays: number;
  readonly volumeRecentDays: number;
  readonly volumeBaseDays: number;
  readonly volumeMultiple: number;
  readonly requireVolume: boolean;
  readonly memeVolDays: number;
  readonly memeVolThreshold: number;
  readonly memeList: readonly string[];
  readonly include: readonly string[];
  readonly excludeCategories: readonly string[];
  readonly minHistoryDays: number;
  readonly minLiquidityUsd: number;
  readonly liquidityDays: number;
  readonly maxAssets: number;
}

/** The universe query for `params` in `dialect`. */
export function universeSql(params: UniverseSqlParams, dialect: SqlDialect): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(params.date)) throw new InvalidInputError(`universeSql: bad date ${params.date}`);
  if (params.tokens.length === 0) throw new InvalidInputError("universeSql: no tokens");
  const p = params;
  const d = dialect.date(p.date);
  const end = dialect.midnight(shiftIsoDate(p.date, 1));
  // Swaps are only needed for the longest volume window; bounding the scan keeps Flipside fast.
  const swapsFrom = dialect.midnight(shiftIsoDate(p.date, 1 - Math.max(p.volumeBaseDays, p.liquidityDays)));
  const since = (days: number): string => dialect.addDays(d, -days);
  const memeSet = new Set(p.memeList.map((s) => s.toUpperCase()));
  const includeSet = new Set(p.include.map((s) => s.toUpperCase()));
  const tokenRows = p.tokens
    .map(
      (t) =>
        `  SELECT ${sqlString(t.symbol.toUpperCase())} AS symbol, ${sqlAddress(t.address)} AS token_address, ` +
        `${sqlString(t.category)} AS category, ${memeSet.has(t.symbol.toUpperCase()) ? 1 : 0} AS on_meme_list, ` +
        `${includeSet.has(t.symbol.toUpperCase()) ? 1 : 0} AS force_include`,
    )
    .join("\n  UNION ALL\n");
  const excluded = p.excludeCategories.length > 0 ? p.excludeCategories.map(sqlString).join(", ") : "''";
  const allPass =
    "pass_category = 1 AND pass_history = 1 AND pass_meme = 1 AND pass_return = 1 AND pass_trend = 1 AND pass_volume = 1 AND pass_liquidity = 1";

  return `-- Ballast universe classifier at ${p.date} (rules: keeper/src/classifier/classify.ts)
WITH tokens AS (
${tokenRows}
),
hourly AS (
  SELECT t.symbol, ${dialect.day("p.hour")} AS day, p.hour, p.price
  FROM ${dialect.pricesTable} p
  JOIN tokens t ON LOWER(p.token_address) = t.token_address
  WHERE p.hour < ${end} AND p.price > 0
),
closes AS (
  SELECT symbol, day, price AS close
  FROM (
    SELECT symbol, day, price, ROW_NUMBER() OVER (PARTITION BY symbol, day ORDER BY hour DESC) AS rn
    FROM hourly
  ) last_hour
  WHERE rn = 1
),
with_prev AS (
  SELECT symbol, day, close,
    LAG(close) OVER (PARTITION BY symbol ORDER BY day) AS prev_close,
    LAG(day) OVER (PARTITION BY symbol ORDER BY day) AS prev_day
  FROM closes
),
swap_sides AS (
  SELECT ${dialect.day("block_timestamp")} AS day, LOWER(token_in) AS token_address, amount_in_usd AS usd
  FROM ${dialect.swapsTable}
  WHERE platform = 'uniswap-v3' AND block_timestamp >= ${swapsFrom} AND block_timestamp < ${end}
  UNION ALL
  SELECT ${dialect.day("block_timestamp")} AS day, LOWER(token_out) AS token_address, amount_out_usd AS usd
  FROM ${dialect.swapsTable}
  WHERE platform = 'uniswap-v3' AND block_timestamp >= ${swapsFrom} AND block_timestamp < ${end}
),
volumes AS (
  SELECT t.symbol, s.day, SUM(s.usd) AS volume
  FROM swap_sides s
  JOIN tokens t ON s.token_address = t.token_address
  GROUP BY t.symbol, s.day
),
price_stats AS (
  SELECT symbol,
    MIN(day) AS first_day,
    MAX(CASE WHEN day = ${d} THEN close END) AS close_t,
    MAX(CASE WHEN day = ${since(p.lookbackDays)} THEN close END) AS close_lookback,
    AVG(CASE WHEN day > ${since(p.shortMaDays)} THEN close END) AS ma_short,
    COUNT(CASE WHEN day > ${since(p.shortMaDays)} THEN close END) AS n_short,
    AVG(CASE WHEN day > ${since(p.longMaDays)} THEN close END) AS ma_long,
    COUNT(CASE WHEN day > ${since(p.longMaDays)} THEN close END) AS n_long
  FROM closes
  GROUP BY symbol
),
vol_stats AS (
  SELECT symbol, COUNT(r) AS n_ret, SUM(r) AS s1, SUM(r * r) AS s2
  FROM (
    SELECT symbol, LN(close / prev_close) AS r
    FROM with_prev
    WHERE prev_day = ${dialect.addDays("day", -1)} AND day > ${since(p.memeVolDays)}
  ) daily_returns
  GROUP BY symbol
),
volume_stats AS (
  SELECT symbol,
    AVG(CASE WHEN day > ${since(p.volumeRecentDays)} THEN volume END) AS vol_recent,
    COUNT(CASE WHEN day > ${since(p.volumeRecentDays)} THEN volume END) AS n_recent,
    AVG(CASE WHEN day > ${since(p.volumeBaseDays)} THEN volume END) AS vol_base,
    COUNT(CASE WHEN day > ${since(p.volumeBaseDays)} THEN volume END) AS n_base,
    SUM(CASE WHEN day > ${since(p.liquidityDays)} THEN volume ELSE 0 END) / ${p.liquidityDays}.0 AS liquidity_usd
  FROM volumes
  GROUP BY symbol
),
measures AS (
  SELECT t.symbol, t.category, t.on_meme_list, t.force_include, ps.close_t,
    CASE WHEN ps.close_t IS NULL THEN 0 ELSE ${dialect.dayDiff(d, "ps.first_day")} + 1 END AS history_days,
    ps.close_t / ps.close_lookback - 1 AS ret,
    CASE WHEN ps.n_short >= ${Math.ceil(p.shortMaDays / 2)} AND ps.n_long >= ${Math.ceil(p.longMaDays / 2)} THEN ps.ma_short END AS ma_short,
    CASE WHEN ps.n_short >= ${Math.ceil(p.shortMaDays / 2)} AND ps.n_long >= ${Math.ceil(p.longMaDays / 2)} THEN ps.ma_long END AS ma_long,
    CASE WHEN vs.n_ret >= 2 THEN SQRT(${dialect.greatest("(vs.s2 - vs.s1 * vs.s1 / vs.n_ret) / (vs.n_ret - 1)", "0")} * 365) END AS ann_vol,
    CASE WHEN v.n_recent >= ${Math.ceil(p.volumeRecentDays / 2)} AND v.n_base >= ${Math.ceil(p.volumeBaseDays / 2)} AND v.vol_base > 0
      THEN v.vol_recent / v.vol_base END AS volume_ratio,
    COALESCE(v.liquidity_usd, 0) AS liquidity_usd
  FROM tokens t
  LEFT JOIN price_stats ps ON ps.symbol = t.symbol
  LEFT JOIN vol_stats vs ON vs.symbol = t.symbol
  LEFT JOIN volume_stats v ON v.symbol = t.symbol
),
gated AS (
  SELECT m.*,
    CASE WHEN category IN (${excluded}) THEN 0 ELSE 1 END AS pass_category,
    CASE WHEN close_t IS NOT NULL AND history_days >= ${p.minHistoryDays} THEN 1 ELSE 0 END AS pass_history,
    CASE WHEN force_include = 1 THEN 1
      WHEN on_meme_list = 1 OR category = 'meme' OR (category = 'other' AND ann_vol > ${num(p.memeVolThreshold)}) THEN 0
      ELSE 1 END AS pass_meme
  FROM measures m
),
investable_avg AS (
  -- Arithmetic mean return; geometric mean relative volume (one outlier must not lift the bar).
  SELECT AVG(ret) AS avg_ret, EXP(AVG(CASE WHEN volume_ratio > 0 THEN LN(volume_ratio) END)) AS avg_volume_ratio
  FROM gated
  WHERE pass_category = 1 AND pass_history = 1 AND pass_meme = 1
),
checked AS (
  SELECT g.*, a.avg_ret, a.avg_volume_ratio,
    CASE WHEN g.ret IS NOT NULL AND a.avg_ret IS NOT NULL AND g.ret > a.avg_ret + ${num(p.returnMargin)} THEN 1 ELSE 0 END AS pass_return,
    CASE WHEN g.ma_short IS NOT NULL AND g.ma_long IS NOT NULL AND g.ma_short > g.ma_long THEN 1 ELSE 0 END AS pass_trend,
    CASE WHEN g.volume_ratio IS NULL THEN ${p.requireVolume ? 0 : 1}
      WHEN a.avg_volume_ratio IS NOT NULL AND g.volume_ratio >= ${num(p.volumeMultiple)} * a.avg_volume_ratio THEN 1
      ELSE 0 END AS pass_volume,
    CASE WHEN g.liquidity_usd >= ${num(p.minLiquidityUsd)} THEN 1 ELSE 0 END AS pass_liquidity
  FROM gated g
  CROSS JOIN investable_avg a
),
ranked AS (
  SELECT c.*,
    CASE WHEN ${allPass}
      THEN ROW_NUMBER() OVER (PARTITION BY CASE WHEN ${allPass} THEN 1 ELSE 0 END ORDER BY ret DESC, symbol ASC)
    END AS candidate_rank
  FROM checked c
)
SELECT symbol, category,
  CASE WHEN candidate_rank IS NOT NULL AND candidate_rank <= ${p.maxAssets} THEN 1 ELSE 0 END AS included,
  candidate_rank, ret, avg_ret, ma_short, ma_long, ann_vol, volume_ratio, avg_volume_ratio, liquidity_usd, history_days,
  pass_category, pass_history, pass_meme, pass_return, pass_trend, pass_volume, pass_liquidity
FROM ranked
ORDER BY included DESC, CASE WHEN candidate_rank IS NULL THEN 1 ELSE 0 END, candidate_rank, symbol`;
}

function num(x: number): string {
  if (!Number.isFinite(x)) throw new InvalidInputError(`universeSql: not a finite number: ${x}`);
  return String(x);
}
