/**
 * "Did you mean": the closest known name to a misspelt one, by edit distance. Used for unknown
 * config keys and unknown command-line flags, so a typo such as `dryrun` or `--kill-swich` is
 * refused with the spelling the operator meant instead of being dropped.
 */

/** Levenshtein distance (insert, delete, substitute: cost 1 each). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(substitution, (previous[j] as number) + 1, (current[j - 1] as number) + 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * The known name closest to `word`, compared without case, separators (`-`, `_`) or a leading
 * `--`, when it is close enough to be a typo (at most a third of its length, and at least 2
 * edits are always allowed) or extends it (a truncated name); null otherwise.
 */
export function closestName(word: string, known: readonly string[]): string | null {
  const norm = (s: string) => s.replace(/^-+/, "").replace(/[-_]/g, "").toLowerCase();
  const target = norm(word);
  // A truncated name (`--allow-reckless`) is a typo too, however many letters are missing.
  const extended = known.filter((name) => target.length >= 4 && norm(name).startsWith(target));
  if (extended.length > 0) return extended.reduce((a, b) => (norm(b).length < norm(a).length ? b : a));
  let best: { name: string; distance: number } | null = null;
  for (const name of known) {
    const distance = editDistance(target, norm(name));
    if (best === null || distance < best.distance) best = { name, distance };
  }
  if (best === null) return null;
  return best.distance <= Math.max(2, Math.floor(target.length / 3)) ? best.name : null;
}

/** ` (did you mean "x"?)`, or an empty string when nothing is close. */
export function didYouMean(word: string, known: readonly string[], quote = '"'): string {
  const match = closestName(word, known);
  return match === null ? "" : ` (did you mean ${quote}${match}${quote}?)`;
}
