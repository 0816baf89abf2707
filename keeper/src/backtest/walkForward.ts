/**
 * Walk-forward evaluation: the history is cut into train / validation / test blocks; a strategy
 * is fitted on each window's train and validation bars and then traded, out of sample, on the
 * window's test bars. Test blocks are contiguous and do not overlap, so the stitched test
 * period is one continuous run (one portfolio, the strategy swapped at each block boundary).
 *
 * Layouts:
 * - "rolling": train windows of fixed length slide forward by the test length;
 * - "expanding": train windows all start at `from` and grow;
 * - "split": the classic single split, e.g. trainFraction 0.66 (66% train, 33% test).
 */
import { z } from "zod";
import { ConfigError } from "../core/errors.js";
import type { MarketPanel, PointInTimeView, Strategy, WeightVector } from "../core/types.js";
import { panelUpTo } from "../core/types.js";
import { type BacktestInput, type BacktestResult, runBacktest } from "./backtester.js";

const blocksSchema = z.object({
  trainBars: z.number().int().min(1),
  validationBars: z.number().int().min(0).default(0),
  testBars: z.number().int().min(1),
});

export const walkForwardSchema = z.discriminatedUnion("mode", [
  blocksSchema.extend({ mode: z.literal("rolling") }),
  blocksSchema.extend({ mode: z.literal("expanding") }),
  z.object({
    mode: z.literal("split"),
    trainFraction: z.number().gt(0).lt(1).default(0.66),
    validationFraction: z.number().min(0).lt(1).default(0),
  }),
]);

export type WalkForwardConfig = z.input<typeof walkForwardSchema>;

/** Bar ranges of one window, inclusive on both ends; validation is empty when from > to. */
export interface WalkForwardWindow {
  readonly train: { readonly from: number; readonly to: number };
  readonly validation: { readonly from: number; readonly to: number };
  readonly test: { readonly from: number; readonly to: number };
}

/** Windows over bars `from..to` (inclusive). */
export function walkForwardWindows(config: WalkForwardConfig, from: number, to: number): WalkForwardWindow[] {
  const parsed = walkForwardSchema.safeParse(config);
  if (!parsed.success) throw new ConfigError(`walk-forward config: ${parsed.error.message}`);
  const cfg = parsed.data;
  const bars = to - from + 1;
  if (cfg.mode === "split") {
    const trainEnd = from + Math.floor(bars * cfg.trainFraction) - 1;
    const valEnd = trainEnd + Math.floor(bars * cfg.validationFraction);
    if (trainEnd < from || valEnd >= to)
      throw new ConfigError("walk-forward split leaves no train or test bars", { bars });
    return [
      {
        train: { from, to: trainEnd },
        validation: { from: trainEnd + 1, to: valEnd },
        test: { from: valEnd + 1, to },
      },
    ];
  }
  const windows: WalkForwardWindow[] = [];
  const fitBars = cfg.trainBars + cfg.validationBars;
  for (let testFrom = from + fitBars; testFrom <= to; testFrom += cfg.testBars) {
    const trainFrom = cfg.mode === "rolling" ? testFrom - fitBars : from;
    const trainTo = testFrom - cfg.validationBars - 1;
    windows.push({
      train: { from: trainFrom, to: trainTo },
      validation: { from: trainTo + 1, to: testFrom - 1 },
      test: { from: testFrom, to: Math.min(to, testFrom + cfg.testBars - 1) },
    });
  }
  if (windows.length === 0)
    throw new ConfigError("walk-forward: history shorter than one train + test window", { bars });
  return windows;
}

/** Builds the strategy for one window; it may only look at `history` (bars up to validation end). */
export type StrategyFactory = (window: WalkForwardWindow, history: MarketPanel) => Strategy;

export interface WalkForwardResult {
  readonly windows: readonly WalkForwardWindow[];
  /** One continuous run over the stitched test blocks. */
  readonly result: BacktestResult;
}

export function runWalkForward(
  input: Omit<BacktestInput, "strategy"> & { readonly factory: StrategyFactory; readonly config: WalkForwardConfig },
): WalkForwardResult {
  const T = input.panel.timestamps.length;
  const from = input.settings?.from ?? 0;
  const to = input.settings?.to ?? T - 1;
  const windows = walkForwardWindows(input.config, from, to);
  const strategies = windows.map((w) => input.factory(w, panelUpTo(input.panel, w.validation.to)));
  const firstTest = windows[0]!.test.from;
  const lastTest = windows[windows.length - 1]!.test.to;
  const strategy: Strategy = {
    name: `walk-forward(${strategies[0]!.name})`,
    decide(view: PointInTimeView): WeightVector | null {
      // The window whose test block holds bar t; blocks are contiguous and ordered.
      let k = 0;
      while (k < windows.length - 1 && view.t > windows[k]!.test.to) k++;
      return strategies[k]!.decide(view);
    },
  };
  const result = runBacktest({ ...input, strategy, settings: { ...input.settings, from: firstTest, to: lastTest } });
  return { windows, result };
}
