/**
 * One cycle's volatility steering for the keeper: reads the held basket's returns from the
 * market view, runs the pure rule (strategy/risk/volSteering.ts) from the level the last cycle
 * left (kept in the store, so hysteresis survives a restart), and turns the answer into the
 * schedule `decideRun` sees and the status the API, dashboard and metrics show.
 */
import type { KeeperConfig } from "../config/keeperConfig.js";
import type { VolLevel } from "../strategy/risk/volatilityLevels.js";
import { type BasketReturns, steerByVolatility, type VolSteer } from "../strategy/risk/volSteering.js";
import type { RiskLevel, SteeringStatus } from "./readModel.js";
import type { ScheduleConfig } from "./scheduler.js";

const LABEL: Readonly<Record<VolLevel, RiskLevel>> = {
  "very-low": "very low",
  low: "low",
  medium: "medium",
  high: "high",
  "very-high": "very high",
};
const LEVEL: Readonly<Record<RiskLevel, VolLevel>> = {
  "very low": "very-low",
  low: "low",
  medium: "medium",
  high: "high",
  "very high": "very-high",
};

export interface CycleSteering {
  readonly steer: VolSteer;
  readonly status: SteeringStatus;
  /** The schedule with the level's interval. */
  readonly schedule: ScheduleConfig;
  /** The dashboard's risk label. */
  readonly riskLevel: RiskLevel;
}

export function steerCycle(
  schedule: KeeperConfig["schedule"],
  basket: BasketReturns,
  previous: SteeringStatus | null,
): CycleSteering {
  const config = schedule.volSteering;
  const before = config.enabled && previous?.enabled && previous.level ? LEVEL[previous.level] : null;
  const steer = steerByVolatility(basket.returns, basket.freq, config, before);
  const intervalSeconds = Math.round(schedule.everySeconds * steer.intervalMultiplier);
  const level = steer.level ? LABEL[steer.level] : null;
  return {
    steer,
    schedule: { everySeconds: intervalSeconds, driftThresholdBps: schedule.driftThresholdBps },
    riskLevel: level ?? "medium",
    status: {
      enabled: config.enabled,
      level,
      vol: steer.readings.map((r) => ({ lookbackHours: r.lookbackHours, annualised: r.annualisedVol })),
      intervalSeconds,
      intervalMultiplier: steer.intervalMultiplier,
      tradeFraction: steer.tradeFraction,
      reason: steer.reason,
    },
  };
}
