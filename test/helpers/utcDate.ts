/** The UTC calendar date (YYYY-MM-DD) of unix time `t` in seconds, as score files and market CSVs write it. */
export function utcDate(t: number): string {
  return new Date(t * 1000).toISOString().slice(0, 10);
}
