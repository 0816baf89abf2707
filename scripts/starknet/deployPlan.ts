/**
 * The owner calls that finish a deployment of the LST vault. Listing an LST is timelocked, so a
 * basket can only be listed at once while the delay is 0:
 * - the deploying account is the owner and there is a basket: the vault is built with delay 0,
 *   and one multicall schedules and makes each listing, sets the weights, then raises the delay
 *   to the configured one (raising takes effect at once). Nobody can deposit in between: the
 *   multicall follows the deployment and the vault starts empty;
 * - otherwise the vault is built with the configured delay; the owner schedules the listings
 *   now and makes them, with the weights, once the delay has passed.
 */
import type { Call } from "starknet";
import type { LstVaultAbi } from "../../keeper/src/execution/starknet/lstVaultAbi.js";
import { LstVaultCalls } from "../../keeper/src/execution/starknet/lstVaultCalls.js";
import type { DeployConfig } from "./deployConfig.js";

export interface SetupCalls {
  /** Sent right after the deployment. */
  readonly now: readonly Call[];
  /** Sent once the timelock delay has passed (empty when nothing waits). */
  readonly afterDelay: readonly Call[];
}

export interface DeployPlan {
  /** Delay the constructor is given. */
  readonly constructorDelaySeconds: number;
  /** Whether the deploying account itself sends `now` (it is the owner). */
  readonly deployerIsOwner: boolean;
  readonly setup: (vault: string) => SetupCalls;
}

export function deployPlan(config: DeployConfig, abi: LstVaultAbi): DeployPlan {
  const delay = config.constructor.timelockDelaySeconds;
  const deployerIsOwner = BigInt(config.constructor.owner) === BigInt(config.accountAddress);
  const constructorDelaySeconds = deployerIsOwner && config.lsts.length > 0 ? 0 : delay;
  const setup = (vault: string): SetupCalls => {
    const calls = new LstVaultCalls(vault, abi);
    const listings = config.lsts.map((l) => calls.addLst(l.token, l.pairId));
    const schedules = listings.map((listing) => calls.schedule(listing));
    const weights = config.weights.length > 0 ? [calls.setTargetWeights(config.weights)] : [];
    if (constructorDelaySeconds > 0) {
      // Weights among already listed slots are not timelocked.
      return listings.length === 0
        ? { now: weights, afterDelay: [] }
        : { now: schedules, afterDelay: [...listings, ...weights] };
    }
    const raise = delay > 0 ? [calls.setTimelockDelay(delay)] : [];
    return { now: [...schedules, ...listings, ...weights, ...raise], afterDelay: [] };
  };
  return { constructorDelaySeconds, deployerIsOwner, setup };
}
