/**
 * The simplest baselines every other strategy must beat: buy-and-hold, periodically rebalanced
 * equal weight, and a single asset (BTC, ETH). They read nothing but the current bar's prices
 * and `view.eligible`, so they are cheap enough to call on every bar of a long hourly backtest.
 *
 * Buy-and-hold and equal weight remember when they last traded. Create one instance per run;
 * an instance that sees time go backwards (a new run or an RL episode) starts afresh.
 */
import { z } from "zod";
import { ConfigError } from "../../core/errors.js";
import type { PointInTimeView, Strategy, WeightVector } from "../../core/types.js";

const optionsSchema = z.object({
  /** The vault's base asset (idle buffer): never part of the basket, receives what is not invested. */
  baseSymbol: z.string().min(1).default("USDC"),
  /** Stablecoins other than the base are left out of the basket unless this is true. */
  includeStablecoins: z.boolean().default(false),
});

export type SimpleBaselineOptions = z.input<typeof optionsSchema>;

const equalWeightSchema = optionsSchema.extend({ rebalanceEveryBars: z.number().int().min(1) });

function parse<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new ConfigError(`${what}: ${parsed.error.message}`);
  return parsed.data;
}

/** Eligible basket assets with a usable price at the decision bar. */
function basket(view: PointInTimeView, opts: z.output<typeof optionsSchema>): number[] {
  const out: number[] = [];
  const { assets, close } = view.panel;
  for (let i = 0; i < assets.length; i++) {
    const meta = assets[i]!;
    if (!view.eligible[i] || meta.symbol === opts.baseSymbol) continue;
    if (!opts.includeStablecoins && meta.category === "stablecoin") continue;
    const price = close[i]![view.t]!;
    if (price > 0 && Number.isFinite(price)) out.push(i);
  }
  return out;
}

/** 1/n over `members`; all in the base asset when the basket is empty; null if neither exists. */
function equalOver(view: PointInTimeView, members: readonly number[], baseSymbol: string): WeightVector | null {
  const n = view.panel.assets.length;
  const w = new Float64Array(n);
  if (members.length > 0) {
    for (const i of members) w[i] = 1 / members.length;
    return w;
  }
  const base = view.panel.assets.findIndex((a) => a.symbol === baseSymbol);
  if (base < 0 || !view.eligible[base]) return null;
  w[base] = 1;
  return w;
}

/** Equal weight over the eligible basket on its first call, then holds (weights drift) forever. */
export function buyAndHold(options: SimpleBaselineOptions = {}): Strategy {
  const opts = parse(optionsSchema, options, "buy-and-hold");
  let boughtAt = -1;
  return {
    name: "buy-and-hold",
    decide(view) {
      if (boughtAt >= 0 && view.t >= boughtAt) return null;
      const target = equalOver(view, basket(view, opts), opts.baseSymbol);
      // Only an actual basket counts as "bought": an all-cash start keeps waiting for assets.
      if (target?.some((v, i) => v > 0 && view.panel.assets[i]!.symbol !== opts.baseSymbol)) {
        boughtAt = view.t;
      }
      return target;
    },
  };
}

/**
 * Equal weight over the eligible basket, re-set every `rebalanceEveryBars` bars counted from
 * its first decision (so a run starting mid-day does not wait for a calendar boundary). Bars
 * are counted by their timestamps, not their index: the keeper's live panel is a window of
 * fixed length, whose last index never moves while its bars do.
 */
export function equalWeight(options: SimpleBaselineOptions & { rebalanceEveryBars: number }): Strategy {
  const opts = parse(equalWeightSchema, options, "equal-weight");
  let lastBarTime: number | null = null;
  return {
    name: `equal-weight(${opts.rebalanceEveryBars})`,
    decide(view) {
      const times = view.panel.timestamps;
      const now = times[view.t] as number;
      // A view earlier than the last decision is a new run (a backtest restarting): decide afresh.
      if (lastBarTime !== null && now >= lastBarTime && barsAfter(times, view.t, lastBarTime) < opts.rebalanceEveryBars)
        return null;
      lastBarTime = now;
      return equalOver(view, basket(view, opts), opts.baseSymbol);
    },
  };
}

/** How many of the bars `0..t` closed after `since` (timestamps ascend). */
function barsAfter(times: Float64Array, t: number, since: number): number {
  let n = 0;
  for (let i = t; i >= 0 && (times[i] as number) > since; i--) n++;
  return n;
}

/** Everything in one asset while it is eligible; holds (does not sell) while it is not. */
export function singleAsset(symbol: string): Strategy {
  if (symbol.length === 0) throw new ConfigError("single-asset: empty symbol");
  return {
    name: `single(${symbol})`,
    decide(view) {
      const i = view.panel.assets.findIndex((a) => a.symbol === symbol);
      if (i < 0) throw new ConfigError(`single-asset: ${symbol} is not in the panel`);
      const price = view.panel.close[i]![view.t]!;
      if (!view.eligible[i] || !(price > 0) || !Number.isFinite(price)) return null;
      const w = new Float64Array(view.panel.assets.length);
      w[i] = 1;
      return w;
    },
  };
}
