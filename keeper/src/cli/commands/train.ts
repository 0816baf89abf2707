/**
 * `train`: trains the PPO agent on the training block of a market CSV (the first third by
 * default, so the validation and test blocks stay unseen) and saves the policy, its observation
 * normaliser, config and asset layout to a folder; then scores it against equal weight on the
 * validation and test blocks and writes `<out>/release`, gated like research's.
 *
 *   train --data ../shared/data/market_daily.csv --out .ballast/ppo [--seed 0] [--steps 150000]
 *         [--train-fraction 0.3333] [--decide-every 1]
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import { DataError } from "../../core/errors.js";
import type { MarketPanel } from "../../core/types.js";
import { loadMarketCsv } from "../../data/csv.js";
import { gateInputFromResearch, releaseFromResearch } from "../../research/release/fromResearch.js";
import { type GateVerdict, runGate } from "../../research/release/gate.js";
import { POLICY_FILE as RELEASE_POLICY_FILE, REPORT_FILE, releaseFiles } from "../../research/release/release.js";
import { PpoPolicy } from "../../strategy/ppo/ppoPolicy.js";
import { initTf } from "../../strategy/ppo/tfBackend.js";
import { DEFAULT_PPO, trainPpoAgent } from "../../strategy/research/ppoAgent.js";
import { researchConfigSchema } from "../../strategy/research/researchConfig.js";
import { scoreOnTest, selectOnValidation } from "../../strategy/research/runResearch.js";
import { candidateAssets, researchEligibility } from "../../strategy/research/universe.js";
import { writeReleaseFolder } from "../releaseFolder.js";

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
    console.error(`train: ${(err as Error).message}`);
    return 2;
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
    console.error("train: need --out DIR; --seed integer, --steps > 0, --train-fraction in (0,1), --decide-every >= 1");
    return 2;
  }
  const { panel } = loadMarketCsv(values.data ?? "");
  const to = Math.floor(panel.timestamps.length * fraction) - 1;
  const { tf, backend } = await initTf((m) => console.error(m));
  console.log(`train: ${panel.assets.length} assets, training bars 0..${to}, backend ${backend}`);
  const bar = new cliProgress.SingleBar(
    { format: "ppo [{bar}] {value}/{total} steps | reward/step {reward}" },
    cliProgress.Presets.shades_classic,
  );
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
  const releaseDir = join(values.out, "release");
  const verdict = writeTrainRelease({
    panel,
    policy: policy.withMeta({ seed }),
    fraction,
    decideEvery,
    dataHash: createHash("sha256")
      .update(readFileSync(values.data ?? ""))
      .digest("hex"),
    dir: releaseDir,
  });
  console.log(
    `train: gate ${verdict.approved ? "APPROVED" : "did not approve"} ${verdict.candidate.id}; release ${releaseDir} serves ${verdict.recommended.id}`,
  );
  for (const reason of verdict.reasons) console.log(`  - ${reason}`);
  return 0;
}

/**
 * The policy against equal weight, selected on the validation block and judged by the gate on
 * the test block (the blocks after the training block, split in two), written as a release.
 */
function writeTrainRelease(args: {
  panel: MarketPanel;
  policy: PpoPolicy;
  fraction: number;
  decideEvery: number;
  dataHash: string;
  dir: string;
}): GateVerdict {
  const { panel, policy } = args;
  const cfg = researchConfigSchema.parse({
    trainFraction: args.fraction,
    validationFraction: (1 - args.fraction) / 2,
    families: ["equal-weight"],
    schedules: [{ label: `${24 * args.decideEvery}h`, decideEveryBars: args.decideEvery }],
    ppo: { seeds: [policy.meta.seed], decideEveryBars: args.decideEvery },
  });
  const selection = selectOnValidation(panel, cfg, [policy], { dataHash: args.dataHash, configHash: "train" });
  const outcome = scoreOnTest(panel, cfg, selection, [policy]);
  const verdict = runGate(gateInputFromResearch(selection, outcome));
  const manifest = releaseFromResearch({
    panel,
    cfg,
    selection,
    verdict,
    dataHash: args.dataHash,
    producedBy: "train",
  });
  const report = JSON.stringify(
    {
      research: { dataHash: args.dataHash, blocks: selection.blocks, validation: selection.scores, test: outcome.rows },
    },
    (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v),
  );
  const attachments: Record<string, string> = { [REPORT_FILE]: report };
  if (manifest.strategy.family === "ppo") attachments[RELEASE_POLICY_FILE] = JSON.stringify(policy.toJSON());
  writeReleaseFolder(args.dir, releaseFiles(manifest, attachments));
  return verdict;
}
