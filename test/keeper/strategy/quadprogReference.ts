/**
 * Independent reference solutions from the `quadprog` npm package (Goldfarb-Idnani dual
 * active set, a port of R's quadprog), used by the optimizer tests and benchmark.
 */
import { createRequire } from "node:module";
import type { L1BoxQp } from "../../../keeper/src/strategy/optimizer/l1BoxQp.js";

interface QuadprogResult {
  readonly solution?: number[];
  readonly value?: number[];
  readonly message: string;
}
type SolveQp = (D: number[][], d: number[], A: number[][], b: number[], meq: number) => QuadprogResult;

const require = createRequire(import.meta.url);
const quadprog: unknown = require("quadprog");

function solveQpFn(): SolveQp {
  if (
    typeof quadprog === "object" &&
    quadprog !== null &&
    "solveQP" in quadprog &&
    typeof quadprog.solveQP === "function"
  ) {
    return quadprog.solveQP as SolveQp;
  }
  throw new Error("quadprog.solveQP not found");
}

/**
 * Solves the same problem with quadprog through the epigraph form: variables (w, t) with
 * t_i >= |w_i - a_i|. quadprog needs a positive-definite Hessian, so t gets a tiny ridge
 * `eps`; its effect on the objective is at most eps * n / 2.
 */
export function quadprogL1BoxQp(p: L1BoxQp, eps = 1e-9): Float64Array {
  const n = p.q.length;
  const N = 2 * n;
  const D: number[][] = [[]];
  const d: number[] = [0];
  for (let i = 1; i <= N; i++) {
    D[i] = [0];
    for (let j = 1; j <= N; j++) {
      D[i]![j] = i <= n && j <= n ? p.Q.data[(i - 1) * n + (j - 1)]! : i === j ? eps : 0;
    }
    d[i] = i <= n ? -p.q[i - 1]! : -p.c[i - n - 1]!;
  }
  // Columns of A: budget (equality), w >= lower, -w >= -upper, t - w >= -a, t + w >= a.
  const cols: { a: number[]; b: number }[] = [];
  const col = (): number[] => new Array<number>(N + 1).fill(0);
  const budget = col();
  for (let i = 1; i <= n; i++) budget[i] = 1;
  cols.push({ a: budget, b: p.budget });
  for (let i = 1; i <= n; i++) {
    const lo = col();
    lo[i] = 1;
    cols.push({ a: lo, b: p.lower[i - 1]! });
    const hi = col();
    hi[i] = -1;
    cols.push({ a: hi, b: -p.upper[i - 1]! });
    const up = col();
    up[n + i] = 1;
    up[i] = -1;
    cols.push({ a: up, b: -p.anchor[i - 1]! });
    const down = col();
    down[n + i] = 1;
    down[i] = 1;
    cols.push({ a: down, b: p.anchor[i - 1]! });
  }
  const A: number[][] = [[]];
  for (let i = 1; i <= N; i++) {
    A[i] = [0];
    for (let k = 0; k < cols.length; k++) A[i]![k + 1] = cols[k]!.a[i]!;
  }
  const b = [0, ...cols.map((c) => c.b)];
  const result = solveQpFn()(D, d, A, b, 1);
  if (result.message !== "" || !result.solution) throw new Error(`quadprog: ${result.message}`);
  return Float64Array.from(result.solution.slice(1, n + 1));
}
