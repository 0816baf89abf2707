/**
 * PPO benchmark: trains the default agent (research/ppoAgent.ts DEFAULT_PPO) on the training
 * block (first third) of the real daily data when ../shared/data is present, else on a seeded
 * synthetic market of the same shape. Reports environment steps per second during rollouts,
 * overall steps per second, the update share, and the wall time to train (target <= 3 min).
 */
import { existsSync } from "node:fs";
import { cpus } from "node:os";
import type { MarketPanel } from "../keeper/src/core/types.js";
import { loadMarketCsv } from "../keeper/src/data/csv.js";
import { generateSyntheticMarket } from "../keeper/src/data/synthetic.js";
import { DEFAULT_PPO, trainPpoAgent } from "../keeper/src/research/ppoAgent.js";
import { researchConfigSchema } from "../keeper/src/research/researchConfig.js";
import { candidateAssets, researchEligibility } from "../keeper/src/research/universe.js";
import { initTf } from "../keeper/src/strategy/ppo/tfBackend.js";

const DATA = "../shared/data/market_daily.csv";

function panelForBench(): { panel: MarketPanel; source: string } {
  if (existsSync(DATA)) return { panel: loadMarketCsv(DATA).panel, source: DATA };
  return {
    panel: generateSyntheticMarket({ seed: 1, bars: 1461, freq: "24h" }),
    source: "synthetic (../shared/data absent)",
  };
}

export async function run(): Promise<void> {
  const { tf, backend } = await initTf((m) => console.log(m));
  const { panel, source } = panelForBench();
  const to = Math.floor(panel.timestamps.length / 3) - 1;
  const universe = candidateAssets(panel);
  const started = performance.now();
  const { history, policy } = await trainPpoAgent({
    tf,
    panel,
    universe,
    eligibility: researchEligibility(panel),
    assumptions: researchConfigSchema.parse({}).assumptions,
    from: 0,
    to,
    ppo: { seed: 0 },
  });
  const wall = (performance.now() - started) / 1000;
  const steps = history.at(-1)?.steps ?? 0;
  const rollout = history.reduce((s, h) => s + h.rolloutSeconds, 0);
  const update = history.reduce((s, h) => s + h.updateSeconds, 0);
  console.log("ppo benchmark: default agent");
  console.log(
    `  machine: ${cpus().length} x ${cpus()[0]?.model ?? "?"}, node ${process.version}, tfjs backend ${backend}`,
  );
  console.log(`  data: ${source}; ${universe.length} assets + base, training bars 0..${to}`);
  console.log(
    `  agent: hidden ${JSON.stringify(DEFAULT_PPO.hiddenSizes)}, obs ${policy.observationSize}, actions ${policy.actionSize}, ${steps} steps, ${history.length} iterations`,
  );
  console.log(`  rollout env steps/s (simulator + policy forward): ${(steps / rollout).toFixed(0)}`);
  console.log(
    `  overall training steps/s: ${(steps / wall).toFixed(0)} (updates ${((100 * update) / wall).toFixed(0)}% of wall time)`,
  );
  console.log(`  wall time to train: ${wall.toFixed(1)} s (target <= 180 s)`);
  console.log(
    `  mean reward/step: first iteration ${history[0]?.meanReward.toExponential(2)}, last ${history.at(-1)?.meanReward.toExponential(2)}`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
