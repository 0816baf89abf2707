import { expect } from "chai";
import { followPrices } from "../../../keeper/src/devchain/arbitrumLocal.js";
import { expectRelClose } from "../../helpers/approx.js";
import { buildOrder, submitOrder, USDC } from "../fixture.js";
import { advance, refreshFeeds, useVaultFixture } from "./harness.js";

const YEAR = 365 * 86_400;

describe("IndexVault fees", () => {
  describe("management fee", () => {
    const h = useVaultFixture({ managementFeeBps: 200 }, async (f) => {
      await (await f.vault.connect(f.actors.alice).deposit(USDC(1_000_000), f.actors.alice.address)).wait();
    });

    it("streams 2% a year of NAV to the fee recipient as shares, previewed exactly", async () => {
      const { vault, actors } = h.f;
      await advance(h.f, YEAR);
      await refreshFeeds(h.f);
      // Pending fees are already in the previews before anyone accrues them.
      const preview = await vault.previewRedeem(await vault.balanceOf(actors.alice.address));
      const tx = await vault.accrueFees();
      await expect(tx).to.emit(vault, "FeesAccrued");
      const feeShares = await vault.balanceOf(actors.feeRecipient.address);
      const feeValue = await vault.convertToAssets(feeShares);
      expectRelClose(Number(feeValue), 20_000e6, 1e-3, "one year of 2% on 1M USDC");
      // The accrual lands one second after the preview's block: one second of fee apart.
      const oneSecondOfFee = USDC(20_000) / BigInt(YEAR) + 1n;
      const after = await vault.previewRedeem(await vault.balanceOf(actors.alice.address));
      expect(preview - after).to.be.lessThanOrEqual(oneSecondOfFee);
    });

    it("charges nothing when no time passed", async () => {
      const { vault, actors } = h.f;
      await (await vault.accrueFees()).wait();
      const before = await vault.balanceOf(actors.feeRecipient.address);
      await (await vault.accrueFees()).wait();
      // One second may pass between blocks: at most a second's worth of fee.
      const delta = (await vault.balanceOf(actors.feeRecipient.address)) - before;
      const perSecond = (await vault.totalSupply()) / BigInt(YEAR * 50);
      expect(delta).to.be.lessThanOrEqual(perSecond + 1n);
    });
  });

  describe("performance fee and high-water mark", () => {
    const h = useVaultFixture({ performanceFeeBps: 2000, basket: ["WETH"] }, async (f) => {
      await (await f.vault.connect(f.actors.alice).deposit(USDC(100_000), f.actors.alice.address)).wait();
      await advance(f, 3600);
      await (await submitOrder(f, await buildOrder(f, [0, 10_000], { maxSlippageBps: 200 }))).wait();
    });

    it("takes 20% of the gain above the mark, and nothing below it; the mark never falls", async () => {
      const { vault, actors, local } = h.f;
      await (await vault.accrueFees()).wait();
      const hwm0 = await vault.highWaterMark();
      const nav0 = await vault.totalAssets();

      await followPrices(local, { WETH: 3300 }); // +10%
      const nav1 = await vault.totalAssets();
      expect(nav1).to.be.greaterThan(nav0);
      // The gain is measured from the mark (the entry costs left the price below it).
      const supply = await vault.totalSupply();
      const markValue = (hwm0 * (supply + 10n ** 12n)) / 10n ** 18n;
      await (await vault.accrueFees()).wait();
      const feeValue = await vault.convertToAssets(await vault.balanceOf(actors.feeRecipient.address));
      expectRelClose(Number(feeValue), Number(nav1 - markValue) * 0.2, 1e-3, "20% of the gain above the mark");
      const hwm1 = await vault.highWaterMark();
      expect(hwm1).to.be.greaterThan(hwm0);

      await followPrices(local, { WETH: 2900 }); // below the mark
      const feesBefore = await vault.balanceOf(actors.feeRecipient.address);
      await (await vault.accrueFees()).wait();
      expect(await vault.balanceOf(actors.feeRecipient.address)).to.equal(feesBefore);
      expect(await vault.highWaterMark()).to.equal(hwm1);

      await followPrices(local, { WETH: 3300 }); // back to the mark: no new fee on recovered losses
      await (await vault.accrueFees()).wait();
      const recovered = (await vault.balanceOf(actors.feeRecipient.address)) - feesBefore;
      expect(await vault.convertToAssets(recovered)).to.be.lessThan(USDC(5));
      expect(await vault.highWaterMark()).to.be.greaterThanOrEqual(hwm1);
    });
  });
});
