/**
 * A backtester for perpetual futures with long and short weights, the HyperLiquid way: one USD
 * margin account, positions in contracts, funding settled every hour on the position held at
 * the hour (a positive rate: longs pay shorts size * mark * rate), taker fees on every traded
 * notional, and cross-margin liquidation when equity falls below the maintenance margin.
 *
 * Timing, as in the spot backtester: the strategy decides at the close of bar t on the panel up
 * to t (point in time: it never sees funding or prices after t); the trade happens at the close
 * of bar t + lag at that bar's mark, paying the taker fee and a half-spread. Between trades,
 * equity = cash + sum(size * mark), where buying a contract moves its notional out of cash
 * (the same book-keeping as unrealised PnL on entry prices, with fewer moving parts).
 *
 * The strategy's weights are signed fractions of equity (a short is negative; what is left is
 * margin cash). They are clipped to the gross-leverage cap, scaled as a whole so the shape is
 * kept, and an asset without a mark at trade time is not traded.
 */
import { InvalidInputError } from "../core/errors.js";
import type { MarketPanel, Strategy } from "../core/types.js";
import { type PerformanceMetrics, performanceMetrics } from "./metrics.js";

export interface PerpBacktestOptions {
  readonly initialEquityUsd: number;
  /** Taker fee, bps of notional (HyperLiquid base tier 4.5). */
  readonly takerFeeBps: number;
  /** Half the bid-ask spread paid on top of the fee, bps. */
  readonly halfSpreadBps: number;
  /** Maintenance margin as a fraction of gross notional (HyperLiquid: half the initial margin at max leverage). */
  readonly maintenanceMargin: number;
  readonly maxGrossLeverage: number;
  /** Decide every this many bars. */
  readonly rebalanceEveryBars: number;
  /** Bars between a decision and its trade (>= 1 keeps it point in time). */
  readonly lagBars: number;
  /** First bar the strategy may decide on (warm-up for its lookback). */
  readonly startBar: number;
  readonly riskFreeRate?: number;
}

export interface PerpBacktestResult {
  readonly strategy: string;
  readonly timestamps: Float64Array;
  readonly equity: Float64Array;
  /** Equity before fees and spreads (funding included): for the cost drag. */
  readonly grossEquity: Float64Array;
  readonly metrics: PerformanceMetrics;
  /** USD paid in funding over the run (negative: received). */
  readonly fundingPaidUsd: number;
  readonly feesPaidUsd: number;
  readonly averageGrossLeverage: number;
  readonly averageNetExposure: number;
  readonly liquidations: number;
  readonly rebalances: number;
}

export function runPerpBacktest(
  panel: MarketPanel,
  funding: readonly Float64Array[],
  strategy: Strategy,
  opts: PerpBacktestOptions,
): PerpBacktestResult {
  const n = panel.assets.length;
  const bars = panel.timestamps.length;
  if (funding.length !== n || funding.some((row) => row.length !== bars)) {
    throw new InvalidInputError("runPerpBacktest: funding must have one row per asset and one value per bar");
  }
  if (!(opts.initialEquityUsd > 0) || opts.lagBars < 1 || opts.rebalanceEveryBars < 1) {
    throw new InvalidInputError("runPerpBacktest: need equity > 0, lag >= 1 and a rebalance period >= 1");
  }
  if (opts.startBar < 0 || opts.startBar + opts.lagBars >= bars) {
    throw new InvalidInputError("runPerpBacktest: start bar leaves no bar to trade on", { startBar: opts.startBar });
  }
  const cost = (opts.takerFeeBps + opts.halfSpreadBps) / 10_000;
  const size = new Float64Array(n);
  const mark = new Float64Array(n).fill(Number.NaN);
  let cash = opts.initialEquityUsd;
  let costs = 0;
  let fundingPaid = 0;
  let liquidations = 0;
  let rebalances = 0;
  let grossSum = 0;
  let netSum = 0;
  const queue = new Map<number, Float64Array>();
  const first = opts.startBar;
  const equity = new Float64Array(bars - first);
  const grossEquity = new Float64Array(bars - first);
  const turnover = new Float64Array(bars - first);
  const current = new Float64Array(n);

  const value = () => {
    let v = cash;
    for (let i = 0; i < n; i++) if (size[i] !== 0) v += (size[i] as number) * (mark[i] as number);
    return v;
  };

  for (let t = first; t < bars; t++) {
    for (let i = 0; i < n; i++) {
      const px = panel.close[i]?.[t] as number;
      if (Number.isFinite(px) && px > 0) mark[i] = px;
    }
    // Funding settles on the position held into the hour, before this bar's trade.
    for (let i = 0; i < n; i++) {
      const rate = funding[i]?.[t] as number;
      if (size[i] === 0 || !Number.isFinite(rate)) continue;
      const payment = (size[i] as number) * (mark[i] as number) * rate;
      cash -= payment;
      fundingPaid += payment;
    }
    let eq = value();
    const due = queue.get(t);
    if (due) {
      queue.delete(t);
      const traded = trade(due, eq);
      turnover[t - first] = traded / Math.max(eq, Number.MIN_VALUE);
      eq = value();
    }
    // Cross-margin liquidation at the bar's marks: everything is closed, paying the costs.
    let gross = 0;
    for (let i = 0; i < n; i++) gross += Math.abs((size[i] as number) * (mark[i] as number));
    if (gross > 0 && eq < gross * opts.maintenanceMargin) {
      liquidations++;
      trade(new Float64Array(n), eq);
      eq = value();
      gross = 0;
    }
    let net = 0;
    for (let i = 0; i < n; i++) net += (size[i] as number) * (mark[i] as number);
    grossSum += eq > 0 ? gross / eq : 0;
    netSum += eq > 0 ? net / eq : 0;
    equity[t - first] = Math.max(eq, 0);
    grossEquity[t - first] = Math.max(eq + costs, 0);
    if (eq <= 0) break;
    if ((t - first) % opts.rebalanceEveryBars === 0 && t + opts.lagBars < bars) {
      for (let i = 0; i < n; i++) current[i] = eq > 0 ? ((size[i] as number) * (mark[i] as number)) / eq : 0;
      const end = t + 1;
      const view = {
        panel: {
          ...panel,
          timestamps: panel.timestamps.subarray(0, end),
          close: panel.close.map((row) => row.subarray(0, end)),
          volume: panel.volume.map((row) => row.subarray(0, end)),
        },
        t,
        currentWeights: Float64Array.from(current),
        eligible: panel.assets.map((_, i) => Number.isFinite(panel.close[i]?.[t] as number)),
      };
      const target = strategy.decide(view);
      if (target) queue.set(t + opts.lagBars, capGross(target, opts.maxGrossLeverage));
    }
  }

  /** Moves every priced asset to `weights` of `eq`; returns the traded notional. */
  function trade(weights: Float64Array, eq: number): number {
    let notional = 0;
    for (let i = 0; i < n; i++) {
      const px = mark[i] as number;
      if (!Number.isFinite(px)) continue;
      const w = weights[i] ?? 0;
      const wanted = Number.isFinite(w) ? (w * eq) / px : 0;
      const delta = wanted - (size[i] as number);
      if (delta === 0) continue;
      const fee = Math.abs(delta) * px * cost;
      cash -= delta * px + fee;
      costs += fee;
      notional += Math.abs(delta) * px;
      size[i] = wanted;
    }
    if (notional > 0) rebalances++;
    return notional;
  }

  const metrics = performanceMetrics({
    nav: equity,
    grossNav: grossEquity,
    turnover,
    freq: panel.freq,
    riskFreeRate: opts.riskFreeRate ?? 0,
  });
  return {
    strategy: strategy.name,
    timestamps: panel.timestamps.subarray(first),
    equity,
    grossEquity,
    metrics,
    fundingPaidUsd: fundingPaid,
    feesPaidUsd: costs,
    averageGrossLeverage: grossSum / equity.length,
    averageNetExposure: netSum / equity.length,
    liquidations,
    rebalances,
  };
}

/** Scales signed weights down (never up) so that sum |w| <= cap; NaN weights become 0. */
export function capGross(weights: Float64Array, cap: number): Float64Array {
  const clean = Float64Array.from(weights, (w) => (Number.isFinite(w) ? w : 0));
  const gross = clean.reduce((s, w) => s + Math.abs(w), 0);
  if (gross <= cap) return clean;
  return clean.map((w) => (w * cap) / gross);
}
