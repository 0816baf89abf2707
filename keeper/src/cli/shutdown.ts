/**
 * Signals and exit for long-running commands. The first SIGINT/SIGTERM asks for a graceful
 * stop (the current cycle finishes, the store is closed so its journal is flushed) and arms a
 * deadline; a second signal, or the deadline passing, exits at once. A forced exit is safe:
 * every transition of a cycle is written before the next step, and a restart resumes it.
 */
import { EXIT, signalExitCode } from "./exitCodes.js";

/** How long a graceful stop may take before the process exits anyway. */
export const STOP_DEADLINE_MS = 30_000;

/**
 * Calls `stop` on the first signal; returns a function that removes the handlers (call it
 * once the command has finished stopping).
 */
export function stopOnSignals(stop: () => void, deadlineMs = STOP_DEADLINE_MS): () => void {
  let stopping = false;
  let deadline: NodeJS.Timeout | null = null;
  const onSignal = (signal: "SIGINT" | "SIGTERM") => {
    if (stopping) {
      console.error(`${signal} again: exiting now`);
      process.exit(signalExitCode(signal));
    }
    stopping = true;
    console.error(`${signal}: stopping after the current step (send it again to exit now)`);
    // unref: the deadline must not itself keep a finished process alive.
    deadline = setTimeout(() => {
      console.error(`graceful stop took longer than ${deadlineMs} ms: exiting`);
      process.exit(EXIT.STOP_DEADLINE);
    }, deadlineMs).unref();
    stop();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    if (deadline) clearTimeout(deadline);
  };
}

/**
 * Sets the exit code and makes sure the process really ends: if a socket or timer that some
 * library left open keeps the event loop alive past `graceMs`, the process exits anyway.
 */
export function exitWith(code: number, graceMs = 2_000): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), graceMs).unref();
}
