/**
 * L-1 performance fee crystallised at a one-round oracle spike. A feed publishes one round far
 * above the market (the pools do not move) and anyone calls `accrueFees`, or deposits (every
 * deposit accrues), in that round. On the reviewed vault the fee was charged on the spiked share
 * price and the fee shares kept their count after the feed came back: the holders paid a fee on
 * a gain that never existed. With the L-1 checkpoint the fee counts gain only up to a share
 * price recorded at an accrual at least a day earlier, so the spike crystallises nothing.
 */
import { expect } from "chai";
import { followPrices } from "../../../keeper/src/devchain/arbitrumLocal.js";
import { expectRelClose } from "../../helpers/approx.js";
import { buildOrder, submitOrder, USDC, type VaultFixture } from "../fixture.js";
import { advanceFresh, useVaultFixture } from "../unit/harness.js";

const DAY = 86_400;
const WETH_USD = 3000;

/** One round of the WETH feed at `usd` (8 decimals), leaving the pools where they are. */
async function spikeFeed(f: VaultFixture, usd: number): Promise<bigint> {
  const feed = f.local.mockFeeds.WETH ?? expect.fail("no WETH feed");
  const [, before] = await feed.latestRoundData();
  await (await feed.setAnswer(BigInt(usd) * 10n ** 8n)).wait();
  return before;
}

describe("attack: L-1 performance fee at a one-round oracle spike", () => {
  const h = useVaultFixture({ performanceFeeBps: 2000, basket: ["WETH"] }, async (f) => {
    await followPrices(f.local, { WETH: WETH_USD });
    await (await f.vault.connect(f.actors.alice).deposit(USDC(100_000), f.actors.alice.address)).wait();
    await advanceFresh(f, 3600);
    await (await submitOrder(f, await buildOrder(f, [0, 10_000], { maxSlippageBps: 200 }))).wait();
    // A quiet market for days, accrued daily as a keeper would: the checkpoint is at the market.
    for (let day = 0; day < 3; day++) {
      await advanceFresh(f, DAY + 60);
      await (await f.vault.accrueFees()).wait();
    }
  });

  for (const entry of ["accrueFees", "deposit"] as const) {
    it(`a spike round followed by ${entry} mints no performance fee`, async () => {
      const { vault, actors } = h.f;
      await advanceFresh(h.f, DAY + 60);
      const feesBefore = await vault.balanceOf(actors.feeRecipient.address);
      const navBefore = await vault.totalAssets();
      const before = await spikeFeed(h.f, WETH_USD * 1.5);
      expect(await vault.totalAssets()).to.be.greaterThan((navBefore * 14n) / 10n);
      if (entry === "accrueFees") await (await vault.connect(actors.attacker).accrueFees()).wait();
      else await (await vault.connect(actors.attacker).deposit(USDC(10), actors.attacker.address)).wait();
      const minted = (await vault.balanceOf(actors.feeRecipient.address)) - feesBefore;
      // The feed's next round is the market again.
      await (await (h.f.local.mockFeeds.WETH ?? expect.fail("feed")).setAnswer(before)).wait();
      // Reviewed vault: 20% of a 50% spike, about 10% of NAV (~10,000 USDC) minted. Now: none.
      expect(await vault.convertToAssets(minted), "fee value minted at the spike").to.be.lessThan(USDC(1));
    });
  }

  it("a real gain held for a day is charged, a spike on top of it is not", async () => {
    const { vault, actors, local } = h.f;
    const supply = await vault.totalSupply();
    const mark = await vault.highWaterMark();
    const markValue = (mark * (supply + 10n ** 12n)) / 10n ** 18n;
    await followPrices(local, { WETH: WETH_USD * 1.1 });
    const heldGain = (await vault.totalAssets()) - markValue;
    // The first accrual a day on records the new price as the checkpoint; the next one charges it.
    await advanceFresh(h.f, DAY + 60);
    await (await vault.accrueFees()).wait();
    await advanceFresh(h.f, DAY + 60);
    const feesBefore = await vault.balanceOf(actors.feeRecipient.address);
    const before = await spikeFeed(h.f, WETH_USD * 1.6);
    const receipt = await (await vault.connect(actors.attacker).accrueFees()).wait();
    await (await (local.mockFeeds.WETH ?? expect.fail("feed")).setAnswer(before)).wait();
    const accrued = receipt?.logs
      .map((log) => vault.interface.parseLog(log))
      .find((event) => event?.name === "FeesAccrued");
    const performanceAssets = (accrued?.args[1] as bigint | undefined) ?? expect.fail("no FeesAccrued");
    // 20% of the gain the checkpoint saw (+10%), not of the spike (+60%, about 6x as much).
    expectRelClose(Number(performanceAssets), Number(heldGain) * 0.2, 1e-3, "fee on the held gain");
    // Its shares were priced at the spiked NAV: worth no more than the fee once the feed is back.
    const minted = (await vault.balanceOf(actors.feeRecipient.address)) - feesBefore;
    expect(await vault.convertToAssets(minted)).to.be.lessThanOrEqual(performanceAssets);
    // A day later at the +10% price: the fee shares, priced at the spiked NAV, are worth less
    // than the fee once the feed is back, and the next accrual charges only 20% of that
    // shortfall as gain over the mark. In all, the holders paid at most the fee on the held gain.
    await advanceFresh(h.f, DAY + 60);
    await (await vault.accrueFees()).wait();
    const total = (await vault.balanceOf(actors.feeRecipient.address)) - feesBefore;
    expect(await vault.convertToAssets(total), "fee value, spike accrual and the next").to.be.lessThanOrEqual(
      performanceAssets,
    );
    expect(total - minted, "the next accrual's shares").to.be.lessThan(minted / 4n);
  });
});
