import { expect } from "chai";
import {
  compareToBenchmark,
  drawdownSeries,
  maxDrawdown,
  perBarRate,
  performanceMetrics,
} from "../../../keeper/src/backtest/metrics.js";
import { expectNear, seeded } from "./fixtures.js";

const f = (...x: number[]) => Float64Array.from(x);

function navFromReturns(r: ArrayLike<number>, start = 100): Float64Array {
  const out = new Float64Array(r.length + 1);
  out[0] = start;
  for (let t = 0; t < r.length; t++) out[t + 1] = out[t]! * (1 + r[t]!);
  return out;
}

function metricsOf(nav: Float64Array, freq: "1h" | "24h" = "24h", riskFreeRate = 0) {
  return performanceMetrics({ nav, grossNav: nav, turnover: new Float64Array(nav.length), freq, riskFreeRate });
}

describe("metrics", () => {
  it("annualises a constant return over a 365-day year, for daily and hourly bars", () => {
    const g = 0.001;
    const daily = metricsOf(navFromReturns(new Array(730).fill(g)));
    expectNear(daily.annualisedReturn, (1 + g) ** 365 - 1, 1e-10, "daily CAGR");
    expectNear(daily.years, 2, 1e-12, "years");
    expect(daily.maxDrawdown).to.equal(0);
    expect(daily.hitRate).to.equal(1);
    expect(daily.sortino).to.be.NaN; // no downside at all
    const hourly = metricsOf(navFromReturns(new Array(8760).fill(g)), "1h");
    expectNear(hourly.annualisedReturn, (1 + g) ** 8760 - 1, 1e-6 * ((1 + g) ** 8760 - 1), "hourly CAGR");
    expectNear(hourly.years, 1, 1e-12, "years");
  });

  it("computes volatility, Sharpe and Sortino (downside deviation over the full sample) by hand", () => {
    const r = [0.02, -0.01, 0.03, -0.02, 0.01, 0.0];
    const m = metricsOf(navFromReturns(r));
    const mean = r.reduce((a, b) => a + b, 0) / r.length;
    const sd = Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / (r.length - 1));
    const dd = Math.sqrt((0.01 ** 2 + 0.02 ** 2) / r.length);
    expectNear(m.volatility, sd * Math.sqrt(365), 1e-12, "vol");
    expectNear(m.sharpe, (mean * 365) / (sd * Math.sqrt(365)), 1e-9, "Sharpe");
    expectNear(m.sortino, (mean * 365) / (dd * Math.sqrt(365)), 1e-9, "Sortino");
    expectNear(m.hitRate, 3 / 6, 1e-15, "hit rate");
    // Hourly bars: same per-bar returns, volatility scaled by sqrt(8760 / 365) = sqrt(24).
    const h = metricsOf(navFromReturns(r), "1h");
    expectNear(h.volatility / m.volatility, Math.sqrt(24), 1e-12, "hourly/daily vol");
    // A positive risk-free rate lowers Sharpe by rf per bar over vol.
    const withRf = metricsOf(navFromReturns(r), "24h", 0.05);
    const rf = perBarRate(0.05, "24h");
    expectNear(withRf.sharpe, ((mean - rf) * 365) / (sd * Math.sqrt(365)), 1e-9, "Sharpe with rf");
    expectNear((1 + rf) ** 365, 1.05, 1e-12, "per-bar rf compounds to the annual rate");
  });

  it("measures drawdown from the running peak and Calmar from it", () => {
    const nav = f(100, 120, 90, 130, 65, 70);
    expect(Array.from(drawdownSeries(nav))).to.deep.equal([0, 0, 0.25, 0, 0.5, 1 - 70 / 130]);
    expect(maxDrawdown(nav)).to.equal(0.5);
    const m = metricsOf(nav);
    expectNear(m.calmar, m.annualisedReturn / 0.5, 1e-12, "Calmar");
    expectNear(m.totalReturn, -0.3, 1e-12, "total");
  });

  it("reports cost drag as gross minus net and sums turnover", () => {
    const net = navFromReturns([0.01, 0.01, 0.01]);
    const gross = navFromReturns([0.012, 0.012, 0.012]);
    const m = performanceMetrics({
      nav: net,
      grossNav: gross,
      turnover: f(0, 0.5, 0, 0.25),
      freq: "24h",
      riskFreeRate: 0,
    });
    expectNear(m.costDrag, 1.012 ** 365 - 1.01 ** 365, 1e-9, "cost drag");
    expect(m.turnoverTotal).to.equal(0.75);
    expectNear(m.turnoverAnnualised, (0.75 * 365) / 3, 1e-12, "annual turnover");
  });

  it("recovers beta, alpha and the CAPM expected return against a benchmark", () => {
    const rand = seeded(4);
    const rb = Array.from({ length: 500 }, () => (rand() - 0.5) * 0.06);
    const alphaPerBar = 0.0002;
    const rp = rb.map((x) => alphaPerBar + 1.5 * x);
    const cmp = compareToBenchmark({
      nav: navFromReturns(rp),
      benchmark: navFromReturns(rb),
      benchmarkName: "DPI",
      freq: "24h",
      riskFreeRate: 0,
    });
    expectNear(cmp.beta, 1.5, 1e-9, "beta");
    expectNear(cmp.alpha, alphaPerBar * 365, 1e-9, "alpha");
    expectNear(cmp.correlation, 1, 1e-9, "correlation");
    expectNear(cmp.capmExpectedReturn, 1.5 * cmp.benchmarkAnnualisedReturn, 1e-12, "CAPM E[r] with rf = 0");
    expect(cmp.periods).to.equal(500);

    // A benchmark with missing bars (a later listing) is compared over its own history only.
    const late = navFromReturns(rb);
    late.fill(Number.NaN, 0, 100);
    const partial = compareToBenchmark({
      nav: navFromReturns(rp),
      benchmark: late,
      benchmarkName: "late",
      freq: "24h",
      riskFreeRate: 0.03,
    });
    expect(partial.periods).to.equal(400);
    // With rf the intercept of excess returns is alpha_bar - rf_bar * (1 - beta).
    const rf = perBarRate(0.03, "24h");
    expectNear(partial.alpha, (alphaPerBar + rf * 0.5) * 365, 1e-9, "alpha with rf");
    expectNear(
      partial.capmExpectedReturn,
      0.03 + partial.beta * (partial.benchmarkAnnualisedReturn - 0.03),
      1e-12,
      "CAPM",
    );
  });
});
