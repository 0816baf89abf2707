/**
 * The swaps that move the Starknet LST vault from its holdings toward target weights, in the
 * vault's own terms (bigint token units, bps of NAV). Pure: the venue reads the state, this
 * decides, and the same function feeds the offline Cairo proof (scripts/starknet/planProof.ts),
 * so what is proven against the compiled vault is what the keeper sends.
 *
 * Every swap goes through slot 0 (WETH): the vault's oracle prices each LST in WETH, and AVNU
 * routes LST/LST through WETH pools anyway. LSTs above target are sold first; their WETH, at the
 * vault's own minimum out, is counted before any buy, so a buy never spends WETH the vault may
 * not receive.
 */
import { InvalidInputError } from "../../core/errors.js";

const BPS = 10_000n;
const WAD = 10n ** 18n;

export interface PlanSlot {
  readonly symbol: string;
  readonly token: string;
  /** Units held by the vault. */
  readonly balance: bigint;
  /** WETH wei per 10^18 units (1e18 for slot 0), from the vault's own oracle quote. */
  readonly priceWad: bigint;
}

export interface PlannedSwap {
  readonly tokenIn: string;
  readonly tokenOut: string;
  readonly amountIn: bigint;
  /** Slot of the LST bought or sold (never 0). */
  readonly slot: number;
  readonly side: "buy" | "sell";
  /** What the vault expects at oracle prices, and the least it accepts (its own bound). */
  readonly expectedOut: bigint;
  readonly minOut: bigint;
}

export interface SwapPlanInput {
  /** Slot 0 is WETH, the others LSTs, in basket order. */
  readonly slots: readonly PlanSlot[];
  /** Target bps per slot, summing to 10_000. */
  readonly targetBps: readonly number[];
  /** Slippage the transaction is signed with (the vault's min-out bound). */
  readonly maxSlippageBps: number;
  /** Moves smaller than this (bps of NAV) are not traded. */
  readonly minTradeBps: number;
  /** Cost assumed when predicting the weights after the swaps (bps of each swap's value). */
  readonly assumedCostBps: number;
}

export interface SwapPlan {
  readonly swaps: readonly PlannedSwap[];
  /** NAV before, in WETH wei at oracle prices. */
  readonly navBefore: bigint;
  /** Predicted weights after the swaps at `assumedCostBps`, bps per slot. */
  readonly predictedBps: readonly number[];
}

function slotValue(slot: PlanSlot): bigint {
  return (slot.balance * slot.priceWad) / WAD;
}

function out(amountIn: bigint, priceIn: bigint, priceOut: bigint, slippageBps: number): [bigint, bigint] {
  const expected = (amountIn * priceIn) / priceOut;
  // The vault rounds its minimum up; so does this, to never plan a swap the vault would refuse.
  const num = expected * (BPS - BigInt(slippageBps));
  return [expected, (num + BPS - 1n) / BPS];
}

export function planSwaps(input: SwapPlanInput): SwapPlan {
  const { slots, targetBps } = input;
  const base = slots[0];
  if (base === undefined) throw new InvalidInputError("the basket has no slot");
  if (targetBps.length !== slots.length) {
    throw new InvalidInputError("one target per basket slot expected", {
      slots: slots.length,
      targets: targetBps.length,
    });
  }
  if (targetBps.reduce((a, b) => a + b, 0) !== 10_000) throw new InvalidInputError("targets must sum to 10000 bps");
  for (const [i, s] of slots.entries()) {
    if (s.priceWad <= 0n) throw new InvalidInputError(`no price for slot ${i} (${s.symbol})`);
  }
  const values = slots.map(slotValue);
  const nav = values.reduce((a, b) => a + b, 0n);
  if (nav === 0n) throw new InvalidInputError("the vault is empty: nothing to rebalance");
  const minTrade = (nav * BigInt(input.minTradeBps)) / BPS;
  const cost = BigInt(input.assumedCostBps);
  const after = [...values];
  const swaps: PlannedSwap[] = [];
  let wethAvailable = base.balance;
  for (let i = 1; i < slots.length; i++) {
    const slot = slots[i] as PlanSlot;
    const excess = (values[i] as bigint) - (nav * BigInt(targetBps[i] as number)) / BPS;
    if (excess <= minTrade || slot.balance === 0n) continue;
    // Units worth `excess`, never more than held.
    const amountIn = [(slot.balance * excess) / (values[i] as bigint), slot.balance].reduce((a, b) => (a < b ? a : b));
    const [expectedOut, minOut] = out(amountIn, slot.priceWad, base.priceWad, input.maxSlippageBps);
    if (minOut === 0n) continue;
    swaps.push({ tokenIn: slot.token, tokenOut: base.token, amountIn, slot: i, side: "sell", expectedOut, minOut });
    wethAvailable += minOut;
    after[i] = (after[i] as bigint) - (amountIn * slot.priceWad) / WAD;
    after[0] = (after[0] as bigint) + (expectedOut * (BPS - cost)) / BPS;
  }
  const deficits = slots.map((_, i) =>
    i === 0 ? 0n : (nav * BigInt(targetBps[i] as number)) / BPS - (values[i] as bigint),
  );
  const wanted = deficits.reduce((a, d) => (d > minTrade ? a + d : a), 0n);
  for (let i = 1; i < slots.length; i++) {
    const deficit = deficits[i] as bigint;
    if (deficit <= minTrade) continue;
    // Scaled down pro rata when the WETH at hand (with sells at their minimum) is short.
    const amountIn = wanted > wethAvailable ? (deficit * wethAvailable) / wanted : deficit;
    const slot = slots[i] as PlanSlot;
    const [expectedOut, minOut] = out(amountIn, base.priceWad, slot.priceWad, input.maxSlippageBps);
    if (amountIn === 0n || minOut === 0n) continue;
    swaps.push({ tokenIn: base.token, tokenOut: slot.token, amountIn, slot: i, side: "buy", expectedOut, minOut });
    after[0] = (after[0] as bigint) - amountIn;
    after[i] = (after[i] as bigint) + (((expectedOut * slot.priceWad) / WAD) * (BPS - cost)) / BPS;
  }
  const navAfter = after.reduce((a, b) => a + b, 0n);
  return {
    swaps,
    navBefore: nav,
    predictedBps: after.map((v) => Number((v * BPS) / (navAfter === 0n ? 1n : navAfter))),
  };
}
