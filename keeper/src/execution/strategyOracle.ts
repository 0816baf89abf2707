/**
 * Puts a `Strategy` behind the Oracle interface: it shows the strategy the market panel up to
 * the decision time (never later bars), the vault's current weights aligned with the panel,
 * and only the venue's assets as eligible, then maps the answer back to symbols. It also reads
 * the current risk level from the basket's recent volatility.
 */
import { DataError } from "../core/errors.js";
import { lastBarAt, type MarketPanel, panelUpTo, type Strategy } from "../core/types.js";
import { type VolLevel, volatilityRegime } from "../strategy/risk/volatilityLevels.js";
import { type BasketReturns, basketLogReturns, steeringWindowBars } from "../strategy/risk/volSteering.js";
import type { Oracle, OracleContext, Weights } from "./portfolioManager.js";

export type RiskLabel = "very low" | "low" | "medium" | "high" | "very high";

const LABEL: Readonly<Record<VolLevel, RiskLabel>> = {
  "very-low": "very low",
  low: "low",
  medium: "medium",
  high: "high",
  "very-high": "very high",
};

export class StrategyOracle implements Oracle {
  readonly name: string;

  constructor(
    private readonly strategy: Strategy,
    private readonly panel: MarketPanel,
    private readonly venueSymbols: readonly string[],
  ) {
    this.name = strategy.name;
  }

  /** Index of the last bar closed at or before `now`. */
  barAt(now: number): number {
    const t = lastBarAt(this.panel, now);
    if (t < 0) throw new DataError(`no market data at or before ${now}`);
    return t;
  }

  /**
   * Weights over the assets the venue may hold now (`context.universe`: during a rotation,
   * the vault's assets less those being removed; an added asset only once the vault has it).
   * A strategy without a fitted state recomputes on the new universe at every call, which is
   * what "reselect at rotation" means for the baselines served here.
   */
  async targetWeights(context: OracleContext): Promise<Weights | null> {
    const t = this.barAt(context.now);
    const view = {
      panel: panelUpTo(this.panel, t),
      t,
      currentWeights: Float64Array.from(this.panel.assets, (a) => context.currentWeights[a.symbol] ?? 0),
      eligible: this.panel.assets.map((a) => context.universe.includes(a.symbol)),
    };
    const weights = this.strategy.decide(view);
    if (weights === null) return null;
    const out: Record<string, number> = {};
    this.panel.assets.forEach((a, i) => {
      const w = weights[i] ?? 0;
      if (w !== 0) out[a.symbol] = w;
    });
    return out;
  }

  /**
   * Per-bar log returns, over the steering window (168 h) ending at `now`, of the portfolio the
   * vault holds (`holdings`, weights by symbol), the base asset included (cash lowers the
   * risk). Without holdings yet (before the first reading of the vault), an equal-weight basket
   * of the venue's assets. Assets without a price in a step are left out of it.
   */
  basketReturns(now: number, holdings: Weights = {}): BasketReturns {
    const t = this.barAt(now);
    const held = this.panel.assets.map((a) => Math.max(0, holdings[a.symbol] ?? 0));
    const weights = held.some((w) => w > 0)
      ? held
      : this.panel.assets.map((a) => (this.venueSymbols.includes(a.symbol) ? 1 : 0));
    const returns = basketLogReturns(this.panel.close, weights, t, steeringWindowBars(this.panel.freq));
    return { returns, freq: this.panel.freq };
  }

  /** Risk level of the held portfolio (see `basketReturns`), without steering's hysteresis. */
  riskLevel(now: number, holdings: Weights = {}): RiskLabel {
    const { returns, freq } = this.basketReturns(now, holdings);
    const level = volatilityRegime(returns, freq).level;
    return level ? LABEL[level] : "medium";
  }
}
