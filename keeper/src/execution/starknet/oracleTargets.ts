/**
 * Target weights for the Starknet vault from an Oracle (a strategy, a signal file), instead of
 * the owner's hand-set weights: the oracle sees the vault's current weights and universe at
 * chain time, and a hold (stale or disputed data) refuses the cycle with its reason.
 */
import { DataError } from "../../core/errors.js";
import { type Oracle, OracleHold, type Weights } from "../portfolioManager.js";
import type { StarknetSnapshot, StarknetVenue } from "./starknetVenue.js";

export async function oracleTargets(
  oracle: Oracle,
  venue: StarknetVenue,
  snapshot: StarknetSnapshot,
): Promise<Weights> {
  const navWei = snapshot.navWei === 0n ? 1n : snapshot.navWei;
  const currentWeights = Object.fromEntries(
    snapshot.slots.map((s) => [s.symbol, Number((s.valueWei * 1_000_000n) / navWei) / 1_000_000]),
  );
  const answer = await oracle.targetWeights({
    now: snapshot.time,
    currentWeights,
    universe: snapshot.slots.map((s) => s.symbol),
  });
  if (answer instanceof OracleHold) {
    throw new DataError(`oracle ${oracle.name} holds: ${answer.reason}; nothing planned for ${venue.name}`);
  }
  if (answer === null) throw new DataError(`oracle ${oracle.name} gave no weights; nothing planned for ${venue.name}`);
  return answer;
}
