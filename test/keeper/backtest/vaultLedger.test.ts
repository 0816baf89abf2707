import { expect } from "chai";
import { BASE, VaultLedger, type VaultLedgerConfig } from "../../../keeper/src/backtest/vaultLedger.js";
import { ExecutionError, InvalidInputError } from "../../../keeper/src/core/errors.js";

// Expected numbers below were computed by hand (integer arithmetic in a Python shell) from the
// vault spec; each is shown with its derivation.
const DAY = 86_400n;
const YEAR = 365n * DAY;
const USDC = (x: bigint) => x * 10n ** 6n;
const T0 = 1_700_000_000n;

function ledger(overrides: Partial<VaultLedgerConfig> = {}): VaultLedger {
  const l = new VaultLedger({
    baseDecimals: 6,
    tokens: [{ symbol: "WETH", decimals: 18 }],
    managementFeeBps: 0n,
    performanceFeeBps: 0n,
    feeRecipient: "fees",
    maxWeightBps: [10_000n],
    maxTurnoverBps: 20_000n,
    cooldownSeconds: 0n,
    toleranceBps: 10n,
    maxSlippageBps: 100n,
    deployedAt: T0,
    ...overrides,
  });
  l.setPrices(10n ** 8n, [2_000n * 10n ** 8n]);
  return l;
}

describe("VaultLedger (exact vault accounting)", () => {
  it("uses a 10^12 virtual-share offset for a 6-decimal base and starts the HWM at 1e18 / V", () => {
    const l = ledger();
    expect(l.decimalsOffset).to.equal(12);
    expect(l.virtualShares).to.equal(10n ** 12n);
    expect(l.highWaterMark).to.equal(10n ** 6n);
    // First deposit: shares = a * (0 + 1e12) / (0 + 1).
    expect(l.deposit(T0, USDC(1_000n), "alice")).to.equal(10n ** 21n);
    expect(l.totalAssets()).to.equal(USDC(1_000n));
  });

  it("charges a year of 1% management fee as the contract does", () => {
    const l = ledger({ managementFeeBps: 100n });
    l.deposit(T0, USDC(1_000n), "alice");
    const fees = l.accrueFees(T0 + YEAR);
    // mgmt = 1e9 * 100 * Y / (1e4 * Y) = 1e7 (10 USDC)
    expect(fees.managementFee).to.equal(10_000_000n);
    expect(fees.performanceFee).to.equal(0n);
    // feeShares = 1e7 * (1e21 + 1e12) / (1e9 - 1e7 + 1)
    expect(fees.feeShares).to.equal(10_101_010_100_908_070_605n);
    expect(l.balanceOf("fees")).to.equal(fees.feeShares);
    // The HWM stays at its start: price after fees is below it.
    expect(l.highWaterMark).to.equal(1_000_000n);
    // The fee recipient's shares are worth (almost exactly) the 10 USDC charged.
    expect(l.previewRedeem(fees.feeShares)).to.be.closeTo(10_000_000n, 1n);
  });

  it("charges the performance fee only above the high-water mark, up to a day-old checkpoint (L-1)", () => {
    const l = ledger({ performanceFeeBps: 2_000n });
    l.deposit(T0, USDC(10_000n), "alice");
    // Put half in WETH at the oracle price: 5,000 USDC -> 2.5 WETH.
    l.rebalance(T0, {
      targetBps: [5_000n],
      legs: [{ tokenIn: BASE, tokenOut: 0, amountIn: USDC(5_000n), amountOut: 25n * 10n ** 17n }],
    });
    l.setPrices(10n ** 8n, [2_200n * 10n ** 8n]);
    // ta = 5e9 + 2.5 WETH * 2200 = 10.5e9; priceWad = (ta + 1) * 1e18 / (1e22 + 1e12) = 1_049_999.
    // The checkpoint (deployment, 1_000_000) is a day old: chargeable = min(1_049_999, 1_000_000),
    // so nothing is charged; the checkpoint becomes ceil((ta + 1) * 1e18 / (1e22 + 1e12)) = 1_050_000
    // and the mark 1_050_000 - (1_049_999 - 1_000_000) = 1_000_001 (the gain stays above it).
    const first = l.accrueFees(T0 + DAY);
    expect(first.performanceFee).to.equal(0n);
    expect(first.feeShares).to.equal(0n);
    expect(l.highWaterMark).to.equal(1_000_001n);
    // Less than a day after the checkpoint: no performance fee whatever the price.
    expect(l.accrueFees(T0 + DAY + 3_600n).performanceFee).to.equal(0n);

    // A day on at the same price: chargeable = min(1_049_999, 1_050_000) = 1_049_999.
    // perf = floor((1_049_999 - 1_000_001) * (1e22 + 1e12) / 1e18) * 2000 / 1e4 = 99_996_000
    const up = l.accrueFees(T0 + 2n * DAY);
    expect(up.performanceFee).to.equal(99_996_000n);
    // feeShares = 99_996_000 * (1e22 + 1e12) / (10.5e9 - 99_996_000 + 1)
    expect(up.feeShares).to.equal(96_149_963_019_614_803_703n);
    // New mark: ceil((ta + 1) * 1e18 / (supply + feeShares + V)), rounded up as stored on chain.
    expect(l.highWaterMark).to.equal(1_040_001n);

    l.setPrices(10n ** 8n, [2_000n * 10n ** 8n]);
    expect(l.accrueFees(T0 + 3n * DAY).performanceFee).to.equal(0n);
    expect(l.highWaterMark).to.equal(1_040_001n);

    // Up to 2300: the checkpoint recorded at 2000 (990_477) caps the first day's charge at zero.
    l.setPrices(10n ** 8n, [2_300n * 10n ** 8n]);
    expect(l.accrueFees(T0 + 4n * DAY).performanceFee).to.equal(0n);
    const again = l.accrueFees(T0 + 5n * DAY);
    // ta = 10.75e9; priceWad = 1_064_762, checkpoint 1_064_763: only the gain above 1_040_001.
    expect(again.performanceFee).to.equal(49_998_153n);
    expect(again.feeShares).to.equal(47_176_519_946_709_190_134n);
    expect(l.totalSupply).to.equal(10_143_326_482_966_323_993_837n);

    // redeem floors assets, withdraw ceils shares (OpenZeppelin ERC-4626).
    expect(l.redeem(T0 + 5n * DAY, 10n ** 21n, "alice")).to.equal(1_059_810_114n);
  });

  it("a one-round price spike at an accrual charges no performance fee on the spike (L-1)", () => {
    const l = ledger({ performanceFeeBps: 2_000n });
    l.deposit(T0, USDC(10_000n), "alice");
    l.rebalance(T0, {
      targetBps: [5_000n],
      legs: [{ tokenIn: BASE, tokenOut: 0, amountIn: USDC(5_000n), amountOut: 25n * 10n ** 17n }],
    });
    // A quiet day records the checkpoint at the market; then one round at 3x.
    l.accrueFees(T0 + DAY);
    l.setPrices(10n ** 8n, [6_000n * 10n ** 8n]);
    expect(l.accrueFees(T0 + 2n * DAY + 1n).performanceFee).to.equal(0n);
    // The feed is back the next round; a day later the spike's checkpoint caps nothing.
    l.setPrices(10n ** 8n, [2_000n * 10n ** 8n]);
    expect(l.accrueFees(T0 + 3n * DAY + 2n).performanceFee).to.equal(0n);
    expect(l.balanceOf("fees")).to.equal(0n);
  });

  it("rounds mint and withdraw up, deposit and redeem down", () => {
    const l = ledger({ managementFeeBps: 200n });
    l.deposit(T0, USDC(1_000n), "alice");
    l.accrueFees(T0 + 17n * DAY + 1234n); // makes the share price a non-round number
    const ta = l.totalAssets();
    const S = l.totalSupply;
    const V = l.virtualShares;
    const shares = 123_456_789_012_345_678n;
    const floorAssets = (shares * (ta + 1n)) / (S + V);
    expect(l.previewRedeem(shares)).to.equal(floorAssets);
    expect(l.previewMint(shares)).to.equal(floorAssets + 1n);
    const assets = 7_777_777n;
    const floorShares = (assets * (S + V)) / (ta + 1n);
    expect(l.previewDeposit(assets)).to.equal(floorShares);
    expect(l.previewWithdraw(assets)).to.equal(floorShares + 1n);
    // Neither division is exact, so ceil and floor differ by one.
    expect((shares * (ta + 1n)) % (S + V)).to.not.equal(0n);
    expect((assets * (S + V)) % (ta + 1n)).to.not.equal(0n);
    // Same block: no further accrual, so the mutating calls agree with the previews.
    const now = l.lastAccrual;
    expect(l.mint(now, shares, "bob")).to.equal(floorAssets + 1n);
    const ta2 = l.totalAssets();
    const S2 = l.totalSupply;
    const ceilShares = (assets * (S2 + V) + ta2) / (ta2 + 1n);
    expect(l.withdraw(now, assets, "alice")).to.equal(ceilShares);
  });

  it("reverts atomically: a failed rebalance changes nothing, not even the fee accrual", () => {
    const l = ledger({ managementFeeBps: 100n, cooldownSeconds: DAY });
    l.deposit(T0, USDC(10_000n), "alice");
    l.rebalance(T0, {
      targetBps: [5_000n],
      legs: [{ tokenIn: BASE, tokenOut: 0, amountIn: USDC(5_000n), amountOut: 25n * 10n ** 17n }],
    });
    const supply = l.totalSupply;
    const accrual = l.lastAccrual;
    const sell = { tokenIn: 0, tokenOut: BASE, amountIn: 10n ** 18n, amountOut: USDC(2_000n) };
    expect(() => l.rebalance(T0 + 3_600n, { targetBps: [3_000n], legs: [sell] })).to.throw(ExecutionError, /cooldown/);
    expect(l.totalSupply).to.equal(supply);
    expect(l.lastAccrual).to.equal(accrual);
    expect(l.balanceOfToken(0)).to.equal(25n * 10n ** 17n);
  });

  it("enforces each leg's amountOutMinimum from the oracle value and max slippage", () => {
    const l = ledger();
    l.deposit(T0, USDC(10_000n), "alice");
    // minOut = 5,000 USDC at 2,000 = 2.5 WETH, times (10_000 - 100) / 10_000 = 2.475 WETH.
    const leg = (out: bigint) => ({ tokenIn: BASE, tokenOut: 0, amountIn: USDC(5_000n), amountOut: out });
    expect(() => l.rebalance(T0, { targetBps: [4_950n], legs: [leg(2_474_999_999_999_999_999n)] })).to.throw(
      ExecutionError,
      /too little/,
    );
    const receipt = l.rebalance(T0, { targetBps: [4_975n], legs: [leg(2_475_000_000_000_000_000n)] });
    expect(receipt.amountOutMinimum[0]).to.equal(2_475_000_000_000_000_000n);
    expect(receipt.turnoverBps).to.equal(5_000n);
    expect(receipt.navAfter).to.equal(USDC(5_000n) + USDC(4_950n));
  });

  it("enforces the turnover cap, the tolerance to target and the max weights", () => {
    const buy = { tokenIn: BASE, tokenOut: 0, amountIn: USDC(6_000n), amountOut: 3n * 10n ** 18n };
    const capped = ledger({ maxTurnoverBps: 5_000n });
    capped.deposit(T0, USDC(10_000n), "alice");
    expect(() => capped.rebalance(T0, { targetBps: [6_000n], legs: [buy] })).to.throw(ExecutionError, /turnover/);
    const off = ledger();
    off.deposit(T0, USDC(10_000n), "alice");
    expect(() => off.rebalance(T0, { targetBps: [5_000n], legs: [buy] })).to.throw(ExecutionError, /off target/);
    const heavy = ledger({ maxWeightBps: [5_500n] });
    heavy.deposit(T0, USDC(10_000n), "alice");
    expect(() => heavy.rebalance(T0, { targetBps: [6_000n], legs: [buy] })).to.throw(ExecutionError, /max weight/);
    expect(heavy.idle).to.equal(USDC(10_000n));
    // A target at the cap whose fill lands above it (but within tolerance) still reverts.
    const loose = ledger({ maxWeightBps: [5_500n], toleranceBps: 600n });
    loose.deposit(T0, USDC(10_000n), "alice");
    expect(() => loose.rebalance(T0, { targetBps: [5_500n], legs: [buy] })).to.throw(
      ExecutionError,
      /above max weight/,
    );
    // Turnover rounds up: 5,000.000001 USDC sold of 10,000 is 5,001 bps, above a 5,000 cap.
    const edge = ledger({ maxTurnoverBps: 5_000n, toleranceBps: 10_000n });
    edge.deposit(T0, USDC(10_000n), "alice");
    const justOver = { tokenIn: BASE, tokenOut: 0, amountIn: USDC(5_000n) + 1n, amountOut: 25n * 10n ** 17n };
    expect(() => edge.rebalance(T0, { targetBps: [5_000n], legs: [justOver] })).to.throw(ExecutionError, /turnover/);
    expect(() => edge.rebalance(T0, { targetBps: [10_001n], legs: [] })).to.throw(ExecutionError);
  });

  it("rejects fees above the caps and time going backwards", () => {
    expect(() => ledger({ managementFeeBps: 201n })).to.throw(InvalidInputError);
    const l = ledger();
    expect(() => l.setFees(T0, 0n, 2_001n)).to.throw(InvalidInputError);
    l.deposit(T0 + 10n, USDC(1n), "alice");
    expect(() => l.deposit(T0, USDC(1n), "alice")).to.throw(InvalidInputError, /backwards/);
  });
});
