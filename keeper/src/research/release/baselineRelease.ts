/**
 * A release of a baseline an operator chose by hand, with no research behind it: the keeper
 * serves it like any release (its files, universe and schedule are checked the same way), and
 * its gate verdict says plainly that nothing was judged (not approved, no evidence), so no
 * status page or summary can mistake it for a research result.
 */
import { InvalidInputError } from "../../core/errors.js";
import { buildCandidates } from "../candidates.js";
import type { ResearchConfig } from "../researchConfig.js";
import { withoutNonFinite } from "./fromResearch.js";
import { gateRulesSchema } from "./gate.js";
import type { DataFingerprint, ReleaseManifestInput } from "./release.js";

/** The baselines a hand-made release may serve (the keeper's configured strategies). */
export const HAND_BASELINES = ["equal-weight", "inverse-vol", "min-variance"] as const;
export type HandBaseline = (typeof HAND_BASELINES)[number];

export interface BaselineReleaseInput {
  readonly family: HandBaseline;
  readonly cfg: ResearchConfig;
  /** The data the universe comes from (nothing was fitted on it). */
  readonly data: DataFingerprint;
  readonly universe: readonly string[];
  /** Who chose it, for the verdict's reason (e.g. "demo --strategy inverse-vol"). */
  readonly chosenBy: string;
  readonly now?: Date;
}

/** The family's first research candidate on the daily schedule (its default parameters). */
export function baselineRelease(input: BaselineReleaseInput): ReleaseManifestInput {
  const { family, cfg } = input;
  const candidate = buildCandidates(cfg).find((c) => c.family === family && c.schedule.label === "24h");
  if (!candidate) throw new InvalidInputError(`release: no daily ${family} candidate in the research config`);
  const served = { id: candidate.id, family };
  return {
    createdAt: (input.now ?? new Date()).toISOString(),
    producedBy: "operator",
    strategy: { id: candidate.id, family, params: candidate.params, policyFile: null },
    schedule: { label: candidate.schedule.label, decideEveryBars: candidate.schedule.decideEveryBars },
    universe: { base: cfg.baseSymbol, assets: [...input.universe] },
    researchConfig: withoutNonFinite(cfg) as Record<string, unknown>,
    data: input.data,
    gate: {
      approved: false,
      candidate: served,
      recommended: served,
      reasons: [`no research ran: ${input.chosenBy} chose this baseline by hand; nothing was judged`],
      rules: gateRulesSchema.parse({}),
      evidence: { blocks: [], excessSharpe: [], meanExcessSharpe: null, blocksBeaten: 0, deflatedSharpe: null },
    },
  };
}
