/**
 * Settings of the volatility steering (keeper/src/strategy/risk/volSteering.ts): thresholds of
 * the levels, hysteresis, and per level the rebalance interval multiplier and the share of the
 * move to the target one rebalance trades. Its own file so the keeper config and the strategy
 * layer share one schema. Off by default: the keeper then schedules and sizes as without it.
 */
import { z } from "zod";

const perLevel = <T extends z.ZodType>(schema: T) =>
  z.strictObject({ "very-low": schema, low: schema, medium: schema, high: schema, "very-high": schema });

export const DEFAULT_VOL_THRESHOLDS = [0.25, 0.45, 0.7, 1.0] as const;

export const volSteeringConfigSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** Upper edges (annualised vol) of very-low, low, medium, high; above the last is very-high. */
  thresholds: z
    .tuple([z.number().positive(), z.number().positive(), z.number().positive(), z.number().positive()])
    .default([...DEFAULT_VOL_THRESHOLDS])
    .refine((t) => t[0] < t[1] && t[1] < t[2] && t[2] < t[3], { message: "thresholds must increase" }),
  /** A lookback counts toward the level only with at least this many returns (1h of hourly bars has one). */
  minReturns: z.number().int().min(1).default(4),
  /** Fraction beyond a threshold the volatility must reach before the level changes. */
  hysteresis: z.number().min(0).max(0.5).default(0.1),
  /** Multiplies `schedule.everySeconds` per level: above 1 rebalances less often, below 1 more often. */
  intervalMultiplier: perLevel(z.number().positive().max(10)).default({
    "very-low": 2,
    low: 1.5,
    medium: 1,
    high: 0.5,
    "very-high": 0.25,
  }),
  /** Share of the distance to the target one rebalance trades, per level (1: all of it). */
  tradeFraction: perLevel(z.number().gt(0).max(1)).default({
    "very-low": 1,
    low: 1,
    medium: 1,
    high: 0.5,
    "very-high": 0.25,
  }),
});
export type VolSteeringConfig = z.output<typeof volSteeringConfigSchema>;
export type VolSteeringConfigInput = z.input<typeof volSteeringConfigSchema>;
