/** Small hand-made and seeded panels for the backtest tests. */

import type { CostConfig, VaultRules } from "../../../keeper/src/backtest/portfolioSim.js";
import type { AssetCategory, Frequency, MarketPanel } from "../../../keeper/src/core/types.js";
import { SECONDS_PER_BAR } from "../../../keeper/src/core/types.js";

export const T0 = 1_704_067_200; // 2024-01-01T00:00:00Z

/** A panel from explicit closes (one row per asset); volume defaults to a constant per asset. */
export function handPanel(args: {
  symbols: readonly string[];
  closes: readonly (readonly number[])[];
  volumes?: readonly (readonly number[])[];
  freq?: Frequency;
  categories?: readonly AssetCategory[];
}): MarketPanel {
  const freq = args.freq ?? "24h";
  const T = args.closes[0]!.length;
  return {
    freq,
    timestamps: Float64Array.from({ length: T }, (_, t) => T0 + t * SECONDS_PER_BAR[freq]),
    assets: args.symbols.map((symbol, i) => ({
      symbol,
      category: args.categories?.[i] ?? (symbol === "USDC" ? "stablecoin" : "l1"),
      decimals: symbol === "USDC" ? 6 : 18,
    })),
    close: args.closes.map((row) => Float64Array.from(row)),
    volume: args.closes.map((row, i) => Float64Array.from(args.volumes?.[i] ?? row.map(() => 1e9))),
  };
}

/** mulberry32: tiny seeded uniform generator. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let z = a;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Geometric random walks: asset 0 is USDC at 1, the others start at 100 with daily vol ~4%. */
export function randomPanel(seed: number, assets: number, bars: number, freq: Frequency = "24h"): MarketPanel {
  const rand = seeded(seed);
  const symbols = ["USDC", ...Array.from({ length: assets - 1 }, (_, i) => `A${i + 1}`)];
  const sigma = freq === "24h" ? 0.04 : 0.04 / Math.sqrt(24);
  const closes = symbols.map((s) => {
    const row: number[] = [];
    let p = s === "USDC" ? 1 : 100;
    for (let t = 0; t < bars; t++) {
      if (s !== "USDC") p *= Math.exp(sigma * (rand() + rand() + rand() - 1.5) * 2);
      row.push(p);
    }
    return row;
  });
  const volumes = symbols.map(() => Array.from({ length: bars }, () => 5e7 * (0.5 + rand())));
  return handPanel({ symbols, closes, volumes, freq });
}

export function zeroCosts(n: number): CostConfig {
  return {
    feeTiers: Array.from({ length: n }, () => []),
    poolDepthUsd: new Float64Array(n).fill(Number.POSITIVE_INFINITY),
    sqrtImpactK: 0,
    gasUsdPerLeg: 0,
    maxSlippage: 1,
  };
}

export function looseRules(n: number, overrides: Partial<VaultRules> = {}): VaultRules {
  return {
    managementFeeBps: 0,
    performanceFeeBps: 0,
    maxWeightBps: new Float64Array(n).fill(10_000),
    maxTurnoverBps: 20_000,
    cooldownSeconds: 0,
    toleranceBps: 0,
    ...overrides,
  };
}

/**
 * |actual - expected| <= tol. Chai's closeTo cannot be used on floats here: Hardhat's chai
 * matchers override it for bigints and reject non-integer numbers.
 */
export function expectNear(actual: number, expected: number, tol: number, what = "value"): void {
  if (!(Math.abs(actual - expected) <= tol)) {
    throw new Error(`${what}: expected ${expected} +/- ${tol}, got ${actual}`);
  }
}
