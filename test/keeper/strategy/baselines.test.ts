import { expect } from "chai";
import type { MarketPanel, Strategy, WeightVector } from "../../../keeper/src/core/types.js";
import { CrossSectionalMomentumStrategy } from "../../../keeper/src/strategy/baselines/crossSectionalMomentum.js";
import { InverseVolatilityStrategy } from "../../../keeper/src/strategy/baselines/inverseVolatility.js";
import { MarketCapProxyStrategy } from "../../../keeper/src/strategy/baselines/marketCapProxy.js";
import { MinimumVarianceStrategy } from "../../../keeper/src/strategy/baselines/minimumVariance.js";
import { equalWeight } from "../../../keeper/src/strategy/baselines/simple.js";
import { TimeSeriesMomentumStrategy } from "../../../keeper/src/strategy/baselines/timeSeriesMomentum.js";
import { MeanVarianceStrategy } from "../../../keeper/src/strategy/meanVarianceStrategy.js";
import { expectAbsClose } from "../../helpers/approx.js";
import { STANDARD_ASSETS, syntheticPanel, viewAt, withDifferentFuture } from "./syntheticPanel.js";

const panel = syntheticPanel(STANDARD_ASSETS, 300, 1);
const idx = (symbol: string) => panel.assets.findIndex((a) => a.symbol === symbol);

function strategies(): Strategy[] {
  return [
    new InverseVolatilityStrategy({ lookback: 60 }),
    new MinimumVarianceStrategy({ lookback: 60, costPerUnit: 0.002 }),
    new TimeSeriesMomentumStrategy({ lookback: 30 }),
    new CrossSectionalMomentumStrategy({ lookback: 30, skip: 1 }),
    new MarketCapProxyStrategy({ lookback: 30 }),
    new MeanVarianceStrategy({ lookback: 60 }),
    new MeanVarianceStrategy({ lookback: 60, yields: { ETH: 0.04 } }),
  ];
}

function expectValid(w: WeightVector | null, eligible: boolean[]): asserts w is WeightVector {
  expect(w).to.not.equal(null);
  const v = w as WeightVector;
  expect(v.length).to.equal(eligible.length);
  expectAbsClose(
    v.reduce((a, b) => a + b, 0),
    1,
    1e-9,
  );
  v.forEach((x, i) => {
    expect(x).to.be.at.least(-1e-12);
    if (!eligible[i]) expect(x).to.equal(0);
  });
}

describe("strategy/baselines: shared guarantees", () => {
  for (const s of strategies()) {
    it(`${s.name}: valid weights, ineligible and missing-data assets get 0`, () => {
      const eligible = [true, true, false, true, true];
      const broken: MarketPanel = {
        ...panel,
        close: panel.close.map((r, i) => (i === idx("SOL") ? r.map((v, k) => (k === 250 ? Number.NaN : v)) : r)),
      };
      const w = s.decide(viewAt(broken, 260, { eligible }));
      expectValid(w, eligible);
      expect(w[idx("SOL")]).to.equal(0);
    });

    it(`${s.name}: no look-ahead (a different future leaves today's decision unchanged)`, () => {
      const t = 200;
      const other = withDifferentFuture(panel, t, 99);
      const a = s.decide(viewAt(panel, t, { untruncated: true }));
      const b = s.decide(viewAt(other, t, { untruncated: true }));
      expect(Array.from(b ?? [])).to.deep.equal(Array.from(a ?? []));
    });
  }
});

describe("strategy/baselines: behaviour", () => {
  it("inverse volatility gives the calmest risky asset the most weight", () => {
    const w = new InverseVolatilityStrategy({ lookback: 100 }).decide(viewAt(panel, 250))!;
    expect(w[idx("BTC")]).to.be.greaterThan(w[idx("ETH")]!);
    expect(w[idx("ETH")]).to.be.greaterThan(w[idx("DOGE")]!);
    expect(w[idx("USDC")]).to.equal(0);
  });

  it("minimum variance beats equal weight on in-sample variance", () => {
    const t = 250;
    const lookback = 120;
    const w = new MinimumVarianceStrategy({ lookback, maxWeight: 1 }).decide(viewAt(panel, t))!;
    const risky = [1, 2, 3, 4];
    const variance = (weights: number[]) => {
      const rets: number[] = [];
      for (let k = t - lookback + 1; k <= t; k++) {
        rets.push(
          risky.reduce((s, i, j) => s + weights[j]! * Math.log(panel.close[i]![k]! / panel.close[i]![k - 1]!), 0),
        );
      }
      const m = rets.reduce((a, b) => a + b, 0) / rets.length;
      return rets.reduce((a, b) => a + (b - m) ** 2, 0);
    };
    expect(variance(risky.map((i) => w[i]!))).to.be.below(variance([0.25, 0.25, 0.25, 0.25]));
  });

  it("time-series momentum parks a falling asset's slot in the base asset", () => {
    const falling = syntheticPanel(
      [STANDARD_ASSETS[0]!, { symbol: "UP", drift: 0.01, vol: 0.01 }, { symbol: "DOWN", drift: -0.01, vol: 0.01 }],
      100,
      4,
    );
    const w = new TimeSeriesMomentumStrategy({ lookback: 30 }).decide(viewAt(falling, 90))!;
    expect(Array.from(w)).to.deep.equal([0.5, 0.5, 0]);
  });

  it("cross-sectional momentum holds the strongest asset", () => {
    const ranked = syntheticPanel(
      [
        STANDARD_ASSETS[0]!,
        { symbol: "A", drift: 0.02, vol: 0.01 },
        { symbol: "B", drift: 0, vol: 0.01 },
        { symbol: "C", drift: -0.02, vol: 0.01 },
      ],
      100,
      5,
    );
    const w = new CrossSectionalMomentumStrategy({ lookback: 30, topFraction: 0.34 }).decide(viewAt(ranked, 90))!;
    expect(Array.from(w)).to.deep.equal([0, 1, 0, 0]);
  });

  it("market-cap proxy weights by trailing volume and respects the cap", () => {
    const w = new MarketCapProxyStrategy({ lookback: 30, maxWeight: 0.6 }).decide(viewAt(panel, 250))!;
    expectAbsClose(w[idx("BTC")], 0.6, 1e-12);
    expect(w[idx("ETH")]).to.be.greaterThan(w[idx("SOL")]!);
    expect(w[idx("SOL")]).to.be.greaterThan(w[idx("DOGE")]!);
  });

  it("mean-variance with costs trades less than without", () => {
    const current = Float64Array.of(0.2, 0.2, 0.2, 0.2, 0.2);
    const view = viewAt(panel, 250, { current });
    const turnover = (w: WeightVector) => w.reduce((s, v, i) => s + Math.abs(v - current[i]!), 0);
    const free = new MeanVarianceStrategy({ lookback: 90, costPerUnit: 0 }).decide(view)!;
    const costly = new MeanVarianceStrategy({ lookback: 90, costPerUnit: 0.02 }).decide(view)!;
    expect(turnover(costly)).to.be.below(turnover(free));
  });
});

describe("strategy/baselines: equal weight's schedule", () => {
  const panel = syntheticPanel(STANDARD_ASSETS, 40, 3);
  /** The last `bars` bars up to `t`, re-indexed from 0: the keeper's live window. */
  const windowAt = (t: number, bars: number) => {
    const from = t - bars + 1;
    return viewAt(
      {
        ...panel,
        timestamps: panel.timestamps.slice(from, t + 1),
        close: panel.close.map((row) => row.slice(from, t + 1)),
        volume: panel.volume.map((row) => row.slice(from, t + 1)),
      },
      bars - 1,
    );
  };

  it("counts bars by time on a rolling window whose last index never moves", () => {
    const strategy = equalWeight({ rebalanceEveryBars: 3 });
    const decided = [];
    for (let t = 10; t < 20; t++) decided.push(strategy.decide(windowAt(t, 10)) !== null);
    // Every third bar from the first decision, although every view's t is 9.
    expect(decided).to.deep.equal([true, false, false, true, false, false, true, false, false, true]);
  });

  it("holds between decisions on a growing panel and starts afresh when a run restarts", () => {
    const strategy = equalWeight({ rebalanceEveryBars: 2 });
    const decided = [10, 11, 12, 13].map((t) => strategy.decide(viewAt(panel, t)) !== null);
    expect(decided).to.deep.equal([true, false, true, false]);
    expect(strategy.decide(viewAt(panel, 5))).to.not.equal(null);
  });
});
