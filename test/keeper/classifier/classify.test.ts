import { expect } from "chai";
import { classifyUniverse } from "../../../keeper/src/classifier/classify.js";
import { classifierSql } from "../../../keeper/src/classifier/sql.js";
import { ConfigError, InvalidInputError } from "../../../keeper/src/core/errors.js";
import { type MarketPanel, panelUpTo } from "../../../keeper/src/core/types.js";
import { buildPanel, type RawSeries } from "../../../keeper/src/data/panel.js";
import { Rng } from "../../../keeper/src/data/rng.js";
import { generateSyntheticMarket } from "../../../keeper/src/data/synthetic.js";

const DAY = 86_400;
const T0 = 1_672_617_600; // 2023-01-02 00:00 UTC: close of 2023-01-01
const N = 250;

interface Spec {
  readonly symbol: string;
  /** Daily log drift before and during the last 30 days. */
  readonly drift?: number;
  readonly lateDrift?: number;
  /** Daily log drift of the last 5 days (to bend the short MA). */
  readonly finalDrift?: number;
  /** Deterministic wiggle amplitude (daily log moves). */
  readonly wiggle?: number;
  readonly start?: number;
  readonly volume?: number;
  /** Multiplier of volume over the last 7 days. */
  readonly recentVolume?: number;
  readonly source?: string;
  /** Explicit close of day i, overriding the drift shape. */
  readonly closeAt?: (i: number) => number;
}

/** A daily panel from simple, readable price and volume shapes. */
function panelOf(specs: readonly Spec[]): MarketPanel {
  const series: RawSeries[] = specs.map((s, j) => {
    const first = s.start ?? 0;
    const ts: number[] = [];
    const close: number[] = [];
    const volume: number[] = [];
    let logP = Math.log(10);
    for (let i = first; i < N; i++) {
      const drift =
        i >= N - 5 && s.finalDrift !== undefined
          ? s.finalDrift
          : i >= N - 30
            ? (s.lateDrift ?? s.drift ?? 0)
            : (s.drift ?? 0);
      logP += drift + (s.wiggle ?? 0.01) * Math.sin(i * 1.3 + j);
      ts.push(T0 + i * DAY);
      close.push(s.closeAt ? s.closeAt(i) : Math.exp(logP));
      volume.push((s.volume ?? 1e6) * (i >= N - 7 ? (s.recentVolume ?? 1) : 1) * (1 + 0.1 * Math.cos(i)));
    }
    return { symbol: s.symbol, timestamps: ts, close, volume, volumeSource: s.source ?? "test" };
  });
  return buildPanel(series, { freq: "24h", spikes: "flag" }).panel;
}

const decision = (u: ReturnType<typeof classifyUniverse>, symbol: string) => {
  const d = u.decisions.find((x) => x.symbol === symbol);
  if (!d) throw new Error(`no decision for ${symbol}`);
  return d;
};

describe("classifier/classifyUniverse", () => {
  it("selects tokens that beat the average return, trend up and keep their volume, with reasons", () => {
    const panel = panelOf([
      { symbol: "WETH", lateDrift: 0.01 },
      { symbol: "LINK", lateDrift: 0.006 },
      { symbol: "UNI", lateDrift: -0.01 },
      { symbol: "GMX", lateDrift: 0 },
    ]);
    const u = classifyUniverse(panel, N - 1);
    expect(u.selected).to.deep.equal(["WETH", "LINK"]);
    expect(decision(u, "WETH").rank).to.equal(1);
    expect(decision(u, "WETH").reasons[0]).to.match(/rank 1 of 2/);
    expect(decision(u, "UNI").included).to.equal(false);
    expect(decision(u, "UNI").checks.return).to.equal(false);
    expect(decision(u, "UNI").reasons[0]).to.match(/30d return .* <= average/);
    for (const d of u.decisions) expect(d.reasons.length).to.be.greaterThan(5);
  });

  it("caps the universe size with a deterministic tie-break by symbol", () => {
    const same = { lateDrift: 0.01, wiggle: 0 };
    const panel = panelOf([
      { symbol: "UNI", ...same },
      { symbol: "ARB", ...same },
      { symbol: "LINK", ...same },
      { symbol: "GMX", lateDrift: -0.02, wiggle: 0 },
    ]);
    const u = classifyUniverse(panel, N - 1, { maxAssets: 2 });
    expect(u.selected).to.deep.equal(["ARB", "LINK"]);
    expect(decision(u, "UNI").reasons[0]).to.match(/rank 3 > max universe size 2/);
    expect(classifyUniverse(panel, N - 1, { maxAssets: 2 }).selected).to.deep.equal(u.selected);
  });

  it("excludes stablecoins, short histories, memes (list, category, rule) unless explicitly included", () => {
    const up = { lateDrift: 0.02 };
    const panel = panelOf([
      { symbol: "WETH", lateDrift: 0.001 },
      { symbol: "USDC", ...up },
      { symbol: "ARB", ...up, start: N - 100 },
      { symbol: "DOGE", ...up },
      { symbol: "WILD", ...up, wiggle: 0.15 }, // unknown symbol: category "other", ~250% vol
      { symbol: "SAFE", ...up, wiggle: 0.015 }, // unknown but calm: not a meme
    ]);
    const u = classifyUniverse(panel, N - 1);
    expect(decision(u, "USDC").reasons[0]).to.equal("category stablecoin is excluded");
    expect(decision(u, "ARB").reasons[0]).to.match(/history 100d < 180d/);
    expect(decision(u, "DOGE").reasons[0]).to.match(/meme list/);
    expect(decision(u, "WILD").reasons[0]).to.match(/meme rule: volatility \d+% > 150% with no protocol category/);
    expect(decision(u, "SAFE").checks.meme).to.equal(true);
    expect(u.selected).to.include("SAFE");
    const overridden = classifyUniverse(panel, N - 1, { include: ["wild", "DOGE"] });
    expect(decision(overridden, "WILD").checks.meme).to.equal(true);
    expect(decision(overridden, "DOGE").reasons.join(" ")).to.match(/overridden by explicit include/);
  });

  it("requires the short moving average above the long one", () => {
    // Jumps 30% at the start of the month, then bleeds: still up over 30 days, but falling.
    const jumpThenBleed = (i: number): number => (i < N - 29 ? 10 : 13 * Math.exp(-0.005 * (i - (N - 29))));
    const panel = panelOf([
      { symbol: "WETH", closeAt: jumpThenBleed },
      { symbol: "LINK", lateDrift: -0.01 },
    ]);
    const d = decision(classifyUniverse(panel, N - 1), "WETH");
    expect(d.checks.return).to.equal(true);
    expect(d.checks.trend).to.equal(false);
    expect(d.metrics.maShort as number).to.be.lessThan(d.metrics.maLong as number);
  });

  it("measures volume against each token's own history, so venues of different size compare fairly", () => {
    const panel = panelOf([
      { symbol: "WETH", lateDrift: 0.01, volume: 5e9, source: "coingecko" },
      { symbol: "GMX", lateDrift: 0.01, volume: 2e6, source: "bybit-perp" }, // 2500x smaller venue, same pattern
      { symbol: "LINK", lateDrift: 0.01, volume: 5e8, recentVolume: 0.2, source: "coingecko" }, // interest collapsing
    ]);
    const u = classifyUniverse(panel, N - 1);
    const gap =
      (decision(u, "GMX").metrics.volumeRatio as number) - (decision(u, "WETH").metrics.volumeRatio as number);
    expect(Math.abs(gap)).to.be.at.most(0.05);
    expect(decision(u, "GMX").checks.volume).to.equal(true);
    expect(decision(u, "LINK").checks.volume).to.equal(false);
    expect(decision(u, "LINK").reasons.some((r) => /relative volume 0\.\d+ < 0.75 x average/.test(r))).to.equal(true);
  });

  it("ignores bars from an older volume source when the source changed inside the window", () => {
    const base = panelOf([{ symbol: "CRV", lateDrift: 0.01, volume: 1e6 }]);
    // Same token, but bars before 200 came from an all-venue source 50x larger.
    const volume = Float64Array.from(base.volume[0] as Float64Array, (v, i) => (i < 200 ? v * 50 : v));
    const switched: MarketPanel = {
      ...base,
      volume: [volume],
      volumeSource: [Array.from({ length: N }, (_, i) => (i < 200 ? "coingecko" : "bybit-perp"))],
    };
    const ratio = classifyUniverse(switched, N - 1).decisions[0]?.metrics.volumeRatio as number;
    const mean = (from: number, to: number) => volume.slice(from, to + 1).reduce((a, b) => a + b, 0) / (to - from + 1);
    // Recent 7 days against the 50 days since the switch, not against the 90-day window.
    expect(Math.abs(ratio - mean(N - 7, N - 1) / mean(200, N - 1))).to.be.at.most(1e-12);
    expect(ratio).to.be.greaterThan(5 * (mean(N - 7, N - 1) / mean(N - 90, N - 1)));
  });

  it("applies the liquidity floor only with pool data, and refuses pool data from after t", () => {
    const panel = panelOf([
      { symbol: "WETH", lateDrift: 0.01 },
      { symbol: "LINK", lateDrift: 0.008 },
      { symbol: "UNI", lateDrift: -0.01 },
    ]);
    const t = N - 1;
    const asOf = panel.timestamps[t] as number;
    const without = classifyUniverse(panel, t);
    expect(decision(without, "WETH").checks.liquidity).to.equal(null);
    expect(decision(without, "WETH").reasons.join(" ")).to.match(/no pool data/);
    const withData = classifyUniverse(panel, t, {}, { poolLiquidityUsd: { asOf, bySymbol: { WETH: 4e7, UNI: 3e6 } } });
    expect(decision(withData, "WETH").checks.liquidity).to.equal(true);
    expect(decision(withData, "LINK").checks.liquidity).to.equal(false);
    expect(decision(withData, "LINK").reasons[0]).to.equal("no Arbitrum Uniswap V3 liquidity");
    expect(withData.selected).to.deep.equal(["WETH"]);
    expect(() => classifyUniverse(panel, t - 1, {}, { poolLiquidityUsd: { asOf, bySymbol: {} } })).to.throw(
      InvalidInputError,
    );
  });

  it("validates t and the config", () => {
    const panel = panelOf([{ symbol: "WETH" }]);
    expect(() => classifyUniverse(panel, N)).to.throw(InvalidInputError);
    expect(() => classifyUniverse(panel, -1)).to.throw(InvalidInputError);
    expect(() => classifyUniverse(panel, 10, { shortMaDays: 30, longMaDays: 7 })).to.throw(ConfigError);
    expect(() => classifyUniverse(panel, 10, { maxAssets: 0 })).to.throw(ConfigError);
  });

  it("works on hourly panels with windows still in days", () => {
    const panel = generateSyntheticMarket({ seed: 3, bars: 200 * 24, freq: "1h" });
    const u = classifyUniverse(panel, panel.timestamps.length - 1, { minHistoryDays: 150 });
    expect(decision(u, "WETH").metrics.historyDays).to.equal(200);
    expect(decision(u, "USDC").included).to.equal(false);
    expect(decision(u, "PEPE").included).to.equal(false);
  });

  describe("look-ahead", () => {
    /** A copy of `panel` with every value after bar t replaced by seeded garbage (or missing). */
    function scrambleAfter(panel: MarketPanel, t: number, seed: number): MarketPanel {
      const rng = new Rng(seed);
      const junk = (row: Float64Array) =>
        Float64Array.from(row, (v, i) =>
          i <= t ? v : rng.uniform() < 0.2 ? Number.NaN : v * Math.exp(3 * rng.normal()),
        );
      return {
        ...panel,
        close: panel.close.map(junk),
        volume: panel.volume.map(junk),
        volumeSource: panel.volumeSource?.map((row) => row.map((s, i) => (i <= t ? s : "other-venue"))),
      };
    }

    it("the universe at t does not change when data after t is altered", () => {
      const panel = generateSyntheticMarket({
        seed: 21,
        bars: 700,
        freq: "24h",
        assets: [
          "USDC",
          "WETH",
          "WBTC",
          "ARB",
          "LINK",
          "UNI",
          "GMX",
          "WSTETH",
          "RETH",
          "PEPE",
          "OP",
          "AAVE",
          "CRV",
          "LDO",
        ],
      });
      let nonEmpty = 0;
      for (const t of [200, 333, 480, 610, 698]) {
        const original = classifyUniverse(panel, t);
        if (original.selected.length > 0) nonEmpty++;
        for (const seed of [1, 2]) {
          expect(classifyUniverse(scrambleAfter(panel, t, seed), t), `t=${t}`).to.deep.equal(original);
        }
        // And it equals what a run that only ever had data up to t would decide.
        expect(classifyUniverse(panelUpTo(panel, t), t)).to.deep.equal(original);
      }
      expect(nonEmpty).to.be.greaterThan(2); // the comparison is not between empty universes
    });
  });
});

describe("classifier/classifyUniverse ranked mode", () => {
  const ranked = { mode: "ranked" as const };

  it("is never empty when tokens pass the filters, even when every token falls", () => {
    const panel = panelOf([
      { symbol: "WETH", lateDrift: -0.01 },
      { symbol: "LINK", lateDrift: -0.02 },
      { symbol: "UNI", lateDrift: -0.015 },
      { symbol: "GMX", lateDrift: -0.03 },
    ]);
    const strict = classifyUniverse(panel, N - 1);
    expect(strict.selected.length).to.be.lessThan(3);
    expect(strict.shortfall?.policy).to.equal("hold");
    const u = classifyUniverse(panel, N - 1, ranked);
    expect(u.mode).to.equal("ranked");
    // Best score first: the smallest fall and the firmest trend lead.
    expect(u.selected).to.deep.equal(["WETH", "UNI", "LINK", "GMX"]);
    expect(u.shortfall).to.equal(null);
    expect(decision(u, "WETH").reasons[0]).to.match(/rank 1 of 4 by score/);
    expect(decision(u, "GMX").checks.return).to.equal(null);
    expect(decision(u, "WETH").score).to.be.greaterThan(decision(u, "GMX").score as number);
  });

  it("still applies the hard filters: category, history, meme, volume floor, liquidity", () => {
    const panel = panelOf([
      { symbol: "WETH", lateDrift: 0.001 },
      { symbol: "USDC", lateDrift: 0.02 },
      { symbol: "ARB", lateDrift: 0.02, start: N - 100 },
      { symbol: "DOGE", lateDrift: 0.02 },
      { symbol: "LINK", lateDrift: 0.02, recentVolume: 0.1 },
      { symbol: "UNI", lateDrift: -0.01 },
      { symbol: "GMX", lateDrift: 0.01 },
    ]);
    const u = classifyUniverse(panel, N - 1, ranked);
    expect(u.selected).to.have.members(["WETH", "UNI", "GMX"]);
    expect(decision(u, "LINK").reasons[0]).to.match(/relative volume 0\.\d+ < floor 0.25/);
    const liquid = classifyUniverse(panel, N - 1, ranked, {
      poolLiquidityUsd: { asOf: T0, bySymbol: { WETH: 5e7, UNI: 2e6, GMX: 1e5 } },
    });
    expect(liquid.selected).to.have.members(["WETH", "UNI"]);
    expect(decision(liquid, "GMX").checks.liquidity).to.equal(false);
  });

  it("reports a shortfall below the minimum with the configured policy", () => {
    const panel = panelOf([
      { symbol: "WETH", lateDrift: 0.01 },
      { symbol: "LINK", lateDrift: 0.01 },
      { symbol: "ARB", lateDrift: 0.02, start: N - 100 },
    ]);
    const hold = classifyUniverse(panel, N - 1, ranked);
    expect(hold.selected).to.have.members(["WETH", "LINK"]);
    expect(hold.shortfall).to.deep.include({ required: 3, selected: 2, policy: "hold" });
    expect(hold.shortfall?.message).to.match(/fewer than the minimum 3 .*keep the current universe/);
    const base = classifyUniverse(panel, N - 1, { ...ranked, belowMinimum: "base", minAssets: 2 });
    expect(base.shortfall).to.equal(null);
    const toBase = classifyUniverse(panel, N - 1, { ...ranked, belowMinimum: "base", minAssets: 3 });
    expect(toBase.shortfall?.policy).to.equal("base");
    expect(toBase.shortfall?.message).to.match(/hold only the base asset/);
    // A minimum above the size cap is capped by it.
    expect(classifyUniverse(panel, N - 1, { ...ranked, minAssets: 5, maxAssets: 2 }).shortfall).to.equal(null);
  });

  it("keeps one token per underlying exposure: the more traded one", () => {
    const panel = panelOf([
      { symbol: "BTC", lateDrift: 0.01, volume: 5e7 },
      { symbol: "WBTC", lateDrift: 0.012, volume: 1e6 },
      { symbol: "WETH", lateDrift: 0.01, volume: 1e6 },
      { symbol: "ETH", lateDrift: 0.005, volume: 9e6 },
      { symbol: "STETH", lateDrift: 0.01, volume: 1e6 },
      { symbol: "WSTETH", lateDrift: 0.01, volume: 3e6 },
      { symbol: "LINK", lateDrift: 0.01 },
    ]);
    const u = classifyUniverse(panel, N - 1, ranked);
    expect(u.selected).to.have.members(["BTC", "ETH", "WSTETH", "LINK"]);
    expect(decision(u, "WBTC").checks.duplicate).to.equal(false);
    expect(decision(u, "WBTC").reasons[0]).to.match(/duplicate exposure: BTC is kept/);
    expect(decision(u, "WETH").reasons[0]).to.match(/ETH is kept/);
    expect(decision(u, "STETH").included).to.equal(false);
    // Strict mode keeps the seed's rules (no duplicate rule).
    expect(decision(classifyUniverse(panel, N - 1), "WBTC").checks.duplicate).to.equal(null);
  });

  it("weights the return and trend scores as configured", () => {
    // UP rose most over 30 days but has turned down; STEADY rose less and keeps rising.
    const panel = panelOf([
      { symbol: "UP", lateDrift: 0.02, finalDrift: -0.04, wiggle: 0 },
      { symbol: "STEADY", lateDrift: 0.006, wiggle: 0 },
      { symbol: "FLAT", lateDrift: 0, wiggle: 0 },
    ]);
    const byReturn = classifyUniverse(panel, N - 1, { ...ranked, scoreWeights: { return: 1, trend: 0 } });
    const byTrend = classifyUniverse(panel, N - 1, { ...ranked, scoreWeights: { return: 0, trend: 1 } });
    expect(decision(byReturn, "UP").metrics.ret).to.be.greaterThan(decision(byReturn, "STEADY").metrics.ret as number);
    expect(byReturn.selected[0]).to.equal("UP");
    expect(byTrend.selected.indexOf("STEADY")).to.be.lessThan(byTrend.selected.indexOf("FLAT"));
  });

  it("keeps a held token within the hold buffer ahead of a better-ranked newcomer", () => {
    const panel = panelOf([
      { symbol: "WETH", lateDrift: 0.02 },
      { symbol: "LINK", lateDrift: 0.01 },
      { symbol: "UNI", lateDrift: 0.005 },
      { symbol: "GMX", lateDrift: -0.01 },
    ]);
    const cfg = { ...ranked, maxAssets: 2, minAssets: 1 };
    expect(classifyUniverse(panel, N - 1, cfg).selected).to.deep.equal(["WETH", "LINK"]);
    const held = classifyUniverse(panel, N - 1, { ...cfg, holdBuffer: 1 }, { held: ["uni", "GMX"] });
    expect(held.selected).to.deep.equal(["WETH", "UNI"]); // UNI rank 3 is within 2 + 1; GMX rank 4 is not
    expect(decision(held, "UNI").reasons[0]).to.match(/rank 3 of 4 by score: held, within max 2 \+ hold buffer 1/);
    expect(decision(held, "LINK").reasons[0]).to.match(/displaced by held tokens/);
    expect(decision(held, "LINK").included).to.equal(false);
    const none = classifyUniverse(panel, N - 1, { ...cfg, holdBuffer: 0 }, { held: ["UNI"] });
    expect(none.selected).to.deep.equal(["WETH", "LINK"]);
  });

  it("the SQL mirror refuses ranked mode rather than emit different rules", () => {
    const panel = panelOf([{ symbol: "WETH" }]);
    expect(() => classifierSql(panel.assets, "2023-06-30", ranked)).to.throw(InvalidInputError, /strict rules only/);
  });
});
