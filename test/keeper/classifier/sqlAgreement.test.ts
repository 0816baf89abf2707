import { readFileSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { expect } from "chai";
import { classifyUniverse, type RuleName } from "../../../keeper/src/classifier/classify.js";
import type { ClassifierConfigInput } from "../../../keeper/src/classifier/config.js";
import { classifierSql } from "../../../keeper/src/classifier/sql.js";
import type { MarketPanel } from "../../../keeper/src/core/types.js";
import type { FlipsideRecord } from "../../../keeper/src/data/flipside/client.js";
import { dexVolumeLiquidity } from "../../../keeper/src/data/flipside/liquidityProxy.js";
import {
  arbitrumDexVolumeSql,
  arbitrumPricesSql,
  flipsideRecordsToPanel,
} from "../../../keeper/src/data/flipside/marketData.js";
import { SQLITE } from "../../../keeper/src/data/flipside/sqlDialect.js";
import { dailyBarClose, indexAtOrBefore } from "../../../keeper/src/data/time.js";
import { FIXTURE_DAYS, FIXTURE_START, FIXTURE_TOKENS } from "../../fixtures/data/flipside/makeClassifierFixture.js";

interface RecordedResult {
  columnNames: string[];
  rows: (string | number | null)[][];
}

const recorded = (name: string): RecordedResult =>
  JSON.parse(readFileSync(new URL(`../../fixtures/data/flipside/${name}`, import.meta.url), "utf8")) as RecordedResult;

/** Flipside returns ISO timestamps; the SQLite dialect compares 'YYYY-MM-DD HH:MM:SS' text. */
const sqliteTime = (v: string | number | null): string | number | null =>
  typeof v === "string" && /^\d{4}-\d{2}-\d{2}T/.test(v) ? v.slice(0, 19).replace("T", " ") : v;

function loadRecordedTables(): DatabaseSync {
  const db = new DatabaseSync(":memory:");
  db.exec("CREATE TABLE ez_prices_hourly (hour TEXT, token_address TEXT, symbol TEXT, price REAL)");
  db.exec(
    "CREATE TABLE ez_dex_swaps (block_timestamp TEXT, platform TEXT, token_in TEXT, token_out TEXT, amount_in_usd REAL, amount_out_usd REAL)",
  );
  for (const [table, file] of [
    ["ez_prices_hourly", "ez_prices_hourly.json"],
    ["ez_dex_swaps", "ez_dex_swaps.json"],
  ] as const) {
    const { columnNames, rows } = recorded(file);
    const insert = db.prepare(
      `INSERT INTO ${table} (${columnNames.map((c) => c.toLowerCase()).join(", ")}) VALUES (${columnNames.map(() => "?").join(", ")})`,
    );
    db.exec("BEGIN");
    for (const row of rows) insert.run(...row.map(sqliteTime));
    db.exec("COMMIT");
  }
  return db;
}

const addDays = (iso: string, n: number): string =>
  new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const RULES: RuleName[] = ["category", "history", "meme", "return", "trend", "volume", "liquidity"];
const tokens = Object.entries(FIXTURE_TOKENS).map(([symbol, address]) => ({ symbol, address }));

describe("classifier SQL and TypeScript agree on recorded Flipside rows", () => {
  let db: DatabaseSync;
  let panel: MarketPanel;

  before(() => {
    db = loadRecordedTables();
    // The TypeScript side gets its panel through the data layer's own Flipside queries.
    const last = addDays(FIXTURE_START, FIXTURE_DAYS - 1);
    const prices = db.prepare(arbitrumPricesSql(tokens, FIXTURE_START, last, SQLITE)).all() as FlipsideRecord[];
    const volumes = db
      .prepare(arbitrumDexVolumeSql(tokens, FIXTURE_START, last, "24h", SQLITE))
      .all() as FlipsideRecord[];
    panel = flipsideRecordsToPanel(tokens, prices, volumes, "24h", Date.UTC(2030, 0, 1) / 1000).panel;
  });
  after(() => db.close());

  it("builds the panel the SQL sees: last hourly price per day, Uniswap V3 volume only", () => {
    expect(panel.timestamps.length).to.equal(FIXTURE_DAYS);
    const weth = panel.assets.findIndex((a) => a.symbol === "WETH");
    const t = FIXTURE_DAYS - 1;
    // The sushiswap row (9e9) is excluded; the NULL-USD Uniswap row adds nothing to WETH.
    expect(panel.volume[weth]?.[t]).to.be.lessThan(1e9);
    expect(panel.volumeSource?.[weth]?.[t]).to.equal("flipside:arbitrum-uniswap-v3");
    const link = panel.assets.findIndex((a) => a.symbol === "LINK");
    expect(Number.isNaN(panel.close[link]?.[150] as number)).to.equal(true);
  });

  const configs: [string, ClassifierConfigInput][] = [
    ["default config", {}],
    [
      "a varied config",
      {
        lookbackDays: 14,
        shortMaDays: 5,
        longMaDays: 20,
        volumeMultiple: 0.5,
        maxAssets: 2,
        include: ["WILD"],
        minLiquidityUsd: 5e6,
      },
    ],
  ];
  for (const [label, config] of configs) {
    it(`agrees rule by rule and on the selection (${label})`, () => {
      const failedSomewhere = new Set<RuleName>();
      for (const offset of [179, 190, 205, 229]) {
        const date = addDays(FIXTURE_START, offset);
        const t = indexAtOrBefore(panel.timestamps, dailyBarClose(date));
        const cfgLiquidityDays = config.liquidityDays ?? 30;
        const ts = classifyUniverse(panel, t, config, {
          poolLiquidityUsd: dexVolumeLiquidity(panel, t, cfgLiquidityDays),
        });
        const sqlRows = db.prepare(classifierSql(panel.assets, date, config, SQLITE)).all() as Record<
          string,
          unknown
        >[];

        const sqlSelected = sqlRows
          .filter((r) => r.included === 1)
          .sort((a, b) => Number(a.candidate_rank) - Number(b.candidate_rank))
          .map((r) => r.symbol);
        expect(sqlSelected, `selection at ${date}`).to.deep.equal(ts.selected);
        expect(sqlRows).to.have.length(ts.decisions.length);
        for (const d of ts.decisions) {
          const row = sqlRows.find((r) => r.symbol === d.symbol);
          expect(row, d.symbol).to.not.equal(undefined);
          for (const rule of RULES) {
            expect(row?.[`pass_${rule}`] === 1, `${d.symbol} ${rule} at ${date}`).to.equal(d.checks[rule] === true);
            if (d.checks[rule] === false) failedSomewhere.add(rule);
          }
          expect(row?.candidate_rank ?? null, `${d.symbol} rank`).to.equal(d.rank);
          const close = (a: unknown, b: number | null, what: string) => {
            if (b === null) expect(a, `${d.symbol} ${what}`).to.equal(null);
            else
              expect(Math.abs((a as number) - b), `${d.symbol} ${what}: ${a} vs ${b}`).to.be.at.most(
                Math.abs(b) * 1e-9 + 1e-12,
              );
          };
          close(row?.ret, d.metrics.ret, "return");
          close(row?.ma_short, d.metrics.maShort, "short MA");
          close(row?.ma_long, d.metrics.maLong, "long MA");
          close(row?.volume_ratio, d.metrics.volumeRatio, "relative volume");
          close(row?.ann_vol, d.metrics.annVol, "volatility");
          close(row?.liquidity_usd, d.metrics.liquidityUsd, "liquidity");
          expect(row?.history_days, `${d.symbol} history`).to.equal(d.metrics.historyDays);
        }
      }
      // The recorded rows exercise every rule, so agreement is not vacuous.
      if (label === "default config") expect([...failedSomewhere].sort()).to.deep.equal([...RULES].sort());
    });
  }
});
