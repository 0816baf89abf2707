/**
 * Exit codes of the keeper's commands, for supervisors (systemd, containers): documented in
 * docs/operator.md. A supervisor should restart on FAILURE and on the signal codes, and not
 * on USAGE (a bad flag or config will fail the same way again).
 */
export const EXIT = {
  /** Done, or stopped by a signal after a graceful shutdown. */
  OK: 0,
  /** A runtime failure: an RPC that never answers, a cycle that failed, a crash. */
  FAILURE: 1,
  /** Bad usage or configuration: fix the command or the config before restarting. */
  USAGE: 2,
  /** A graceful stop did not finish within its deadline and was forced. */
  STOP_DEADLINE: 124,
} as const;

/** 128 + the signal's number, the shell's convention (130 for SIGINT, 143 for SIGTERM). */
export function signalExitCode(signal: "SIGINT" | "SIGTERM"): number {
  return signal === "SIGINT" ? 130 : 143;
}
