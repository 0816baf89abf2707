/**
 * PPO inference per keeper cycle: the time `LiveOracle.targetWeights` takes on a PPO release's
 * policy (default hidden sizes [64, 64], no forecast feature) for a 10-asset vault (9 assets +
 * USDC) over a 180-bar live panel: point-in-time view, feature construction, masked forward
 * pass, mapping back to symbols. The market snapshot is handed over in memory, so HTTP and RPC
 * time are not in the figure. Weights are random (inference cost does not depend on training).
 */
import type { MarketPanel } from "../keeper/src/core/types.js";
import { generateSyntheticMarket } from "../keeper/src/data/synthetic.js";
import { LiveOracle } from "../keeper/src/execution/liveOracle.js";
import { Prng } from "../keeper/src/strategy/math/prng.js";
import { strategyFromPolicy } from "../keeper/src/strategy/ppo/policyStrategy.js";
import { observationSize, parseFeatureConfig } from "../keeper/src/strategy/ppo/portfolioFeatures.js";
import { ppoConfigSchema } from "../keeper/src/strategy/ppo/ppoConfig.js";
import { PpoPolicy } from "../keeper/src/strategy/ppo/ppoPolicy.js";

function randomPolicy(universe: readonly string[]): PpoPolicy {
  const features = parseFeatureConfig({});
  const obs = observationSize(features, universe.length);
  const actions = universe.length + 1;
  const rng = new Prng(1);
  const layer = (inSize: number, outSize: number) => ({
    inSize,
    outSize,
    kernel: Array.from({ length: inSize * outSize }, () => 0.1 * rng.normal()),
    bias: Array.from({ length: outSize }, () => 0),
  });
  return PpoPolicy.fromJSON({
    format: "ballast-ppo-policy/1",
    observationSize: obs,
    actionSize: actions,
    config: ppoConfigSchema.parse({}),
    meta: { universe, baseSymbol: "USDC", features, decideEveryBars: 1 },
    actor: [layer(obs, 64), layer(64, 64), layer(64, actions)],
    critic: [layer(obs, 64), layer(64, 64), layer(64, 1)],
    logStd: Array.from({ length: actions }, () => -0.5),
    normalizer: { mean: new Array(obs).fill(0), var: new Array(obs).fill(1), count: 1, clip: 10 },
  });
}

export async function run(): Promise<void> {
  const full: MarketPanel = generateSyntheticMarket({ seed: 3, bars: 400, freq: "24h" });
  const symbols = full.assets.map((a) => a.symbol);
  const universe = symbols.filter((s) => s !== "USDC");
  const policy = randomPolicy(universe);
  const bars = 180;
  let t = bars - 1;
  const slice = (end: number): MarketPanel => ({
    ...full,
    timestamps: full.timestamps.slice(end - bars + 1, end + 1),
    close: full.close.map((r) => r.slice(end - bars + 1, end + 1)),
    volume: full.volume.map((r) => r.slice(end - bars + 1, end + 1)),
  });
  const oracle = new LiveOracle({
    name: "ppo",
    market: {
      snapshot: async () => {
        const panel = slice(t);
        const newest = panel.timestamps[bars - 1] as number;
        return { ok: true, panel, bars: {}, newestBarAt: newest, chainlinkUsd: {}, warning: null };
      },
    },
    strategy: (panel) => strategyFromPolicy(policy, panel, "ppo"),
    venueSymbols: symbols,
  });
  const weights = Object.fromEntries(symbols.map((s) => [s, 1 / symbols.length]));
  const times: number[] = [];
  for (let k = 0; k < 200; k++) {
    t = bars - 1 + (k % (full.timestamps.length - bars));
    const now = full.timestamps[t] as number;
    const started = performance.now();
    await oracle.targetWeights({ now, currentWeights: weights, universe: symbols });
    times.push(performance.now() - started);
  }
  const first = times[0] as number;
  const rest = times.slice(1).sort((a, b) => a - b);
  const q = (p: number) => rest[Math.min(rest.length - 1, Math.floor(p * rest.length))] as number;
  console.log("ppo inference per keeper cycle (LiveOracle.targetWeights, snapshot in memory)");
  console.log(
    `  vault: ${universe.length} assets + USDC; panel ${bars} bars; obs ${policy.observationSize}, hidden [64, 64]`,
  );
  console.log(`  first cycle (builds the strategy): ${first.toFixed(2)} ms`);
  console.log(
    `  next ${rest.length} cycles: median ${q(0.5).toFixed(3)} ms, p95 ${q(0.95).toFixed(3)} ms, max ${q(1).toFixed(3)} ms (target < 50 ms)`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
