/**
 * Exact solver for the portfolio problem the optimizer needs:
 *
 *   minimise   0.5 w'Qw + q'w + sum_i c_i |w_i - a_i|
 *   subject to sum_i w_i = budget,  lower_i <= w_i <= upper_i
 *
 * with Q positive definite and c >= 0 (L1 transaction costs around the current weights a).
 *
 * Why a bespoke solver: splitting trades into buys and sells turns the L1 term into a smooth
 * QP but leaves a singular Hessian, which dual active-set codes (quadprog) reject. Instead each
 * variable's feasible interval is cut at its kink a_i into at most two segments on which the
 * objective is an ordinary quadratic (the L1 term is linear with slope +c_i or -c_i there).
 * A primal active-set method then treats every breakpoint (lower bound, kink, upper bound) as
 * a constraint that is either active (variable fixed there) or not (variable free inside one
 * segment). Each iteration solves a small equality-constrained KKT system exactly, so the
 * answer is exact up to floating point and the method terminates in finitely many steps.
 */
import { BallastError, InvalidInputError } from "../../core/errors.js";
import { type Matrix, solveLinear } from "../math/linalg.js";

export interface L1BoxQp {
  /** Symmetric positive-definite Hessian. */
  readonly Q: Matrix;
  readonly q: Float64Array;
  /** Non-negative L1 cost per unit of |w_i - anchor_i|. */
  readonly c: Float64Array;
  /** Where the L1 kinks sit (current weights). */
  readonly anchor: Float64Array;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  readonly budget: number;
}

export interface L1BoxQpSolution {
  readonly w: Float64Array;
  readonly objective: number;
  readonly iterations: number;
  /** Lagrange multiplier of the budget constraint. */
  readonly budgetMultiplier: number;
}

const FREE = -1;

/** Objective value of a candidate point (used by the solver and by tests comparing solvers). */
export function l1BoxQpObjective(p: L1BoxQp, w: Float64Array): number {
  const n = w.length;
  let value = 0;
  for (let i = 0; i < n; i++) {
    let row = 0;
    for (let j = 0; j < n; j++) row += p.Q.data[i * n + j]! * w[j]!;
    value += 0.5 * w[i]! * row + p.q[i]! * w[i]! + p.c[i]! * Math.abs(w[i]! - p.anchor[i]!);
  }
  return value;
}

export function solveL1BoxQp(p: L1BoxQp, opts: { maxIterations?: number } = {}): L1BoxQpSolution {
  const n = p.q.length;
  validate(p, n);
  const Q = p.Q.data;

  // Breakpoints per variable: lower, the kink when strictly inside, upper.
  const bps: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const lo = p.lower[i]!;
    const hi = p.upper[i]!;
    const a = p.anchor[i]!;
    if (hi - lo <= 0) bps.push(Float64Array.of(lo));
    else if (a > lo && a < hi) bps.push(Float64Array.of(lo, a, hi));
    else bps.push(Float64Array.of(lo, hi));
  }
  // Slope of the L1 term on segment k of variable i (between breakpoints k and k+1).
  const slope = (i: number, k: number): number => {
    const bp = bps[i]!;
    const mid = 0.5 * (bp[k]! + bp[k + 1]!);
    return mid > p.anchor[i]! ? p.c[i]! : -p.c[i]!;
  };

  const w = initialPoint(p, n);
  const fixedAt = new Int32Array(n).fill(FREE);
  const seg = new Int32Array(n);
  const snap = 1e-12;
  for (let i = 0; i < n; i++) {
    const bp = bps[i]!;
    let done = false;
    for (let k = 0; k < bp.length; k++) {
      if (Math.abs(w[i]! - bp[k]!) <= snap) {
        w[i] = bp[k]!;
        fixedAt[i] = k;
        done = true;
        break;
      }
    }
    if (!done) {
      let k = 0;
      while (k < bp.length - 2 && w[i]! > bp[k + 1]!) k++;
      seg[i] = k;
    }
  }

  let scale = 1;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(p.q[i]!), p.c[i]!, Math.abs(Q[i * n + i]!));
  const tolGrad = 1e-11 * scale;
  const maxIterations = opts.maxIterations ?? 50 * (n + 2);
  let nu = 0;
  const free: number[] = [];

  for (let iter = 1; iter <= maxIterations; iter++) {
    free.length = 0;
    for (let i = 0; i < n; i++) if (fixedAt[i] === FREE) free.push(i);

    if (free.length > 0) {
      const m = free.length + 1;
      const K = new Float64Array(m * m);
      const rhs = new Float64Array(m);
      let fixedSum = 0;
      for (let j = 0; j < n; j++) if (fixedAt[j] !== FREE) fixedSum += w[j]!;
      for (let r = 0; r < free.length; r++) {
        const i = free[r]!;
        for (let s = 0; s < free.length; s++) K[r * m + s] = Q[i * n + free[s]!]!;
        K[r * m + m - 1] = 1;
        K[(m - 1) * m + r] = 1;
        let b = -(p.q[i]! + slope(i, seg[i]!));
        for (let j = 0; j < n; j++) if (fixedAt[j] !== FREE) b -= Q[i * n + j]! * w[j]!;
        rhs[r] = b;
      }
      rhs[m - 1] = p.budget - fixedSum;
      const sol = solveLinear(K, rhs, m);
      if (!sol) throw new BallastError("SOLVER", "l1BoxQp: singular KKT system (is Q positive definite?)");
      nu = sol[m - 1]!;

      // Step toward the subspace minimiser, stopping at the first breakpoint in the way.
      let alpha = 1;
      let blocking = -1;
      let blockingBp = 0;
      for (let r = 0; r < free.length; r++) {
        const i = free[r]!;
        const d = sol[r]! - w[i]!;
        const bp = bps[i]!;
        if (d > 0) {
          const room = bp[seg[i]! + 1]! - w[i]!;
          if (room < alpha * d) {
            alpha = Math.max(0, room / d);
            blocking = i;
            blockingBp = seg[i]! + 1;
          }
        } else if (d < 0) {
          const room = w[i]! - bp[seg[i]!]!;
          if (room < -alpha * d) {
            alpha = Math.max(0, room / -d);
            blocking = i;
            blockingBp = seg[i]!;
          }
        }
      }
      for (let r = 0; r < free.length; r++) {
        const i = free[r]!;
        w[i] = w[i]! + alpha * (sol[r]! - w[i]!);
      }
      if (blocking >= 0) {
        w[blocking] = bps[blocking]![blockingBp]!;
        fixedAt[blocking] = blockingBp;
        continue;
      }
    }

    // Gradient of the smooth part at w; the fixed variables' optimality is checked against it.
    const h = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = p.q[i]!;
      for (let j = 0; j < n; j++) s += Q[i * n + j]! * w[j]!;
      h[i] = s;
    }

    if (free.length === 0) {
      // No free variable pins the budget multiplier: any nu in [max L, min U] certifies optimality.
      let maxL = Number.NEGATIVE_INFINITY;
      let minU = Number.POSITIVE_INFINITY;
      let iL = -1;
      let iU = -1;
      for (let i = 0; i < n; i++) {
        const k = fixedAt[i]!;
        const last = bps[i]!.length - 1;
        if (k < last) {
          const lo = -h[i]! - slope(i, k);
          if (lo > maxL) {
            maxL = lo;
            iL = i;
          }
        }
        if (k > 0) {
          const hi = -h[i]! - slope(i, k - 1);
          if (hi < minU) {
            minU = hi;
            iU = i;
          }
        }
      }
      if (maxL <= minU + tolGrad) {
        nu = Number.isFinite(maxL)
          ? Number.isFinite(minU)
            ? 0.5 * (maxL + minU)
            : maxL
          : Number.isFinite(minU)
            ? minU
            : 0;
        return finish(p, w, iter, nu);
      }
      // Move mass from the variable that most wants to fall to the one that most wants to rise.
      seg[iL] = fixedAt[iL]!;
      fixedAt[iL] = FREE;
      seg[iU] = fixedAt[iU]! - 1;
      fixedAt[iU] = FREE;
      continue;
    }

    let worst = tolGrad;
    let release = -1;
    let releaseSeg = 0;
    for (let i = 0; i < n; i++) {
      const k = fixedAt[i]!;
      if (k === FREE) continue;
      const g = h[i]! + nu;
      if (k < bps[i]!.length - 1) {
        const violation = -(g + slope(i, k));
        if (violation > worst) {
          worst = violation;
          release = i;
          releaseSeg = k;
        }
      }
      if (k > 0) {
        const violation = g + slope(i, k - 1);
        if (violation > worst) {
          worst = violation;
          release = i;
          releaseSeg = k - 1;
        }
      }
    }
    if (release < 0) return finish(p, w, iter, nu);
    fixedAt[release] = FREE;
    seg[release] = releaseSeg;
  }
  throw new BallastError("SOLVER", `l1BoxQp: no convergence in ${maxIterations} iterations`);
}

function finish(p: L1BoxQp, w: Float64Array, iterations: number, nu: number): L1BoxQpSolution {
  return { w, objective: l1BoxQpObjective(p, w), iterations, budgetMultiplier: nu };
}

function validate(p: L1BoxQp, n: number): void {
  if (p.Q.rows !== n || p.Q.cols !== n) throw new InvalidInputError("l1BoxQp: Q must be n x n", { n });
  for (const [name, v] of [
    ["c", p.c],
    ["anchor", p.anchor],
    ["lower", p.lower],
    ["upper", p.upper],
  ] as const) {
    if (v.length !== n) throw new InvalidInputError(`l1BoxQp: ${name} has the wrong length`, { n });
  }
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < n; i++) {
    if (!(p.c[i]! >= 0)) throw new InvalidInputError("l1BoxQp: costs must be >= 0", { i });
    if (!(p.lower[i]! <= p.upper[i]!)) throw new InvalidInputError("l1BoxQp: lower > upper", { i });
    if (!Number.isFinite(p.q[i]!) || !Number.isFinite(p.anchor[i]!))
      throw new InvalidInputError("l1BoxQp: non-finite input", { i });
    lo += p.lower[i]!;
    hi += p.upper[i]!;
  }
  const slack = 1e-12 * Math.max(1, Math.abs(p.budget));
  if (p.budget < lo - slack || p.budget > hi + slack) {
    throw new InvalidInputError("l1BoxQp: budget outside [sum lower, sum upper]: infeasible", {
      lo,
      hi,
      budget: p.budget,
    });
  }
}

/** Feasible start: the anchor shifted by a common amount and clipped to the box (bisection on the shift). */
function initialPoint(p: L1BoxQp, n: number): Float64Array {
  const at = (tau: number, out: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const v = Math.min(p.upper[i]!, Math.max(p.lower[i]!, p.anchor[i]! + tau));
      out[i] = v;
      s += v;
    }
    return s;
  };
  const w = new Float64Array(n);
  let span = 1;
  for (let i = 0; i < n; i++)
    span = Math.max(span, Math.abs(p.anchor[i]!) + Math.abs(p.lower[i]!) + Math.abs(p.upper[i]!));
  let lo = -2 * span;
  let hi = 2 * span;
  for (let k = 0; k < 200 && hi - lo > 1e-16 * span; k++) {
    const mid = 0.5 * (lo + hi);
    if (at(mid, w) < p.budget) lo = mid;
    else hi = mid;
  }
  at(0.5 * (lo + hi), w);
  return w;
}
