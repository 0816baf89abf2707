/**
 * The convex-optimizer strategy: mean-variance with L1 costs, turnover penalty, caps and a
 * budget, on a Ledoit-Wolf covariance. Expected returns are the trailing mean shrunk toward
 * zero (raw trailing means are mostly noise), optionally replaced by a forecaster's output.
 * Returns, risk and costs are all expressed over `horizonBars`, the expected holding period.
 *
 * The yield-aware variant: expected return = price model + adjusted APY where the asset earns
 * one. The APY at the decision bar comes from the panel's yields (data/yields, point in time)
 * and, where the panel has none, from the configured `yields` (a prior, or the snapshot a
 * release carries to the keeper). For an exchange-rate token (accrual "price": wstETH, rETH)
 * the price already grows with the yield, so the trailing mean is taken on the returns less
 * its current APY per bar: the yield is then counted once, unshrunk, and only the price part is
 * shrunk. A "balance" yield (rebasing, lending) is invisible in the price and is simply added.
 */
import { z } from "zod";
import type { PointInTimeView, Strategy, WeightVector } from "../core/types.js";
import { parseConfig } from "./baselines/parseConfig.js";
import { matrix } from "./math/linalg.js";
import { ledoitWolf } from "./optimizer/ledoitWolf.js";
import { optimizeMeanVariance } from "./optimizer/meanVariance.js";
import { logReturnRows } from "./signals/returns.js";
import { baseIndex, riskyUniverse } from "./signals/universe.js";
import { allInBase, assemble } from "./signals/weights.js";

export const meanVarianceStrategyConfigSchema = z.object({
  lookback: z.number().int().min(5).default(90),
  horizonBars: z.number().int().min(1).default(7),
  riskAversion: z.number().positive().default(5),
  /** Multiplier on the trailing mean (0 = pure risk model, 1 = raw historical mean). */
  meanShrink: z.number().min(0).max(1).default(0.25),
  costPerUnit: z.number().min(0).default(0.003),
  turnoverPenalty: z.number().min(0).default(0),
  maxWeight: z.number().gt(0).max(1).default(0.4),
  /** Annual yield per symbol (fraction), e.g. { STETH: 0.035 }, where the panel has no APY. */
  yields: z.record(z.string(), z.number()).default({}),
  /** How each configured yield accrues (default "balance": the price does not show it). */
  yieldAccrual: z.record(z.string(), z.enum(["price", "balance"])).default({}),
  /** Read the panel's APYs (data/yields); with `yields` empty and this false: the plain variant. */
  panelYields: z.boolean().default(false),
  baseSymbol: z.string().default("USDC"),
  /** The base asset can hold everything (cap 1) so the optimizer can de-risk fully. */
  investBase: z.boolean().default(true),
});
export type MeanVarianceStrategyConfig = z.input<typeof meanVarianceStrategyConfigSchema>;

/** Optional source of per-bar expected log returns for `assets` (e.g. the trend-seasonal forecaster). */
export type ReturnModel = (view: PointInTimeView, assets: readonly number[]) => Float64Array;

export class MeanVarianceStrategy implements Strategy {
  readonly name: string;
  private readonly cfg: z.output<typeof meanVarianceStrategyConfigSchema>;

  constructor(
    config: MeanVarianceStrategyConfig = {},
    private readonly returnModel?: ReturnModel,
    name?: string,
  ) {
    this.cfg = parseConfig(meanVarianceStrategyConfigSchema, config, "mean-variance strategy");
    const yieldAware = Object.keys(this.cfg.yields).length > 0 || this.cfg.panelYields;
    this.name = name ?? `mean-variance${yieldAware ? "+yield" : ""}(${this.cfg.lookback},g=${this.cfg.riskAversion})`;
  }

  decide(view: PointInTimeView): WeightVector | null {
    const n = view.panel.assets.length;
    const cfg = this.cfg;
    const base = baseIndex(view, cfg.baseSymbol);
    const risky = riskyUniverse(view, cfg.lookback, { baseSymbol: cfg.baseSymbol });
    if (risky.length === 0) return allInBase(n, base);
    const k = risky.length;
    const rows = logReturnRows(view, risky, cfg.lookback);
    const { cov } = ledoitWolf(rows);
    const barsPerYear = view.panel.freq === "1h" ? 8760 : 365;
    const annual = risky.map((i) => this.annualYield(view, i));
    const inPrice = risky.map((i, a) => annual[a] !== 0 && this.accrual(view, i) === "price");
    const mu = this.returnModel
      ? this.returnModel(view, risky)
      : trailingMean(exYield(rows, annual, inPrice, barsPerYear), k, cfg.meanShrink);

    // The base asset joins as a riskless option (zero return, zero variance beyond a tiny ridge).
    const withBase = base >= 0 && cfg.investBase;
    const m = withBase ? k + 1 : k;
    const H = cfg.horizonBars;
    const covH = matrix(m, m);
    const expected = new Float64Array(m);
    const yieldH = new Float64Array(m);
    const current = new Float64Array(m);
    const cap = new Float64Array(m);
    const cost = new Float64Array(m);
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < k; b++) covH.data[a * m + b] = cov.data[a * k + b]! * H;
      // Log to simple expected return over the horizon (adds half the variance back).
      expected[a] = mu[a]! * H + 0.5 * cov.data[a * k + a]! * H;
      yieldH[a] = (annual[a]! * H) / barsPerYear;
      current[a] = view.currentWeights[risky[a]!] ?? 0;
      cap[a] = cfg.maxWeight;
      cost[a] = cfg.costPerUnit;
    }
    if (withBase) {
      covH.data[k * m + k] = 1e-10;
      current[k] = view.currentWeights[base] ?? 0;
      cap[k] = 1;
    }
    const sumCurrent = current.reduce((s, v) => s + v, 0);
    if (sumCurrent > 0) for (let a = 0; a < m; a++) current[a] = current[a]! / sumCurrent;
    let capSum = 0;
    for (let a = 0; a < m; a++) capSum += cap[a]!;
    if (capSum < 1) for (let a = 0; a < m; a++) cap[a] = Math.max(cap[a]!, 1 / m);

    const sol = optimizeMeanVariance(
      { expectedReturn: expected, yield: yieldH, cov: covH, current, cost, cap },
      { riskAversion: cfg.riskAversion, turnoverPenalty: cfg.turnoverPenalty },
    );
    const riskyWeights = sol.w.subarray(0, k);
    return assemble(n, risky, riskyWeights, base);
  }

  /** Annual APY of asset `i` at the decision bar: the panel's, else the configured one, else 0. */
  private annualYield(view: PointInTimeView, i: number): number {
    const cfg = this.cfg;
    if (cfg.panelYields) {
      const v = view.panel.yields?.apy[i]?.[view.t];
      if (v !== undefined && Number.isFinite(v)) return v;
    }
    return cfg.yields[view.panel.assets[i]!.symbol] ?? 0;
  }

  private accrual(view: PointInTimeView, i: number): "price" | "balance" {
    const fromPanel = this.cfg.panelYields ? view.panel.yields?.accrual[i] : null;
    return fromPanel ?? this.cfg.yieldAccrual[view.panel.assets[i]!.symbol] ?? "balance";
  }
}

/**
 * Log returns less the yield of the assets whose price already carries it, at the APY known at
 * the decision (the lookback is short against how slowly staking APYs move).
 */
function exYield(
  rows: readonly Float64Array[],
  annual: readonly number[],
  inPrice: readonly boolean[],
  barsPerYear: number,
): readonly Float64Array[] {
  if (!inPrice.some(Boolean)) return rows;
  return rows.map((row) => {
    const out = Float64Array.from(row);
    for (let a = 0; a < out.length; a++) if (inPrice[a]) out[a] = out[a]! - Math.log1p(annual[a]!) / barsPerYear;
    return out;
  });
}

function trailingMean(rows: readonly Float64Array[], k: number, shrink: number): Float64Array {
  const mu = new Float64Array(k);
  for (const row of rows) for (let a = 0; a < k; a++) mu[a] = mu[a]! + row[a]! / rows.length;
  for (let a = 0; a < k; a++) mu[a] = mu[a]! * shrink;
  return mu;
}
