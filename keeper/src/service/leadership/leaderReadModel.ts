/**
 * The store as the operator surfaces of one process read it: the same read model, with the
 * process's leadership of the vault in the status (the dashboard's role badge, `/api/status`,
 * `/metrics`' `keeper_leader`), since that is a fact of the process, not of the shared journal.
 */
import type { KeeperReadModel } from "../readModel.js";
import type { Leadership } from "./leadership.js";

export function withLeadership(model: KeeperReadModel, leadership: Leadership): KeeperReadModel {
  return {
    status: async () => ({ ...(await model.status()), leadership: leadership.view() }),
    currentWeights: () => model.currentWeights(),
    targetWeights: () => model.targetWeights(),
    cycles: (limit) => model.cycles(limit),
    navHistory: () => model.navHistory(),
    compositionHistory: () => model.compositionHistory(),
    baselines: () => model.baselines(),
    legs: (cycleId) => model.legs(cycleId),
    rotations: (limit) => model.rotations(limit),
    ...(model.yields ? { yields: model.yields.bind(model) } : {}),
    ...(model.routes ? { routes: model.routes.bind(model) } : {}),
    ...(model.impactRefits ? { impactRefits: model.impactRefits.bind(model) } : {}),
  };
}
