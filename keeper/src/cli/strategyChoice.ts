/**
 * The strategies an operator can name in config or on the command line. The scheduler decides
 * when to rebalance, so every strategy here is asked to decide on each call (period 1 bar).
 */
import { InvalidInputError } from "../core/errors.js";
import type { Strategy } from "../core/types.js";
import { InverseVolatilityStrategy } from "../strategy/baselines/inverseVolatility.js";
import { MinimumVarianceStrategy } from "../strategy/baselines/minimumVariance.js";
import { equalWeight } from "../strategy/baselines/simple.js";

const STRATEGY_NAMES = ["inverse-vol", "equal-weight", "min-variance"] as const;

export function strategyFor(name: string, maxWeight: number): Strategy {
  switch (name) {
    case "inverse-vol":
      return new InverseVolatilityStrategy({ lookback: 30, maxWeight });
    case "equal-weight":
      return equalWeight({ rebalanceEveryBars: 1 });
    case "min-variance":
      return new MinimumVarianceStrategy({ lookback: 60, maxWeight });
    default:
      throw new InvalidInputError(`unknown strategy "${name}" (choose one of ${STRATEGY_NAMES.join(", ")})`);
  }
}
