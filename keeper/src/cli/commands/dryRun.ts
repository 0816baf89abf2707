/** `keeper dry-run`: one cycle up to simulation and signing, without submitting. */
import { answerHelp } from "../usage.js";
import { configFromFlags, keeperUsage, openFromFlags, parseKeeperFlags, withStartupErrors } from "./keeperSession.js";

export async function dryRunCommand(argv: string[]): Promise<number> {
  const help = answerHelp(argv, keeperUsage("dry-run"));
  if (help !== null) return help;
  return withStartupErrors(async () => {
    const flags = parseKeeperFlags("dry-run", argv);
    const keeper = await openFromFlags(flags, configFromFlags(flags, { dryRun: true }));
    try {
      const result = await keeper.triggerRebalance();
      const cycle = keeper.store.cycles(1)[0];
      console.log(JSON.stringify({ accepted: result.accepted, cycle }, null, 2));
      return cycle?.status === "dry-run" ? 0 : 1;
    } finally {
      keeper.close();
    }
  });
}
