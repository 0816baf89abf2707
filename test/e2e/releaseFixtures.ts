/**
 * Release folders for the keeper's end-to-end tests. The policy is real (trained briefly on a
 * synthetic market with the vault's assets) but the gate verdicts are fixtures: these tests
 * exercise serving a release, not judging one (the gate has its own tests).
 */
import { writeReleaseFolder } from "../../keeper/src/cli/releaseFolder.js";
import { generateSyntheticMarket } from "../../keeper/src/data/synthetic.js";
import { trainPpoAgent } from "../../keeper/src/research/ppoAgent.js";
import { type GateCandidate, type GateRules, runGate } from "../../keeper/src/research/release/gate.js";
import {
  POLICY_FILE,
  REPORT_FILE,
  type ReleaseManifestInput,
  releaseFiles,
  sha256,
} from "../../keeper/src/research/release/release.js";
import { researchConfigSchema } from "../../keeper/src/research/researchConfig.js";
import { candidateAssets, researchEligibility } from "../../keeper/src/research/universe.js";
import { initTf } from "../../keeper/src/strategy/ppo/tfBackend.js";

export const PPO_ID = "ppo(seed=2)@24h";
const EW: GateCandidate = {
  id: "equal-weight()@24h",
  family: "equal-weight",
  selection: [{ block: "validation", netSharpe: 0.8, netReturn: 0 }],
  outOfSelection: [{ block: "test", netSharpe: 0.9, netReturn: 0 }],
};

function manifest(assets: readonly string[]): Omit<ReleaseManifestInput, "strategy" | "gate"> {
  return {
    createdAt: new Date(0).toISOString(),
    producedBy: "train",
    schedule: { label: "24h", decideEveryBars: 1 },
    universe: { base: "USDC", assets: [...assets] },
    researchConfig: { baseSymbol: "USDC" },
    data: {
      sha256: sha256("synthetic seed 21"),
      from: "2020-01-01",
      to: "2020-06-08",
      bars: 160,
      assets: ["USDC", ...assets],
    },
  };
}

/** A PPO release over `assets` (base USDC); returns its folder. */
export async function writePpoRelease(dir: string, assets: readonly string[]): Promise<string> {
  const panel = generateSyntheticMarket({ seed: 21, bars: 160, freq: "24h", assets: ["USDC", ...assets] });
  const { tf } = await initTf();
  const { policy } = await trainPpoAgent({
    tf,
    panel,
    universe: candidateAssets(panel),
    eligibility: researchEligibility(panel),
    assumptions: researchConfigSchema.parse({}).assumptions,
    from: 0,
    to: 100,
    ppo: {
      seed: 2,
      totalSteps: 256,
      numEnvs: 2,
      rolloutSteps: 64,
      minibatchSize: 64,
      epochs: 1,
      hiddenSizes: [16, 16],
    },
  });
  const gate = runGate({
    candidate: {
      id: PPO_ID,
      family: "ppo",
      selection: [{ block: "validation", netSharpe: 1, netReturn: 0 }],
      outOfSelection: [{ block: "test", netSharpe: 1.4, netReturn: 0 }],
      deflatedSharpe: 0.99,
    },
    equalWeight: EW,
    baselines: [],
  });
  const files = releaseFiles(
    {
      ...manifest(assets),
      strategy: { id: PPO_ID, family: "ppo", params: { seed: 2 }, policyFile: POLICY_FILE },
      gate,
    },
    { [POLICY_FILE]: JSON.stringify(policy.toJSON()), [REPORT_FILE]: "{}" },
  );
  writeReleaseFolder(dir, files);
  return dir;
}

/**
 * An equal-weight release over `assets` (the gate's fallback), judged by `rules` (a rotation
 * retrain is judged by the rules of the release in force); returns its folder.
 */
export function writeEqualWeightRelease(
  dir: string,
  assets: readonly string[],
  rules: Partial<GateRules> = {},
): string {
  const gate = runGate({ candidate: { ...EW, deflatedSharpe: 1 }, equalWeight: EW, baselines: [EW] }, rules);
  const strategy = { id: EW.id, family: EW.family, params: {}, policyFile: null };
  writeReleaseFolder(dir, releaseFiles({ ...manifest(assets), strategy, gate }, { [REPORT_FILE]: "{}" }));
  return dir;
}
