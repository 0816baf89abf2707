/**
 * Parity: the backtester's exact VaultLedger and the deployed IndexVault, driven through the
 * same deposits, price moves, fee accruals, a rebalance and redemptions, must agree to the unit.
 */
import { expect } from "chai";
import { BASE, VaultLedger } from "../../../keeper/src/backtest/vaultLedger.js";
import type { TokenSymbol } from "../../../keeper/src/config/addressBook.js";
import { followPrices } from "../../../keeper/src/devchain/arbitrumLocal.js";
import { buildOrder, DEFAULT_LIMITS, deployVaultFixture, submitOrder, USDC, type VaultFixture } from "../fixture.js";
import { refreshFeeds } from "../unit/harness.js";

const BASKET: TokenSymbol[] = ["WETH", "WBTC", "ARB"];

async function blockTime(f: VaultFixture, blockNumber?: number | null): Promise<bigint> {
  const block = await f.local.ethers.provider.getBlock(blockNumber ?? "latest");
  return BigInt(block?.timestamp ?? 0);
}

async function syncPrices(f: VaultFixture, ledger: VaultLedger): Promise<void> {
  const read = async (s: TokenSymbol) => (await (f.local.feeds[s] ?? expect.fail(s)).latestRoundData())[1];
  ledger.setPrices(await read("USDC"), await Promise.all(BASKET.map(read)));
}

async function expectSameState(f: VaultFixture, ledger: VaultLedger, label: string): Promise<void> {
  const { vault, actors } = f;
  expect(await vault.totalSupply(), `${label}: supply`).to.equal(ledger.totalSupply);
  expect(await vault.totalAssets(), `${label}: total assets`).to.equal(ledger.totalAssets());
  expect(await vault.highWaterMark(), `${label}: high-water mark`).to.equal(ledger.highWaterMark);
  expect(await vault.balanceOf(actors.feeRecipient.address), `${label}: fee shares`).to.equal(
    ledger.balanceOf(actors.feeRecipient.address),
  );
  expect(await vault.held(f.local.tokens.USDC.address), `${label}: idle`).to.equal(ledger.idle);
  for (const [i, s] of BASKET.entries()) {
    expect(await vault.held(f.local.tokens[s].address), `${label}: ${s}`).to.equal(ledger.balanceOfToken(i));
  }
}

describe("VaultLedger parity with the deployed IndexVault", () => {
  it("agrees to the unit through deposits, fees, a rebalance and redemptions", async () => {
    const f = await deployVaultFixture({ basket: BASKET, managementFeeBps: 200, performanceFeeBps: 2000 });
    const { vault, actors, local } = f;
    const ledger = new VaultLedger({
      baseDecimals: 6,
      tokens: BASKET.map((s) => ({ symbol: s, decimals: local.tokens[s].decimals })),
      managementFeeBps: 200n,
      performanceFeeBps: 2000n,
      feeRecipient: actors.feeRecipient.address,
      maxWeightBps: BASKET.map(() => 10_000n),
      maxTurnoverBps: BigInt(DEFAULT_LIMITS.maxTurnoverBps),
      cooldownSeconds: BigInt(DEFAULT_LIMITS.cooldown),
      toleranceBps: BigInt(DEFAULT_LIMITS.toleranceBps),
      maxSlippageBps: BigInt(DEFAULT_LIMITS.maxSlippageBps),
      deployedAt: await vault.lastFeeAccrual(),
      deviationBps: {
        base: await vault.deviationBps(local.tokens.USDC.address),
        tokens: await Promise.all(BASKET.map((s) => vault.deviationBps(local.tokens[s].address))),
      },
    });
    await syncPrices(f, ledger);

    const deposit = async (who: "alice" | "bob", amount: bigint) => {
      const receipt = await (await vault.connect(actors[who]).deposit(amount, actors[who].address)).wait();
      const shares = ledger.deposit(await blockTime(f, receipt?.blockNumber), amount, actors[who].address);
      expect(await vault.balanceOf(actors[who].address), `${who} shares`).to.equal(
        ledger.balanceOf(actors[who].address),
      );
      return shares;
    };

    await deposit("alice", USDC(100_000));
    await expectSameState(f, ledger, "after first deposit");

    // Rebalance into the basket; the ledger replays the legs with the pool's actual outputs.
    await local.ethers.provider.send("evm_increaseTime", [3600]);
    await local.ethers.provider.send("evm_mine", []);
    const order = await buildOrder(f, [2500, 2500, 2500, 2500], { maxSlippageBps: 200 });
    const receipt = await (await submitOrder(f, order)).wait();
    const legs = (receipt?.logs ?? [])
      .map((log) => vault.interface.parseLog(log))
      .filter((e) => e?.name === "LegExecuted")
      .map((e) => {
        const index = (address: string) =>
          address === local.tokens.USDC.address ? BASE : BASKET.findIndex((s) => local.tokens[s].address === address);
        return {
          tokenIn: index(e?.args.tokenIn as string),
          tokenOut: index(e?.args.tokenOut as string),
          amountIn: e?.args.amountIn as bigint,
          amountOut: e?.args.amountOut as bigint,
        };
      });
    expect(legs).to.have.length(order.legs.length);
    const result = ledger.rebalance(await blockTime(f, receipt?.blockNumber), {
      targetBps: [2500n, 2500n, 2500n],
      legs,
    });
    const event = receipt?.logs.map((log) => vault.interface.parseLog(log)).find((e) => e?.name === "Rebalanced");
    expect(event?.args.navBefore).to.equal(result.navBefore);
    expect(event?.args.navAfter).to.equal(result.navAfter);
    await expectSameState(f, ledger, "after rebalance");

    // 30 days later ETH is up 20%: management fee streams, performance fee above the HWM.
    await local.ethers.provider.send("evm_increaseTime", [30 * 86_400]);
    await followPrices(local, { WETH: 3600, WBTC: 63_000 });
    await refreshFeeds(f);
    await syncPrices(f, ledger);
    await deposit("bob", USDC(50_000));
    await expectSameState(f, ledger, "after gain and second deposit");
    const hwmAfterGain = ledger.highWaterMark;

    // Prices fall below the high-water mark: only the management fee accrues.
    await local.ethers.provider.send("evm_increaseTime", [10 * 86_400]);
    await followPrices(local, { WETH: 2800, ARB: 0.8 });
    await refreshFeeds(f);
    await syncPrices(f, ledger);
    const accrual = await (await vault.accrueFees()).wait();
    const fees = ledger.accrueFees(await blockTime(f, accrual?.blockNumber));
    expect(fees.performanceFee).to.equal(0n);
    expect(fees.managementFee).to.be.greaterThan(0n);
    expect(ledger.highWaterMark).to.equal(hwmAfterGain);
    await expectSameState(f, ledger, "after a loss");

    // Alice redeems part of her shares from the buffer.
    const shares = (await vault.balanceOf(actors.alice.address)) / 10n;
    const redeemReceipt = await (
      await vault.connect(actors.alice).redeem(shares, actors.alice.address, actors.alice.address)
    ).wait();
    const paid = ledger.redeem(await blockTime(f, redeemReceipt?.blockNumber), shares, actors.alice.address);
    const withdrawEvent = redeemReceipt?.logs
      .map((log) => vault.interface.parseLog(log))
      .find((e) => e?.name === "Withdraw");
    expect(withdrawEvent?.args.assets).to.equal(paid);
    await expectSameState(f, ledger, "after redeem");
  });
});
