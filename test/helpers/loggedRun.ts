/**
 * A `keeper` child process whose JSON log lines (pino, one object per stdout line) the test
 * reads back as they come, for the standby tests that wait on "lease acquired" and the like.
 */
import { type CliRun, spawnCli } from "../keeper/cli/spawnCli.js";

export interface LogLine {
  readonly time: number;
  readonly msg: string;
  readonly [k: string]: unknown;
}

export interface LoggedRun {
  readonly name: string;
  readonly run: CliRun;
  /** Every JSON line logged so far, oldest first. */
  lines(): LogLine[];
}

export function spawnLogged(
  name: string,
  args: readonly string[],
  env: Record<string, string>,
  timeoutMs: number,
): LoggedRun {
  const run = spawnCli([...args], env, timeoutMs);
  let out = "";
  run.child.stdout?.on("data", (c: Buffer) => (out += c.toString()));
  return {
    name,
    run,
    lines: () =>
      out
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as LogLine),
  };
}

/** The first line whose message starts with `msg`, or null. */
export function seen(k: LoggedRun, msg: string): LogLine | null {
  return k.lines().find((l) => l.msg.startsWith(msg)) ?? null;
}

/** Kills (SIGKILL) every run still alive and waits until all have exited. */
export async function killAll(runs: readonly LoggedRun[]): Promise<void> {
  for (const k of runs) if (k.run.child.exitCode === null) k.run.child.kill("SIGKILL");
  await Promise.all(runs.map((k) => k.run.done));
}
