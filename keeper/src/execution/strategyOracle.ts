/**
 * Puts a `Strategy` behind the Oracle interface: it shows the strategy the market panel up to
 * the decision time (never later bars), the vault's current weights aligned with the panel,
 * and only the venue's assets as eligible, then maps the answer back to symbols. It also reads
 * the current risk level from the basket's recent volatility.
 */
import { DataError } from "../core/errors.js";
import { lastBarAt, type MarketPanel, panelUpTo, type Strategy } from "../core/types.js";
import { type VolLevel, volatilityRegime } from "../strategy/risk/volatilityLevels.js";
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
   * Risk level of the portfolio the vault holds (`holdings`, weights by symbol) over the
   * visible history: the volatility of its weighted daily returns, the base asset included
   * (cash lowers the risk). Without holdings yet (before the first reading of the vault), an
   * equal-weight basket of the venue's assets. Assets without a price in the panel are left
   * out and the rest renormalised.
   */
  riskLevel(now: number, holdings: Weights = {}): RiskLabel {
    const t = this.barAt(now);
    const held = this.panel.assets.flatMap((a, i) => {
      const w = holdings[a.symbol] ?? 0;
      return w > 0 ? [{ row: this.panel.close[i], w }] : [];
    });
    const parts =
      held.length > 0
        ? held
        : this.panel.assets.flatMap((a, i) =>
            this.venueSymbols.includes(a.symbol) ? [{ row: this.panel.close[i], w: 1 }] : [],
          );
    const total = parts.reduce((sum, p) => sum + p.w, 0);
    const returns = new Float64Array(Math.max(0, t));
    for (let k = 1; k <= t; k++) {
      let simple = 0;
      for (const { row, w } of parts) simple += (w / total) * ((row?.[k] as number) / (row?.[k - 1] as number) - 1);
      returns[k - 1] = parts.length > 0 ? Math.log1p(simple) : 0;
    }
    const level = volatilityRegime(returns, this.panel.freq).level;
    return level ? LABEL[level] : "medium";
  }
}
