/**
 * The keeper's oracle on live market data: every call takes a fresh snapshot from the market
 * source (which appends the newest bar and reads Chainlink), refuses with the market's reason
 * when the data is stale or disputed, and otherwise asks the strategy on the snapshot's panel,
 * point in time, through `StrategyOracle`. The strategy is built once, from the first panel:
 * the panel's asset order is the market's symbol order, fixed for the keeper's life. `use`
 * replaces it (a rotation retrain's approved release) from the next call on.
 */
import type { MarketPanel, Strategy } from "../core/types.js";
import type { MarketReading, MarketSnapshot, MarketSource } from "../data/live/liveMarket.js";
import type { BasketReturns } from "../strategy/risk/volSteering.js";
import { type Oracle, type OracleContext, OracleHold, type Weights } from "./portfolioManager.js";
import { type RiskLabel, StrategyOracle } from "./strategyOracle.js";

export interface LiveOracleOptions {
  readonly name: string;
  readonly market: MarketSource;
  /** Builds the strategy for the market's panel layout (PPO maps its assets to panel rows). */
  readonly strategy: (panel: MarketPanel) => Strategy;
  readonly venueSymbols: readonly string[];
  /** Told about every reading (for the store, metrics and logs). */
  readonly onReading?: (reading: Awaited<ReturnType<MarketSource["snapshot"]>>) => void;
}

export class LiveOracle implements Oracle {
  private current: Pick<LiveOracleOptions, "name" | "strategy">;
  private strategy: Strategy | null = null;
  private last: MarketSnapshot | null = null;
  /** Chain time of the last snapshot taken (accepted or not). */
  private readAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly opts: LiveOracleOptions) {
    this.current = { name: opts.name, strategy: opts.strategy };
  }

  get name(): string {
    return this.current.name;
  }

  /** Serves another strategy from the next call on (built on that call's panel). */
  use(name: string, strategy: (panel: MarketPanel) => Strategy): void {
    this.current = { name, strategy };
    this.strategy = null;
  }

  /** The newest accepted snapshot (null before the first). */
  get lastSnapshot(): MarketSnapshot | null {
    return this.last;
  }

  async targetWeights(context: OracleContext): Promise<Weights | OracleHold | null> {
    const reading = await this.read(context.now);
    if (!reading.ok) return new OracleHold(`market data refused (${reading.code}): ${reading.reason}`);
    this.strategy ??= this.current.strategy(reading.panel);
    return new StrategyOracle(this.strategy, reading.panel, this.opts.venueSymbols).targetWeights(context);
  }

  /**
   * The held basket's returns for the volatility steering, on data at most `refreshSeconds` old:
   * between rebalances nothing else reads the market, and a jump must be seen before the next
   * scheduled one. Null while no snapshot was accepted.
   */
  async basketReturnsAt(now: number, holdings: Weights = {}, refreshSeconds = 3_600): Promise<BasketReturns | null> {
    if (now - this.readAt >= refreshSeconds) await this.read(now);
    if (!this.last || !this.strategy) return null;
    return new StrategyOracle(this.strategy, this.last.panel, this.opts.venueSymbols).basketReturns(now, holdings);
  }

  /** Takes a snapshot, tells `onReading`, and keeps it when accepted. */
  private async read(now: number): Promise<MarketReading> {
    const reading = await this.opts.market.snapshot(now);
    this.readAt = now;
    this.opts.onReading?.(reading);
    if (reading.ok) {
      this.last = reading;
      this.strategy ??= this.current.strategy(reading.panel);
    }
    return reading;
  }

  /** Risk level over the last accepted panel ("medium" before any). */
  riskLevel(now: number, holdings: Weights = {}): RiskLabel {
    if (!this.last || !this.strategy) return "medium";
    return new StrategyOracle(this.strategy, this.last.panel, this.opts.venueSymbols).riskLevel(now, holdings);
  }
}
