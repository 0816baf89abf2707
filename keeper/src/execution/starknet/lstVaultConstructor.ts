/**
 * Constructor calldata of the Starknet LST vault, compiled against its ABI (used by the
 * Sepolia deploy script and checked in the adapter's tests).
 */
import { CallData, type Calldata } from "starknet";
import { type LstVaultAbi, loadLstVaultAbi } from "./lstVaultAbi.js";
import type { LstVaultRiskParams } from "./lstVaultTypes.js";
import { bps, pairIdFelt, seconds, starknetAddress } from "./starknetValues.js";

export interface LstVaultConstructorArgs {
  readonly name: string;
  readonly symbol: string;
  readonly asset: string;
  readonly oracle: string;
  /** Oracle pair of the asset, e.g. "ETH/USD" (a Cairo short string, at most 31 ASCII chars). */
  readonly basePairId: string;
  readonly router: string;
  readonly owner: string;
  readonly guardian: string;
  readonly keeper: string;
  readonly feeRecipient: string;
  readonly managementFeeBps: number;
  readonly risk: LstVaultRiskParams;
  /** Seconds between scheduling a risk-increasing change and making it (at most 30 days). */
  readonly timelockDelaySeconds: number;
}

export function lstVaultConstructorCalldata(
  args: LstVaultConstructorArgs,
  abi: LstVaultAbi = loadLstVaultAbi(),
): Calldata {
  const { risk } = args;
  return new CallData(abi.abi).compile("constructor", {
    name: args.name,
    symbol: args.symbol,
    asset: starknetAddress(args.asset, "asset"),
    oracle: starknetAddress(args.oracle, "oracle"),
    base_pair_id: pairIdFelt(args.basePairId),
    router: starknetAddress(args.router, "router"),
    owner: starknetAddress(args.owner, "owner"),
    guardian: starknetAddress(args.guardian, "guardian"),
    keeper: starknetAddress(args.keeper, "keeper"),
    fee_recipient: starknetAddress(args.feeRecipient, "feeRecipient"),
    management_fee_bps: bps(args.managementFeeBps, "managementFeeBps"),
    risk: {
      weight_tolerance_bps: bps(risk.weightToleranceBps, "risk.weightToleranceBps"),
      max_slippage_bps: bps(risk.maxSlippageBps, "risk.maxSlippageBps"),
      max_nav_loss_bps: bps(risk.maxNavLossBps, "risk.maxNavLossBps"),
      rebalance_cooldown: seconds(risk.rebalanceCooldownSeconds, "risk.rebalanceCooldownSeconds"),
      max_price_age: seconds(risk.maxPriceAgeSeconds, "risk.maxPriceAgeSeconds"),
    },
    timelock_delay: seconds(args.timelockDelaySeconds, "timelockDelaySeconds"),
  });
}
