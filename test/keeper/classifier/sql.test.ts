import { expect } from "chai";
import { classifyUniverse } from "../../../keeper/src/classifier/classify.js";
import { parseClassifierConfig } from "../../../keeper/src/classifier/config.js";
import { classifierSql } from "../../../keeper/src/classifier/sql.js";
import { InvalidInputError } from "../../../keeper/src/core/errors.js";
import { assetMeta } from "../../../keeper/src/data/assets.js";
import { SNOWFLAKE, SQLITE } from "../../../keeper/src/data/flipside/sqlDialect.js";
import { generateSyntheticMarket } from "../../../keeper/src/data/synthetic.js";

// PEPE's registry entry has no Arbitrum address; give it one here (the bridged token) so the
// meme columns of the SQL are exercised.
const ASSETS = [
  ...["USDC", "WETH", "WBTC", "ARB", "LINK", "UNI", "GMX", "WSTETH", "RETH"].map(assetMeta),
  { ...assetMeta("PEPE"), address: "0x25d887Ce7a35172C62FeBFD67a1856F20FaEbB00" as const },
];

describe("classifier/classifierSql", () => {
  it("targets Flipside's Arbitrum tables and is point in time at the decision date", () => {
    const sql = classifierSql(ASSETS, "2024-03-31");
    expect(sql).to.include("FROM arbitrum.price.ez_prices_hourly p");
    expect(sql).to.include("FROM arbitrum.defi.ez_dex_swaps");
    expect(sql).to.include("platform = 'uniswap-v3'");
    // Nothing at or after the end of the decision day is read.
    expect(sql).to.include("p.hour < '2024-04-01 00:00:00'::TIMESTAMP_NTZ");
    expect(sql).to.include("block_timestamp < '2024-04-01 00:00:00'::TIMESTAMP_NTZ");
    expect(sql).to.not.match(/CURRENT_DATE|CURRENT_TIMESTAMP|SYSDATE/i);
  });

  it("templates every rule from the same validated config the TypeScript classifier uses", () => {
    const cfg = parseClassifierConfig({
      lookbackDays: 21,
      returnMargin: 0.015,
      shortMaDays: 5,
      longMaDays: 40,
      volumeRecentDays: 10,
      volumeBaseDays: 60,
      volumeMultiple: 0.6,
      memeVolDays: 45,
      memeVolThreshold: 1.8,
      minHistoryDays: 120,
      minLiquidityUsd: 2_500_000,
      liquidityDays: 14,
      maxAssets: 5,
      include: ["pepe"],
    });
    const sql = classifierSql(ASSETS, "2024-03-31", cfg);
    const d = "'2024-03-31'::DATE";
    expect(sql).to.include(`MAX(CASE WHEN day = DATEADD(day, -21, ${d}) THEN close END) AS close_lookback`);
    expect(sql).to.include("g.ret > a.avg_ret + 0.015");
    expect(sql).to.include(`AVG(CASE WHEN day > DATEADD(day, -5, ${d}) THEN close END) AS ma_short`);
    expect(sql).to.include(`AVG(CASE WHEN day > DATEADD(day, -40, ${d}) THEN close END) AS ma_long`);
    expect(sql).to.include(`AVG(CASE WHEN day > DATEADD(day, -10, ${d}) THEN volume END) AS vol_recent`);
    expect(sql).to.include(`AVG(CASE WHEN day > DATEADD(day, -60, ${d}) THEN volume END) AS vol_base`);
    expect(sql).to.include("g.volume_ratio >= 0.6 * a.avg_volume_ratio");
    expect(sql).to.include(`day > DATEADD(day, -45, ${d})`);
    expect(sql).to.include("ann_vol > 1.8");
    expect(sql).to.include("history_days >= 120");
    expect(sql).to.include("g.liquidity_usd >= 2500000");
    expect(sql).to.include(`/ 14.0 AS liquidity_usd`);
    expect(sql).to.include("candidate_rank <= 5");
    expect(sql).to.include("ORDER BY ret DESC, symbol ASC"); // the same tie-break as TypeScript
    expect(sql).to.include("category IN ('stablecoin')");
    // Meme list and explicit include, per token.
    expect(sql).to.match(
      /'PEPE' AS symbol, '0x[0-9a-f]{40}' AS token_address, 'meme' AS category, 1 AS on_meme_list, 1 AS force_include/,
    );
    expect(sql).to.match(
      /'WETH' AS symbol, '0x82af49447d8a07e3bd95bd0d56f35241523fbab1' AS token_address, 'l1' AS category, 0 AS on_meme_list, 0 AS force_include/,
    );
  });

  it("covers exactly the tokens the TypeScript run ranks that have an Arbitrum address", () => {
    const panel = generateSyntheticMarket({ seed: 2, bars: 400, freq: "24h", assets: ["WETH", "LINK", "OP", "PEPE"] });
    const ts = classifyUniverse(panel, 399);
    const sql = classifierSql(panel.assets, "2022-02-04");
    const inSql = [...sql.matchAll(/SELECT '([A-Z]+)' AS symbol/g)].map((m) => m[1]);
    const withAddress = ts.decisions.map((d) => d.symbol).filter((s) => assetMeta(s).address !== undefined);
    expect(inSql).to.deep.equal(withAddress);
    expect(inSql).to.not.include("OP"); // no Arbitrum address in the registry
  });

  it("speaks SQLite for offline verification and rejects unsafe input", () => {
    const sql = classifierSql(ASSETS, "2024-03-31", {}, SQLITE);
    expect(sql).to.include("FROM ez_prices_hourly p");
    expect(sql).to.include("date(p.hour)");
    expect(sql).to.not.include("::DATE");
    expect(SNOWFLAKE.addDays("x", -3)).to.equal("DATEADD(day, -3, x)");
    expect(() => classifierSql(ASSETS, "2024-03-31'; DROP TABLE x; --")).to.throw(InvalidInputError);
    expect(() =>
      classifierSql([{ ...assetMeta("X"), address: "0x1234' OR 1=1 --" as `0x${string}` }], "2024-03-31"),
    ).to.throw(InvalidInputError);
    expect(() => classifierSql([assetMeta("OP")], "2024-03-31")).to.throw(InvalidInputError);
  });
});
