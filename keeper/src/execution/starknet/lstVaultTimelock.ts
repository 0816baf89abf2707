/**
 * The Starknet LST vault's timelock, seen from off-chain: which setters it guards, and the id
 * the vault derives for a scheduled change. The owner schedules the exact call it will make
 * later (`schedule(selector, calldata)`), so the id is computed from that same `Call`.
 */
import { type Call, CallData, hash } from "starknet";
import { InvalidInputError } from "../../core/errors.js";

/**
 * Setters that consume a scheduled change (some only when they increase risk: raising the fee,
 * loosening a risk bound, lowering the delay). The vault refuses to schedule anything else.
 */
export const TIMELOCKED_ENTRYPOINTS: readonly string[] = [
  "set_oracle",
  "set_router",
  "set_keeper",
  "transfer_ownership",
  "add_lst",
  "set_management_fee",
  "set_risk_params",
  "set_timelock_delay",
];

export interface TimelockedCall {
  /** Selector of the setter (`sn_keccak` of its name). */
  readonly selector: string;
  /** The setter's serialized arguments, exactly as the later call will send them. */
  readonly calldata: readonly string[];
}

/** The selector and calldata of a timelocked setter call, refusing any other entry point. */
export function timelockedCall(call: Call): TimelockedCall {
  if (!TIMELOCKED_ENTRYPOINTS.includes(call.entrypoint)) {
    throw new InvalidInputError(`${call.entrypoint} is not a timelocked LST vault setter`, {
      timelocked: TIMELOCKED_ENTRYPOINTS,
    });
  }
  const calldata = CallData.toCalldata(call.calldata ?? []);
  return { selector: hash.getSelectorFromName(call.entrypoint), calldata };
}

/**
 * Id of the change `call` (the vault's `logic::change_id`): the Poseidon hash of the selector
 * followed by the calldata, as a 0x-hex felt.
 */
export function timelockChangeId(call: Call): string {
  const { selector, calldata } = timelockedCall(call);
  return hash.computePoseidonHashOnElements([selector, ...calldata]);
}
