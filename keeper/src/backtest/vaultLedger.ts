/**
 * Exact, integer model of IndexVault's accounting (OpenZeppelin ERC-4626 with a decimals
 * offset, oracle-valued basket, management and performance fees with a high-water mark, and
 * the keeper-signed rebalance checks). Every division names its rounding, as in the contract,
 * so the same sequence of calls gives the same shares, assets and fees to the unit.
 *
 * Built to be driven step by step beside the deployed contract (parity test): every mutating
 * call takes the block timestamp `now` and is atomic, i.e. a call that would revert throws an
 * `ExecutionError` and leaves the ledger exactly as it was (fee accrual included).
 *
 * Rebalance details follow IndexVault.sol: the oracle quote of a leg is one floor from
 * token-in to token-out units; weights are `floor(valueInBase * 10_000 / totalAssets)` bps and
 * the base asset's weight must also be within tolerance of its target (10,000 minus the
 * basket's); turnover is the oracle value in base of every leg's input (base spent included)
 * over NAV before, rounded up; withdrawals are paid from the idle buffer only.
 */
import { ExecutionError, InvalidInputError } from "../core/errors.js";
import { BPS, mulDiv, type Rounding, WAD } from "../core/fixed.js";

export const SECONDS_PER_YEAR = 365n * 86_400n;
export const MAX_MANAGEMENT_FEE_BPS = 200n;
export const MAX_PERFORMANCE_FEE_BPS = 2_000n;
/** L-1: the performance fee is charged only up to a share price recorded at least this long ago. */
export const CHECKPOINT_AGE_SECONDS = 86_400n;
/** Index that designates the base asset in a rebalance leg. */
export const BASE = -1;

export interface LedgerToken {
  readonly symbol: string;
  readonly decimals: number;
}

export interface VaultLedgerConfig {
  readonly baseDecimals: number;
  readonly tokens: readonly LedgerToken[];
  readonly managementFeeBps: bigint;
  readonly performanceFeeBps: bigint;
  readonly feeRecipient: string;
  /** Per basket token, in bps of NAV. */
  readonly maxWeightBps: readonly bigint[];
  readonly maxTurnoverBps: bigint;
  readonly cooldownSeconds: bigint;
  readonly toleranceBps: bigint;
  readonly maxSlippageBps: bigint;
  /** Deployment timestamp (the first `lastAccrual`). */
  readonly deployedAt: bigint;
  /**
   * Declared feed deviation thresholds in bps, `base` for the base asset and one per basket token
   * (the vault's `deviationBps`): deposits and mints pay the entry spread they size (M-1).
   * Absent: no spread.
   */
  readonly deviationBps?: { readonly base: bigint; readonly tokens: readonly bigint[] };
}

export interface FeeAccrual {
  readonly managementFee: bigint;
  readonly performanceFee: bigint;
  readonly feeShares: bigint;
}

export interface RebalanceLeg {
  /** Basket token index, or `BASE`. */
  readonly tokenIn: number;
  readonly tokenOut: number;
  readonly amountIn: bigint;
  /** What the swap actually returned (from the pool, or a cost model). */
  readonly amountOut: bigint;
}

export interface RebalanceOrder {
  /** Target weight of each basket token in bps (the base asset's target is the rest of 10,000). */
  readonly targetBps: readonly bigint[];
  readonly legs: readonly RebalanceLeg[];
  /** The order's own slippage bound (at most the vault's); default the vault's. */
  readonly maxSlippageBps?: bigint;
}

export interface RebalanceReceipt {
  readonly navBefore: bigint;
  readonly navAfter: bigint;
  readonly turnoverBps: bigint;
  readonly amountOutMinimum: readonly bigint[];
}

interface State {
  idle: bigint;
  balances: bigint[];
  supply: bigint;
  shares: Map<string, bigint>;
  hwm: bigint;
  /** L-1 checkpoint: share price (WAD per share unit) after the fee at the accrual that set it, and when. */
  checkpointPrice: bigint;
  checkpointAt: bigint;
  lastAccrual: bigint;
  lastRebalance: bigint | null;
  managementFeeBps: bigint;
  performanceFeeBps: bigint;
}

export class VaultLedger {
  readonly config: VaultLedgerConfig;
  /** 10^offset virtual shares; one virtual asset. */
  readonly virtualShares: bigint;
  readonly decimalsOffset: number;
  private s: State;
  private basePrice = 10n ** 8n;
  private readonly prices: bigint[];
  /** What the last accrual charged (read by `accrueFees`). */
  private lastFees: FeeAccrual = { managementFee: 0n, performanceFee: 0n, feeShares: 0n };

  constructor(config: VaultLedgerConfig) {
    if (config.maxWeightBps.length !== config.tokens.length) {
      throw new InvalidInputError("VaultLedger: one max weight per token", { tokens: config.tokens.length });
    }
    checkFeeCaps(config.managementFeeBps, config.performanceFeeBps);
    this.config = config;
    this.decimalsOffset = Math.max(6, 18 - config.baseDecimals);
    this.virtualShares = 10n ** BigInt(this.decimalsOffset);
    this.prices = config.tokens.map(() => 0n);
    this.s = {
      idle: 0n,
      balances: config.tokens.map(() => 0n),
      supply: 0n,
      shares: new Map(),
      hwm: mulDiv(1n, WAD, this.virtualShares),
      checkpointPrice: mulDiv(1n, WAD, this.virtualShares),
      checkpointAt: config.deployedAt,
      lastAccrual: config.deployedAt,
      lastRebalance: null,
      managementFeeBps: config.managementFeeBps,
      performanceFeeBps: config.performanceFeeBps,
    };
  }

  // ----- views -------------------------------------------------------------------------

  get idle(): bigint {
    return this.s.idle;
  }
  get totalSupply(): bigint {
    return this.s.supply;
  }
  get highWaterMark(): bigint {
    return this.s.hwm;
  }
  get lastAccrual(): bigint {
    return this.s.lastAccrual;
  }
  get managementFeeBps(): bigint {
    return this.s.managementFeeBps;
  }
  get performanceFeeBps(): bigint {
    return this.s.performanceFeeBps;
  }
  balanceOfToken(i: number): bigint {
    return this.s.balances[this.tokenIndex(i)]!;
  }
  balanceOf(account: string): bigint {
    return this.s.shares.get(account) ?? 0n;
  }

  /** Chainlink answers (8 decimals) for the base asset and every basket token. */
  setPrices(basePrice8: bigint, tokenPrices8: readonly bigint[]): void {
    if (basePrice8 <= 0n || tokenPrices8.length !== this.prices.length || tokenPrices8.some((p) => p <= 0n)) {
      throw new InvalidInputError("VaultLedger.setPrices: one positive price per token", { basePrice8 });
    }
    this.basePrice = basePrice8;
    for (let i = 0; i < tokenPrices8.length; i++) this.prices[i] = tokenPrices8[i]!;
  }

  valueInBase(i: number, amount: bigint): bigint {
    const k = this.tokenIndex(i);
    const dec = this.config.tokens[k]!.decimals;
    return mulDiv(
      amount,
      this.prices[k]! * 10n ** BigInt(this.config.baseDecimals),
      this.basePrice * 10n ** BigInt(dec),
    );
  }

  totalAssets(): bigint {
    return this.totalAssetsOf(this.s);
  }

  convertToShares(assets: bigint, rounding: Rounding = "floor"): bigint {
    return mulDiv(assets, this.s.supply + this.virtualShares, this.totalAssets() + 1n, rounding);
  }

  convertToAssets(shares: bigint, rounding: Rounding = "floor"): bigint {
    return mulDiv(shares, this.totalAssets() + 1n, this.s.supply + this.virtualShares, rounding);
  }

  /**
   * The entry spread (M-1): how far the true value of the holdings can exceed NAV while every
   * feed is inside its deviation window, ceil(sum v_i (d_i + d_0) / (10,000 - d_0)), as the vault.
   */
  entrySpread(): bigint {
    const d = this.config.deviationBps;
    if (!d) return 0n;
    let excess = 0n;
    for (let i = 0; i < this.s.balances.length; i++) {
      excess += this.valueInBase(i, this.s.balances[i]!) * (d.tokens[i]! + d.base);
    }
    return excess === 0n ? 0n : (excess - 1n) / (BPS - d.base) + 1n;
  }

  previewDeposit(assets: bigint): bigint {
    const spread = this.entrySpread();
    const fee = spread === 0n ? 0n : mulDiv(assets, spread, this.totalAssets() + spread, "ceil");
    return this.convertToShares(assets - fee, "floor");
  }
  previewMint(shares: bigint): bigint {
    const assets = this.convertToAssets(shares, "ceil");
    const spread = this.entrySpread();
    return spread === 0n ? assets : assets + mulDiv(assets, spread, this.totalAssets(), "ceil");
  }
  previewWithdraw(assets: bigint): bigint {
    return this.convertToShares(assets, "ceil");
  }
  previewRedeem(shares: bigint): bigint {
    return this.convertToAssets(shares, "floor");
  }

  /** Weight of each basket token in bps of total assets (floor). */
  weightsBps(): bigint[] {
    const ta = this.totalAssets();
    return this.s.balances.map((b, i) => (ta === 0n ? 0n : mulDiv(this.valueInBase(i, b), BPS, ta)));
  }

  // ----- user entry points (fees accrue first, as in the contract) -----------------------

  deposit(now: bigint, assets: bigint, receiver: string): bigint {
    return this.atomic(now, () => {
      const shares = this.previewDeposit(assets);
      this.s.idle += assets;
      this.mintShares(receiver, shares);
      return shares;
    });
  }

  mint(now: bigint, shares: bigint, receiver: string): bigint {
    return this.atomic(now, () => {
      const assets = this.previewMint(shares);
      this.s.idle += assets;
      this.mintShares(receiver, shares);
      return assets;
    });
  }

  withdraw(now: bigint, assets: bigint, owner: string): bigint {
    return this.atomic(now, () => {
      const shares = this.convertToShares(assets, "ceil");
      this.burnShares(owner, shares);
      this.payOut(assets);
      return shares;
    });
  }

  redeem(now: bigint, shares: bigint, owner: string): bigint {
    return this.atomic(now, () => {
      const assets = this.convertToAssets(shares, "floor");
      this.burnShares(owner, shares);
      this.payOut(assets);
      return assets;
    });
  }

  accrueFees(now: bigint): FeeAccrual {
    return this.atomic(now, () => this.lastFees);
  }

  setFees(now: bigint, managementFeeBps: bigint, performanceFeeBps: bigint): void {
    checkFeeCaps(managementFeeBps, performanceFeeBps);
    this.atomic(now, () => {
      this.s.managementFeeBps = managementFeeBps;
      this.s.performanceFeeBps = performanceFeeBps;
    });
  }

  /**
   * Applies a keeper-signed rebalance whose swaps returned `leg.amountOut`. Checks, as the
   * contract does: cooldown, each leg's amountOutMinimum from oracle value and max slippage,
   * NAV floor, turnover cap, tolerance to target and max weights; share supply is untouched.
   */
  rebalance(now: bigint, order: RebalanceOrder): RebalanceReceipt {
    const cfg = this.config;
    if (order.targetBps.length !== cfg.tokens.length) {
      throw new InvalidInputError("VaultLedger.rebalance: one target per token");
    }
    const slippage = order.maxSlippageBps ?? cfg.maxSlippageBps;
    return this.atomic(now, () => {
      // Order checks (IndexVault._checkOrder).
      if (slippage > cfg.maxSlippageBps) throw new ExecutionError("rebalance: slippage above limit");
      const last = this.s.lastRebalance;
      if (last !== null && now - last < cfg.cooldownSeconds) {
        throw new ExecutionError("rebalance: cooldown", { details: { now, last } });
      }
      let targetSum = 0n;
      for (let i = 0; i < order.targetBps.length; i++) {
        const target = order.targetBps[i]!;
        if (target < 0n || target > cfg.maxWeightBps[i]!) {
          throw new ExecutionError("rebalance: target above max weight", { details: { i, target } });
        }
        targetSum += target;
      }
      if (targetSum > BPS) throw new ExecutionError("rebalance: weights do not sum", { details: { targetSum } });
      const navBefore = this.totalAssets();
      const supplyBefore = this.s.supply;
      let sold = 0n;
      const minimums: bigint[] = [];
      for (const leg of order.legs) {
        if (leg.tokenIn === leg.tokenOut || leg.amountIn <= 0n) {
          throw new ExecutionError("rebalance: malformed leg", { details: { ...leg } });
        }
        const minOut = mulDiv(this.oracleAmountOut(leg.tokenIn, leg.tokenOut, leg.amountIn), BPS - slippage, BPS);
        minimums.push(minOut);
        if (leg.amountOut < minOut) {
          throw new ExecutionError("rebalance: too little received", { details: { ...leg, minOut } });
        }
        sold += leg.tokenIn === BASE ? leg.amountIn : this.valueInBase(leg.tokenIn, leg.amountIn);
        this.debit(leg.tokenIn, leg.amountIn);
        this.credit(leg.tokenOut, leg.amountOut);
      }
      // Rounded up, so the cap is never exceeded by rounding.
      const turnoverBps = navBefore === 0n ? 0n : mulDiv(sold, BPS, navBefore, "ceil");
      if (turnoverBps > cfg.maxTurnoverBps) {
        throw new ExecutionError("rebalance: turnover cap", { details: { turnoverBps } });
      }
      const navAfter = this.totalAssets();
      if (navAfter * BPS < navBefore * (BPS - slippage)) {
        throw new ExecutionError("rebalance: NAV loss above max slippage", { details: { navBefore, navAfter } });
      }
      if (navAfter > 0n) {
        const baseGap = absDiff(mulDiv(this.s.idle, BPS, navAfter), BPS - targetSum);
        if (baseGap > cfg.toleranceBps) throw new ExecutionError("rebalance: off target", { details: { i: BASE } });
        const weights = this.weightsBps();
        for (let i = 0; i < weights.length; i++) {
          const w = weights[i]!;
          if (absDiff(w, order.targetBps[i]!) > cfg.toleranceBps) {
            throw new ExecutionError("rebalance: off target", { details: { i, w, target: order.targetBps[i] } });
          }
          if (w > cfg.maxWeightBps[i]!) throw new ExecutionError("rebalance: above max weight", { details: { i, w } });
        }
      }
      if (this.s.supply !== supplyBefore) throw new ExecutionError("rebalance: share supply changed");
      this.s.lastRebalance = now;
      return { navBefore, navAfter, turnoverBps, amountOutMinimum: minimums };
    });
  }

  /** Oracle value of `amountIn` of one asset expressed in units of another (floor). */
  oracleAmountOut(tokenIn: number, tokenOut: number, amountIn: bigint): bigint {
    const [pIn, decIn] = this.priceAndDecimals(tokenIn);
    const [pOut, decOut] = this.priceAndDecimals(tokenOut);
    return mulDiv(amountIn, pIn * 10n ** BigInt(decOut), pOut * 10n ** BigInt(decIn));
  }

  // ----- internals -----------------------------------------------------------------------

  /** Runs `body` after fee accrual; any throw restores the state as it was (a revert). */
  private atomic<T>(now: bigint, body: () => T): T {
    if (now < this.s.lastAccrual) throw new InvalidInputError("VaultLedger: time went backwards", { now });
    const saved = cloneState(this.s);
    const savedFees = this.lastFees;
    try {
      this.accrue(now);
      return body();
    } catch (err) {
      this.s = saved;
      this.lastFees = savedFees;
      throw err;
    }
  }

  private accrue(now: bigint): void {
    const s = this.s;
    const dt = now - s.lastAccrual;
    const supply = s.supply;
    this.lastFees = { managementFee: 0n, performanceFee: 0n, feeShares: 0n };
    if (supply === 0n) {
      s.lastAccrual = now;
      return;
    }
    const V = this.virtualShares;
    const ta = this.totalAssets();
    // Both fees are bounded by NAV, as in the contract (only reachable after decades unaccrued).
    const mgmt = minBig(mulDiv(ta, s.managementFeeBps * dt, BPS * SECONDS_PER_YEAR), ta);
    const priceWad = mulDiv(ta - mgmt + 1n, WAD, supply + V);
    // L-1, as the contract: with a performance fee, the gain counts only up to the checkpoint
    // price once that is a day old, and not at all before (the mark then stays where it is).
    const perfOn = s.performanceFeeBps !== 0n;
    const charge = !perfOn || now >= s.checkpointAt + CHECKPOINT_AGE_SECONDS;
    let chargeable = priceWad;
    if (perfOn) chargeable = charge ? minBig(priceWad, s.checkpointPrice) : s.hwm;
    const perf =
      chargeable > s.hwm ? mulDiv(mulDiv(chargeable - s.hwm, supply + V, WAD), s.performanceFeeBps, BPS) : 0n;
    const feeAssets = minBig(mgmt + perf, ta);
    const feeShares = feeAssets === 0n ? 0n : mulDiv(feeAssets, supply + V, ta - feeAssets + 1n);
    this.mintShares(this.config.feeRecipient, feeShares);
    if (charge) {
      // Rounded up, as the contract stores it (a low mark would charge rounding as gain).
      const priceAfter = mulDiv(ta + 1n, WAD, supply + feeShares + V, "ceil");
      // The gain above the chargeable price stays above the mark, for a later accrual.
      const uncharged = priceWad - chargeable;
      if (priceAfter > s.hwm + uncharged) s.hwm = priceAfter - uncharged;
      if (perfOn) {
        s.checkpointPrice = priceAfter;
        s.checkpointAt = now;
      }
    }
    s.lastAccrual = now;
    this.lastFees = { managementFee: mgmt, performanceFee: perf, feeShares };
  }

  private totalAssetsOf(s: State): bigint {
    let ta = s.idle;
    for (let i = 0; i < s.balances.length; i++) ta += this.valueInBase(i, s.balances[i]!);
    return ta;
  }

  private mintShares(account: string, shares: bigint): void {
    if (shares === 0n) return;
    this.s.supply += shares;
    this.s.shares.set(account, this.balanceOf(account) + shares);
  }

  private burnShares(account: string, shares: bigint): void {
    const balance = this.balanceOf(account);
    if (shares > balance) throw new ExecutionError("ERC4626: burn exceeds balance", { details: { account, shares } });
    this.s.supply -= shares;
    this.s.shares.set(account, balance - shares);
  }

  private payOut(assets: bigint): void {
    if (assets > this.s.idle) throw new ExecutionError("withdraw exceeds idle buffer", { details: { assets } });
    this.s.idle -= assets;
  }

  private debit(i: number, amount: bigint): void {
    if (i === BASE) {
      if (amount > this.s.idle) throw new ExecutionError("rebalance: spends more base than idle");
      this.s.idle -= amount;
      return;
    }
    const k = this.tokenIndex(i);
    if (amount > this.s.balances[k]!) throw new ExecutionError("rebalance: sells more than held", { details: { i } });
    this.s.balances[k] = this.s.balances[k]! - amount;
  }

  private credit(i: number, amount: bigint): void {
    if (i === BASE) this.s.idle += amount;
    else {
      const k = this.tokenIndex(i);
      this.s.balances[k] = this.s.balances[k]! + amount;
    }
  }

  private priceAndDecimals(i: number): [bigint, number] {
    if (i === BASE) return [this.basePrice, this.config.baseDecimals];
    const k = this.tokenIndex(i);
    return [this.prices[k]!, this.config.tokens[k]!.decimals];
  }

  private tokenIndex(i: number): number {
    if (!Number.isInteger(i) || i < 0 || i >= this.config.tokens.length) {
      throw new InvalidInputError("VaultLedger: no such token", { i });
    }
    return i;
  }
}

function checkFeeCaps(mgmt: bigint, perf: bigint): void {
  if (mgmt < 0n || mgmt > MAX_MANAGEMENT_FEE_BPS || perf < 0n || perf > MAX_PERFORMANCE_FEE_BPS) {
    throw new InvalidInputError("VaultLedger: fee above cap", { mgmt, perf });
  }
}

function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

function absDiff(a: bigint, b: bigint): bigint {
  return a > b ? a - b : b - a;
}

function cloneState(s: State): State {
  return { ...s, balances: [...s.balances], shares: new Map(s.shares) };
}
