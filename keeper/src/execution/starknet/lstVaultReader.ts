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
import type { BasketSlot, LstVaultRiskParams, SwapQuote } from "./lstVaultTypes.js";
import { bps, starknetAddress, u256 } from "./starknetValues.js";

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
const basketSlot = z.object({ token: address, pair_id: big, target_bps: small }).transform(
  (s): BasketSlot => ({
    token: s.token,
    pairId: shortString.decodeShortString(`0x${s.pair_id.toString(16)}`),
    targetBps: s.target_bps,
  }),
);
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

  riskParams(): Promise<LstVaultRiskParams> {
    return this.view("risk_params", {}, riskParams);
  }

  lastRebalanceAt(): Promise<number> {
    return this.view("last_rebalance_at", {}, small);
  }

  isPaused(): Promise<boolean> {
    return this.view("is_paused", {}, z.boolean());
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
