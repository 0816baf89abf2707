/**
 * Command-line usage shared by every command: `--help`/`-h` prints the command's usage on
 * stdout (exit 0); bad usage prints one line naming the command and the problem, then the
 * usage, on stderr (exit 2). An unknown flag is answered with the closest flag the usage text
 * lists, so the usage text is the one list of a command's flags.
 */
import { didYouMean } from "../config/suggest.js";

/** True when `--help` or `-h` is among the arguments (printing the usage is then the caller's job). */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes("--help") || argv.includes("-h");
}

/** Prints `usage` and returns 0 when help was asked for; null otherwise. */
export function answerHelp(argv: readonly string[], usage: string): number | null {
  if (!wantsHelp(argv)) return null;
  console.log(usage);
  return 0;
}

/** The flags a usage text names (`--data`, `--no-ppo`, ...). */
export function flagsInUsage(usage: string): string[] {
  return [...new Set(usage.match(/--[a-z][a-z0-9-]*/g) ?? [])];
}

/**
 * The problem as one line: node's parseArgs errors for an unknown flag become
 * `unknown flag --x (did you mean --y?)`; anything else keeps its message.
 */
export function describeUsageProblem(problem: unknown, usage: string): string {
  const message = problem instanceof Error ? problem.message : String(problem);
  const code = problem instanceof Error ? (problem as Error & { code?: unknown }).code : undefined;
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const flag = /'([^']+)'/.exec(message)?.[1] ?? message;
    return `unknown flag ${flag}${didYouMean(flag, flagsInUsage(usage), "")}`;
  }
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    const arg = /'([^']+)'/.exec(message)?.[1] ?? message;
    return `unexpected argument ${arg} (flags take the form --name value)`;
  }
  return message;
}

export function usageReporter(command: string, usage: string): (problem: unknown) => number {
  return (problem) => {
    console.error(`${command}: ${describeUsageProblem(problem, usage)}\n${usage}`);
    return 2;
  };
}
