/**
 * Market-cap proxy baseline. The data set has no circulating supply, so size is proxied by
 * trailing median daily USD volume (a liquidity-weighted index, the closest thing to cap
 * weighting the data supports). Caveats, by design: volume sources differ per asset (all-venue
 * aggregates versus one exchange or perpetual futures), so the proxy over- or under-weights
 * some tokens; the median damps one-off spikes; assets without any volume in the window get 0.
 */
import { z } from "zod";
import type { PointInTimeView, Strategy, WeightVector } from "../../core/types.js";
import { baseIndex, riskyUniverse } from "../signals/universe.js";
import { allInBase, assemble, normaliseCapped } from "../signals/weights.js";
import { parseConfig } from "./parseConfig.js";

export const marketCapProxyConfigSchema = z.object({
  lookback: z.number().int().min(1).default(30),
  maxWeight: z.number().gt(0).max(1).default(0.4),
  baseSymbol: z.string().default("USDC"),
});

export class MarketCapProxyStrategy implements Strategy {
  readonly name: string;
  private readonly cfg: z.output<typeof marketCapProxyConfigSchema>;

  constructor(config: z.input<typeof marketCapProxyConfigSchema> = {}) {
    this.cfg = parseConfig(marketCapProxyConfigSchema, config, "market-cap proxy");
    this.name = `cap-proxy(${this.cfg.lookback})`;
  }

  decide(view: PointInTimeView): WeightVector | null {
    const n = view.panel.assets.length;
    const base = baseIndex(view, this.cfg.baseSymbol);
    const assets = riskyUniverse(view, this.cfg.lookback, { baseSymbol: this.cfg.baseSymbol });
    const raw = assets.map((i) => medianVolume(view.panel.volume[i]!, view.t, this.cfg.lookback));
    if (raw.every((v) => v === 0)) return allInBase(n, base);
    return assemble(n, assets, normaliseCapped(raw, 1, this.cfg.maxWeight), base);
  }
}

function medianVolume(volume: Float64Array, t: number, lookback: number): number {
  const values: number[] = [];
  for (let k = t - lookback + 1; k <= t; k++) {
    const v = volume[k]!;
    if (Number.isFinite(v) && v > 0) values.push(v);
  }
  if (values.length === 0) return 0;
  values.sort((a, b) => a - b);
  const mid = values.length >> 1;
  return values.length % 2 === 1 ? values[mid]! : 0.5 * (values[mid - 1]! + values[mid]!);
}
