/** `keeper dry-run`: one cycle up to simulation and signing, without submitting. */
import { configFromFlags, openSession, parseKeeperFlags, withStartupErrors } from "./keeperSession.js";

export async function dryRunCommand(argv: string[]): Promise<number> {
  return withStartupErrors(async () => {
    const flags = parseKeeperFlags(argv);
    const session = await openSession(flags, configFromFlags(flags, { dryRun: true }));
    const { keeper } = session;
    try {
      const result = await keeper.triggerRebalance();
      const cycle = keeper.store.cycles(1)[0];
      console.log(JSON.stringify({ accepted: result.accepted, cycle }, null, 2));
      return cycle?.status === "dry-run" ? 0 : 1;
    } finally {
      session.close();
    }
  });
}
