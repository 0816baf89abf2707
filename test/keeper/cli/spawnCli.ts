/** Runs the keeper CLI (keeper/src/cli/index.ts) as a child process, as an operator would. */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../../../", import.meta.url));

export interface CliRun {
  readonly child: ChildProcess;
  /** Resolves when the process has exited: its code (or signal), output and how long it ran. */
  readonly done: Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
    ms: number;
  }>;
  /** Resolves at the first stdout/stderr text matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<void>;
}

export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, killAfterMs = 60_000): CliRun {
  return spawnEntry("keeper/src/cli/index.ts", args, env, killAfterMs);
}

/** Runs another entry point (such as the demo) the same way. */
export function spawnEntry(
  entry: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  killAfterMs = 60_000,
): CliRun {
  const started = Date.now();
  const child = spawn(process.execPath, ["--import", "tsx", entry, ...args], {
    cwd: REPO,
    env: { ...process.env, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const watchers: { pattern: RegExp; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...watchers]) {
      if (w.pattern.test(stdout) || w.pattern.test(stderr)) {
        watchers.splice(watchers.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    check();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    check();
  });
  // A test's safety net only: a child still alive long after its bound is killed.
  const killer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
  const done = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
    ms: number;
  }>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
  return {
    child,
    done,
    waitFor: (pattern, timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no ${pattern} within ${timeoutMs} ms; stdout:\n${stdout}\nstderr:\n${stderr}`)),
          timeoutMs,
        );
        watchers.push({
          pattern,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
        check();
      }),
  };
}
