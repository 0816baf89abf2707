/**
 * Today's research output (one validation block to select on, one test block it was not
 * selected on) as the gate's input, and as the manifest of the release it produces. A
 * fold-based selection fills the same `GateInput` with one out-of-selection result per fold.
 */
import { InvalidInputError } from "../../core/errors.js";
import type { AssetMeta, MarketPanel } from "../../core/types.js";
import { barLabel } from "../../data/time.js";
import { buildCandidates } from "../candidates.js";
import type { ResearchConfig } from "../researchConfig.js";
import type { TestOutcome } from "../runResearch.js";
import type { Selection } from "../selection.js";
import { candidateAssets } from "../universe.js";
import type { BlockResult, GateCandidate, GateInput, GateVerdict } from "./gate.js";
import { POLICY_FILE, type ReleaseManifestInput, type ReleaseSchedule } from "./release.js";

/** Baseline families the gate may fall back to; the keeper can serve each of them. */
export const ROBUST_BASELINES = ["equal-weight", "inverse-vol", "min-variance"] as const;

export function gateInputFromResearch(selection: Selection, outcome: TestOutcome): GateInput {
  const { validation, test } = selection.blocks;
  const validationBlock = `validation bars ${validation.from}..${validation.to}`;
  const testBlock = `test bars ${test.from}..${test.to}`;
  const scores = new Map(selection.scores.map((s) => [s.id, s]));
  const rows = new Map(outcome.rows.map((r) => [r.config, r]));
  const candidateOf = (id: string): GateCandidate => {
    const score = scores.get(id);
    const row = rows.get(id);
    if (!score || !row) throw new InvalidInputError(`gate: research has no validation and test result for ${id}`);
    const sel: BlockResult = { block: validationBlock, netSharpe: score.sharpe, netReturn: score.annualisedReturn };
    const oos: BlockResult = { block: testBlock, netSharpe: row.test.sharpe, netReturn: row.test.annualisedReturn };
    return { id, family: score.family, selection: [sel], outOfSelection: [oos] };
  };
  const ewId = selection.chosenPerFamily["equal-weight"];
  if (!ewId) throw new InvalidInputError("gate: research ran without the equal-weight baseline");
  const baselines = ROBUST_BASELINES.flatMap((family) => {
    const id = selection.chosenPerFamily[family];
    return id ? [candidateOf(id)] : [];
  });
  return {
    candidate: { ...candidateOf(selection.chosenOverall), deflatedSharpe: selection.deflatedSharpe.deflatedSharpe },
    equalWeight: candidateOf(ewId),
    baselines,
  };
}

export interface ResearchReleaseInput {
  readonly panel: MarketPanel;
  readonly cfg: ResearchConfig;
  readonly selection: Selection;
  readonly verdict: GateVerdict;
  /** sha256 of the data file research read. */
  readonly dataHash: string;
  readonly producedBy: "research" | "train";
  readonly now?: Date;
}

/**
 * The manifest of the release research writes: it serves what the gate recommends (the
 * candidate when approved, else the fallback baseline), with that configuration's schedule.
 */
export function releaseFromResearch(input: ResearchReleaseInput): ReleaseManifestInput {
  const { panel, cfg, selection, verdict } = input;
  const id = verdict.recommended.id;
  const score = selection.scores.find((s) => s.id === id);
  if (!score) throw new InvalidInputError(`release: research has no configuration ${id}`);
  let schedule: ReleaseSchedule;
  if (score.family === "ppo") {
    const s = cfg.schedules.find((x) => x.label === score.schedule);
    if (!s) throw new InvalidInputError(`release: unknown schedule ${score.schedule}`);
    schedule = s;
  } else {
    const c = buildCandidates(cfg).find((x) => x.id === id);
    if (!c) throw new InvalidInputError(`release: ${id} is not a research candidate`);
    schedule = c.schedule;
  }
  // Dates as the data file writes them: the bar dated D closes at D+1 00:00 UTC.
  const date = (t: number) => barLabel(panel.timestamps[t] as number, "24h").slice(0, 10);
  const universe = candidateAssets(panel, cfg.baseSymbol).map((i) => (panel.assets[i] as AssetMeta).symbol);
  return {
    createdAt: (input.now ?? new Date()).toISOString(),
    producedBy: input.producedBy,
    strategy: {
      id,
      family: score.family,
      params: score.params,
      policyFile: score.family === "ppo" ? POLICY_FILE : null,
    },
    schedule: {
      label: schedule.label,
      decideEveryBars: schedule.decideEveryBars,
      ...(schedule.driftThreshold !== undefined ? { driftThreshold: schedule.driftThreshold } : {}),
    },
    universe: { base: cfg.baseSymbol, assets: universe },
    researchConfig: withoutNonFinite(cfg) as Record<string, unknown>,
    data: {
      sha256: input.dataHash,
      from: date(0),
      to: date(panel.timestamps.length - 1),
      bars: panel.timestamps.length,
      assets: panel.assets.map((a) => a.symbol),
    },
    gate: verdict,
  };
}

/**
 * The config without its NaN fields: JSON has no NaN, and in the research config NaN only
 * means "not set", which is what an absent field parses back to.
 */
export function withoutNonFinite(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNonFinite);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => typeof v !== "number" || Number.isFinite(v))
        .map(([k, v]) => [k, withoutNonFinite(v)]),
    );
  }
  return value;
}
