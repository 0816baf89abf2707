import { expect } from "chai";
import { InvalidInputError } from "../../../keeper/src/core/errors.js";
import { matrix } from "../../../keeper/src/strategy/math/linalg.js";
import { Prng } from "../../../keeper/src/strategy/math/prng.js";
import { type L1BoxQp, l1BoxQpObjective, solveL1BoxQp } from "../../../keeper/src/strategy/optimizer/l1BoxQp.js";
import { ledoitWolf } from "../../../keeper/src/strategy/optimizer/ledoitWolf.js";
import { optimizeMeanVariance } from "../../../keeper/src/strategy/optimizer/meanVariance.js";
import { expectAbsClose } from "../../helpers/approx.js";
import { quadprogL1BoxQp } from "./quadprogReference.js";
import { randomProblem } from "./randomQp.js";

function diagProblem(mu: number[], opts: { cost?: number; anchor?: number[]; cap?: number } = {}): L1BoxQp {
  const n = mu.length;
  const Q = matrix(n, n);
  for (let i = 0; i < n; i++) Q.data[i * n + i] = 1;
  return {
    Q,
    q: Float64Array.from(mu, (m) => -m),
    c: new Float64Array(n).fill(opts.cost ?? 0),
    anchor: Float64Array.from(opts.anchor ?? new Array<number>(n).fill(1 / n)),
    lower: new Float64Array(n),
    upper: new Float64Array(n).fill(opts.cap ?? 1),
    budget: 1,
  };
}

function expectClose(actual: Float64Array, expected: number[], tol: number): void {
  expect(actual.length).to.equal(expected.length);
  for (let i = 0; i < expected.length; i++) expectAbsClose(actual[i], expected[i]!, tol);
}

describe("strategy/optimizer: L1 box QP solver", () => {
  it("finds the closed-form two-asset minimum-variance portfolio", () => {
    const [s1, s2, s12] = [0.04, 0.09, 0.012];
    const Q = matrix(2, 2, Float64Array.of(s1, s12, s12, s2));
    const sol = solveL1BoxQp({
      Q,
      q: new Float64Array(2),
      c: new Float64Array(2),
      anchor: Float64Array.of(0.5, 0.5),
      lower: new Float64Array(2),
      upper: Float64Array.of(1, 1),
      budget: 1,
    });
    const w1 = (s2 - s12) / (s1 + s2 - 2 * s12);
    expectClose(sol.w, [w1, 1 - w1], 1e-12);
  });

  it("respects caps and the budget (hand-derived KKT solution)", () => {
    // Q = I, q = -mu: w_i = clip(mu_i - nu, 0, 0.5) with nu = 0.05 gives (0.5, 0.45, 0.05).
    const sol = solveL1BoxQp(diagProblem([0.9, 0.5, 0.1], { cap: 0.5 }));
    expectClose(sol.w, [0.5, 0.45, 0.05], 1e-12);
    expectAbsClose(sol.budgetMultiplier, 0.05, 1e-12);
  });

  it("does not trade inside the no-trade region of L1 costs", () => {
    const anchor = [0.2, 0.3, 0.5];
    const sol = solveL1BoxQp(diagProblem([0.25, 0.3, 0.45], { cost: 0.1, anchor }));
    expectClose(sol.w, anchor, 1e-12);
  });

  it("moves by the soft-thresholded amount when costs are small", () => {
    // w_i = a_i + soft(mu_i - nu - a_i, c) with nu = 0 by symmetry.
    const sol = solveL1BoxQp(diagProblem([0.25, 0.3, 0.45], { cost: 0.02, anchor: [0.2, 0.3, 0.5] }));
    expectClose(sol.w, [0.23, 0.3, 0.47], 1e-12);
  });

  it("handles a current weight above its (new) cap and a zero cap", () => {
    const sol = solveL1BoxQp({
      ...diagProblem([0.4, 0.4, 0.4], { cost: 0.01, anchor: [0.7, 0.3, 0] }),
      upper: Float64Array.of(0.5, 1, 0),
    });
    expect(sol.w[0]).to.be.at.most(0.5 + 1e-12);
    expect(sol.w[2]).to.equal(0);
    expectAbsClose(
      sol.w.reduce((a, b) => a + b, 0),
      1,
      1e-12,
    );
  });

  it("rejects an infeasible budget", () => {
    expect(() => solveL1BoxQp(diagProblem([0.1, 0.1], { cap: 0.4 }))).to.throw(InvalidInputError);
  });

  it("matches quadprog on random 20-asset problems without costs", () => {
    const rng = new Prng(7);
    for (let k = 0; k < 20; k++) {
      const p = randomProblem(rng, 20, false);
      const ours = solveL1BoxQp(p);
      const ref = quadprogL1BoxQp(p, 1e-9);
      for (let i = 0; i < 20; i++) expectAbsClose(ours.w[i], ref[i]!, 1e-6);
      expect(ours.objective).to.be.at.most(l1BoxQpObjective(p, ref) + 1e-12);
    }
  });

  it("matches quadprog on random 20-asset problems with L1 costs", () => {
    const rng = new Prng(11);
    for (let k = 0; k < 20; k++) {
      const p = randomProblem(rng, 20, true);
      const ours = solveL1BoxQp(p);
      const ref = quadprogL1BoxQp(p, 1e-9);
      // quadprog's ridge on the epigraph variables perturbs its optimum by O(eps).
      expect(ours.objective).to.be.at.most(l1BoxQpObjective(p, ref) + 1e-9);
      expect(Math.abs(ours.objective - l1BoxQpObjective(p, ref))).to.be.below(1e-7);
      for (let i = 0; i < 20; i++) {
        expect(ours.w[i]).to.be.at.least(-1e-12);
        expect(ours.w[i]).to.be.at.most(p.upper[i]! + 1e-12);
      }
      expectAbsClose(
        ours.w.reduce((a, b) => a + b, 0),
        1,
        1e-10,
      );
    }
  });

  it("is not beaten by random feasible perturbations (local optimality)", () => {
    const rng = new Prng(3);
    const p = randomProblem(rng, 10, true);
    const sol = solveL1BoxQp(p);
    for (let k = 0; k < 500; k++) {
      const i = rng.int(0, 10);
      const j = rng.int(0, 10);
      const step = Math.min(1e-3 * rng.next(), sol.w[i]!, p.upper[j]! - sol.w[j]!);
      if (i === j || step <= 0) continue;
      const w = Float64Array.from(sol.w);
      w[i] = w[i]! - step;
      w[j] = w[j]! + step;
      expect(l1BoxQpObjective(p, w)).to.be.at.least(sol.objective - 1e-15);
    }
  });
});

describe("strategy/optimizer: Ledoit-Wolf", () => {
  it("matches the textbook formula and stays positive definite with fewer bars than assets", () => {
    const rng = new Prng(5);
    const n = 12;
    const T = 8;
    const rows = Array.from({ length: T }, () => Float64Array.from({ length: n }, () => rng.normal()));
    const { cov, shrinkage, sample } = ledoitWolf(rows);
    expect(shrinkage).to.be.greaterThan(0).and.at.most(1);
    // Independent recomputation of the intensity (scaled Frobenius norms).
    const mu = Array.from({ length: n }, (_, i) => sample.data[i * n + i]!).reduce((a, b) => a + b, 0) / n;
    const means = Array.from({ length: n }, (_, i) => rows.reduce((s, r) => s + r[i]!, 0) / T);
    let d2 = 0;
    let b2 = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) d2 += (sample.data[i * n + j]! - (i === j ? mu : 0)) ** 2 / n;
    for (const r of rows) {
      let s = 0;
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) s += ((r[i]! - means[i]!) * (r[j]! - means[j]!) - sample.data[i * n + j]!) ** 2;
      b2 += s / n / T ** 2;
    }
    expectAbsClose(shrinkage, Math.min(b2, d2) / d2, 1e-12);
    // Positive definite: the solver accepts it and a quadratic form is positive.
    const x = Float64Array.from({ length: n }, () => rng.normal());
    let qf = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) qf += x[i]! * cov.data[i * n + j]! * x[j]!;
    expect(qf).to.be.greaterThan(0);
  });

  it("shrinks less as the sample grows", () => {
    const rng = new Prng(9);
    const n = 5;
    const draw = (T: number) => Array.from({ length: T }, () => Float64Array.from({ length: n }, () => rng.normal()));
    // Correlated data so the identity target is wrong and more data should win.
    const correlate = (rows: Float64Array[]) => rows.map((r) => r.map((v, i) => v + (i > 0 ? r[0]! : 0)));
    const small = ledoitWolf(correlate(draw(20))).shrinkage;
    const large = ledoitWolf(correlate(draw(2000))).shrinkage;
    expect(large).to.be.below(small);
  });
});

describe("strategy/optimizer: mean-variance with costs", () => {
  it("adds yield to expected return (yield-aware variant) and tilts toward the yielding asset", () => {
    const cov = matrix(2, 2, Float64Array.of(0.01, 0.002, 0.002, 0.01));
    const base = {
      expectedReturn: Float64Array.of(0.01, 0.01),
      cov,
      current: Float64Array.of(0.5, 0.5),
      cost: Float64Array.of(0.001, 0.001),
      cap: Float64Array.of(1, 1),
    };
    const plain = optimizeMeanVariance(base, { riskAversion: 2 });
    const withYield = optimizeMeanVariance({ ...base, yield: Float64Array.of(0.004, 0) }, { riskAversion: 2 });
    expectClose(plain.w, [0.5, 0.5], 1e-12);
    expect(withYield.w[0]).to.be.greaterThan(0.5);
  });

  it("trades less with a higher turnover penalty", () => {
    const rng = new Prng(21);
    const p = randomProblem(rng, 8, false);
    const cov = matrix(
      8,
      8,
      Float64Array.from(p.Q.data, (v) => v / 5),
    );
    const input = {
      expectedReturn: p.q.map((v) => -v),
      cov,
      current: p.anchor,
      cost: new Float64Array(8).fill(0.001),
      cap: p.upper,
    };
    const turnover = (w: Float64Array) => w.reduce((s, v, i) => s + Math.abs(v - p.anchor[i]!), 0);
    const loose = optimizeMeanVariance(input, { riskAversion: 5 });
    const tight = optimizeMeanVariance(input, { riskAversion: 5, turnoverPenalty: 0.01 });
    expect(turnover(tight.w)).to.be.below(turnover(loose.w));
  });
});
