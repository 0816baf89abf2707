/**
 * `yields`: the DefiLlama yield collector, and the LST index study that uses it.
 *
 * - `yields --config <collector.json>`: fetches DefiLlama's pools and the kept pools' history
 *   through the SQLite market-data cache (BALLAST_CACHE_PATH), prints each kept pool's latest
 *   adjusted APY and every repair (outliers, gaps), and with --json writes the daily series.
 * - `yields --lst`: the Arbitrum LST index (WETH, wstETH, rETH) in ETH terms with the
 *   yield-aware optimizer as its default strategy (research/lstYieldStudy.ts), and the APY used
 *   against the yield realised by each token's exchange rate. APYs come from DefiLlama when
 *   --config names the LSTs' pools under `assets`, else from the study's stated priors.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, DataError, InvalidInputError, ProviderError } from "../../core/errors.js";
import { lastBarAt, type MarketPanel } from "../../core/types.js";
import { DataCache } from "../../data/cache.js";
import { loadMarketCsv } from "../../data/csv.js";
import { loadProviderEnv } from "../../data/env.js";
import { dailyBarClose } from "../../data/time.js";
import { type CollectedYields, collectYields } from "../../data/yields/collectYields.js";
import { LlamaYieldsClient } from "../../data/yields/llamaYields.js";
import { panelYieldsFromSeries } from "../../data/yields/panelYields.js";
import { loadDailyRateCsv } from "../../data/yields/rateCsv.js";
import { parseYieldCollectorConfig, type YieldCollectorConfig } from "../../data/yields/yieldConfig.js";
import { lstPanelInEth, lstStudyConfigSchema, lstYields, runLstYieldStudy } from "../../research/lstYieldStudy.js";
import type { RateSeries } from "../../research/yieldReport.js";
import { answerHelp, usageReporter } from "../usage.js";

const USAGE = `usage: yields --config <collector.json> [--refresh] [--json FILE]
       yields --lst [--data <csv>] [--reth-rate <csv>] [--config <collector.json>] [--from DATE] [--to DATE] [--out DIR]
  --config      yield collector config (filters, adjustment, history, assets; see data/yields/yieldConfig.ts)
  --refresh     ignore cached DefiLlama answers
  --json        write the kept pools' daily adjusted APY series to FILE
  --lst         run the LST index study (WETH, wstETH, rETH in ETH terms), yield-aware by default
  --data        market CSV (default ../shared/data/market_daily.csv)
  --reth-rate   Rocket Pool's rETH/ETH rate CSV (default ../shared/data/reth_eth_rate_daily.csv)
  --from/--to   the study block, YYYY-MM-DD (default: from the first day rETH is priced + 90 days, to the end)
  --out         where the study writes lst-yield.md (default reports/lst-yield)
  --help, -h    this text`;

export async function yieldsCommand(argv: string[]): Promise<number> {
  const help = answerHelp(argv, USAGE);
  if (help !== null) return help;
  const bad = usageReporter("yields", USAGE);
  let values: ReturnType<typeof parse>["values"];
  try {
    ({ values } = parse(argv));
  } catch (err) {
    return bad(err);
  }
  try {
    const cfg = values.config === undefined ? null : readCollectorConfig(values.config);
    if (values.lst === true) return await lstStudy(values, cfg);
    if (cfg === null) return bad("give --config <collector.json>, or --lst");
    const collected = await collect(cfg, values.refresh === true);
    printCollected(collected);
    if (values.json !== undefined) {
      writeFileSync(values.json, JSON.stringify(seriesJson(collected), null, 1));
      console.log(`yields: series written to ${values.json}`);
    }
    return 0;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof InvalidInputError) return bad(err);
    if (err instanceof DataError || err instanceof ProviderError) {
      console.error(`yields: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      config: { type: "string" },
      refresh: { type: "boolean" },
      json: { type: "string" },
      lst: { type: "boolean" },
      data: { type: "string", default: "../shared/data/market_daily.csv" },
      "reth-rate": { type: "string", default: "../shared/data/reth_eth_rate_daily.csv" },
      from: { type: "string" },
      to: { type: "string" },
      out: { type: "string", default: "reports/lst-yield" },
    },
  });
}

function readCollectorConfig(path: string): YieldCollectorConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new ConfigError(`yields: cannot read ${path} as JSON (${String(cause)})`);
  }
  return parseYieldCollectorConfig(raw, path);
}

async function collect(cfg: YieldCollectorConfig, refresh: boolean): Promise<CollectedYields> {
  const env = loadProviderEnv();
  const cache = new DataCache(env.BALLAST_CACHE_PATH);
  try {
    const client = new LlamaYieldsClient({ env, cache, ttlSeconds: env.BALLAST_CACHE_TTL_S, refresh });
    return await collectYields(client, cfg, Math.floor(Date.now() / 1000));
  } finally {
    cache.close();
  }
}

function printCollected(c: CollectedYields): void {
  const pct = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? "n/a" : `${(x * 100).toFixed(2)}%`);
  console.log("| pool | chain | project | symbol | TVL USD | days | APY (adjusted) | base | reward | underlying |");
  console.log("|---|---|---|---|---|---|---|---|---|---|");
  for (const p of c.pools) {
    const s = c.series.get(p.pool);
    const k = (s?.timestamps.length ?? 0) - 1;
    console.log(
      `| ${p.pool} | ${p.chain} | ${p.project} | ${p.symbol} | ${Math.round(p.tvlUsd)} | ${k + 1} | ${pct(s?.apy[k])} | ${pct(s?.baseApy[k])} | ${pct(s?.rewardApy[k])} | ${pct(s?.underlyingApy[k])} |`,
    );
  }
  const counts = new Map<string, number>();
  for (const i of c.issues) counts.set(i.kind, (counts.get(i.kind) ?? 0) + 1);
  console.log(
    `yields: ${c.pools.length} pool(s) kept; repairs: ${[...counts].map(([k, v]) => `${k} ${v}`).join(", ") || "none"}`,
  );
}

function seriesJson(c: CollectedYields): unknown {
  return {
    pools: c.pools,
    series: Object.fromEntries(
      [...c.series].map(([id, s]) => [
        id,
        { timestamps: Array.from(s.timestamps), apy: Array.from(s.apy, (v) => (Number.isFinite(v) ? v : null)) },
      ]),
    ),
    issues: c.issues,
  };
}

async function lstStudy(values: ReturnType<typeof parse>["values"], cfg: YieldCollectorConfig | null): Promise<number> {
  const study = lstStudyConfigSchema.parse({});
  const market = loadMarketCsv(values.data, { freq: "24h" }).panel;
  const rethRate = { ...loadDailyRateCsv(values["reth-rate"], "reth_eth_rate"), kind: "on-chain rETH/ETH rate" };
  let panel: MarketPanel = lstPanelInEth(market, rethRate);
  // APYs from DefiLlama for the LSTs the collector config lists, else the priors.
  let known: MarketPanel["yields"];
  if (cfg !== null && cfg.assets.length > 0) {
    const collected = await collect(cfg, values.refresh === true);
    known = panelYieldsFromSeries(
      panel,
      cfg.assets.flatMap((a) => {
        const series = collected.series.get(a.pool);
        return series ? [{ symbol: a.symbol, series, accrual: a.accrual }] : [];
      }),
      { source: "defillama" },
    );
  }
  panel = { ...panel, yields: lstYields(panel, study, known) };
  const reth = panel.assets.findIndex((a) => a.symbol === "RETH");
  const firstReth = (panel.close[reth] as Float64Array).findIndex((p) => p > 0);
  const from = values.from
    ? lastBarAt(panel, dailyBarClose(values.from))
    : Math.min(panel.timestamps.length - 2, firstReth + study.lookbackDays);
  const to = values.to ? lastBarAt(panel, dailyBarClose(values.to)) : panel.timestamps.length - 1;
  if (!(from >= 0 && to > from))
    throw new InvalidInputError("yields --lst: --from must come before --to, inside the data");

  const rates = new Map<string, RateSeries>();
  rates.set("RETH", rethRate);
  const wst = market.assets.findIndex((a) => a.symbol === "WSTETH");
  const st = market.assets.findIndex((a) => a.symbol === "STETH");
  if (wst >= 0 && st >= 0) {
    const ratio = Float64Array.from(market.close[wst] as Float64Array, (p, t) => p / (market.close[st]?.[t] as number));
    rates.set("WSTETH", { timestamps: market.timestamps, rate: ratio, kind: "wstETH/stETH price ratio" });
  }
  const result = runLstYieldStudy(panel, study, { from, to }, rates);
  const label = (t: number) => new Date(((panel.timestamps[t] as number) - 86_400) * 1000).toISOString().slice(0, 10);
  const text = [
    `# LST index study, ${label(from)} to ${label(to)} (${to - from + 1} days)`,
    "",
    `APY source: ${panel.yields?.source}. ${known ? "" : "../shared/data has no DefiLlama APY history, so the APYs are the study's stated priors (not data); the realised column is measured from real rates."}`,
    "rETH is marked at Rocket Pool's on-chain rETH/ETH rate (as the vault's feed marks it); wstETH at its market close over WETH's.",
    "",
    result.markdown,
  ].join("\n");
  mkdirSync(values.out, { recursive: true });
  writeFileSync(join(values.out, "lst-yield.md"), `${text}\n`);
  console.log(text);
  console.log(`\nyields: study written to ${join(values.out, "lst-yield.md")}`);
  return 0;
}
