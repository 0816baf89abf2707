/**
 * Where a rotation gets its new universe: the point-in-time classifier run on the market
 * panel up to the decision time (the classifier truncates the panel itself, so no later bar
 * is visible). The summary keeps each token's first reason, so the rotation record says what
 * decided it. Ranked mode is the default here (a universe that always holds the best tokens
 * passing the filters); a shortfall below the minimum makes the rotation keep the universe it
 * has ("hold"), the only policy a rotation can carry out by itself.
 */
import { classifyUniverse } from "../classifier/classify.js";
import { type ClassifierConfigInput, parseClassifierConfig } from "../classifier/config.js";
import { ConfigError, DataError } from "../core/errors.js";
import { lastBarAt, type MarketPanel } from "../core/types.js";

export interface UniverseSelection {
  /** Chain time of the bar the classifier decided on. */
  readonly asOf: number;
  readonly selected: readonly string[];
  /** The deciding reason per token (a failed rule, or its rank). */
  readonly reasons: Readonly<Record<string, string>>;
  /** Set when fewer than the minimum were selected: the rotation keeps the current universe. */
  readonly shortfall?: string;
}

export interface UniverseSource {
  /** `held`: the vault's basket now (the classifier's hysteresis keeps these within its buffer). */
  select(now: number, held?: readonly string[]): Promise<UniverseSelection>;
}

export class ClassifierUniverse implements UniverseSource {
  private readonly config: ClassifierConfigInput;

  constructor(
    private readonly panel: MarketPanel,
    config: ClassifierConfigInput = {},
  ) {
    this.config = { mode: "ranked", ...config };
    if (parseClassifierConfig(this.config).belowMinimum !== "hold") {
      throw new ConfigError("classifier.belowMinimum: a rotation can only hold its universe on a shortfall (use hold)");
    }
  }

  async select(now: number, held: readonly string[] = []): Promise<UniverseSelection> {
    const t = lastBarAt(this.panel, now);
    if (t < 0) throw new DataError(`classifier: no market data at or before ${now}`);
    const decision = classifyUniverse(this.panel, t, this.config, { held });
    return {
      asOf: decision.timestamp,
      selected: decision.selected,
      reasons: Object.fromEntries(decision.decisions.map((d) => [d.symbol, d.reasons[0] ?? ""])),
      ...(decision.shortfall ? { shortfall: decision.shortfall.message } : {}),
    };
  }
}
