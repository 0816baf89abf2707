/**
 * Fold generators over an evaluation span, both purged and embargoed (Lopez de Prado, 2018):
 * - purge: the `purgeBars` bars before every scored block leave the select bars, so no
 *   return a selection sees overlaps the horizon of a decision scored in the block;
 * - embargo: the `embargoBars` bars after every scored block leave the select bars too, so
 *   serial correlation right after a block cannot carry its information back into a selection.
 *
 * Walk-forward: the span is cut into `folds + 1` equal blocks; fold k scores block k + 1 and
 * selects on everything before it (expanding), less the purge. Select bars always precede the
 * scored bars, so the embargo never binds there.
 * CSCV (combinatorially symmetric cross-validation): the span is cut into `blocks` equal blocks
 * (an even number); every choice of half the blocks is one fold scoring those blocks and
 * selecting on the other half, purged and embargoed around every scored block.
 */
import { InvalidInputError } from "../../core/errors.js";
import type { Fold, Span } from "./types.js";

export interface FoldOptions {
  readonly purgeBars: number;
  readonly embargoBars: number;
}

function cut(span: Span, parts: number): Span[] {
  const bars = span.to - span.from + 1;
  const size = Math.floor(bars / parts);
  if (size < 2) throw new InvalidInputError("folds: too few bars for the number of blocks", { bars, parts });
  return Array.from({ length: parts }, (_, k) => ({
    from: span.from + k * size,
    to: k === parts - 1 ? span.to : span.from + (k + 1) * size - 1,
  }));
}

/** `span` less every bar within purge before, or embargo after, any of `scored`. */
function cleanSelect(candidates: readonly Span[], scored: readonly Span[], o: FoldOptions): Span[] {
  const out: Span[] = [];
  for (const c of candidates) {
    let pieces: Span[] = [c];
    for (const s of scored) {
      const lo = s.from - o.purgeBars;
      const hi = s.to + o.embargoBars;
      pieces = pieces.flatMap((p) => {
        if (p.to < lo || p.from > hi) return [p];
        const keep: Span[] = [];
        if (p.from < lo) keep.push({ from: p.from, to: lo - 1 });
        if (p.to > hi) keep.push({ from: hi + 1, to: p.to });
        return keep;
      });
    }
    out.push(...pieces);
  }
  return out;
}

export function walkForwardFolds(span: Span, folds: number, o: FoldOptions): Fold[] {
  if (!Number.isInteger(folds) || folds < 1) throw new InvalidInputError("walk-forward: folds must be >= 1", { folds });
  const blocks = cut(span, folds + 1);
  return blocks.slice(1).map((score, k) => ({
    id: `wf-${k}`,
    kind: "walk-forward" as const,
    select: cleanSelect([{ from: span.from, to: score.from - 1 }], [score], o),
    score: [score],
  }));
}

export function cscvFolds(span: Span, blocks: number, o: FoldOptions): Fold[] {
  if (!Number.isInteger(blocks) || blocks < 2 || blocks % 2 !== 0) {
    throw new InvalidInputError("cscv: blocks must be even and >= 2", { blocks });
  }
  const parts = cut(span, blocks);
  const folds: Fold[] = [];
  const chosen: number[] = [];
  const visit = (start: number): void => {
    if (chosen.length === blocks / 2) {
      const score = chosen.map((b) => parts[b] as Span);
      const rest = parts.filter((_, b) => !chosen.includes(b));
      folds.push({ id: `cscv-${folds.length}`, kind: "cscv", select: cleanSelect(rest, score, o), score });
      return;
    }
    for (let b = start; b <= blocks - (blocks / 2 - chosen.length); b++) {
      chosen.push(b);
      visit(b + 1);
      chosen.pop();
    }
  };
  visit(0);
  return folds;
}
