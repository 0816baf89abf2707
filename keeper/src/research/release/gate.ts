/**
 * The release gate: may a research candidate go live? It approves only a candidate that, on
 * the blocks it was NOT selected on, beats the equal-weight baseline net of all costs and fees
 * by the stated margin, with a deflated Sharpe ratio above the stated threshold. Otherwise it
 * recommends the most robust baseline (chosen on the selection blocks, never on the blocks it
 * is judged on) and says why. Pure: it reads a small input type that today's single
 * validation/test split and a fold-based selection can both fill.
 *
 * The rule, exactly:
 *   excess_b  = candidate net Sharpe - equal-weight net Sharpe, on each out-of-selection block b
 *   approve  <=> mean_b(excess_b) >= margin
 *               and excess_b > 0 on at least half of the blocks
 *               and deflated Sharpe >= minDeflatedSharpe
 *               and the candidate is not the equal-weight baseline itself.
 */
import { z } from "zod";
import { InvalidInputError } from "../../core/errors.js";

/** One block's result, net of trading costs and fees. */
export interface BlockResult {
  readonly block: string;
  /** Annualised Sharpe ratio of the net NAV. */
  readonly netSharpe: number;
  readonly netReturn: number;
}

export interface GateCandidate {
  readonly id: string;
  readonly family: string;
  /** Blocks the candidate was selected on (for choosing a fallback baseline, never for judging). */
  readonly selection: readonly BlockResult[];
  /** Blocks it was not selected on: the ones the gate judges. */
  readonly outOfSelection: readonly BlockResult[];
}

export interface GateInput {
  readonly candidate: GateCandidate & { readonly deflatedSharpe: number };
  /** Equal weight, with results on the same blocks. */
  readonly equalWeight: GateCandidate;
  /** Baselines the gate may fall back to (equal weight is always one). */
  readonly baselines: readonly GateCandidate[];
}

export const gateRulesSchema = z.object({
  /** Least mean excess net Sharpe over equal weight, on the out-of-selection blocks. */
  margin: z.number().min(0).default(0.1),
  /** Least deflated Sharpe ratio (a probability) of the candidate. */
  minDeflatedSharpe: z.number().min(0).max(1).default(0.95),
});
export type GateRules = z.output<typeof gateRulesSchema>;

export const gateVerdictSchema = z.object({
  approved: z.boolean(),
  candidate: z.object({ id: z.string(), family: z.string() }),
  /** What to run: the candidate when approved, else the fallback baseline. */
  recommended: z.object({ id: z.string(), family: z.string() }),
  reasons: z.array(z.string()).min(1),
  rules: gateRulesSchema,
  evidence: z.object({
    blocks: z.array(z.string()),
    excessSharpe: z.array(z.number().nullable()),
    meanExcessSharpe: z.number().nullable(),
    blocksBeaten: z.number().int(),
    deflatedSharpe: z.number().nullable(),
  }),
});
export type GateVerdict = z.output<typeof gateVerdictSchema>;

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
const f2 = (x: number | null) => (x === null ? "n/a" : x.toFixed(2));

export function runGate(input: GateInput, rulesInput: z.input<typeof gateRulesSchema> = {}): GateVerdict {
  const rules = gateRulesSchema.parse(rulesInput);
  const { candidate, equalWeight } = input;
  const ew = new Map(equalWeight.outOfSelection.map((b) => [b.block, b.netSharpe]));
  const blocks = candidate.outOfSelection.map((b) => b.block);
  if (blocks.length === 0) throw new InvalidInputError("gate: the candidate has no out-of-selection block");
  const excess = candidate.outOfSelection.map((b) => {
    const base = ew.get(b.block);
    if (base === undefined) throw new InvalidInputError(`gate: equal weight has no result on block ${b.block}`);
    return b.netSharpe - base;
  });
  // A NaN Sharpe (flat NAV) counts as no excess: it never helps a candidate pass.
  const clean = excess.map((x) => (Number.isFinite(x) ? x : Number.NEGATIVE_INFINITY));
  const mean = clean.reduce((a, b) => a + b, 0) / clean.length;
  const beaten = clean.filter((x) => x > 0).length;
  const reasons: string[] = [];
  if (candidate.id === equalWeight.id) reasons.push("the candidate is the equal-weight baseline itself");
  if (!(mean >= rules.margin)) {
    reasons.push(
      `mean excess net Sharpe over equal weight on ${blocks.length} out-of-selection block(s) is ${f2(finite(mean))}, below the margin ${f2(rules.margin)}`,
    );
  }
  if (beaten * 2 < blocks.length) reasons.push(`beats equal weight on only ${beaten} of ${blocks.length} block(s)`);
  if (!(candidate.deflatedSharpe >= rules.minDeflatedSharpe)) {
    reasons.push(
      `deflated Sharpe ${f2(finite(candidate.deflatedSharpe))} is below the threshold ${f2(rules.minDeflatedSharpe)}`,
    );
  }
  const approved = reasons.length === 0;
  const fallback = approved ? null : robustBaseline(input);
  if (approved) {
    reasons.push(
      `beats equal weight by ${f2(mean)} net Sharpe on average over ${blocks.length} out-of-selection block(s) (margin ${f2(rules.margin)}), deflated Sharpe ${f2(candidate.deflatedSharpe)} >= ${f2(rules.minDeflatedSharpe)}`,
    );
  } else if (fallback) {
    reasons.push(
      `fallback: ${fallback.id}, the baseline with the best worst-block net Sharpe on the selection blocks (${f2(worst(fallback.selection))})`,
    );
  }
  const recommended = approved ? candidate : (fallback ?? equalWeight);
  return {
    approved,
    candidate: { id: candidate.id, family: candidate.family },
    recommended: { id: recommended.id, family: recommended.family },
    reasons,
    rules,
    evidence: {
      blocks,
      excessSharpe: excess.map(finite),
      meanExcessSharpe: finite(mean),
      blocksBeaten: beaten,
      deflatedSharpe: finite(candidate.deflatedSharpe),
    },
  };
}

function worst(results: readonly BlockResult[]): number {
  const xs = results.map((r) => (Number.isFinite(r.netSharpe) ? r.netSharpe : Number.NEGATIVE_INFINITY));
  return xs.length > 0 ? Math.min(...xs) : Number.NEGATIVE_INFINITY;
}

/** Max-min over the selection blocks; equal weight wins ties (the simplest is preferred). */
function robustBaseline(input: GateInput): GateCandidate {
  let best = input.equalWeight;
  for (const b of input.baselines) if (worst(b.selection) > worst(best.selection)) best = b;
  return best;
}
