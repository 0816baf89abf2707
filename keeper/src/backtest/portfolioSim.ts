/**
 * The fast portfolio simulator shared by the backtester, the RL environment and the keeper's
 * dry runs. It holds the vault's balances in token units, marks them to the panel's closes,
 * accrues the vault's fees with the contract's formulas (in floats; `VaultLedger` is the exact
 * integer twin) and rebalances with modelled Uniswap costs under the vault's rules.
 *
 * Conventions:
 * - Everything happens at a bar's close: `markTo(t)` values at close[t], `rebalance(t, ...)`
 *   trades at close[t] plus modelled costs. The caller decides the timing (the backtester
 *   decides on bar t and executes on bar t + lag).
 * - A price that is missing (NaN) keeps the last known mark; a leg in an asset without a
 *   price, or whose cost cannot be modelled, is not traded. A held position whose series ends
 *   (or stays unpriced) is handled by the frozen-position policy (frozenPositions.ts), and
 *   every application of it is recorded in `frozenEvents`.
 * - `nav` is what the depositor owns (their shares at the vault's share price, i.e. after
 *   fees); `totalAssetsUsd` is the whole vault, fee recipient's shares included.
 * - Gas is paid by the keeper on chain; the simulator charges it to the fund's buffer so that
 *   a backtest is honest about what running the strategy costs.
 * - Hot paths are allocation-free loops over Float64Array.
 */
import { InvalidInputError } from "../core/errors.js";
import type { MarketPanel, WeightVector } from "../core/types.js";
import { type HopLiquidity, legOutFraction } from "../market/costs.js";
import {
  DEFAULT_FROZEN_POLICY,
  type FrozenPolicy,
  type FrozenPositionEvent,
  lastPricedBars,
} from "./frozenPositions.js";
import { type LiquidityEstimates, RollingLiquidity } from "./liquidityEstimates.js";

export interface CostConfig {
  /** Per-asset Uniswap fee tier as a fraction (0.0005 = 5 bp) of the leg from the base asset; multi-hop legs list every hop. */
  readonly feeTiers: readonly (readonly number[])[];
  /** Per-asset in-range pool depth in USD (virtual reserves of the active range), NaN when unknown -> square-root impact from volume. */
  readonly poolDepthUsd: Float64Array;
  /** Square-root impact coefficient: impact = k * sigma_daily * sqrt(tradeUsd / dailyVolumeUsd). */
  readonly sqrtImpactK: number;
  readonly gasUsdPerLeg: number;
  /** Signed max slippage per leg as a fraction; a leg whose modelled cost exceeds it is not executed (as on chain). */
  readonly maxSlippage: number;
  /** Per-asset half-width of the active range (fraction of price); beyond it the square-root model applies. Absent/NaN = unbounded. */
  readonly rangeHalfWidth?: Float64Array;
  /**
   * In-range depth (USD) of the hub pools of multi-hop legs (e.g. WETH/USDC). Absent: hub hops
   * are charged the asset's own liquidity, which overstates their impact.
   */
  readonly hubDepthUsd?: number;
}

export interface VaultRules {
  readonly managementFeeBps: number;
  readonly performanceFeeBps: number;
  readonly maxWeightBps: Float64Array;
  /** Cap on sum |w_after - w_before| over basket assets (base excluded), in bps of NAV. */
  readonly maxTurnoverBps: number;
  readonly cooldownSeconds: number;
  /** No-trade band: a leg whose weight change is below this is not traded (saves gas on dust). */
  readonly toleranceBps: number;
}

export interface RebalanceResult {
  readonly executed: boolean;
  readonly turnover: number;
  readonly costUsd: number;
  readonly gasUsd: number;
  readonly skippedLegs: number;
  readonly reason?: string;
}

export interface PortfolioSimOptions {
  readonly panel: MarketPanel;
  readonly initialNavUsd: number;
  readonly costs: CostConfig;
  readonly rules: VaultRules;
  readonly baseAssetIndex: number;
  /** Decimals of the base asset on chain (USDC: 6); sets the vault's virtual-share offset. */
  readonly baseDecimals?: number;
  /** How often fees are accrued between rebalances (the keeper's accrueFees cadence). Default 1 day. */
  readonly feeAccrualIntervalSeconds?: number;
  /** Trailing window of the volatility / volume estimates. Default 30 days. */
  readonly liquidityWindowDays?: number;
  /**
   * Precomputed `trailingLiquidity(panel, liquidityWindowDays)`, to share one pass over the
   * panel between many simulators (RL episodes, several strategies on the same data).
   */
  readonly liquidity?: LiquidityEstimates;
  /** What happens to a position whose price stops (default: sell at the last close less 10%). */
  readonly frozen?: FrozenPolicy;
}

const SECONDS_PER_YEAR = 365 * 86_400;
/** L-1, as the vault: a performance fee counts gain only up to a share price at least a day old. */
const CHECKPOINT_AGE_SECONDS = 86_400;

/** Scratch liquidity description filled per leg (no allocation on the hot path). */
type MutableHop = { -readonly [K in keyof HopLiquidity]: HopLiquidity[K] };
const WAD = 1e18;

export class PortfolioSim {
  readonly panel: MarketPanel;
  readonly costs: CostConfig;
  readonly rules: VaultRules;
  readonly baseAssetIndex: number;
  readonly initialNavUsd: number;

  private readonly n: number;
  private readonly baseScale: number;
  private readonly V: number;
  private readonly accrualInterval: number;
  private readonly units: Float64Array;
  private readonly mark: Float64Array;
  private readonly w: Float64Array;
  private readonly planned: Float64Array;
  /** Last observed close per asset (the mark may be lower under the markdown policy). */
  private readonly lastPx: Float64Array;
  /** Bar of `lastPx` per asset, -1 before the first close. */
  private readonly lastSeen: Int32Array;
  /** Last bar with a close in the whole panel, per asset: where its series ends. */
  private readonly seriesEnd: Int32Array;
  /** Per asset: the policy already acted on the current unpriced run (report it once). */
  private readonly frozenHandled: Uint8Array;
  private readonly frozenPolicy: FrozenPolicy;
  private readonly events: FrozenPositionEvent[] = [];
  /** Shared materialised estimates when given, else computed on demand. */
  private readonly liquidityTable: LiquidityEstimates | null;
  private readonly rolling: RollingLiquidity;
  private readonly hop: MutableHop;
  private readonly hub: MutableHop | null;
  private tIdx = -1;
  private totalUsd = 0;
  private supply = 0;
  private investorShares = 0;
  private hwm = 0;
  /** The vault's L-1 checkpoint: share price (WAD per share unit) and when it was recorded. */
  private checkpointPrice = 0;
  private checkpointTs = 0;
  private lastAccrualTs = 0;
  private lastRebalanceTs = Number.NEGATIVE_INFINITY;
  private costTotal = 0;
  private gasTotal = 0;
  private feeTotal = 0;
  private frozenLossTotal = 0;
  private staleUsd = 0;
  private endedUsd = 0;
  private yieldTotal = 0;

  constructor(opts: PortfolioSimOptions) {
    const { panel, costs, rules } = opts;
    const n = panel.assets.length;
    if (!(opts.initialNavUsd > 0)) throw new InvalidInputError("PortfolioSim: initialNavUsd must be > 0");
    if (!Number.isInteger(opts.baseAssetIndex) || opts.baseAssetIndex < 0 || opts.baseAssetIndex >= n) {
      throw new InvalidInputError("PortfolioSim: baseAssetIndex out of range", { baseAssetIndex: opts.baseAssetIndex });
    }
    if (costs.feeTiers.length !== n || costs.poolDepthUsd.length !== n || rules.maxWeightBps.length !== n) {
      throw new InvalidInputError("PortfolioSim: cost and rule arrays must have one entry per asset", { n });
    }
    if (!(costs.maxSlippage >= 0) || !(costs.gasUsdPerLeg >= 0) || !(costs.sqrtImpactK >= 0)) {
      throw new InvalidInputError("PortfolioSim: costs must be non-negative");
    }
    if (
      rules.managementFeeBps < 0 ||
      rules.managementFeeBps > 200 ||
      rules.performanceFeeBps < 0 ||
      rules.performanceFeeBps > 2000
    ) {
      throw new InvalidInputError("PortfolioSim: fees above the vault's caps (200 / 2000 bps)");
    }
    this.panel = panel;
    this.costs = costs;
    this.rules = rules;
    this.baseAssetIndex = opts.baseAssetIndex;
    this.initialNavUsd = opts.initialNavUsd;
    this.n = n;
    const baseDecimals = opts.baseDecimals ?? 6;
    this.baseScale = 10 ** baseDecimals;
    this.V = 10 ** Math.max(6, 18 - baseDecimals);
    this.accrualInterval = opts.feeAccrualIntervalSeconds ?? 86_400;
    this.liquidityTable = opts.liquidity ?? null;
    if (
      this.liquidityTable &&
      (this.liquidityTable.sigmaDaily.length !== n ||
        this.liquidityTable.sigmaDaily[0]?.length !== panel.timestamps.length)
    ) {
      throw new InvalidInputError("PortfolioSim: liquidity estimates do not match the panel");
    }
    this.rolling = new RollingLiquidity(panel, opts.liquidityWindowDays ?? 30);
    this.units = new Float64Array(n);
    this.mark = new Float64Array(n);
    this.w = new Float64Array(n);
    this.planned = new Float64Array(n);
    this.lastPx = new Float64Array(n);
    this.lastSeen = new Int32Array(n);
    this.seriesEnd = lastPricedBars(panel.close);
    this.frozenHandled = new Uint8Array(n);
    this.frozenPolicy = opts.frozen ?? DEFAULT_FROZEN_POLICY;
    this.hop = {
      depthUsd: Number.NaN,
      rangeHalfWidth: Number.NaN,
      sqrtImpactK: costs.sqrtImpactK,
      sigmaDaily: 0,
      dailyVolumeUsd: 0,
    };
    const hubDepth = costs.hubDepthUsd;
    this.hub =
      hubDepth !== undefined && hubDepth > 0
        ? {
            depthUsd: hubDepth,
            rangeHalfWidth: Number.NaN,
            sqrtImpactK: 0,
            sigmaDaily: Number.NaN,
            dailyVolumeUsd: Number.NaN,
          }
        : null;
    this.reset(0);
  }

  /** Current bar index. */
  get t(): number {
    return this.tIdx;
  }
  /** Depositor's value in USD (after fees). */
  get nav(): number {
    return this.netNavUsd();
  }
  /** Live weights of the vault's holdings (read-only view; updated in place by the simulator). */
  get weights(): WeightVector {
    return this.w;
  }
  get totalAssetsUsd(): number {
    return this.totalUsd;
  }
  /** Token balances (read-only view). */
  get balances(): Float64Array {
    return this.units;
  }
  /** Off-price yield accrued to balances since the reset, USD at the marks of accrual. */
  get cumulativeYieldUsd(): number {
    return this.yieldTotal;
  }
  get cumulativeCostUsd(): number {
    return this.costTotal;
  }
  get cumulativeGasUsd(): number {
    return this.gasTotal;
  }
  /** USD value of all fee shares minted so far, at the price when they were minted. */
  get cumulativeFeeUsd(): number {
    return this.feeTotal;
  }
  get totalShares(): number {
    return this.supply;
  }
  get depositorShares(): number {
    return this.investorShares;
  }
  get highWaterMark(): number {
    return this.hwm;
  }
  /** Every application of the frozen-position policy since the last reset (read-only). */
  get frozenEvents(): readonly FrozenPositionEvent[] {
    return this.events;
  }
  /** Value lost to frozen-position haircuts and markdowns since the last reset, USD. */
  get cumulativeFrozenLossUsd(): number {
    return this.frozenLossTotal;
  }
  /** Value of positions without a close at the current bar (a gap or an ended series), USD. */
  get staleValueUsd(): number {
    return this.staleUsd;
  }
  /** Value of positions whose series has ended (no close after the current bar), USD. */
  get frozenValueUsd(): number {
    return this.endedUsd;
  }

  /** Resets to all-cash at bar t (used by RL episodes with random starts). */
  reset(t: number): void {
    this.checkBar(t);
    this.units.fill(0);
    this.mark.fill(Number.NaN);
    this.lastPx.fill(Number.NaN);
    this.lastSeen.fill(-1);
    this.frozenHandled.fill(0);
    this.events.length = 0;
    this.frozenLossTotal = 0;
    this.tIdx = t;
    this.markPrices(t);
    const b = this.baseAssetIndex;
    this.units[b] = this.initialNavUsd / this.mark[b]!;
    this.revalue();
    const ta = this.taBase();
    // First deposit into an empty vault: shares = assets * (0 + V) / (0 + 1).
    this.supply = ta * this.V;
    this.investorShares = this.supply;
    this.hwm = floorExact(WAD / this.V);
    this.checkpointPrice = this.hwm;
    this.checkpointTs = this.panel.timestamps[t]!;
    this.lastAccrualTs = this.panel.timestamps[t]!;
    this.lastRebalanceTs = Number.NEGATIVE_INFINITY;
    this.costTotal = 0;
    this.gasTotal = 0;
    this.feeTotal = 0;
    this.yieldTotal = 0;
  }

  /** Moves to bar t: balances drift with prices, fees accrue. Returns NAV in USD at bar t. */
  markTo(t: number): number {
    this.checkBar(t);
    if (t < this.tIdx)
      throw new InvalidInputError("PortfolioSim.markTo: time went backwards (use reset)", { t, now: this.tIdx });
    const prev = this.tIdx;
    this.tIdx = t;
    this.markPrices(t);
    if (prev >= 0 && t > prev) this.accrueYield(prev, t);
    this.revalue();
    this.applyFrozenPolicy(t);
    const now = this.panel.timestamps[t]!;
    if (now - this.lastAccrualTs >= this.accrualInterval) this.accrueFees(now);
    return this.netNavUsd();
  }

  /** Rebalances toward `target` at bar t's close with modelled costs (respecting cooldown, turnover cap, max weights, slippage). */
  rebalance(t: number, target: WeightVector): RebalanceResult {
    this.validateTarget(target);
    if (t !== this.tIdx) this.markTo(t);
    const now = this.panel.timestamps[t]!;
    if (now - this.lastRebalanceTs < this.rules.cooldownSeconds) return notDone("cooldown");
    const plan = this.planned;
    const reason = this.planTargets(target, plan);
    if (reason !== null) return notDone(reason);

    // The vault accrues fees before it trades.
    this.accrueFees(now);
    const n = this.n;
    const b = this.baseAssetIndex;
    const nav = this.totalUsd;
    const { feeTiers, maxSlippage, gasUsdPerLeg } = this.costs;
    const pBase = this.mark[b]!;
    let costUsd = 0;
    let legs = 0;
    let skipped = 0;
    let traded = 0;
    // Sells first: they fund the buys.
    for (let i = 0; i < n; i++) {
      if (i === b) continue;
      const sellUsd = (this.w[i]! - plan[i]!) * nav;
      if (sellUsd <= 0) continue;
      const out = this.legOut(i, t, sellUsd, true, feeTiers[i]!);
      if (!(out >= 1 - maxSlippage)) {
        skipped++;
        plan[i] = this.w[i]!;
        continue;
      }
      // A full exit sells the exact balance, not a float approximation of it.
      this.units[i] = plan[i] === 0 ? 0 : Math.max(0, this.units[i]! - sellUsd / this.mark[i]!);
      this.units[b] = this.units[b]! + (sellUsd * out) / pBase;
      costUsd += sellUsd * (1 - out);
      traded += sellUsd;
      legs++;
    }
    // Buys: keep those whose cost passes the bound at full size, then scale them to the cash
    // actually available after sells and gas (scaling down only lowers impact).
    let wanted = 0;
    let buyLegs = 0;
    for (let i = 0; i < n; i++) {
      if (i === b) continue;
      const buyUsd = (plan[i]! - this.w[i]!) * nav;
      if (buyUsd <= 0) continue;
      if (!(this.legOut(i, t, buyUsd, false, feeTiers[i]!) >= 1 - maxSlippage)) {
        skipped++;
        plan[i] = this.w[i]!;
        continue;
      }
      wanted += buyUsd;
      buyLegs++;
    }
    const gasUsd = gasUsdPerLeg * (legs + buyLegs);
    const cashUsd = this.units[b]! * pBase - gasUsd;
    const scale = wanted > 0 ? Math.max(0, Math.min(1, cashUsd / wanted)) : 0;
    for (let i = 0; i < n; i++) {
      if (i === b) continue;
      const buyUsd = (plan[i]! - this.w[i]!) * nav * scale;
      if (buyUsd <= 0) continue;
      const out = this.legOut(i, t, buyUsd, false, feeTiers[i]!);
      this.units[i] = this.units[i]! + (buyUsd * out) / this.mark[i]!;
      this.units[b] = this.units[b]! - buyUsd / pBase;
      costUsd += buyUsd * (1 - out);
      traded += buyUsd;
      legs++;
    }
    if (legs === 0)
      return { executed: false, turnover: 0, costUsd: 0, gasUsd: 0, skippedLegs: skipped, reason: "no-executable-leg" };
    this.units[b] = Math.max(0, this.units[b]! - gasUsd / pBase);
    this.revalue();
    this.costTotal += costUsd;
    this.gasTotal += gasUsd;
    this.lastRebalanceTs = now;
    return { executed: true, turnover: traded / nav, costUsd, gasUsd, skippedLegs: skipped };
  }

  /** Accrues the vault's fees at timestamp `now` (seconds) with the contract's formulas, in floats. */
  accrueFees(now: number): void {
    const dt = now - this.lastAccrualTs;
    const S = this.supply;
    if (S === 0 || dt <= 0) {
      this.lastAccrualTs = Math.max(this.lastAccrualTs, now);
      return;
    }
    const V = this.V;
    const ta = this.taBase();
    // The contract floors every division. priceWad and the HWM are small integers (about 1e6
    // for a 6-decimal base) and fees are counted in base units, so those floors are mirrored;
    // the share amounts (about 1e24) are beyond float integer precision and stay real numbers.
    const mgmt = Math.min(ta, floorExact((ta * this.rules.managementFeeBps * dt) / (10_000 * SECONDS_PER_YEAR)));
    const priceWad = floorExact(((ta - mgmt + 1) * WAD) / (S + V));
    // L-1: with a performance fee, gain counts up to the checkpoint once it is a day old, else none.
    const perfOn = this.rules.performanceFeeBps !== 0;
    const charge = !perfOn || now >= this.checkpointTs + CHECKPOINT_AGE_SECONDS;
    let chargeable = priceWad;
    if (perfOn) chargeable = charge ? Math.min(priceWad, this.checkpointPrice) : this.hwm;
    const perf =
      chargeable > this.hwm
        ? floorExact((floorExact(((chargeable - this.hwm) * (S + V)) / WAD) * this.rules.performanceFeeBps) / 10_000)
        : 0;
    const fee = Math.min(mgmt + perf, ta);
    const feeShares = fee === 0 ? 0 : (fee * (S + V)) / (ta - fee + 1);
    this.supply = S + feeShares;
    if (charge) {
      // Stored rounded up by the contract (a low mark would charge rounding as gain).
      const priceAfter = ceilExact(((ta + 1) * WAD) / (this.supply + V));
      // The gain above the chargeable price stays above the mark, for a later accrual.
      const uncharged = priceWad - chargeable;
      if (priceAfter > this.hwm + uncharged) this.hwm = priceAfter - uncharged;
      if (perfOn) {
        this.checkpointPrice = priceAfter;
        this.checkpointTs = now;
      }
    }
    this.lastAccrualTs = now;
    this.feeTotal += (fee / this.baseScale) * this.mark[this.baseAssetIndex]!;
  }

  /**
   * Turns a strategy's target into what the vault would accept: max weights (excess to the
   * base asset), the no-trade band, assets without a price held where they are, and the
   * turnover cap (the move is scaled toward the target, forced sells above a cap first).
   * Returns a reason when nothing can be done.
   */
  private planTargets(target: WeightVector, plan: Float64Array): string | null {
    const n = this.n;
    const b = this.baseAssetIndex;
    const maxW = this.rules.maxWeightBps;
    const band = this.rules.toleranceBps / 10_000;
    const t = this.tIdx;
    let free = 0;
    let forced = 0;
    let moved = 0;
    for (let i = 0; i < n; i++) {
      if (i === b) continue;
      const cap = maxW[i]! / 10_000;
      const cur = this.w[i]!;
      let x = Math.min(target[i]!, cap);
      const priced = this.panel.close[i]![t]! > 0;
      if (!priced || Math.abs(x - cur) < band) x = cur > cap && priced ? cap : cur;
      plan[i] = x;
      const d = Math.abs(x - cur);
      if (cur > cap && x <= cap) forced += cur - x;
      else free += d;
      moved += d;
    }
    if (moved === 0) return "within-tolerance";
    const capTurnover = this.rules.maxTurnoverBps / 10_000;
    if (moved > capTurnover) {
      if (forced > capTurnover) return "turnover-cap";
      const alpha = free > 0 ? (capTurnover - forced) / free : 0;
      for (let i = 0; i < n; i++) {
        if (i === b) continue;
        const cur = this.w[i]!;
        const cap = maxW[i]! / 10_000;
        if (!(cur > cap && plan[i]! <= cap)) plan[i] = cur + alpha * (plan[i]! - cur);
      }
    }
    let invested = 0;
    for (let i = 0; i < n; i++) if (i !== b) invested += plan[i]!;
    plan[b] = Math.max(0, 1 - invested);
    // A buffer above its cap may shrink step by step (e.g. under the turnover cap); only a
    // move that would leave it above the cap and larger than now is refused.
    if (plan[b]! > maxW[b]! / 10_000 + 1e-12 && plan[b]! > this.w[b]!) return "base-above-max-weight";
    return null;
  }

  /** Fraction of a leg's mid value received after fees and impact (NaN if it cannot be modelled). */
  private legOut(i: number, t: number, usd: number, selling: boolean, tiers: readonly number[]): number {
    const hop = this.hop;
    hop.depthUsd = this.costs.poolDepthUsd[i]!;
    const range = this.costs.rangeHalfWidth;
    hop.rangeHalfWidth = range ? range[i]! : Number.NaN;
    const table = this.liquidityTable;
    if (table) {
      hop.sigmaDaily = table.sigmaDaily[i]![t]!;
      hop.dailyVolumeUsd = table.dailyVolumeUsd[i]![t]!;
    } else {
      this.rolling.at(i, t);
      hop.sigmaDaily = this.rolling.sigmaDaily;
      hop.dailyVolumeUsd = this.rolling.dailyVolumeUsd;
    }
    return legOutFraction(usd, tiers, selling, hop, this.hub ?? hop);
  }

  /**
   * Off-price yield over bars (from, to]: a holding whose yield accrues to the balance
   * (rebasing, lending) grows at the APY known at the bar it started from, compounded over the
   * elapsed time. Exchange-rate tokens are skipped: their price already carries the yield.
   */
  private accrueYield(from: number, to: number): void {
    const y = this.panel.yields;
    if (!y) return;
    const ts = this.panel.timestamps;
    for (let i = 0; i < this.n; i++) {
      if (y.accrual[i] !== "balance" || this.units[i] === 0) continue;
      const row = y.apy[i]!;
      for (let k = from; k < to; k++) {
        const apy = row[k]!;
        if (!Number.isFinite(apy) || apy <= -1) continue;
        const years = (ts[k + 1]! - ts[k]!) / SECONDS_PER_YEAR;
        const grown = this.units[i]! * (1 + apy) ** years;
        this.yieldTotal += (grown - this.units[i]!) * this.mark[i]!;
        this.units[i] = grown;
      }
    }
  }

  private markPrices(t: number): void {
    const close = this.panel.close;
    for (let i = 0; i < this.n; i++) {
      const p = close[i]![t]!;
      if (p > 0) {
        this.mark[i] = p;
        this.lastPx[i] = p;
        this.lastSeen[i] = t;
        this.frozenHandled[i] = 0;
      }
    }
    // The base asset is the unit of account: without a quote it is worth its peg.
    if (!(this.mark[this.baseAssetIndex]! > 0)) this.mark[this.baseAssetIndex] = 1;
  }

  /**
   * Applies the frozen-position policy to held assets without a close at bar t. Runs after
   * `revalue` so that `navFraction` is measured on the vault as it stood, and revalues again
   * when it changed a balance or a mark.
   */
  private applyFrozenPolicy(t: number): void {
    if (this.staleUsd === 0) return;
    const p = this.frozenPolicy;
    const close = this.panel.close;
    const b = this.baseAssetIndex;
    const total = this.totalUsd;
    let changed = false;
    for (let i = 0; i < this.n; i++) {
      const u = this.units[i]!;
      if (u === 0 || i === b || close[i]![t]! > 0 || this.frozenHandled[i] === 1) continue;
      const last = this.lastCloseAtOrBefore(i, t, p.policy === "markdown" ? p.graceBars + 1 : 0);
      const valueUsd = u * this.lastPx[i]!;
      const ended = t > this.seriesEnd[i]!;
      const event = { symbol: this.panel.assets[i]!.symbol, assetIndex: i, lastPricedBar: last, bar: t, valueUsd };
      if (p.policy === "sell" && ended) {
        const proceeds = valueUsd * (1 - p.haircut);
        this.units[i] = 0;
        this.units[b] = this.units[b]! + proceeds / this.mark[b]!;
        this.recordFrozen({ ...event, action: "sold", navFraction: valueUsd / total, lossUsd: valueUsd - proceeds });
        changed = true;
      } else if (p.policy === "markdown" && t - last > p.graceBars) {
        this.mark[i] = this.lastPx[i]! * (1 - p.haircut);
        this.recordFrozen({
          ...event,
          action: "marked_down",
          navFraction: valueUsd / total,
          lossUsd: valueUsd * p.haircut,
        });
        changed = true;
      } else if (p.policy === "hold" && ended) {
        this.recordFrozen({ ...event, action: "held", navFraction: valueUsd / total, lossUsd: 0 });
      }
    }
    if (changed) this.revalue();
  }

  /**
   * Last bar <= t with a close for asset i. `markTo` may skip bars, so `lastSeen` can be older
   * than the true last close; looking back `lookback` bars is enough to decide a grace period.
   */
  private lastCloseAtOrBefore(i: number, t: number, lookback: number): number {
    const row = this.panel.close[i]!;
    const seen = this.lastSeen[i]!;
    for (let k = t; k > seen && k >= t - lookback; k--) if (row[k]! > 0) return k;
    return seen;
  }

  private recordFrozen(e: FrozenPositionEvent): void {
    this.events.push(e);
    this.frozenLossTotal += e.lossUsd;
    this.frozenHandled[e.assetIndex] = 1;
  }

  private revalue(): void {
    let total = 0;
    let stale = 0;
    let ended = 0;
    const n = this.n;
    const close = this.panel.close;
    const t = this.tIdx;
    for (let i = 0; i < n; i++) {
      const u = this.units[i]!;
      if (u === 0) continue;
      const v = u * this.mark[i]!;
      total += v;
      if (!(close[i]![t]! > 0) && i !== this.baseAssetIndex) {
        stale += v;
        if (t > this.seriesEnd[i]!) ended += v;
      }
    }
    this.totalUsd = total;
    this.staleUsd = stale;
    this.endedUsd = ended;
    for (let i = 0; i < n; i++) {
      const u = this.units[i]!;
      this.w[i] = u === 0 || total <= 0 ? 0 : (u * this.mark[i]!) / total;
    }
  }

  /** Total assets in base-asset units, as the vault's `totalAssets()` reports them. */
  private taBase(): number {
    return (this.totalUsd / this.mark[this.baseAssetIndex]!) * this.baseScale;
  }

  private netNavUsd(): number {
    const assetsBase = (this.investorShares * (this.taBase() + 1)) / (this.supply + this.V);
    return (assetsBase / this.baseScale) * this.mark[this.baseAssetIndex]!;
  }

  private validateTarget(target: WeightVector): void {
    if (target.length !== this.n)
      throw new InvalidInputError("PortfolioSim: target has the wrong length", { n: target.length });
    let sum = 0;
    for (let i = 0; i < this.n; i++) {
      const x = target[i]!;
      if (!(x >= 0) || !Number.isFinite(x))
        throw new InvalidInputError("PortfolioSim: target weights must be finite and >= 0", { i, x });
      sum += x;
    }
    if (Math.abs(sum - 1) > 1e-6) throw new InvalidInputError("PortfolioSim: target weights must sum to 1", { sum });
  }

  private checkBar(t: number): void {
    if (!Number.isInteger(t) || t < 0 || t >= this.panel.timestamps.length) {
      throw new InvalidInputError("PortfolioSim: bar index out of range", { t });
    }
  }
}

/**
 * Floor of a float that stands for an exact rational: a value a few ulps below an integer is
 * that integer computed with rounding error (round inputs make exact integers common), so it
 * is nudged up by 1e-12 relative before flooring, as the contract's integer maths would give.
 */
function floorExact(x: number): number {
  return Math.floor(x + Math.abs(x) * 1e-12);
}

/** Ceiling counterpart of `floorExact`. */
function ceilExact(x: number): number {
  return Math.ceil(x - Math.abs(x) * 1e-12);
}

function notDone(reason: string): RebalanceResult {
  return { executed: false, turnover: 0, costUsd: 0, gasUsd: 0, skippedLegs: 0, reason };
}
