/**
 * The oracle / venue / portfolio-manager split the keeper grew from. An Oracle proposes target
 * weights, a Venue (core/venue.ts) holds the assets and executes, and the PortfolioManager sits
 * between them: it refuses weights that do not sum to 1, exceed a cap, or name an asset the
 * venue does not hold, and converts the rest into the basis points a signed order carries.
 */
import { WeightsRefusedError } from "../core/errors.js";
import type { VenueCapabilities, VenueMarket } from "../core/venue.js";

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
      throw new WeightsRefusedError("unknown-asset", `target names ${symbol}, which the venue does not hold`, {
        symbol,
      });
    }
    if (!Number.isFinite(weight)) throw new WeightsRefusedError("not-finite", `weight of ${symbol} is not a number`);
    if (weight < 0) {
      throw new WeightsRefusedError(
        "short-on-spot",
        `weight of ${symbol} is ${weight}: a spot vault cannot hold a short (weights must be >= 0)`,
        { symbol, weight },
      );
    }
  }
  const sum = universe.reduce((s, a) => s + (target[a.symbol] ?? 0), 0);
  if (Math.abs(sum - 1) > (options.sumTolerance ?? 1e-6)) {
    throw new WeightsRefusedError("sum-not-one", `target weights sum to ${sum}, not 1`, { sum });
  }
  const bps = toBps(universe.map((a) => target[a.symbol] ?? 0));
  universe.forEach((asset, i) => {
    const capBps = Math.min(asset.maxWeightBps, Math.round((options.maxWeight ?? 1) * 10_000));
    // The base asset (index 0) is the venue's cash: its cap does not apply.
    if (i > 0 && (bps[i] ?? 0) > capBps) {
      throw new WeightsRefusedError(
        "asset-above-cap",
        `weight of ${asset.symbol} (${bps[i]} bps) exceeds its cap ${capBps} bps`,
        { symbol: asset.symbol },
      );
    }
  });
  return bps;
}

export interface SignedWeightOptions {
  /** Extra caps from config, on top of the venue's (fractions of NAV). */
  readonly maxGross?: number;
  readonly maxNet?: number;
  readonly maxWeight?: number;
}

/**
 * Validates long/short target weights (signed fractions of net liquidity; the rest is margin
 * cash) for a venue whose `capabilities` say what it takes, and returns them keyed by symbol
 * with zeros for every market not named. A venue without shorts (a spot vault) refuses any
 * negative weight; use `validateTargetWeights` for it, which also converts to the vault's bps.
 * Every refusal is a `WeightsRefusedError` naming the rule.
 */
export function validateSignedWeights(
  target: Weights,
  markets: readonly VenueMarket[],
  capabilities: VenueCapabilities,
  options: SignedWeightOptions = {},
): Record<string, number> {
  const bySymbol = new Map(markets.map((m) => [m.symbol, m]));
  for (const [symbol, weight] of Object.entries(target)) {
    if (!Number.isFinite(weight)) throw new WeightsRefusedError("not-finite", `weight of ${symbol} is not a number`);
    if (!bySymbol.has(symbol) && weight !== 0) {
      throw new WeightsRefusedError("unknown-asset", `target names ${symbol}, which the venue does not list`, {
        symbol,
      });
    }
    if (weight < 0 && !capabilities.shorts) {
      throw new WeightsRefusedError(
        "short-on-spot",
        `weight of ${symbol} is ${weight}: this venue is a spot vault and cannot hold a short`,
        { symbol, weight },
      );
    }
  }
  const out: Record<string, number> = {};
  let gross = 0;
  let net = 0;
  const perAssetCap = options.maxWeight ?? 1;
  for (const market of markets) {
    const w = target[market.symbol] ?? 0;
    const cap = Math.min(market.maxWeightBps / 10_000, perAssetCap);
    if (Math.abs(w) > cap + 1e-9) {
      throw new WeightsRefusedError(
        "asset-above-cap",
        `weight of ${market.symbol} (${w}) exceeds its cap ${cap} of net liquidity`,
        { symbol: market.symbol, weight: w, cap },
      );
    }
    out[market.symbol] = w;
    gross += Math.abs(w);
    net += w;
  }
  const maxGross = Math.min(capabilities.maxGross, options.maxGross ?? Number.POSITIVE_INFINITY);
  if (gross > maxGross + 1e-9) {
    throw new WeightsRefusedError(
      "gross-above-cap",
      `gross leverage ${gross.toFixed(4)} exceeds the cap ${maxGross} (sum of |weight|)`,
      { gross, maxGross },
    );
  }
  const maxNet = Math.min(capabilities.maxNet, options.maxNet ?? Number.POSITIVE_INFINITY);
  if (Math.abs(net) > maxNet + 1e-9) {
    throw new WeightsRefusedError(
      "net-above-cap",
      `net exposure ${net.toFixed(4)} exceeds the cap ${maxNet} (|sum of weights|)`,
      { net, maxNet },
    );
  }
  if (capabilities.fullyInvested && Math.abs(net - 1) > 1e-6) {
    throw new WeightsRefusedError("sum-not-one", `target weights sum to ${net}, not 1`, { sum: net });
  }
  return out;
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

/** Per-asset caps (fractions): the venue's own, tightened by the config's `maxWeight`. */
export function weightCaps(universe: readonly VenueAsset[], maxWeight = 1): Readonly<Record<string, number>> {
  return Object.fromEntries(
    universe.map((a, i) => [a.symbol, i === 0 ? 1 : Math.min(maxWeight, a.maxWeightBps / 10_000)]),
  );
}

/**
 * Clips every weight above its cap to the cap and leaves the excess in the base asset (`base`):
 * a strategy or release that knows nothing of the vault's caps (a momentum release putting 100%
 * in one asset) trades to the nearest target the vault accepts instead of being refused every
 * cycle. Assets without a cap entry are left as they are (validation refuses them later).
 */
export function clipToCaps(
  target: Weights,
  caps: Readonly<Record<string, number>>,
  base: string,
): { readonly weights: Weights; readonly clipped: readonly string[] } {
  const clipped: string[] = [];
  let excess = 0;
  const weights: Record<string, number> = {};
  for (const [symbol, weight] of Object.entries(target)) {
    const cap = symbol === base ? 1 : caps[symbol];
    if (cap !== undefined && weight > cap) {
      clipped.push(symbol);
      excess += weight - cap;
      weights[symbol] = cap;
    } else weights[symbol] = weight;
  }
  if (excess > 0) weights[base] = (weights[base] ?? 0) + excess;
  return { weights, clipped };
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
