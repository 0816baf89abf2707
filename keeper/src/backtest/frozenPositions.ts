/**
 * What the simulator does with a position whose price stops: a token that is delisted,
 * migrated, or dropped by its data provider has no close after some bar. Left alone, the
 * position would sit at its last price forever with zero volatility and flatter the strategy
 * that held it, so the policy is explicit and every case is reported:
 * - `sell`: at the first bar after the series' last close, the position is sold into the base
 *   asset at that last close less `haircut` (a holder exits into a thinning market). The end
 *   of a series is a fact of the data, not a decision, so the simulator may know it.
 * - `markdown`: the position is held at its last close for `graceBars` bars without a price,
 *   then marked at the last close times (1 - haircut) until a price comes back (gaps and ends
 *   alike; point in time, no knowledge of the future needed).
 * - `hold`: the position keeps its last close (the old behaviour), reported only.
 */
import { z } from "zod";
import { ConfigError } from "../core/errors.js";

export const frozenPolicySchema = z.discriminatedUnion("policy", [
  z.object({ policy: z.literal("sell"), haircut: z.number().min(0).max(1).default(0.1) }),
  z.object({
    policy: z.literal("markdown"),
    graceBars: z.number().int().min(0).default(7),
    haircut: z.number().min(0).max(1).default(1),
  }),
  z.object({ policy: z.literal("hold") }),
]);

export type FrozenPolicyInput = z.input<typeof frozenPolicySchema>;
export type FrozenPolicy = z.output<typeof frozenPolicySchema>;

/** The default: sell at the last close less 10%. */
export const DEFAULT_FROZEN_POLICY: FrozenPolicy = { policy: "sell", haircut: 0.1 };

export function parseFrozenPolicy(input: FrozenPolicyInput): FrozenPolicy {
  const parsed = frozenPolicySchema.safeParse(input);
  if (!parsed.success) throw new ConfigError(`frozen-position policy: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** One application of the policy to one position. */
export interface FrozenPositionEvent {
  readonly symbol: string;
  readonly assetIndex: number;
  /** Last bar (panel index) with a close at or before `bar`. */
  readonly lastPricedBar: number;
  /** Bar where the policy acted (sold, marked down, or first held past the series' end). */
  readonly bar: number;
  readonly action: "sold" | "marked_down" | "held";
  /** Position value at its last close when the policy acted, USD. */
  readonly valueUsd: number;
  /** `valueUsd` as a fraction of the vault's total assets at that bar (before the policy). */
  readonly navFraction: number;
  /** Value lost to the haircut or markdown, USD (0 when held). */
  readonly lossUsd: number;
}

/** Last bar with a positive close per row, -1 when the row has none. */
export function lastPricedBars(close: readonly Float64Array[]): Int32Array {
  const out = new Int32Array(close.length).fill(-1);
  close.forEach((row, i) => {
    for (let t = row.length - 1; t >= 0; t--) {
      if ((row[t] as number) > 0) {
        out[i] = t;
        break;
      }
    }
  });
  return out;
}

/** Describes a policy in one phrase, for reports. */
export function describeFrozenPolicy(p: FrozenPolicy): string {
  switch (p.policy) {
    case "sell":
      return `sell at the last close less ${(p.haircut * 100).toFixed(1)}% on the first bar after a series ends`;
    case "markdown":
      return `hold at the last close for ${p.graceBars} bar(s) without a price, then mark down ${(p.haircut * 100).toFixed(1)}% until a price returns`;
    case "hold":
      return "hold at the last close (no correction; reported only)";
  }
}
