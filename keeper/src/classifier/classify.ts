/**
 * Point-in-time token classifier. At decision bar t it truncates the panel itself
 * (`panelUpTo`), so nothing after t is reachable, and returns the selected universe with the
 * reason for every included or excluded token.
 *
 * Rules (windows in days; on hourly panels a day is 24 bars):
 * 1. category: tokens of an excluded category (stablecoins by default) are never selected.
 * 2. history: a close at t and at least `minHistoryDays` since the first close in the data.
 * 3. meme: excluded when on the maintained list, of category "meme", or of category "other"
 *    (no protocol category) with annualised volatility above `memeVolThreshold`; an explicit
 *    `include` overrides this rule.
 * Tokens passing 1-3 form the "investable" set over which averages are taken.
 * 4. return: close(t)/close(t - lookback) - 1 above the investable average + `returnMargin`.
 * 5. trend: mean close over the last `shortMaDays` above the mean over `longMaDays` (each
 *    needs at least half its window present).
 * 6. volume, fair across venues: volumes from CoinGecko (all venues), one exchange or a perp
 *    venue differ by orders of magnitude, so raw volumes are never compared across tokens.
 *    Each token is measured against its own history instead: relative volume = mean volume
 *    over `volumeRecentDays` / mean over `volumeBaseDays`, using only bars whose
 *    `volumeSource` equals the token's latest one (a source switch inside the window would
 *    otherwise look like a volume jump). The ratio is unitless, so it compares fairly; a
 *    token passes with relative volume >= `volumeMultiple` x the investable (geometric) average.
 * 7. liquidity: when pool data is supplied (as of no later than t), at least
 *    `minLiquidityUsd` on Arbitrum Uniswap V3; a token missing from the data fails.
 * Strict mode (the seed's rules): tokens passing every rule are ranked by return (descending,
 * ties by symbol ascending) and the first `maxAssets` are selected. The same rules are emitted
 * as Flipside SQL by `classifierSql` (./sql.ts).
 * Ranked mode (./ranked.ts): rules 1-3, 7, a volume floor on the token's own relative volume
 * and a duplicate rule (one token per underlying exposure, ../data/underlying.ts) are filters;
 * rules 4 and 5 become a score, and the best `maxAssets` are selected. It is never empty while
 * a token passes the filters.
 * Either mode reports a shortfall when fewer than `minAssets` are selected, with the configured
 * policy (hold the current universe, or hold only the base asset); consumers act on it.
 */
import { InvalidInputError } from "../core/errors.js";
import { BARS_PER_YEAR, type MarketPanel, panelUpTo, SECONDS_PER_BAR } from "../core/types.js";
import { type ClassifierConfig, type ClassifierConfigInput, parseClassifierConfig } from "./config.js";
import { rankByScore, selectWithHysteresis } from "./ranked.js";

export type RuleName = "category" | "history" | "meme" | "return" | "trend" | "volume" | "liquidity" | "duplicate";

export interface TokenMetrics {
  readonly historyDays: number;
  readonly ret: number | null;
  readonly maShort: number | null;
  readonly maLong: number | null;
  readonly annVol: number | null;
  readonly volumeRatio: number | null;
  readonly liquidityUsd: number | null;
  /** Mean close x volume over `volumeBaseDays` (ranked mode keeps the most traded duplicate). */
  readonly dollarVolume: number | null;
}

export interface TokenDecision {
  readonly symbol: string;
  readonly included: boolean;
  /** Position among tokens passing every rule (1 = best), null if some rule failed. */
  readonly rank: number | null;
  /** Ranked mode: the return-and-trend score (higher is better); null in strict mode or without data. */
  readonly score: number | null;
  /** Human-readable reason for each rule, failures first. */
  readonly reasons: string[];
  /** Pass/fail per rule; null where the rule did not apply (no pool data, a scored rule, strict duplicates). */
  readonly checks: Readonly<Record<RuleName, boolean | null>>;
  readonly metrics: TokenMetrics;
}

/** Fewer tokens selected than the configured minimum, and what a consumer must do about it. */
export interface Shortfall {
  readonly required: number;
  readonly selected: number;
  /** "hold": keep the current universe; "base": hold only the base asset. */
  readonly policy: "hold" | "base";
  readonly message: string;
}

export interface UniverseDecision {
  /** Decision bar index and its close time (unix seconds). */
  readonly t: number;
  readonly timestamp: number;
  readonly mode: "strict" | "ranked";
  readonly selected: string[];
  /** Set when fewer than `minAssets` tokens are selected. */
  readonly shortfall: Shortfall | null;
  readonly decisions: TokenDecision[];
  /** Investable-set averages: arithmetic mean return, geometric mean relative volume. */
  readonly averages: { readonly ret: number | null; readonly volumeRatio: number | null };
}

export interface ClassifierInputs {
  /** USD liquidity per symbol on Arbitrum Uniswap V3, observed at `asOf` (unix s, <= t). */
  readonly poolLiquidityUsd?: { readonly asOf: number; readonly bySymbol: Readonly<Record<string, number>> };
  /** Tokens held now: ranked mode keeps them within its hold buffer (see `holdBuffer`). */
  readonly held?: readonly string[];
}

/** The universe at bar `t` of `panel` (see the module comment for the rules). */
export function classifyUniverse(
  panel: MarketPanel,
  t: number,
  configInput: ClassifierConfigInput = {},
  inputs: ClassifierInputs = {},
): UniverseDecision {
  if (!Number.isInteger(t) || t < 0 || t >= panel.timestamps.length) {
    throw new InvalidInputError("classifyUniverse: t is not a bar of the panel", { t, bars: panel.timestamps.length });
  }
  const cfg = parseClassifierConfig(configInput);
  const view = panelUpTo(panel, t);
  const timestamp = view.timestamps[t] as number;
  const liquidity = inputs.poolLiquidityUsd;
  if (liquidity && liquidity.asOf > timestamp) {
    throw new InvalidInputError("classifyUniverse: pool data observed after t would leak the future", {
      asOf: liquidity.asOf,
      timestamp,
    });
  }
  const liquidityBySymbol = liquidity
    ? new Map(Object.entries(liquidity.bySymbol).map(([k, v]) => [k.toUpperCase(), v]))
    : null;
  const bpd = 86_400 / SECONDS_PER_BAR[view.freq];

  const rows = view.assets.map((asset, i) => {
    const close = view.close[i] as Float64Array;
    const volume = view.volume[i] as Float64Array;
    const sources = view.volumeSource?.[i];
    const first = close.findIndex((p) => !Number.isNaN(p));
    const hasClose = !Number.isNaN(close[t] as number);
    const historyDays = first < 0 || !hasClose ? 0 : (t - first + 1) / bpd;
    const short = windowMean(close, t, cfg.shortMaDays * bpd);
    const long = windowMean(close, t, cfg.longMaDays * bpd);
    const metrics: TokenMetrics = {
      historyDays,
      ret: lookbackReturn(close, t, cfg.lookbackDays * bpd),
      maShort: short.n >= Math.ceil((cfg.shortMaDays * bpd) / 2) ? short.mean : null,
      maLong: long.n >= Math.ceil((cfg.longMaDays * bpd) / 2) ? long.mean : null,
      annVol: annualisedVol(close, t, cfg.memeVolDays * bpd, BARS_PER_YEAR[view.freq]),
      volumeRatio: relativeVolume(volume, sources, t, cfg.volumeRecentDays * bpd, cfg.volumeBaseDays * bpd),
      liquidityUsd: liquidityBySymbol ? (liquidityBySymbol.get(asset.symbol) ?? 0) : null,
      dollarVolume: dollarVolume(close, volume, t, cfg.volumeBaseDays * bpd),
    };
    const symbol = asset.symbol.toUpperCase();
    const category = !cfg.excludeCategories.includes(asset.category);
    const history = hasClose && historyDays >= cfg.minHistoryDays;
    const meme = memeVerdict(symbol, asset.category, metrics.annVol, cfg);
    return {
      symbol,
      category: asset.category,
      metrics,
      pass: { category, history, meme: meme.pass },
      memeReason: meme.reason,
    };
  });

  // Averages over the investable set: tokens that could be held at all.
  const investable = rows.filter((r) => r.pass.category && r.pass.history && r.pass.meme);
  const avgRet = mean(investable.map((r) => r.metrics.ret));
  // Geometric mean: ratios multiply, and one token whose volume jumped tenfold must not lift
  // the bar for everyone the way it would lift an arithmetic mean.
  const logRatios = investable.map((r) =>
    r.metrics.volumeRatio !== null && r.metrics.volumeRatio > 0 ? Math.log(r.metrics.volumeRatio) : null,
  );
  const meanLogRatio = mean(logRatios);
  const avgVolumeRatio = meanLogRatio === null ? null : Math.exp(meanLogRatio);

  const ranked = cfg.mode === "ranked";
  const evaluated = rows.map((r) => {
    const m = r.metrics;
    const checks: Record<RuleName, boolean | null> = {
      category: r.pass.category,
      history: r.pass.history,
      meme: r.pass.meme,
      // Ranked mode scores these two instead of filtering on them.
      return: ranked ? null : m.ret !== null && avgRet !== null && m.ret > avgRet + cfg.returnMargin,
      trend: ranked ? null : m.maShort !== null && m.maLong !== null && m.maShort > m.maLong,
      volume:
        m.volumeRatio === null
          ? !cfg.requireVolume
          : ranked
            ? m.volumeRatio >= cfg.volumeFloor
            : avgVolumeRatio !== null && m.volumeRatio >= cfg.volumeMultiple * avgVolumeRatio,
      liquidity: m.liquidityUsd === null ? null : m.liquidityUsd >= cfg.minLiquidityUsd,
      duplicate: null,
    };
    return { symbol: r.symbol, category: r.category, memeReason: r.memeReason, checks, metrics: m };
  });
  const order = ranked
    ? rankByScore(evaluated, cfg)
    : {
        ranked: evaluated
          .filter((e) => Object.values(e.checks).every((c) => c !== false))
          .sort((a, b) => (b.metrics.ret as number) - (a.metrics.ret as number) || compareSymbols(a.symbol, b.symbol))
          .map((e) => e.symbol),
        scores: new Map<string, number | null>(),
        duplicateOf: new Map<string, string>(),
      };
  const rankOf = new Map(order.ranked.map((symbol, k) => [symbol, k + 1]));
  const held = new Set((inputs.held ?? []).map((s) => s.toUpperCase()));
  const selected = ranked ? selectWithHysteresis(order.ranked, held, cfg) : order.ranked.slice(0, cfg.maxAssets);
  const chosen = new Set(selected);
  const by = ranked ? "score" : "return";
  const decisions: TokenDecision[] = evaluated.map((e) => {
    const kept = order.duplicateOf.get(e.symbol);
    const checks = { ...e.checks, duplicate: ranked ? kept === undefined : null };
    const score = order.scores.get(e.symbol) ?? null;
    const rank = rankOf.get(e.symbol) ?? null;
    const included = chosen.has(e.symbol);
    const reasons = describe(e.category, e.metrics, checks, e.memeReason, avgRet, avgVolumeRatio, cfg, score, kept);
    if (rank !== null) {
      const within = rank <= cfg.maxAssets;
      reasons.unshift(
        included
          ? within
            ? `rank ${rank} of ${order.ranked.length} by ${by} (max ${cfg.maxAssets})`
            : `rank ${rank} of ${order.ranked.length} by ${by}: held, within max ${cfg.maxAssets} + hold buffer ${cfg.holdBuffer}`
          : within
            ? `rank ${rank} of ${order.ranked.length} by ${by}: displaced by held tokens within the hold buffer`
            : `rank ${rank} > max universe size ${cfg.maxAssets}`,
      );
    }
    return { symbol: e.symbol, included, rank, score, reasons, checks, metrics: e.metrics };
  });
  return {
    t,
    timestamp,
    mode: cfg.mode,
    selected,
    shortfall: selected.length < Math.min(cfg.minAssets, cfg.maxAssets) ? shortfallOf(selected.length, cfg) : null,
    decisions,
    averages: { ret: avgRet, volumeRatio: avgVolumeRatio },
  };
}

function shortfallOf(selected: number, cfg: ClassifierConfig): Shortfall {
  const action = cfg.belowMinimum === "hold" ? "keep the current universe" : "hold only the base asset";
  const required = Math.min(cfg.minAssets, cfg.maxAssets);
  return {
    required,
    selected,
    policy: cfg.belowMinimum,
    message: `${selected} token(s) selected, fewer than the minimum ${required} (${cfg.mode} mode): ${action}`,
  };
}

/** Plain code-point order, so the tie-break does not depend on the machine's locale. */
function compareSymbols(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function memeVerdict(
  symbol: string,
  category: string,
  annVol: number | null,
  cfg: ClassifierConfig,
): { pass: boolean; reason: string } {
  const listed = cfg.memeList.includes(symbol);
  const byRule = category === "other" && annVol !== null && annVol > cfg.memeVolThreshold;
  const isMeme = listed || category === "meme" || byRule;
  if (cfg.include.includes(symbol)) {
    return { pass: true, reason: isMeme ? "meme filter overridden by explicit include" : "explicitly included" };
  }
  if (listed) return { pass: false, reason: "meme: on the maintained meme list" };
  if (category === "meme") return { pass: false, reason: "meme: registry category is meme" };
  if (byRule) {
    return {
      pass: false,
      reason: `meme rule: volatility ${pct(annVol)} > ${pct(cfg.memeVolThreshold)} with no protocol category`,
    };
  }
  return { pass: true, reason: "not a meme token" };
}

function describe(
  category: string,
  m: TokenMetrics,
  checks: Readonly<Record<RuleName, boolean | null>>,
  memeReason: string,
  avgRet: number | null,
  avgVolumeRatio: number | null,
  cfg: ClassifierConfig,
  score: number | null,
  duplicateOf: string | undefined,
): string[] {
  const scored = cfg.mode === "ranked";
  const text: Record<RuleName, string> = {
    category: checks.category ? `category ${category}` : `category ${category} is excluded`,
    history:
      m.historyDays === 0
        ? "no close at t"
        : `history ${Math.floor(m.historyDays)}d ${checks.history ? ">=" : "<"} ${cfg.minHistoryDays}d`,
    meme: memeReason,
    return:
      m.ret === null
        ? `no close ${cfg.lookbackDays}d before t`
        : scored
          ? `${cfg.lookbackDays}d return ${signedPct(m.ret)} vs average ${signedPct(avgRet)} (scored${score === null ? "" : `: score ${score.toFixed(2)}`})`
          : `${cfg.lookbackDays}d return ${signedPct(m.ret)} ${checks.return ? ">" : "<="} average ${signedPct(avgRet)}` +
            (cfg.returnMargin !== 0 ? ` + margin ${signedPct(cfg.returnMargin)}` : ""),
    trend:
      m.maShort === null || m.maLong === null
        ? "trend: not enough closes"
        : scored
          ? `MA${cfg.shortMaDays} / MA${cfg.longMaDays} ${signedPct(m.maShort / m.maLong - 1)} (scored)`
          : `MA${cfg.shortMaDays} ${num(m.maShort)} ${checks.trend ? ">" : "<="} MA${cfg.longMaDays} ${num(m.maLong)}`,
    volume:
      m.volumeRatio === null
        ? `no usable volume${checks.volume ? " (rule waived)" : ""}`
        : scored
          ? `relative volume ${m.volumeRatio.toFixed(2)} ${checks.volume ? ">=" : "<"} floor ${cfg.volumeFloor}`
          : `relative volume ${m.volumeRatio.toFixed(2)} ${checks.volume ? ">=" : "<"} ${cfg.volumeMultiple} x average ${avgVolumeRatio === null ? "n/a" : avgVolumeRatio.toFixed(2)}`,
    liquidity:
      m.liquidityUsd === null
        ? "no pool data (liquidity rule skipped)"
        : m.liquidityUsd === 0
          ? "no Arbitrum Uniswap V3 liquidity"
          : `liquidity $${compact(m.liquidityUsd)} ${checks.liquidity ? ">=" : "<"} $${compact(cfg.minLiquidityUsd)}`,
    duplicate:
      duplicateOf === undefined
        ? scored
          ? "no duplicate exposure selected"
          : "duplicates not checked (strict mode)"
        : `duplicate exposure: ${duplicateOf} is kept for the same underlying (more traded)`,
  };
  const order: RuleName[] = ["category", "history", "meme", "return", "trend", "volume", "liquidity", "duplicate"];
  const failed = order.filter((r) => checks[r] === false).map((r) => text[r]);
  const rest = order.filter((r) => checks[r] !== false).map((r) => text[r]);
  return [...failed, ...rest];
}

/** Mean of the non-missing values in bars (t - bars, t]. */
function windowMean(row: Float64Array, t: number, bars: number): { mean: number; n: number } {
  let sum = 0;
  let n = 0;
  for (let k = Math.max(0, t - bars + 1); k <= t; k++) {
    const v = row[k] as number;
    if (!Number.isNaN(v)) {
      sum += v;
      n++;
    }
  }
  return { mean: n > 0 ? sum / n : Number.NaN, n };
}

function lookbackReturn(close: Float64Array, t: number, bars: number): number | null {
  const then = t - bars;
  if (then < 0) return null;
  const a = close[then] as number;
  const b = close[t] as number;
  return Number.isNaN(a) || Number.isNaN(b) ? null : b / a - 1;
}

/** Sample volatility of log returns between adjacent present bars ending in (t - bars, t], annualised. */
function annualisedVol(close: Float64Array, t: number, bars: number, barsPerYear: number): number | null {
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  for (let k = Math.max(1, t - bars + 1); k <= t; k++) {
    const a = close[k - 1] as number;
    const b = close[k] as number;
    if (Number.isNaN(a) || Number.isNaN(b)) continue;
    const r = Math.log(b / a);
    n++;
    sum += r;
    sumSq += r * r;
  }
  if (n < 2) return null;
  const variance = Math.max(0, (sumSq - (sum * sum) / n) / (n - 1));
  return Math.sqrt(variance * barsPerYear);
}

/** Mean close x volume over bars (t - bars, t] where both are present. */
function dollarVolume(close: Float64Array, volume: Float64Array, t: number, bars: number): number | null {
  let sum = 0;
  let n = 0;
  for (let k = Math.max(0, t - bars + 1); k <= t; k++) {
    const c = close[k] as number;
    const v = volume[k] as number;
    if (Number.isNaN(c) || Number.isNaN(v)) continue;
    sum += c * v;
    n++;
  }
  return n > 0 ? sum / n : null;
}

/** Recent / base mean volume on bars from the token's latest volume source (see rule 6). */
function relativeVolume(
  volume: Float64Array,
  sources: readonly string[] | undefined,
  t: number,
  recentBars: number,
  baseBars: number,
): number | null {
  let last = t;
  while (last >= 0 && Number.isNaN(volume[last] as number)) last--;
  if (last < 0) return null;
  const ref = sources?.[last];
  let recentSum = 0;
  let recentN = 0;
  let baseSum = 0;
  let baseN = 0;
  for (let k = Math.max(0, t - baseBars + 1); k <= t; k++) {
    const v = volume[k] as number;
    if (Number.isNaN(v) || (sources !== undefined && sources[k] !== ref)) continue;
    baseSum += v;
    baseN++;
    if (k > t - recentBars) {
      recentSum += v;
      recentN++;
    }
  }
  if (recentN < Math.ceil(recentBars / 2) || baseN < Math.ceil(baseBars / 2) || baseSum <= 0) return null;
  return recentSum / recentN / (baseSum / baseN);
}

function mean(values: readonly (number | null)[]): number | null {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (v !== null) {
      sum += v;
      n++;
    }
  }
  return n > 0 ? sum / n : null;
}

function pct(x: number | null): string {
  return x === null ? "n/a" : `${(x * 100).toFixed(0)}%`;
}

function signedPct(x: number | null): string {
  return x === null ? "n/a" : `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)}%`;
}

function num(x: number): string {
  return x >= 100 ? x.toFixed(1) : x.toPrecision(4);
}

function compact(x: number): string {
  if (x >= 1e9) return `${(x / 1e9).toFixed(1)}B`;
  if (x >= 1e6) return `${(x / 1e6).toFixed(1)}M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(0)}k`;
  return x.toFixed(0);
}
