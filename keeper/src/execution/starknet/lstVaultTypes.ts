/** Values exchanged with the Starknet LST vault, in keeper terms (camelCase, bigint amounts). */

/** Owner-set bounds on the keeper (the vault's `RiskParams`). */
export interface LstVaultRiskParams {
  readonly weightToleranceBps: number;
  readonly maxSlippageBps: number;
  readonly maxNavLossBps: number;
  readonly rebalanceCooldownSeconds: number;
  readonly maxPriceAgeSeconds: number;
}

/** Roles and parameters of the vault, read in one call (`config`). */
export interface LstVaultConfig {
  readonly owner: string;
  readonly guardian: string;
  readonly keeper: string;
  readonly paused: boolean;
  readonly oracle: string;
  /** Oracle pair of the asset, e.g. "ETH/USD". */
  readonly basePairId: string;
  readonly router: string;
  readonly managementFeeBps: number;
  readonly feeRecipient: string;
  readonly risk: LstVaultRiskParams;
  /** Unix seconds of the last rebalance, 0 before the first. */
  readonly lastRebalanceAt: number;
  /** Seconds a risk-increasing change waits between `schedule` and execution. */
  readonly timelockDelaySeconds: number;
}

/** A basket slot: slot 0 is the asset (WETH), the others are LSTs. */
export interface BasketSlot {
  readonly token: string;
  /** Oracle pair id decoded from its short string, e.g. "WSTETH/USD". */
  readonly pairId: string;
  readonly targetBps: number;
}

/** What the vault accepts for a swap at current oracle prices. */
export interface SwapQuote {
  readonly expectedOut: bigint;
  readonly minOut: bigint;
}

/** One AVNU route leg, as returned by the aggregator's quote. */
export interface RouteInput {
  readonly tokenFrom: string;
  readonly tokenTo: string;
  readonly exchangeAddress: string;
  readonly percent: bigint;
  readonly additionalSwapParams: readonly bigint[];
}

/** One swap of a rebalance; the vault derives its minimum out from oracle prices. */
export interface SwapStepInput {
  readonly tokenIn: string;
  readonly tokenOut: string;
  readonly amountIn: bigint;
  readonly routes: readonly RouteInput[];
}
