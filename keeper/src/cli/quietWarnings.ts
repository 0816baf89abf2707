/**
 * Imported first by the CLI entry points (index.ts, demo.ts), which load everything else with
 * dynamic imports: Node loads every builtin of a static import graph before running any of its
 * modules, so node:sqlite must not be in the entry's static graph. Drops Node's ExperimentalWarning for node:sqlite
 * (printed on every command, though the keeper depends on it knowingly) and nothing else, so
 * other warnings still reach the operator. Done in code rather than with NODE_OPTIONS so it
 * holds however the CLI is started (npm script, tsx, a supervisor's command line).
 */
const emitWarning = process.emitWarning.bind(process);

process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const message = typeof warning === "string" ? warning : warning.message;
  const type = typeof rest[0] === "string" ? rest[0] : (rest[0] as { type?: unknown } | undefined)?.type;
  const name = typeof warning === "string" ? type : warning.name;
  if (name === "ExperimentalWarning" && /SQLite/i.test(message)) return;
  (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;
