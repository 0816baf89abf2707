/**
 * External scores behind the Oracle interface, for the keeper on any venue. Every call reads
 * the source afresh (a file the meta-model rewrites, or its HTTP endpoint), takes the newest
 * snapshot known at the decision time, and holds with the reason when the source cannot be
 * read, is malformed, stale, not finite or covers too little of the venue's universe: the
 * cycle is recorded as skipped and nothing is signed. Otherwise the scores become weights
 * (strategy/signals/scoreWeights.ts): long/short for a venue that allows shorts, long only
 * (summing to 1 over the scored assets, the cash asset at 0) for a spot vault.
 */
import { BallastError } from "../core/errors.js";
import { type ScoreHistory, snapshotAt } from "../core/signals.js";
import { checkScores, type ScorePolicy, weightsFromScores } from "../strategy/signals/scoreWeights.js";
import { type Oracle, type OracleContext, OracleHold, type Weights } from "./portfolioManager.js";

export interface SignalOracleOptions {
  readonly name: string;
  /** Reads the scores (loadScoreFile or fetchScores, bound to a path or URL). */
  readonly read: () => Promise<ScoreHistory>;
  readonly policy: ScorePolicy;
  /** Symbols never scored (a spot vault's base asset: cash). */
  readonly cash?: readonly string[];
}

export class SignalOracle implements Oracle {
  readonly name: string;

  constructor(private readonly options: SignalOracleOptions) {
    this.name = options.name;
  }

  async targetWeights(context: OracleContext): Promise<Weights | OracleHold> {
    let history: ScoreHistory;
    try {
      history = await this.options.read();
    } catch (error) {
      if (error instanceof BallastError)
        return new OracleHold(`signal source refused (${error.code}): ${error.message}`);
      throw error;
    }
    const cash = new Set(this.options.cash ?? []);
    const universe = context.universe.filter((s) => !cash.has(s));
    const check = checkScores(snapshotAt(history, context.now), universe, context.now, this.options.policy);
    if (!check.ok) return new OracleHold(`signal refused: ${check.reason}`);
    return weightsFromScores(check.scores, this.options.policy);
  }
}
