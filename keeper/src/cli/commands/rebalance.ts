/**
 * `keeper rebalance`: runs one rebalance cycle now, outside the schedule; with `--venue
 * hyperliquid|starknet`, one cycle of that venue's keeper (venueOnce.ts).
 */
import { parseVenueName } from "../../config/venueKeeperConfig.js";
import { answerHelp } from "../usage.js";
import { configFromFlags, keeperUsage, openSession, parseKeeperFlags, withStartupErrors } from "./keeperSession.js";
import { venueOnceCommand } from "./venueOnce.js";

export async function rebalanceCommand(argv: string[]): Promise<number> {
  const help = answerHelp(argv, keeperUsage("rebalance"));
  if (help !== null) return help;
  return withStartupErrors(async () => {
    const flags = parseKeeperFlags("rebalance", argv);
    const venue = flags.venue === undefined ? "arbitrum" : parseVenueName(flags.venue);
    if (venue !== "arbitrum") return venueOnceCommand("rebalance", venue, flags);
    const session = await openSession(flags, configFromFlags(flags));
    const { keeper } = session;
    try {
      // With a shared PostgreSQL store this process must hold the vault's lease to sign.
      await keeper.leadership.start(() => undefined);
      const result = await keeper.triggerRebalance();
      console.log(JSON.stringify({ ...result, cycle: (await keeper.store.cycles(1))[0] ?? null }, null, 2));
      return result.accepted && result.reason === undefined ? 0 : 1;
    } finally {
      await session.close();
    }
  });
}
