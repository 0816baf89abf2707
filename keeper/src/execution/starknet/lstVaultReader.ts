/**
 * Typed views of the Starknet LST vault over any starknet.js provider (`RpcProvider` in
 * production). Each view compiles its calldata and parses its result against the vault's ABI,
 * then validates the parsed shape, so a node answering with the wrong number of felts is a
 * ProviderError rather than a silently wrong NAV.
 */
import { type BlockIdentifier, type Call, CallData, shortString } from "starknet";
import { z } from "zod";
import { BallastError, ProviderError } from "../../core/errors.js";
import { type LstVaultAbi, loadLstVaultAbi } from "./lstVaultAbi.js";
import type { BasketSlot, LstVaultConfig, LstVaultRiskParams, SwapQuote } from "./lstVaultTypes.js";
import { bps, felt, starknetAddress, u256 } from "./starknetValues.js";

/** The one provider method the reader needs; `RpcProvider` satisfies it. */
export interface StarknetCaller {
  callContract(call: Call, blockIdentifier?: BlockIdentifier): Promise<string[]>;
}

const big = z.bigint().nonnegative();
const address = big.transform((n) => `0x${n.toString(16)}`);
const small = big.transform((n, ctx) => {
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) ctx.addIssue({ code: "custom", message: "exceeds 2^53" });
  return Number(n);
});
/** Oracle pair ids are Cairo short strings, e.g. "WSTETH/USD". */
const pairId = big.transform((n) => shortString.decodeShortString(`0x${n.toString(16)}`));
const basketSlot = z
  .object({ token: address, pair_id: pairId, target_bps: small })
  .transform((s): BasketSlot => ({ token: s.token, pairId: s.pair_id, targetBps: s.target_bps }));
const swapQuote = z
  .object({ expected_out: big, min_out: big })
  .transform((q): SwapQuote => ({ expectedOut: q.expected_out, minOut: q.min_out }));
const riskParams = z
  .object({
    weight_tolerance_bps: small,
    max_slippage_bps: small,
    max_nav_loss_bps: small,
    rebalance_cooldown: small,
    max_price_age: small,
  })
  .transform(
    (r): LstVaultRiskParams => ({
      weightToleranceBps: r.weight_tolerance_bps,
      maxSlippageBps: r.max_slippage_bps,
      maxNavLossBps: r.max_nav_loss_bps,
      rebalanceCooldownSeconds: r.rebalance_cooldown,
      maxPriceAgeSeconds: r.max_price_age,
    }),
  );
const vaultConfig = z
  .object({
    owner: address,
    guardian: address,
    keeper: address,
    paused: z.boolean(),
    oracle: address,
    base_pair_id: pairId,
    router: address,
    management_fee_bps: small,
    fee_recipient: address,
    risk: riskParams,
    last_rebalance_at: small,
    timelock_delay: small,
  })
  .transform(
    (c): LstVaultConfig => ({
      owner: c.owner,
      guardian: c.guardian,
      keeper: c.keeper,
      paused: c.paused,
      oracle: c.oracle,
      basePairId: c.base_pair_id,
      router: c.router,
      managementFeeBps: c.management_fee_bps,
      feeRecipient: c.fee_recipient,
      risk: c.risk,
      lastRebalanceAt: c.last_rebalance_at,
      timelockDelaySeconds: c.timelock_delay,
    }),
  );

export class LstVaultReader {
  readonly vaultAddress: string;
  private readonly calldata: CallData;

  constructor(
    private readonly provider: StarknetCaller,
    vaultAddress: string,
    abi: LstVaultAbi = loadLstVaultAbi(),
    private readonly blockIdentifier: BlockIdentifier = "latest",
  ) {
    this.vaultAddress = starknetAddress(vaultAddress, "vaultAddress");
    this.calldata = new CallData(abi.abi);
  }

  totalAssets(): Promise<bigint> {
    return this.view("total_assets", {}, big);
  }

  previewDeposit(assets: bigint): Promise<bigint> {
    return this.view("preview_deposit", { assets: u256(assets, "assets") }, big);
  }

  previewRedeem(shares: bigint): Promise<bigint> {
    return this.view("preview_redeem", { shares: u256(shares, "shares") }, big);
  }

  convertToAssets(shares: bigint): Promise<bigint> {
    return this.view("convert_to_assets", { shares: u256(shares, "shares") }, big);
  }

  maxWithdraw(owner: string): Promise<bigint> {
    return this.view("max_withdraw", { owner: starknetAddress(owner, "owner") }, big);
  }

  basket(): Promise<BasketSlot[]> {
    return this.view("basket", {}, z.array(basketSlot));
  }

  /** Value of each slot's holding in WETH units, in basket order. */
  slotValues(): Promise<bigint[]> {
    return this.view("slot_values", {}, z.array(big));
  }

  quoteSwap(tokenIn: string, tokenOut: string, amountIn: bigint, maxSlippageBps: number): Promise<SwapQuote> {
    return this.view(
      "quote_swap",
      {
        token_in: starknetAddress(tokenIn, "tokenIn"),
        token_out: starknetAddress(tokenOut, "tokenOut"),
        amount_in: u256(amountIn, "amountIn"),
        max_slippage_bps: bps(maxSlippageBps, "maxSlippageBps"),
      },
      swapQuote,
    );
  }

  /** Roles, risk parameters, pause flag and last rebalance time in one call. */
  config(): Promise<LstVaultConfig> {
    return this.view("config", {}, vaultConfig);
  }

  /** When the scheduled change `id` becomes executable (unix seconds); 0 when not scheduled. */
  scheduledAt(id: bigint): Promise<number> {
    return this.view("scheduled_at", { id: felt(id, "id") }, small);
  }

  pendingFeeShares(): Promise<bigint> {
    return this.view("pending_fee_shares", {}, big);
  }

  private async view<T>(entrypoint: string, args: Record<string, unknown>, schema: z.ZodType<T>): Promise<T> {
    const call: Call = {
      contractAddress: this.vaultAddress,
      entrypoint,
      calldata: this.calldata.compile(entrypoint, args as Parameters<CallData["compile"]>[1]),
    };
    let felts: string[];
    try {
      felts = await this.provider.callContract(call, this.blockIdentifier);
    } catch (cause) {
      if (cause instanceof BallastError) throw cause;
      throw new ProviderError(`starknet_call ${entrypoint} failed`, { cause, details: { vault: this.vaultAddress } });
    }
    let parsed: unknown;
    try {
      parsed = this.calldata.parse(entrypoint, felts);
    } catch (cause) {
      throw new ProviderError(`${entrypoint}: result does not match the ABI`, { cause, details: { felts } });
    }
    const result = schema.safeParse(parsed);
    if (!result.success) {
      throw new ProviderError(`${entrypoint}: unexpected result shape`, { details: { issues: result.error.issues } });
    }
    return result.data;
  }
}
