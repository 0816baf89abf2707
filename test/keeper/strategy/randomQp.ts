/** Seeded random QPs for the optimizer tests. */
import { matrix } from "../../../keeper/src/strategy/math/linalg.js";
import type { Prng } from "../../../keeper/src/strategy/math/prng.js";
import type { L1BoxQp } from "../../../keeper/src/strategy/optimizer/l1BoxQp.js";
import { ledoitWolf } from "../../../keeper/src/strategy/optimizer/ledoitWolf.js";

/** A random well-conditioned problem resembling a 20-asset rebalance. */
export function randomProblem(rng: Prng, n: number, withCosts: boolean): L1BoxQp {
  const T = 3 * n;
  const rows = Array.from({ length: T }, () => Float64Array.from({ length: n }, () => 0.02 * rng.normal()));
  const { cov } = ledoitWolf(rows);
  const Q = matrix(n, n);
  for (let i = 0; i < n * n; i++) Q.data[i] = 5 * cov.data[i]!;
  const raw = Float64Array.from({ length: n }, () => rng.next());
  const sum = raw.reduce((a, b) => a + b, 0);
  return {
    Q,
    q: Float64Array.from({ length: n }, () => -0.003 * rng.normal()),
    c: Float64Array.from({ length: n }, () => (withCosts ? 0.0005 + 0.003 * rng.next() : 0)),
    anchor: raw.map((v) => v / sum),
    lower: new Float64Array(n),
    upper: Float64Array.from({ length: n }, () => 0.08 + 0.2 * rng.next()),
    budget: 1,
  };
}
