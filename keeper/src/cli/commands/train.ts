/**
 * `train`: trains the PPO agent on the training block of a market CSV (the first third by
 * default, so the validation and test blocks stay unseen) and saves the policy, its observation
 * normaliser, config and asset layout to a folder.
 *
 *   train --data ../shared/data/market_daily.csv --out .ballast/ppo [--seed 0] [--steps 150000]
 *         [--train-fraction 0.3333] [--decide-every 1]
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DataError } from "../../core/errors.js";
import { loadMarketCsv } from "../../data/csv.js";
import { PpoPolicy } from "../../strategy/ppo/ppoPolicy.js";
import { initTf } from "../../strategy/ppo/tfBackend.js";
import { DEFAULT_PPO, trainPpoAgent } from "../../strategy/research/ppoAgent.js";
import { researchConfigSchema } from "../../strategy/research/researchConfig.js";
import { candidateAssets, researchEligibility } from "../../strategy/research/universe.js";
import { progressBar } from "../progress.js";
import { answerHelp, usageReporter } from "../usage.js";

const USAGE = `usage: train --out DIR [--data <csv>] [--seed N] [--steps N] [--train-fraction F] [--decide-every BARS]`;

export const POLICY_FILE = "policy.json";

export function savePolicyFolder(policy: PpoPolicy, dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, POLICY_FILE), JSON.stringify(policy.toJSON()));
}

export function loadPolicyFolder(dir: string): PpoPolicy {
  const path = join(dir, POLICY_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new DataError(`cannot read PPO policy ${path}`, { cause });
  }
  return PpoPolicy.fromJSON(raw, path);
}

export async function trainCommand(argv: string[]): Promise<number> {
  const help = answerHelp(argv, USAGE);
  if (help !== null) return help;
  const bad = usageReporter("train", USAGE);
  let values: {
    data?: string;
    out?: string;
    seed?: string;
    steps?: string;
    "train-fraction"?: string;
    "decide-every"?: string;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        data: { type: "string", default: "../shared/data/market_daily.csv" },
        out: { type: "string" },
        seed: { type: "string", default: "0" },
        steps: { type: "string", default: String(DEFAULT_PPO.totalSteps) },
        "train-fraction": { type: "string", default: String(1 / 3) },
        "decide-every": { type: "string", default: "1" },
      },
      strict: true,
    }));
  } catch (err) {
    return bad(err);
  }
  const seed = Number(values.seed);
  const steps = Number(values.steps);
  const fraction = Number(values["train-fraction"]);
  const decideEvery = Number(values["decide-every"]);
  if (
    !values.out ||
    !Number.isInteger(seed) ||
    !(steps > 0) ||
    !(fraction > 0 && fraction < 1) ||
    !(decideEvery >= 1)
  ) {
    return bad("need --out DIR; --seed integer, --steps > 0, --train-fraction in (0,1), --decide-every >= 1");
  }
  const { panel } = loadMarketCsv(values.data ?? "");
  const to = Math.floor(panel.timestamps.length * fraction) - 1;
  const { tf, backend } = await initTf((m) => console.error(m));
  console.log(`train: ${panel.assets.length} assets, training bars 0..${to}, backend ${backend}`);
  const bar = progressBar("train steps", "ppo [{bar}] {value}/{total} steps | reward/step {reward}");
  bar.start(steps, 0, { reward: "-" });
  const started = performance.now();
  const { policy } = await trainPpoAgent({
    tf,
    panel,
    universe: candidateAssets(panel),
    eligibility: researchEligibility(panel),
    assumptions: researchConfigSchema.parse({}).assumptions,
    from: 0,
    to,
    ppo: { seed, totalSteps: steps },
    settings: { decideEveryBars: decideEvery },
    onIteration: (s) => bar.update(Math.min(steps, s.steps), { reward: s.meanReward.toFixed(5) }),
  });
  bar.stop();
  savePolicyFolder(policy, values.out);
  console.log(`train: done in ${((performance.now() - started) / 1000).toFixed(1)} s; policy saved to ${values.out}`);
  return 0;
}
