/**
 * `train`: trains the PPO agent on the training block of a market CSV (the first third by
 * default, or up to `--train-end`, so later bars stay unseen) and saves the policy, its
 * observation normaliser, config and asset layout to a folder. The agent's assets are those
 * that had traded by the end of the training block (point in time). Then it scores the policy
 * against equal weight on the blocks after training and writes `<out>/release`, gated like
 * research's. `train --help` prints the flags.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DataError, InvalidInputError } from "../../core/errors.js";
import type { MarketPanel } from "../../core/types.js";
import { inferCsvFrequency, loadMarketCsv } from "../../data/csv.js";
import { barLabel } from "../../data/time.js";
import { DEFAULT_PPO, trainPpoAgent } from "../../research/ppoAgent.js";
import { gateInputFromResearch, releaseFromResearch } from "../../research/release/fromResearch.js";
import { type GateVerdict, runGate } from "../../research/release/gate.js";
import { POLICY_FILE as RELEASE_POLICY_FILE, REPORT_FILE, releaseFiles } from "../../research/release/release.js";
import { researchConfigSchema } from "../../research/researchConfig.js";
import { scoreOnTest, selectOnValidation } from "../../research/runResearch.js";
import { candidateAssets, researchEligibility } from "../../research/universe.js";
import { listedBy } from "../../strategy/ppo/assetSet.js";
import { PpoPolicy } from "../../strategy/ppo/ppoPolicy.js";
import { initTf } from "../../strategy/ppo/tfBackend.js";
import { barOf } from "../dateRange.js";
import { progressBar } from "../progress.js";
import { writeReleaseFolder } from "../releaseFolder.js";
import { answerHelp, usageReporter } from "../usage.js";

export const POLICY_FILE = "policy.json";

const USAGE = `usage: train --out DIR [--data <csv>] [--seed N] [--steps N] [--train-fraction F | --train-end DATE]
             [--decide-every BARS]
  --out              folder for the policy (required)
  --data             market CSV (default ../shared/data/market_daily.csv)
  --train-fraction   leading fraction of the bars to train on (default 0.3333)
  --train-end        last bar to train on, as the file labels it (instead of --train-fraction)
  --help             this text`;

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
    help?: boolean;
    "train-end"?: string;
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
        help: { type: "boolean", short: "h", default: false },
        "train-end": { type: "string" },
        data: { type: "string", default: "../shared/data/market_daily.csv" },
        out: { type: "string" },
        seed: { type: "string", default: "0" },
        steps: { type: "string", default: String(DEFAULT_PPO.totalSteps) },
        "train-fraction": { type: "string" },
        "decide-every": { type: "string", default: "1" },
      },
      strict: true,
    }));
  } catch (err) {
    return bad(err);
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values["train-fraction"] !== undefined && values["train-end"] !== undefined) {
    return bad("give --train-fraction or --train-end, not both");
  }
  const seed = Number(values.seed);
  const steps = Number(values.steps);
  const fraction = Number(values["train-fraction"] ?? 1 / 3);
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
  const data = values.data ?? "";
  if (!existsSync(data)) return bad(`data file not found: ${data}`);
  let panel: MarketPanel;
  let to: number;
  try {
    panel = loadMarketCsv(data, { freq: inferCsvFrequency(data) }).panel;
    const trainEnd = values["train-end"];
    to =
      trainEnd === undefined
        ? Math.floor(panel.timestamps.length * fraction) - 1
        : barOf(panel, "--train-end", trainEnd, "end");
  } catch (err) {
    if (err instanceof InvalidInputError || err instanceof DataError) return bad(err);
    throw err;
  }
  if (to < 1) return bad("the training block needs at least two bars");
  const universe = listedBy(panel, candidateAssets(panel), to);
  const { tf, backend } = await initTf((m) => console.error(m));
  console.log(
    `train: ${universe.length} assets traded by ${barLabel(panel.timestamps[to]!, panel.freq)} (${universe.map((i) => panel.assets[i]!.symbol).join(" ")}), training bars 0..${to}, backend ${backend}`,
  );
  const bar = progressBar("train steps", "ppo [{bar}] {value}/{total} steps | reward/step {reward}");
  bar.start(steps, 0, { reward: "-" });
  const started = performance.now();
  const { policy } = await trainPpoAgent({
    tf,
    panel,
    universe,
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
  let verdict: GateVerdict;
  try {
    verdict = writeTrainRelease({
      panel,
      policy: policy.withMeta({ seed }),
      fraction: (to + 1) / panel.timestamps.length,
      decideEvery,
      dataHash: createHash("sha256").update(readFileSync(data)).digest("hex"),
      dir: releaseDir,
    });
  } catch (err) {
    // The policy is saved; only the gate could not run (e.g. too few bars after training to
    // score on). No release is better than an ungated one.
    if (!(err instanceof InvalidInputError)) throw err;
    console.log(`train: no release written: ${err.message}`);
    return 0;
  }
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
