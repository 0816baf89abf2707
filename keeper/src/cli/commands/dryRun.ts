/**
 * `keeper dry-run`: one cycle up to simulation and signing, without submitting. Exits 0 when
 * the order simulated (or there was nothing to trade), 1 when the cycle failed (a simulation
 * that reverted: the decoded reason is printed) or held (the reason is printed). With `--venue
 * hyperliquid|starknet` it is one cycle of that venue's keeper instead (venueOnce.ts).
 */

import { parseVenueName } from "../../config/venueKeeperConfig.js";
import type { CycleOutcome } from "../../service/readModel.js";
import { answerHelp } from "../usage.js";
import { configFromFlags, keeperUsage, openSession, parseKeeperFlags, withStartupErrors } from "./keeperSession.js";
import { venueOnceCommand } from "./venueOnce.js";

/** Outcomes of a dry run that say "the real cycle would go through". */
const PASSED: ReadonlySet<CycleOutcome | null> = new Set(["dry-run", "nothing-to-trade"]);

export async function dryRunCommand(argv: string[]): Promise<number> {
  const help = answerHelp(argv, keeperUsage("dry-run"));
  if (help !== null) return help;
  return withStartupErrors(async () => {
    const flags = parseKeeperFlags("dry-run", argv);
    const venue = flags.venue === undefined ? "arbitrum" : parseVenueName(flags.venue);
    if (venue !== "arbitrum") return venueOnceCommand("dry-run", venue, flags);
    const session = await openSession(flags, configFromFlags(flags, { dryRun: true }));
    const { keeper } = session;
    try {
      // With a shared PostgreSQL store this process must hold the vault's lease to sign.
      await keeper.leadership.start(() => undefined);
      const result = await keeper.triggerRebalance();
      const cycle = (await keeper.store.cycles(1))[0] ?? null;
      const outcome = result.accepted ? (cycle?.outcome ?? null) : (result.outcome ?? null);
      console.log(JSON.stringify({ ...result, cycle }, null, 2));
      if (PASSED.has(outcome) && result.accepted) return 0;
      console.error(`dry run ${outcome ?? "did not run"}: ${result.reason ?? cycle?.reason ?? "no reason recorded"}`);
      return 1;
    } finally {
      await session.close();
    }
  });
}
