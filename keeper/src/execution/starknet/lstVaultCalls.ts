/**
 * Typed invoke calls for the Starknet LST vault. Calldata is compiled by starknet.js against the
 * vault's ABI, so a change of argument order or type in the Cairo contract shows up here (and
 * in the adapter's tests) instead of as a revert on chain. Calls are plain `Call` objects: the
 * caller signs and sends them, typically as one multicall.
 */
import { type Call, CallData } from "starknet";
import { InvalidInputError } from "../../core/errors.js";
import { type LstVaultAbi, loadLstVaultAbi } from "./lstVaultAbi.js";
import { timelockedCall } from "./lstVaultTimelock.js";
import type { LstVaultRiskParams, SwapStepInput } from "./lstVaultTypes.js";
import { bps, felt, pairIdFelt, seconds, starknetAddress, u128, u256 } from "./starknetValues.js";

export class LstVaultCalls {
  readonly vaultAddress: string;
  private readonly calldata: CallData;

  constructor(vaultAddress: string, abi: LstVaultAbi = loadLstVaultAbi()) {
    this.vaultAddress = starknetAddress(vaultAddress, "vaultAddress");
    this.calldata = new CallData(abi.abi);
  }

  deposit(assets: bigint, receiver: string): Call {
    return this.call("deposit", { assets: u256(assets, "assets"), receiver: starknetAddress(receiver, "receiver") });
  }

  mint(shares: bigint, receiver: string): Call {
    return this.call("mint", { shares: u256(shares, "shares"), receiver: starknetAddress(receiver, "receiver") });
  }

  withdraw(assets: bigint, receiver: string, owner: string): Call {
    return this.call("withdraw", {
      assets: u256(assets, "assets"),
      receiver: starknetAddress(receiver, "receiver"),
      owner: starknetAddress(owner, "owner"),
    });
  }

  redeem(shares: bigint, receiver: string, owner: string): Call {
    return this.call("redeem", {
      shares: u256(shares, "shares"),
      receiver: starknetAddress(receiver, "receiver"),
      owner: starknetAddress(owner, "owner"),
    });
  }

  /** In-kind entry: deposit an LST (or WETH) and receive shares at oracle value. */
  transferTokensToFund(token: string, amount: bigint, receiver: string): Call {
    return this.call("transfer_tokens_to_fund", {
      token: starknetAddress(token, "token"),
      amount: u256(amount, "amount"),
      receiver: starknetAddress(receiver, "receiver"),
    });
  }

  /** In-kind pro-rata exit; stays available while the vault is paused. */
  transferTokensFromFund(shares: bigint, receiver: string, owner: string): Call {
    return this.call("transfer_tokens_from_fund", {
      shares: u256(shares, "shares"),
      receiver: starknetAddress(receiver, "receiver"),
      owner: starknetAddress(owner, "owner"),
    });
  }

  rebalance(swaps: readonly SwapStepInput[], maxSlippageBps: number): Call {
    return this.call("rebalance", {
      swaps: swaps.map((step, i) => ({
        token_in: starknetAddress(step.tokenIn, `swaps[${i}].tokenIn`),
        token_out: starknetAddress(step.tokenOut, `swaps[${i}].tokenOut`),
        amount_in: u256(step.amountIn, `swaps[${i}].amountIn`),
        routes: step.routes.map((route, j) => ({
          token_from: starknetAddress(route.tokenFrom, `swaps[${i}].routes[${j}].tokenFrom`),
          token_to: starknetAddress(route.tokenTo, `swaps[${i}].routes[${j}].tokenTo`),
          exchange_address: starknetAddress(route.exchangeAddress, `swaps[${i}].routes[${j}].exchangeAddress`),
          percent: u128(route.percent, `swaps[${i}].routes[${j}].percent`),
          additional_swap_params: route.additionalSwapParams.map((p, k) =>
            felt(p, `swaps[${i}].routes[${j}].additionalSwapParams[${k}]`),
          ),
        })),
      })),
      max_slippage_bps: bps(maxSlippageBps, "maxSlippageBps"),
    });
  }

  /** Owner call, timelocked: lists an LST with its oracle pair (target weight 0 until set). */
  addLst(token: string, pairId: string): Call {
    return this.call("add_lst", { token: starknetAddress(token, "token"), pair_id: pairIdFelt(pairId) });
  }

  /** Owner call: target weights in bps, asset first, summing to 10_000. */
  setTargetWeights(weights: readonly number[]): Call {
    return this.call("set_target_weights", { weights: weights.map((w, i) => bps(w, `weights[${i}]`)) });
  }

  /** Owner call, timelocked: the price oracle and the oracle pair of the asset. */
  setOracle(oracle: string, basePairId: string): Call {
    return this.call("set_oracle", { oracle: starknetAddress(oracle, "oracle"), base_pair_id: pairIdFelt(basePairId) });
  }

  /** Owner call, timelocked: the AVNU-shaped swap router. */
  setRouter(router: string): Call {
    return this.call("set_router", { router: starknetAddress(router, "router") });
  }

  /** Owner call, timelocked: the account allowed to rebalance. */
  setKeeper(keeper: string): Call {
    return this.call("set_keeper", { keeper: starknetAddress(keeper, "keeper") });
  }

  /** Owner call; timelocked when any bound gets looser. */
  setRiskParams(risk: LstVaultRiskParams): Call {
    return this.call("set_risk_params", {
      params: {
        weight_tolerance_bps: bps(risk.weightToleranceBps, "risk.weightToleranceBps"),
        max_slippage_bps: bps(risk.maxSlippageBps, "risk.maxSlippageBps"),
        max_nav_loss_bps: bps(risk.maxNavLossBps, "risk.maxNavLossBps"),
        rebalance_cooldown: seconds(risk.rebalanceCooldownSeconds, "risk.rebalanceCooldownSeconds"),
        max_price_age: seconds(risk.maxPriceAgeSeconds, "risk.maxPriceAgeSeconds"),
      },
    });
  }

  /** Owner call: raising the delay is immediate, lowering it is timelocked. */
  setTimelockDelay(delaySeconds: number): Call {
    return this.call("set_timelock_delay", { delay: seconds(delaySeconds, "delaySeconds") });
  }

  /**
   * Owner call: schedules `change` (a timelocked setter call on this vault, built by this
   * class), which the owner can make once the delay has passed.
   */
  schedule(change: Call): Call {
    if (BigInt(change.contractAddress) !== BigInt(this.vaultAddress)) {
      throw new InvalidInputError("scheduled change targets another contract", {
        vault: this.vaultAddress,
        target: change.contractAddress,
      });
    }
    const { selector, calldata } = timelockedCall(change);
    return this.call("schedule", { selector, calldata: [...calldata] });
  }

  /** Guardian or owner call: drops a scheduled change (id from `timelockChangeId`). */
  cancel(id: bigint): Call {
    return this.call("cancel", { id: felt(id, "id") });
  }

  /**
   * ERC-20 approve of the vault followed by the deposit, for one multicall. The vault's own
   * ABI carries the ERC-20 interface (its shares are an ERC-20), so the same ABI encodes it.
   */
  approveAndDeposit(asset: string, assets: bigint, receiver: string): Call[] {
    const approve: Call = {
      contractAddress: starknetAddress(asset, "asset"),
      entrypoint: "approve",
      calldata: this.calldata.compile("approve", { spender: this.vaultAddress, amount: u256(assets, "assets") }),
    };
    return [approve, this.deposit(assets, receiver)];
  }

  private call(entrypoint: string, args: Record<string, unknown>): Call {
    return {
      contractAddress: this.vaultAddress,
      entrypoint,
      calldata: this.calldata.compile(entrypoint, args as Parameters<CallData["compile"]>[1]),
    };
  }
}
