/**
 * What the selection step decides, as a zod schema: the research CLI caches it as JSON next to
 * the data hash and reloads it (validated) so a cached choice is reused, never re-tuned.
 */
import { z } from "zod";

const blockSchema = z.object({ from: z.number().int(), to: z.number().int() });
export type Block = z.output<typeof blockSchema>;

export const blocksSchema = z.object({ train: blockSchema, validation: blockSchema, test: blockSchema });
export type Blocks = z.output<typeof blocksSchema>;

/** NaN and Infinity travel through JSON as null. */
const metric = z
  .number()
  .nullable()
  .transform((v) => v ?? Number.NaN);

export const validationScoreSchema = z.object({
  id: z.string(),
  family: z.string(),
  params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
  schedule: z.string(),
  sharpe: metric,
  annualisedReturn: metric,
  maxDrawdown: metric,
  turnoverAnnualised: metric,
  /** Per-bar Sharpe ratio (for the deflated Sharpe ratio). */
  perBarSharpe: metric,
});
export type ValidationScore = z.output<typeof validationScoreSchema>;

export const selectionSchema = z.object({
  version: z.literal(1),
  dataHash: z.string(),
  configHash: z.string(),
  blocks: blocksSchema,
  scores: z.array(validationScoreSchema),
  chosenPerFamily: z.record(z.string(), z.string()),
  /** Best validation Sharpe among non-reference families (PPO as its seed average). */
  chosenOverall: z.string(),
  ppo: z.object({ seeds: z.array(z.number().int()), schedule: z.string() }).nullable(),
  /** On the validation returns of the overall choice, deflated by every trial. */
  deflatedSharpe: z.object({
    deflatedSharpe: metric,
    benchmarkSharpe: metric,
    observedSharpe: metric,
    trials: z.number().int(),
  }),
  pbo: z.object({ pbo: metric, splits: z.number().int(), configurations: z.number().int() }),
});
export type Selection = z.output<typeof selectionSchema>;
