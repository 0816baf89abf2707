/**
 * Optimizer benchmark: 20-asset mean-variance problems with L1 costs, a turnover penalty and
 * per-asset caps. Reports the median solve time of our exact active-set solver (target
 * <= 5 ms) and its objective against an independent solution from the `quadprog` package.
 */
import { cpus } from "node:os";
import { matrix } from "../keeper/src/strategy/math/linalg.js";
import { Prng } from "../keeper/src/strategy/math/prng.js";
import { type L1BoxQp, l1BoxQpObjective, solveL1BoxQp } from "../keeper/src/strategy/optimizer/l1BoxQp.js";
import { ledoitWolf } from "../keeper/src/strategy/optimizer/ledoitWolf.js";
import { quadprogL1BoxQp } from "../test/keeper/strategy/quadprogReference.js";

function problem(rng: Prng, n: number): L1BoxQp {
  // Covariance from a one-factor market (crypto is highly correlated) plus noise, shrunk.
  const rows = Array.from({ length: 120 }, () => {
    const market = 0.03 * rng.normal();
    return Float64Array.from({ length: n }, () => market + 0.02 * rng.normal());
  });
  const { cov } = ledoitWolf(rows);
  const Q = matrix(n, n);
  const horizon = 7;
  const riskAversion = 5;
  for (let i = 0; i < n * n; i++) Q.data[i] = riskAversion * horizon * cov.data[i]!;
  const anchor = Float64Array.from({ length: n }, () => rng.next());
  const s = anchor.reduce((a, b) => a + b, 0);
  return {
    Q,
    q: Float64Array.from({ length: n }, () => -horizon * 0.002 * rng.normal()),
    // L1: per-asset trading cost (5-60 bp) + a 10 bp turnover penalty.
    c: Float64Array.from({ length: n }, () => 0.0005 + 0.0055 * rng.next() + 0.001),
    anchor: anchor.map((v) => v / s),
    lower: new Float64Array(n),
    upper: new Float64Array(n).fill(0.15),
    budget: 1,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

export async function run(): Promise<void> {
  const rng = new Prng(2024);
  const n = 20;
  const problems = Array.from({ length: 200 }, () => problem(rng, n));
  // Warm up the JIT.
  for (const p of problems.slice(0, 20)) solveL1BoxQp(p);
  const times: number[] = [];
  const iterations: number[] = [];
  let worstGap = Number.NEGATIVE_INFINITY;
  let worstRel = 0;
  const refTimes: number[] = [];
  for (const p of problems) {
    const t0 = performance.now();
    const sol = solveL1BoxQp(p);
    times.push(performance.now() - t0);
    iterations.push(sol.iterations);
    const r0 = performance.now();
    const ref = quadprogL1BoxQp(p, 1e-9);
    refTimes.push(performance.now() - r0);
    const refObjective = l1BoxQpObjective(p, ref);
    worstGap = Math.max(worstGap, sol.objective - refObjective);
    worstRel = Math.max(worstRel, Math.abs(sol.objective - refObjective) / Math.max(1e-12, Math.abs(refObjective)));
  }
  console.log("optimizer benchmark: mean-variance, 20 assets, L1 costs + turnover penalty, caps 15%, budget 1");
  console.log(`  machine: ${cpus().length} x ${cpus()[0]?.model ?? "?"}, node ${process.version}`);
  console.log(`  problems: ${problems.length}`);
  console.log(
    `  active-set solver: median ${median(times).toFixed(3)} ms, max ${Math.max(...times).toFixed(3)} ms, median ${median(iterations)} iterations (target <= 5 ms)`,
  );
  console.log(`  quadprog (epigraph form, 40 variables): median ${median(refTimes).toFixed(3)} ms`);
  console.log(
    `  objective vs quadprog: worst (ours - quadprog) = ${worstGap.toExponential(2)}, worst relative gap ${worstRel.toExponential(2)}`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
