/**
 * Default trading-cost model and vault rules for backtests on real data, validated with zod.
 *
 * Costs (the same routes and numbers as the research runs, so results are comparable):
 * - Routes from USDC on Arbitrum Uniswap V3: ETH/BTC and their wrapped forms in a 5 bp pool;
 *   liquid staking tokens USDC -> WETH (5 bp) -> LST (1 bp); stablecoins in a 1 bp pool;
 *   everything else USDC -> WETH (5 bp) -> token (30 bp). Every hop pays its fee and impact.
 * - Pool depth unknown unless given: impact from the square-root model on trailing volume
 *   (k = 0.5). An asset without volume cannot be costed and is never traded.
 * - The USDC/WETH hub hop of multi-hop legs trades in a constant-product pool of $1B virtual
 *   depth: the Arbitrum One 5 bp pool held about $40M in 2024 (the local chain's market spec),
 *   and liquidity concentrated within +-10% of the price has virtual reserves about 21x its
 *   real ones (1 / (1 - 1/sqrt(1.1))), so $1B is a conservative round figure.
 * - Gas $0.30 per leg (Arbitrum), max slippage 3% per leg.
 * Vault rules: no fees, no max weight, 200% turnover cap, no cooldown and a 25 bp no-trade
 * band unless overridden, so that baselines are measured on their own terms.
 */
import { z } from "zod";
import { ConfigError } from "../core/errors.js";
import type { AssetMeta, MarketPanel } from "../core/types.js";
import type { CostConfig, VaultRules } from "./portfolioSim.js";

export const assumptionsSchema = z.object({
  sqrtImpactK: z.number().min(0).default(0.5),
  gasUsdPerLeg: z.number().min(0).default(0.3),
  maxSlippage: z.number().min(0).max(1).default(0.03),
  /** In-range pool depth in USD for every asset (NaN = unknown: square-root model). */
  poolDepthUsd: z.number().positive().or(z.nan()).default(Number.NaN),
  /** In-range (virtual) depth of the hub pool (USDC/WETH) that multi-hop legs cross. */
  hubDepthUsd: z.number().positive().default(1e9),
  /** Half-width of the active range as a fraction of price (NaN = unbounded). */
  rangeHalfWidth: z.number().positive().or(z.nan()).default(Number.NaN),
  managementFeeBps: z.number().min(0).max(200).default(0),
  performanceFeeBps: z.number().min(0).max(2_000).default(0),
  /** Max weight of every basket asset as a fraction (the base asset is uncapped). */
  maxWeight: z.number().gt(0).max(1).default(1),
  maxTurnoverBps: z.number().positive().max(20_000).default(20_000),
  cooldownSeconds: z.number().min(0).default(0),
  toleranceBps: z.number().min(0).default(25),
});

export type AssumptionsInput = z.input<typeof assumptionsSchema>;
export type Assumptions = z.output<typeof assumptionsSchema>;

const MAJORS = new Set(["ETH", "WETH", "BTC", "WBTC"]);

export function parseAssumptions(input: AssumptionsInput): Assumptions {
  const parsed = assumptionsSchema.safeParse(input);
  if (!parsed.success) throw new ConfigError(`backtest assumptions: ${parsed.error.message}`);
  return parsed.data;
}

/** Fee tiers of the route from the base asset to `asset`, one per hop. */
export function defaultRoute(asset: AssetMeta, baseSymbol: string): number[] {
  if (asset.symbol === baseSymbol) return [];
  if (asset.category === "stablecoin") return [0.0001];
  if (MAJORS.has(asset.symbol)) return [0.0005];
  if (asset.category === "lst") return [0.0005, 0.0001];
  return [0.0005, 0.003];
}

export function defaultCosts(panel: MarketPanel, baseSymbol: string, a: Assumptions): CostConfig {
  const n = panel.assets.length;
  return {
    feeTiers: panel.assets.map((asset) => defaultRoute(asset, baseSymbol)),
    poolDepthUsd: new Float64Array(n).fill(a.poolDepthUsd),
    rangeHalfWidth: new Float64Array(n).fill(a.rangeHalfWidth),
    hubDepthUsd: a.hubDepthUsd,
    sqrtImpactK: a.sqrtImpactK,
    gasUsdPerLeg: a.gasUsdPerLeg,
    maxSlippage: a.maxSlippage,
  };
}

export function defaultRules(panel: MarketPanel, baseIndex: number, a: Assumptions): VaultRules {
  return {
    managementFeeBps: a.managementFeeBps,
    performanceFeeBps: a.performanceFeeBps,
    maxWeightBps: Float64Array.from(panel.assets, (_, i) => (i === baseIndex ? 10_000 : a.maxWeight * 10_000)),
    maxTurnoverBps: a.maxTurnoverBps,
    cooldownSeconds: a.cooldownSeconds,
    toleranceBps: a.toleranceBps,
  };
}
