/**
 * Bad command-line usage: one line naming the command and the problem, then the usage text, on
 * stderr, and exit code 2.
 */
export function usageReporter(command: string, usage: string): (problem: unknown) => number {
  return (problem) => {
    console.error(`${command}: ${problem instanceof Error ? problem.message : String(problem)}\n${usage}`);
    return 2;
  };
}
