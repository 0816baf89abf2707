/**
 * The oracle / venue / portfolio-manager split the keeper grew from. An Oracle proposes target
 * weights, a Venue holds the assets and executes, and the PortfolioManager sits between them:
 * it refuses weights that do not sum to 1, exceed a cap, or name an asset the venue does not
 * hold, and converts the rest into the basis points a signed order carries.
 */
import { InvalidInputError } from "../core/errors.js";

export type Weights = Readonly<Record<string, number>>;

export interface OracleContext {
  /** Decision time, unix seconds (chain time). */
  readonly now: number;
  readonly currentWeights: Weights;
  /** Symbols the weights may name (base asset first): the venue's assets less any being removed. */
  readonly universe: readonly string[];
}

/**
 * The oracle refuses to give weights this cycle for a reason the operator must see (stale or
 * disputed market data, ...): the cycle is recorded as skipped with that reason, nothing is
 * signed, and the next cycle asks again.
 */
export class OracleHold {
  constructor(readonly reason: string) {}
}

/** A strategy behind a validated interface: symbol -> weight, null to hold, or a refusal. */
export interface Oracle {
  readonly name: string;
  targetWeights(context: OracleContext): Promise<Weights | OracleHold | null>;
}

export interface VenueAsset {
  readonly symbol: string;
  readonly address: string;
  readonly decimals: number;
  /** Largest weight the venue accepts for this asset, in bps. */
  readonly maxWeightBps: number;
}

export interface VenuePositions {
  readonly symbols: readonly string[];
  readonly weightsBps: readonly number[];
  /** NAV in USD (for reporting). */
  readonly navUsd: number;
  readonly navPerShare: number;
}

export interface Venue {
  /** Assets the venue holds, base asset first. */
  universe(): Promise<readonly VenueAsset[]>;
  positions(): Promise<VenuePositions>;
}

export interface ValidationOptions {
  /** Tolerance on the sum of weights before rejecting (floating-point noise). */
  readonly sumTolerance?: number;
  /** Extra per-asset cap from config (fraction), on top of the venue's caps. */
  readonly maxWeight?: number;
}

/** Validates target weights against the venue and returns bps aligned with `universe`. */
export function validateTargetWeights(
  target: Weights,
  universe: readonly VenueAsset[],
  options: ValidationOptions = {},
): number[] {
  const known = new Set(universe.map((a) => a.symbol));
  for (const [symbol, weight] of Object.entries(target)) {
    if (!known.has(symbol) && weight !== 0) {
      throw new InvalidInputError(`target names ${symbol}, which the venue does not hold`, { symbol });
    }
    if (!Number.isFinite(weight) || weight < 0)
      throw new InvalidInputError(`weight of ${symbol} is not >= 0`, { weight });
  }
  const sum = universe.reduce((s, a) => s + (target[a.symbol] ?? 0), 0);
  if (Math.abs(sum - 1) > (options.sumTolerance ?? 1e-6)) {
    throw new InvalidInputError(`target weights sum to ${sum}, not 1`, { sum });
  }
  const bps = toBps(universe.map((a) => target[a.symbol] ?? 0));
  universe.forEach((asset, i) => {
    const capBps = Math.min(asset.maxWeightBps, Math.round((options.maxWeight ?? 1) * 10_000));
    // The base asset (index 0) is the venue's cash: its cap does not apply.
    if (i > 0 && (bps[i] ?? 0) > capBps) {
      throw new InvalidInputError(`weight of ${asset.symbol} (${bps[i]} bps) exceeds its cap ${capBps} bps`, {
        symbol: asset.symbol,
      });
    }
  });
  return bps;
}

/**
 * Keeps only the weights of `allowed` symbols and rescales them to sum to 1 (an oracle that
 * does not know about a rotation may still name an asset being removed). The base asset
 * (first of `allowed`) takes everything when nothing else is left.
 */
export function restrictWeights(target: Weights, allowed: readonly string[]): Weights {
  const kept = Object.entries(target).filter(([s, w]) => allowed.includes(s) && w > 0);
  const sum = kept.reduce((a, [, w]) => a + w, 0);
  const base = allowed[0];
  if (!(sum > 0)) return base === undefined ? {} : { [base]: 1 };
  return Object.fromEntries(kept.map(([s, w]) => [s, w / sum]));
}

/** Largest-remainder rounding to integer bps that sum to exactly 10,000. */
export function toBps(weights: readonly number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (w / total) * 10_000);
  const floors = exact.map(Math.floor);
  let missing = 10_000 - floors.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (missing <= 0) break;
    floors[i] = (floors[i] ?? 0) + 1;
    missing--;
  }
  return floors;
}

/** Largest absolute distance between two weight vectors, in bps. */
export function maxDriftBps(current: readonly number[], target: readonly number[]): number {
  return current.reduce((m, c, i) => Math.max(m, Math.abs(c - (target[i] ?? 0))), 0);
}
