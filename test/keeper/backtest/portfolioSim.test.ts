import { expect } from "chai";
import { type CostConfig, PortfolioSim } from "../../../keeper/src/backtest/portfolioSim.js";
import { BASE, VaultLedger } from "../../../keeper/src/backtest/vaultLedger.js";
import { InvalidInputError } from "../../../keeper/src/core/errors.js";
import { legOutFraction } from "../../../keeper/src/market/costs.js";
import { expectNear, handPanel, looseRules, zeroCosts } from "./fixtures.js";

const w = (...x: number[]) => Float64Array.from(x);

/** USDC, ETH (100 -> 200 -> 150 -> 150), BTC (flat at 50). */
const panel = handPanel({
  symbols: ["USDC", "ETH", "BTC"],
  closes: [
    [1, 1, 1, 1],
    [100, 200, 150, 150],
    [50, 50, 50, 50],
  ],
});

function sim(costs: CostConfig = zeroCosts(3), rules = looseRules(3)): PortfolioSim {
  return new PortfolioSim({ panel, initialNavUsd: 1_000_000, costs, rules, baseAssetIndex: 0 });
}

describe("PortfolioSim accounting", () => {
  it("starts all-cash and lets weights drift with prices between rebalances", () => {
    const s = sim();
    expect(Array.from(s.weights)).to.deep.equal([1, 0, 0]);
    const r = s.rebalance(0, w(0, 0.5, 0.5));
    expect(r.executed).to.equal(true);
    expectNear(r.turnover, 1, 1e-12, "turnover from cash");
    expect(r.costUsd).to.equal(0);
    expectNear(s.balances[1]!, 5_000, 1e-9, "ETH units");
    // ETH doubles: 1M -> 1.5M, ETH weight 2/3.
    expectNear(s.markTo(1), 1_500_000, 1e-6, "NAV");
    expectNear(s.weights[1]!, 2 / 3, 1e-12, "drifted ETH weight");
    expectNear(s.weights[2]!, 1 / 3, 1e-12, "drifted BTC weight");
    expectNear(s.markTo(2), 1_250_000, 1e-6, "NAV after ETH falls");
  });

  it("charges every leg its fee tier, impact and gas, exactly as the cost model says", () => {
    const costs: CostConfig = {
      feeTiers: [[], [0.0005], [0.003, 0.0005]],
      poolDepthUsd: w(Number.NaN, 400e6, 100e6),
      sqrtImpactK: 1,
      gasUsdPerLeg: 0.5,
      maxSlippage: 0.05,
    };
    const s = sim(costs);
    const r = s.rebalance(0, w(0.2, 0.4, 0.4));
    const liq = (depthUsd: number) => ({
      depthUsd,
      rangeHalfWidth: Number.NaN,
      sqrtImpactK: 1,
      sigmaDaily: Number.NaN,
      dailyVolumeUsd: Number.NaN,
    });
    const ethCost = 400_000 * (1 - legOutFraction(400_000, [0.0005], false, liq(400e6)));
    const btcCost = 400_000 * (1 - legOutFraction(400_000, [0.003, 0.0005], false, liq(100e6)));
    expectNear(r.costUsd, ethCost + btcCost, 1e-6, "cost");
    expect(r.skippedLegs).to.equal(0);
    expect(r.gasUsd).to.equal(1);
    // The two-hop BTC leg costs more than the one-hop ETH leg (fees and impact on each hop).
    expect(btcCost).to.be.greaterThan(ethCost * 5);
    expectNear(s.totalAssetsUsd, 1_000_000 - ethCost - btcCost - 1, 1e-6, "NAV after costs");
    expectNear(s.cumulativeCostUsd, ethCost + btcCost, 1e-9, "cumulative cost");
  });

  it("does not execute a leg whose modelled cost breaches the slippage bound", () => {
    const costs: CostConfig = {
      feeTiers: [[], [0.0005], [0.01]],
      poolDepthUsd: w(Number.NaN, 400e6, 1e6),
      sqrtImpactK: 1,
      gasUsdPerLeg: 0,
      maxSlippage: 0.02,
    };
    const s = sim(costs);
    const r = s.rebalance(0, w(0, 0.5, 0.5));
    // 500k into a 1M-deep pool (R = 500k) costs ~50%: skipped; the ETH leg goes through.
    expect(r.executed).to.equal(true);
    expect(r.skippedLegs).to.equal(1);
    expect(s.balances[2]).to.equal(0);
    expectNear(s.weights[1]!, 0.5, 0.01, "ETH weight");
    expectNear(s.weights[0]!, 0.5, 0.01, "cash kept for the skipped leg");
  });

  it("respects the cooldown, the turnover cap, the max weights and the no-trade band", () => {
    const cooled = sim(zeroCosts(3), looseRules(3, { cooldownSeconds: 2 * 86_400 }));
    expect(cooled.rebalance(0, w(0, 1, 0)).executed).to.equal(true);
    const again = cooled.rebalance(1, w(1, 0, 0));
    expect(again.executed).to.equal(false);
    expect(again.reason).to.equal("cooldown");
    expect(cooled.rebalance(2, w(1, 0, 0)).executed).to.equal(true);

    const capped = sim(zeroCosts(3), looseRules(3, { maxTurnoverBps: 4_000 }));
    const r = capped.rebalance(0, w(0, 0.5, 0.5));
    expectNear(r.turnover, 0.4, 1e-12, "capped turnover");
    expectNear(capped.weights[1]!, 0.2, 1e-12, "moved 40% of the way");
    expectNear(capped.weights[2]!, 0.2, 1e-12, "moved 40% of the way");

    const maxW = looseRules(3, { maxWeightBps: w(10_000, 3_000, 10_000) });
    const heavy = sim(zeroCosts(3), maxW);
    heavy.rebalance(0, w(0, 0.8, 0.2));
    expectNear(heavy.weights[1]!, 0.3, 1e-12, "capped ETH");
    expectNear(heavy.weights[0]!, 0.5, 1e-12, "excess left in base");

    const banded = sim(zeroCosts(3), looseRules(3, { toleranceBps: 50 }));
    banded.rebalance(0, w(0, 0.5, 0.5));
    const tiny = banded.rebalance(0, w(0, 0.503, 0.497));
    expect(tiny.executed).to.equal(false);
    expect(tiny.reason).to.equal("within-tolerance");
  });

  it("does not trade an asset without a price and rejects malformed targets", () => {
    const gappy = handPanel({
      symbols: ["USDC", "ETH"],
      closes: [
        [1, 1],
        [Number.NaN, 100],
      ],
    });
    const s = new PortfolioSim({
      panel: gappy,
      initialNavUsd: 1_000,
      costs: zeroCosts(2),
      rules: looseRules(2),
      baseAssetIndex: 0,
    });
    expect(s.rebalance(0, w(0, 1)).executed).to.equal(false);
    expect(s.rebalance(1, w(0, 1)).executed).to.equal(true);
    expect(() => s.rebalance(1, w(0.5, 0.6))).to.throw(InvalidInputError, /sum to 1/);
    expect(() => s.rebalance(1, w(-0.1, 1.1))).to.throw(InvalidInputError);
    expect(() => s.markTo(0)).to.throw(InvalidInputError, /backwards/);
  });
});

describe("PortfolioSim fees follow the vault's formulas (cross-check with VaultLedger)", () => {
  it("charges the same management and performance fees as the exact ledger", () => {
    // One basket asset, daily bars, fees accrued once a day as the keeper would.
    const closes = [100, 104, 99, 110, 120, 115, 130];
    const p = handPanel({ symbols: ["USDC", "ETH"], closes: [closes.map(() => 1), closes] });
    const rules = looseRules(2, { managementFeeBps: 200, performanceFeeBps: 2_000 });
    const s = new PortfolioSim({ panel: p, initialNavUsd: 1_000_000, costs: zeroCosts(2), rules, baseAssetIndex: 0 });
    const t0 = BigInt(p.timestamps[0]!);
    const l = new VaultLedger({
      baseDecimals: 6,
      tokens: [{ symbol: "ETH", decimals: 18 }],
      managementFeeBps: 200n,
      performanceFeeBps: 2_000n,
      feeRecipient: "fees",
      maxWeightBps: [10_000n],
      maxTurnoverBps: 20_000n,
      cooldownSeconds: 0n,
      toleranceBps: 10_000n,
      maxSlippageBps: 0n,
      deployedAt: t0,
    });
    const price8 = (x: number) => BigInt(Math.round(x * 1e8));
    l.setPrices(10n ** 8n, [price8(closes[0]!)]);
    l.deposit(t0, 1_000_000n * 10n ** 6n, "depositor");
    // 70% into ETH at the oracle price, like the zero-cost simulator.
    const spend = 700_000n * 10n ** 6n;
    l.rebalance(t0, {
      targetBps: [7_000n],
      legs: [{ tokenIn: BASE, tokenOut: 0, amountIn: spend, amountOut: l.oracleAmountOut(BASE, 0, spend) }],
    });
    s.rebalance(0, w(0.3, 0.7));
    for (let t = 1; t < closes.length; t++) {
      l.setPrices(10n ** 8n, [price8(closes[t]!)]);
      l.accrueFees(BigInt(p.timestamps[t]!));
      s.markTo(t);
      const ledgerFeeShare = Number(l.balanceOf("fees")) / Number(l.totalSupply);
      const simFeeShare = 1 - s.depositorShares / s.totalShares;
      expectNear(simFeeShare, ledgerFeeShare, 1e-12, `fee share at bar ${t}`);
      // The mark is a small integer on chain; the simulator mirrors its rounding exactly.
      expect(s.highWaterMark, `HWM at bar ${t}`).to.equal(Number(l.highWaterMark));
      const ledgerNav = Number(l.previewRedeem(l.balanceOf("depositor"))) / 1e6;
      expectNear(s.nav / ledgerNav, 1, 1e-9, `depositor NAV at bar ${t}`);
    }
    // The performance fee bit: fee share is well above two days of 2% management fee.
    expect(1 - s.depositorShares / s.totalShares).to.be.greaterThan(0.01);
  });
});
