import { expect } from "chai";
import { followPrices } from "../../../keeper/src/devchain/arbitrumLocal.js";
import { expectRelClose } from "../../helpers/approx.js";
import { buildOrder, submitOrder, USDC } from "../fixture.js";
import { advance, advanceFresh, refreshFeeds, useVaultFixture } from "./harness.js";

const DAY = 86_400;
const YEAR = 365 * DAY;

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

    /** Accrues once a day has passed (feeds kept fresh): each such accrual may record a new L-1 checkpoint. */
    async function accrueNextDay(): Promise<void> {
      await advanceFresh(h.f, DAY + 60);
      await (await h.f.vault.accrueFees()).wait();
    }

    it("takes 20% of the gain above the mark once a day-old checkpoint confirms it; the mark never falls", async () => {
      const { vault, actors, local } = h.f;
      await accrueNextDay();
      const hwm0 = await vault.highWaterMark();
      const nav0 = await vault.totalAssets();

      await followPrices(local, { WETH: 3300 }); // +10%
      const nav1 = await vault.totalAssets();
      expect(nav1).to.be.greaterThan(nav0);
      // The gain is measured from the mark (the entry costs left the price below it).
      const supply = await vault.totalSupply();
      const markValue = (hwm0 * (supply + 10n ** 12n)) / 10n ** 18n;
      // L-1: the first accrual at the new price records it as the checkpoint; the next, a day on,
      // charges the gain both prices show.
      await accrueNextDay();
      await accrueNextDay();
      const feeValue = await vault.convertToAssets(await vault.balanceOf(actors.feeRecipient.address));
      expectRelClose(Number(feeValue), Number(nav1 - markValue) * 0.2, 1e-3, "20% of the gain above the mark");
      const hwm1 = await vault.highWaterMark();
      expect(hwm1).to.be.greaterThan(hwm0);

      await followPrices(local, { WETH: 2900 }); // below the mark
      const feesBefore = await vault.balanceOf(actors.feeRecipient.address);
      await accrueNextDay();
      await accrueNextDay();
      expect(await vault.balanceOf(actors.feeRecipient.address)).to.equal(feesBefore);
      expect(await vault.highWaterMark()).to.equal(hwm1);

      await followPrices(local, { WETH: 3300 }); // back to the mark: no new fee on recovered losses
      await accrueNextDay();
      await accrueNextDay();
      const recovered = (await vault.balanceOf(actors.feeRecipient.address)) - feesBefore;
      expect(await vault.convertToAssets(recovered)).to.be.lessThan(USDC(5));
      expect(await vault.highWaterMark()).to.be.greaterThanOrEqual(hwm1);
    });

    it("charges no performance fee within a day of the last checkpoint, and keeps the mark (L-1)", async () => {
      const { vault, actors, local } = h.f;
      await accrueNextDay(); // records a checkpoint now
      const mark = await vault.highWaterMark();
      await followPrices(local, { WETH: 3600 }); // +20%, any accrual within the day
      await advanceFresh(h.f, DAY / 2);
      const before = await vault.balanceOf(actors.feeRecipient.address);
      await expect(vault.accrueFees()).to.not.emit(vault, "FeesAccrued");
      await (await vault.connect(actors.alice).deposit(USDC(1_000), actors.alice.address)).wait();
      expect(await vault.balanceOf(actors.feeRecipient.address)).to.equal(before);
      expect(await vault.highWaterMark()).to.equal(mark);
    });
  });
});
