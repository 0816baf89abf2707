/**
 * Mean-variance target weights with L1 transaction costs, a turnover penalty, long-only
 * per-asset caps and a full-investment budget. Costs and returns are compared over the same
 * holding horizon, so callers pass the expected return and covariance of that horizon.
 */
import { z } from "zod";
import { ConfigError, InvalidInputError } from "../../core/errors.js";
import { type Matrix, matrix } from "../math/linalg.js";
import { type L1BoxQpSolution, solveL1BoxQp } from "./l1BoxQp.js";

export const meanVarianceConfigSchema = z.object({
  /** Risk aversion gamma in  mu'w - gamma/2 w' Sigma w. */
  riskAversion: z.number().positive(),
  /** L1 penalty per unit of turnover on top of modelled costs (discourages churn). */
  turnoverPenalty: z.number().min(0).default(0),
  /** Quadratic penalty kappa * ||w - w0||^2 (a stand-in for impact that grows with size). */
  quadraticTurnover: z.number().min(0).default(0),
});
export type MeanVarianceConfig = z.input<typeof meanVarianceConfigSchema>;

export interface MeanVarianceInput {
  /** Expected return per asset over the holding horizon (fractions). */
  readonly expectedReturn: Float64Array;
  /**
   * Per-asset yield over the same horizon (adjusted APY), added to `expectedReturn`; 0 when
   * none. The caller keeps it out of `expectedReturn` so it is counted once.
   */
  readonly yield?: Float64Array;
  /** Covariance over the holding horizon (positive definite: use a shrunk estimate). */
  readonly cov: Matrix;
  /** Current weights (the L1 costs are charged on the move away from them). */
  readonly current: Float64Array;
  /** Cost per unit of weight traded, per asset (fees + spread + linearised impact). */
  readonly cost: Float64Array;
  /** Max weight per asset; 0 excludes an asset. */
  readonly cap: Float64Array;
}

export function optimizeMeanVariance(input: MeanVarianceInput, config: MeanVarianceConfig): L1BoxQpSolution {
  const parsed = meanVarianceConfigSchema.safeParse(config);
  if (!parsed.success) throw new ConfigError(`mean-variance config: ${parsed.error.message}`);
  const { riskAversion, turnoverPenalty, quadraticTurnover } = parsed.data;
  const n = input.expectedReturn.length;
  if (input.cov.rows !== n || input.current.length !== n || input.cost.length !== n || input.cap.length !== n) {
    throw new InvalidInputError("optimizeMeanVariance: inconsistent sizes", { n });
  }
  const Q = matrix(n, n);
  const q = new Float64Array(n);
  const c = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) Q.data[i * n + j] = riskAversion * input.cov.data[i * n + j]!;
    Q.data[i * n + i] = Q.data[i * n + i]! + 2 * quadraticTurnover;
    q[i] = -(input.expectedReturn[i]! + (input.yield?.[i] ?? 0)) - 2 * quadraticTurnover * input.current[i]!;
    c[i] = input.cost[i]! + turnoverPenalty;
  }
  return solveL1BoxQp({
    Q,
    q,
    c,
    anchor: input.current,
    lower: new Float64Array(n),
    upper: input.cap,
    budget: 1,
  });
}
