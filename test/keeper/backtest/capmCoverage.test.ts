import { expect } from "chai";
import { benchmarkVerdict, compareToBenchmark } from "../../../keeper/src/backtest/metrics.js";
import { InvalidInputError } from "../../../keeper/src/core/errors.js";
import { seeded } from "./fixtures.js";

function navFromReturns(r: readonly number[]): Float64Array {
  const out = new Float64Array(r.length + 1);
  out[0] = 100;
  for (let t = 0; t < r.length; t++) out[t + 1] = out[t]! * (1 + r[t]!);
  return out;
}

describe("CAPM coverage: the fraction of periods with benchmark data", () => {
  const rand = seeded(11);
  const rb = Array.from({ length: 200 }, () => (rand() - 0.5) * 0.05);
  const nav = navFromReturns(rb.map((x) => 0.0001 + 0.8 * x));
  const args = { nav, benchmarkName: "B", freq: "24h" as const, riskFreeRate: 0 };

  it("is reported: a benchmark with a hole covers the periods around it only", () => {
    const holed = navFromReturns(rb);
    holed.fill(Number.NaN, 50, 90); // 40 missing values -> 41 missing returns
    const cmp = compareToBenchmark({ ...args, benchmark: holed });
    expect(cmp.periods).to.equal(200 - 41);
    expect(cmp.coverage).to.equal((200 - 41) / 200);
    expect(compareToBenchmark({ ...args, benchmark: navFromReturns(rb) }).coverage).to.equal(1);
  });

  it("below the threshold: no alpha or beta, a clear message instead", () => {
    const holed = navFromReturns(rb);
    holed.fill(Number.NaN, 0, 61); // 61 of 201 values -> 61 missing returns, coverage 69.5%
    const v = benchmarkVerdict({ ...args, benchmark: holed, minCoverage: 0.9 });
    expect(v.kind).to.equal("insufficient_coverage");
    if (v.kind !== "insufficient_coverage") return;
    expect(v.coverage).to.equal(139 / 200);
    expect(v.message).to.equal(
      "benchmark B has data on 69.5% of the periods (minimum 90.0%): no alpha, beta or CAPM figures",
    );
    expect(v).to.not.have.property("comparison");
  });

  it("at or above the threshold: the comparison, with its coverage", () => {
    const holed = navFromReturns(rb);
    holed.fill(Number.NaN, 0, 20); // coverage 90%
    const v = benchmarkVerdict({ ...args, benchmark: holed, minCoverage: 0.9 });
    expect(v.kind).to.equal("compared");
    if (v.kind !== "compared") return;
    expect(v.comparison.coverage).to.equal(0.9);
    expect(v.comparison.beta).to.be.within(0.79, 0.81);
  });

  it("a benchmark with no data at all is refused, and a bad threshold is an error", () => {
    const empty = new Float64Array(201).fill(Number.NaN);
    expect(benchmarkVerdict({ ...args, benchmark: empty, minCoverage: 0 }).kind).to.equal("insufficient_coverage");
    expect(() => benchmarkVerdict({ ...args, benchmark: empty, minCoverage: 2 })).to.throw(InvalidInputError);
  });
});
