/**
 * EIP-4626, clause by clause: one named test per MUST of the standard (and the rounding
 * directions it requires), on a vault that holds a basket, charges both fees and the entry
 * spread, so previews must include all of them. The outage choice (what integrators read while a
 * price is unusable) is the last block: totalAssets and convertTo* never revert and report a
 * lower bound; previews and max* report 0 (every entry point reverts meanwhile).
 */
import { expect } from "chai";
import { MaxUint256 } from "ethers";
import { setFeedPrice } from "../../../keeper/src/devchain/arbitrumLocal.js";
import type { PreviewProbe } from "../../../types/ethers-contracts/index.js";
import { buildOrder, submitOrder, USDC, type VaultFixture } from "../fixture.js";
import { advance, makeStale, refreshFeeds, useVaultFixture } from "./harness.js";

async function compared(tx: Promise<{ wait: () => Promise<unknown> }>, probe: PreviewProbe): Promise<[bigint, bigint]> {
  const receipt = (await (await tx).wait()) as { logs: { topics: string[]; data: string }[] };
  for (const log of receipt.logs) {
    const parsed = probe.interface.parseLog(log);
    if (parsed?.name === "Compared") return [parsed.args[0] as bigint, parsed.args[1] as bigint];
  }
  throw new Error("no Compared event");
}

describe("EIP-4626 MUST clauses (fees and entry spread on)", () => {
  let probe: PreviewProbe;
  let probeAddress = "";
  const h = useVaultFixture({ managementFeeBps: 200, performanceFeeBps: 2000 }, async (f: VaultFixture) => {
    await (await f.vault.connect(f.actors.alice).deposit(USDC(100_000), f.actors.alice.address)).wait();
    await (await submitOrder(f, await buildOrder(f, [4000, 2000, 2000, 2000]))).wait();
    probe = (await f.local.ethers.deployContract("PreviewProbe")) as unknown as PreviewProbe;
    probeAddress = await probe.getAddress();
    await (await f.usdc.connect(f.actors.alice).transfer(probeAddress, USDC(50_000))).wait();
    await (await probe.approve(await f.usdc.getAddress(), f.vaultAddress)).wait();
    // Fees pending (10 days) and a gain above the mark, so previews must count both.
    await advance(f, 10 * 86_400);
    await refreshFeeds(f);
    await setFeedPrice(f.local, "WETH", 3_300);
  });

  it("MUST asset(): the base ERC-20, and it does not revert", async () => {
    expect(await h.f.vault.asset()).to.equal(h.f.local.tokens.USDC.address);
  });

  it("MUST totalAssets(): does not revert, and is the NAV the entry points price at", async () => {
    const [, , , , , nav] = await h.f.vault.portfolio();
    expect(await h.f.vault.totalAssets()).to.equal(nav);
  });

  it("MUST convertToShares/convertToAssets: no caller dependence, no revert, round down", async () => {
    const { vault, actors } = h.f;
    const a = 123_456_789n;
    const byAlice = await vault.connect(actors.alice).convertToShares(a);
    expect(await vault.connect(actors.attacker).convertToShares(a)).to.equal(byAlice);
    // Round trip through both conversions never gains (both round down).
    expect((await vault.convertToAssets(byAlice)) <= a).to.equal(true);
    const s = 10n ** 20n + 7n;
    expect((await vault.convertToShares(await vault.convertToAssets(s))) <= s).to.equal(true);
    expect(await vault.convertToShares(MaxUint256 / 10n ** 30n)).to.be.greaterThan(0n);
  });

  it("MUST convertTo*: do not include the entry spread (it is a fee, previews carry it)", async () => {
    const { vault } = h.f;
    const a = 10_000_000_000n;
    expect(await vault.previewDeposit(a)).to.be.lessThan(await vault.convertToShares(a));
  });

  it("MUST previewDeposit: exactly what deposit mints in the same transaction, fees and spread included", async () => {
    const [preview, actual] = await compared(probe.deposit(h.f.vaultAddress, USDC(12_345.678901)), probe);
    expect(actual).to.equal(preview);
  });

  it("MUST previewMint: exactly what mint pulls in the same transaction (rounded up), fees and spread included", async () => {
    const [preview, actual] = await compared(probe.mint(h.f.vaultAddress, 10n ** 18n * 777n + 3n), probe);
    expect(actual).to.equal(preview);
    expect(preview).to.be.greaterThan(await h.f.vault.convertToAssets(10n ** 18n * 777n + 3n));
  });

  it("MUST previewWithdraw: exactly the shares withdraw burns (rounded up)", async () => {
    await (await probe.deposit(h.f.vaultAddress, USDC(20_000))).wait();
    const [preview, actual] = await compared(probe.withdraw(h.f.vaultAddress, USDC(1_234.567891)), probe);
    expect(actual).to.equal(preview);
    expect(preview >= (await h.f.vault.convertToShares(USDC(1_234.567891)))).to.equal(true);
  });

  it("MUST previewRedeem: exactly the assets redeem pays (rounded down)", async () => {
    await (await probe.deposit(h.f.vaultAddress, USDC(20_000))).wait();
    const [preview, actual] = await compared(probe.redeem(h.f.vaultAddress, 10n ** 18n * 321n + 7n), probe);
    expect(actual).to.equal(preview);
  });

  it("MUST previewDeposit/previewMint: do not account for maxDeposit limits", async () => {
    const { vault, actors } = h.f;
    await (await vault.connect(actors.guardian).setDepositCap(1n)).wait();
    expect(await vault.maxDeposit(actors.bob.address)).to.equal(0n);
    expect(await vault.maxMint(actors.bob.address)).to.equal(0n);
    // The deposit itself is refused by the limit; its preview still prices it.
    await expect(vault.connect(actors.bob).deposit(USDC(1_000), actors.bob.address)).to.be.revertedWithCustomError(
      vault,
      "ERC4626ExceededMaxDeposit",
    );
    expect(await vault.previewDeposit(USDC(1_000))).to.be.greaterThan(0n);
    expect(await vault.previewMint(10n ** 18n)).to.be.greaterThan(0n);
  });

  it("MUST maxDeposit/maxMint: never above what the entry points accept, 0 when paused, 2^256-1 with no cap", async () => {
    const { vault, actors } = h.f;
    expect(await vault.maxDeposit(actors.bob.address)).to.equal(MaxUint256);
    expect(await vault.maxMint(actors.bob.address)).to.equal(MaxUint256);
    const nav = await vault.totalAssets();
    await (await vault.connect(actors.guardian).setDepositCap(nav + USDC(5_000))).wait();
    const maxAssets = await vault.maxDeposit(actors.bob.address);
    await expect(vault.connect(actors.bob).deposit(maxAssets + 1n, actors.bob.address)).to.be.revertedWithCustomError(
      vault,
      "ERC4626ExceededMaxDeposit",
    );
    const maxShares = await vault.maxMint(actors.bob.address);
    expect((await vault.previewMint(maxShares)) <= maxAssets).to.equal(true);
    await (await vault.connect(actors.bob).mint(maxShares, actors.bob.address)).wait();
    await (await vault.connect(actors.guardian).pause()).wait();
    expect(await vault.maxDeposit(actors.bob.address)).to.equal(0n);
    expect(await vault.maxMint(actors.bob.address)).to.equal(0n);
  });

  it("MUST maxWithdraw/maxRedeem: never above what withdraw/redeem accept (the idle buffer), 0 when paused", async () => {
    const { vault, actors } = h.f;
    const a = actors.alice.address;
    const buffer = await vault.held(h.f.local.tokens.USDC.address);
    const maxW = await vault.maxWithdraw(a);
    expect(maxW).to.equal(buffer);
    const maxR = await vault.maxRedeem(a);
    await expect(vault.connect(actors.alice).withdraw(maxW + 1n, a, a)).to.be.revertedWithCustomError(
      vault,
      "ERC4626ExceededMaxWithdraw",
    );
    // Alice's whole position is worth more than the buffer: redeeming it is refused.
    const all = await vault.balanceOf(a);
    expect(all > maxR).to.equal(true);
    await expect(vault.connect(actors.alice).redeem(all, a, a)).to.be.revertedWithCustomError(
      vault,
      "ERC4626ExceededMaxRedeem",
    );
    const snapshot = await h.f.local.ethers.provider.send("evm_snapshot", []);
    await (await vault.connect(actors.alice).withdraw(maxW, a, a)).wait();
    await h.f.local.ethers.provider.send("evm_revert", [snapshot]);
    await (await vault.connect(actors.alice).redeem(maxR, a, a)).wait();
    await (await vault.connect(actors.guardian).pause()).wait();
    expect(await vault.maxWithdraw(a)).to.equal(0n);
    expect(await vault.maxRedeem(a)).to.equal(0n);
  });

  it("MUST deposit/mint emit Deposit; withdraw/redeem emit Withdraw, also for a caller spending an allowance", async () => {
    const { vault, actors } = h.f;
    const [a, b] = [actors.alice.address, actors.bob.address];
    await expect(vault.connect(actors.bob).deposit(USDC(1_000), b)).to.emit(vault, "Deposit");
    await expect(vault.connect(actors.bob).mint(10n ** 18n, b)).to.emit(vault, "Deposit");
    await (await vault.connect(actors.alice).approve(b, MaxUint256)).wait();
    await expect(vault.connect(actors.bob).withdraw(USDC(10), b, a)).to.emit(vault, "Withdraw");
    await expect(vault.connect(actors.bob).redeem(10n ** 18n, b, a)).to.emit(vault, "Withdraw");
    await expect(vault.connect(actors.attacker).redeem(10n ** 18n, b, b)).to.be.revertedWithCustomError(
      vault,
      "ERC20InsufficientAllowance",
    );
  });

  it("MUST deposit/mint revert when not all assets/shares can be taken (no partial fills)", async () => {
    const { vault, actors, usdc } = h.f;
    const poor = actors.attacker;
    await (await usdc.connect(poor).transfer(actors.bob.address, await usdc.balanceOf(poor.address))).wait();
    await expect(vault.connect(poor).deposit(USDC(1), poor.address)).to.be.revertedWithCustomError(
      usdc,
      "ERC20InsufficientBalance",
    );
    await expect(vault.connect(poor).mint(10n ** 18n, poor.address)).to.be.revertedWithCustomError(
      usdc,
      "ERC20InsufficientBalance",
    );
    expect(await vault.balanceOf(poor.address)).to.equal(0n);
  });

  describe("the outage choice (a price unusable)", () => {
    it("totalAssets and convertToAssets do not revert and report a lower bound; previews and max* are 0; entry points revert", async () => {
      const { vault, actors, local } = h.f;
      const perShare = await vault.convertToAssets(10n ** 18n);
      await makeStale(h.f, "WBTC");
      expect(await vault.totalAssets()).to.equal(await vault.held(local.tokens.USDC.address));
      const floor = await vault.convertToAssets(10n ** 18n);
      expect(floor > 0n && floor < perShare).to.equal(true);
      expect(await vault.convertToShares(USDC(1))).to.equal(0n);
      for (const v of [
        await vault.previewDeposit(USDC(1)),
        await vault.previewMint(10n ** 18n),
        await vault.previewWithdraw(USDC(1)),
        await vault.previewRedeem(10n ** 18n),
        await vault.maxDeposit(actors.bob.address),
        await vault.maxMint(actors.bob.address),
        await vault.maxWithdraw(actors.alice.address),
        await vault.maxRedeem(actors.alice.address),
      ]) {
        expect(v).to.equal(0n);
      }
      await expect(vault.connect(actors.bob).deposit(USDC(1), actors.bob.address)).to.be.revertedWithCustomError(
        vault,
        "StalePrice",
      );
    });
  });
});
