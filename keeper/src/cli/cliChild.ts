/**
 * Runs a keeper CLI command (index.ts) as a child process, exactly as an operator would type
 * it, with its output appended to a log file. The demo starts `research` and `keeper run`
 * this way, so it goes through the operator's code path and nothing else.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { fileURLToPath } from "node:url";

const ENTRY = fileURLToPath(new URL("./index.ts", import.meta.url));
const REPO = fileURLToPath(new URL("../../../", import.meta.url));

export interface CliChild {
  readonly child: ChildProcess;
  /** Everything the command printed so far (stdout and stderr). */
  output(): string;
  /** Exit code (null when killed by a signal), once it exited. */
  readonly exited: Promise<number | null>;
  /** Undefined while running, then its exit code. */
  exitCode(): number | null | undefined;
  /** SIGTERM (the command's clean stop), then the exit code. */
  stop(): Promise<number | null>;
}

export function runCliChild(args: readonly string[], env: NodeJS.ProcessEnv, logFile: string): CliChild {
  const log = createWriteStream(logFile, { flags: "a", mode: 0o600 });
  const child = spawn(process.execPath, ["--import", "tsx", ENTRY, ...args], {
    cwd: REPO,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  let code: number | null | undefined;
  const take = (chunk: Buffer) => {
    text += chunk.toString("utf8");
    log.write(chunk);
  };
  child.stdout?.on("data", take);
  child.stderr?.on("data", take);
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (c) => {
      code = c;
      log.end();
      resolve(c);
    });
  });
  return {
    child,
    output: () => text,
    exited,
    exitCode: () => code,
    stop: async () => {
      if (code === undefined) child.kill("SIGTERM");
      return exited;
    },
  };
}
