/**
 * `keeper dry-run --venue hyperliquid|starknet` and `keeper rebalance --venue ...`: one cycle
 * of the venue keeper now, outside the schedule, then exit. A dry run plans and simulates and
 * records the orders, sending nothing. With a shared PostgreSQL the process first tries the
 * venue account's lease once: while another keeper holds it, nothing runs (exit 1).
 *
 * Exit codes as the Arbitrum commands: dry-run 0 when the plan simulated or there was nothing
 * to trade; rebalance 0 when the cycle traded (in full or in part) or had nothing to trade;
 * otherwise 1 with the reason on stderr (held, failed, standby); 2 for bad usage or config.
 */
import type { CycleOutcome } from "../../service/readModel.js";
import { EXIT } from "../exitCodes.js";
import type { KeeperFlags } from "./keeperSession.js";
import { openVenueSession } from "./venueSession.js";

const PASSED: Readonly<Record<"dry-run" | "rebalance", ReadonlySet<CycleOutcome | null>>> = {
  "dry-run": new Set(["dry-run", "nothing-to-trade"]),
  rebalance: new Set(["traded", "partial", "nothing-to-trade"]),
};

export async function venueOnceCommand(
  command: "dry-run" | "rebalance",
  venueName: "hyperliquid" | "starknet",
  flags: KeeperFlags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const session = await openVenueSession(command, venueName, flags, env, { dryRun: command === "dry-run" });
  const { keeper } = session;
  try {
    // One attempt at the lease (always granted with SQLite); a standby runs nothing.
    await keeper.leadership.start(() => undefined);
    const result = await keeper.triggerRebalance();
    const cycle = (await keeper.cycles(1))[0] ?? null;
    const outcome = result.accepted ? (cycle?.outcome ?? null) : (result.outcome ?? null);
    // The plan's orders (with their results) go with the cycle: what a dry run would have sent.
    const orders = cycle ? await keeper.deps.store.orders(cycle.id) : [];
    console.log(JSON.stringify({ ...result, cycle, orders }, null, 2));
    if (result.accepted && PASSED[command].has(outcome)) return EXIT.OK;
    console.error(
      `${command} --venue ${venueName} ${outcome ?? "did not run"}: ${result.reason ?? cycle?.reason ?? "no reason recorded"}`,
    );
    return EXIT.FAILURE;
  } finally {
    await session.close();
  }
}
