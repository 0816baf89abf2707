/**
 * Persistence of route learning (migration 7): each route arm's state and metrics as JSON in
 * `route_arms`, and in `route_learned` the cycles already learned from. A cycle's learning is
 * one transaction (mark the cycle, then write its arms), so a restart never loses half of it
 * and a resumed cycle that finishes again never teaches the bandit twice.
 */
import { parseArm, type RouteArm } from "../../market/routeBandit.js";
import type { SqlDb } from "./sqlDb.js";

export class RouteStore {
  constructor(private readonly db: SqlDb) {}

  /** Every stored arm, by route id. */
  async arms(): Promise<Map<string, RouteArm>> {
    return readArms(this.db);
  }

  /**
   * Learns from a cycle once: `update` gets the stored arms and returns the ones that changed,
   * written with the cycle's mark in one transaction. False when the cycle was learned before.
   */
  async learn(
    cycleId: number,
    at: number,
    update: (arms: ReadonlyMap<string, RouteArm>) => ReadonlyMap<string, RouteArm>,
  ): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const marked = await tx.run(
        "INSERT INTO route_learned(cycle_id, learned_at) VALUES (?, ?) ON CONFLICT(cycle_id) DO NOTHING",
        [cycleId, at],
      );
      if (marked === 0) return false;
      const changed = [...update(await readArms(tx)).entries()];
      if (changed.length > 0)
        await tx.run(
          `INSERT INTO route_arms(route, state, updated_at) VALUES ${changed.map(() => "(?, ?, ?)").join(", ")}
           ON CONFLICT(route) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
          changed.flatMap(([route, arm]) => [route, JSON.stringify(arm), at]),
        );
      return true;
    });
  }
}

async function readArms(db: SqlDb): Promise<Map<string, RouteArm>> {
  const rows = (await db.all("SELECT route, state FROM route_arms ORDER BY route")) as {
    route: string;
    state: string;
  }[];
  return new Map(rows.map((r) => [r.route, parseArm(JSON.parse(r.state))]));
}
