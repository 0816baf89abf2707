import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";
import { MaxUint256 } from "ethers";
import { setFeedPrice, setSequencerStatus } from "../../../keeper/src/devchain/arbitrumLocal.js";
import type { PreviewProbe } from "../../../types/ethers-contracts/index.js";
import { buildOrder, submitOrder, USDC, type VaultFixture } from "../fixture.js";
import { advance, makeStale, useVaultFixture } from "./harness.js";

const DEPOSIT = USDC(100_000);

/** Alice deposits and the vault rebalances to 25% in each asset (buffer 25%). */
async function investedSetup(f: VaultFixture): Promise<void> {
  await (await f.vault.connect(f.actors.alice).deposit(DEPOSIT, f.actors.alice.address)).wait();
  await (await submitOrder(f, await buildOrder(f, [2500, 2500, 2500, 2500]))).wait();
}

async function compared(tx: Promise<{ wait: () => Promise<unknown> }>, probe: PreviewProbe): Promise<[bigint, bigint]> {
  const receipt = (await (await tx).wait()) as { logs: { topics: string[]; data: string }[] };
  for (const log of receipt.logs) {
    const parsed = probe.interface.parseLog(log);
    if (parsed?.name === "Compared") return [parsed.args[0] as bigint, parsed.args[1] as bigint];
  }
  throw new Error("no Compared event");
}

describe("IndexVault ERC-4626 entry points", () => {
  const h = useVaultFixture();

  it("first deposit mints assets * 10^offset shares and lands in the buffer", async () => {
    const { vault, actors, usdc, vaultAddress } = h.f;
    const shares = await vault.previewDeposit(DEPOSIT);
    expect(shares).to.equal(DEPOSIT * 10n ** 12n);
    await expect(vault.connect(actors.alice).deposit(DEPOSIT, actors.bob.address))
      .to.emit(vault, "Deposit")
      .withArgs(actors.alice.address, actors.bob.address, DEPOSIT, shares);
    expect(await vault.balanceOf(actors.bob.address)).to.equal(shares);
    expect(await vault.held(await usdc.getAddress())).to.equal(DEPOSIT);
    expect(await usdc.balanceOf(vaultAddress)).to.equal(DEPOSIT);
    expect(await vault.totalAssets()).to.equal(DEPOSIT);
    expect(await vault.decimals()).to.equal(18n);
  });

  it("mint pulls previewMint assets", async () => {
    const { vault, actors, usdc } = h.f;
    const shares = 10n ** 18n * 500n;
    const assets = await vault.previewMint(shares);
    expect(assets).to.equal(USDC(500));
    await expect(vault.connect(actors.alice).mint(shares, actors.alice.address)).to.changeTokenBalance(
      h.f.local.ethers,
      usdc,
      actors.alice,
      -assets,
    );
    expect(await vault.balanceOf(actors.alice.address)).to.equal(shares);
  });

  it("withdraw and redeem pay from the buffer and burn the right shares", async () => {
    const { vault, actors } = h.f;
    await (await vault.connect(actors.alice).deposit(DEPOSIT, actors.alice.address)).wait();
    const sharesFor = await vault.previewWithdraw(USDC(1000));
    await expect(vault.connect(actors.alice).withdraw(USDC(1000), actors.bob.address, actors.alice.address))
      .to.emit(vault, "Withdraw")
      .withArgs(actors.alice.address, actors.bob.address, actors.alice.address, USDC(1000), sharesFor);
    const assetsFor = await vault.previewRedeem(10n ** 18n);
    await expect(vault.connect(actors.alice).redeem(10n ** 18n, actors.alice.address, actors.alice.address))
      .to.emit(vault, "Withdraw")
      .withArgs(actors.alice.address, actors.alice.address, actors.alice.address, assetsFor, 10n ** 18n);
    expect(await vault.totalAssets()).to.equal(DEPOSIT - USDC(1000) - assetsFor);
  });

  it("zero amounts revert with ZeroAmount", async () => {
    const { vault, actors } = h.f;
    await expect(vault.connect(actors.alice).deposit(0, actors.alice.address)).to.be.revertedWithCustomError(
      vault,
      "ZeroAmount",
    );
    await expect(vault.connect(actors.alice).mint(0, actors.alice.address)).to.be.revertedWithCustomError(
      vault,
      "ZeroAmount",
    );
    await (await vault.connect(actors.alice).deposit(DEPOSIT, actors.alice.address)).wait();
    await expect(
      vault.connect(actors.alice).withdraw(0, actors.alice.address, actors.alice.address),
    ).to.be.revertedWithCustomError(vault, "ZeroAmount");
    await expect(
      vault.connect(actors.alice).redeem(0, actors.alice.address, actors.alice.address),
    ).to.be.revertedWithCustomError(vault, "ZeroAmount");
  });

  it("deposits above the cap revert; the cap limits maxDeposit and maxMint", async () => {
    const { vault, actors } = h.f;
    await (await vault.connect(actors.guardian).setDepositCap(USDC(1000))).wait();
    expect(await vault.maxDeposit(actors.alice.address)).to.equal(USDC(1000));
    expect(await vault.maxMint(actors.alice.address)).to.equal(USDC(1000) * 10n ** 12n);
    await expect(vault.connect(actors.alice).deposit(USDC(1001), actors.alice.address))
      .to.be.revertedWithCustomError(vault, "ERC4626ExceededMaxDeposit")
      .withArgs(actors.alice.address, USDC(1001), USDC(1000));
    await (await vault.connect(actors.alice).deposit(USDC(1000), actors.alice.address)).wait();
    expect(await vault.maxDeposit(actors.alice.address)).to.equal(0n);
    expect(await vault.maxMint(actors.alice.address)).to.equal(0n);
  });

  it("an unlimited cap reports MaxUint256 from maxDeposit and maxMint", async () => {
    const { vault, actors } = h.f;
    expect(await vault.maxDeposit(actors.alice.address)).to.equal(MaxUint256);
    expect(await vault.maxMint(actors.alice.address)).to.equal(MaxUint256);
  });

  it("paused: deposit/mint/withdraw/redeem revert EnforcedPause and every max* is 0", async () => {
    const { vault, actors } = h.f;
    await (await vault.connect(actors.alice).deposit(DEPOSIT, actors.alice.address)).wait();
    await (await vault.connect(actors.guardian).pause()).wait();
    const a = actors.alice.address;
    for (const tx of [
      vault.connect(actors.alice).deposit(1n, a),
      vault.connect(actors.alice).mint(1n, a),
      vault.connect(actors.alice).withdraw(1n, a, a),
      vault.connect(actors.alice).redeem(1n, a, a),
      vault.connect(actors.alice).redeemWithSwaps(1n, a, a, 0n),
    ]) {
      await expect(tx).to.be.revertedWithCustomError(vault, "EnforcedPause");
    }
    expect(await vault.maxDeposit(a)).to.equal(0n);
    expect(await vault.maxMint(a)).to.equal(0n);
    expect(await vault.maxWithdraw(a)).to.equal(0n);
    expect(await vault.maxRedeem(a)).to.equal(0n);
  });

  it("a stale oracle or a down sequencer makes previews and limited max* return 0 without reverting; totalAssets reports the buffer", async () => {
    const { vault, actors, local } = h.f;
    await (await vault.connect(actors.guardian).setDepositCap(USDC(1_000_000))).wait();
    await (await vault.connect(actors.alice).deposit(DEPOSIT, actors.alice.address)).wait();
    const a = actors.alice.address;
    const check = async () => {
      expect(await vault.previewDeposit(USDC(1))).to.equal(0n);
      expect(await vault.previewMint(10n ** 18n)).to.equal(0n);
      expect(await vault.previewWithdraw(USDC(1))).to.equal(0n);
      expect(await vault.previewRedeem(10n ** 18n)).to.equal(0n);
      // Decision (docs/threat-model.md): totalAssets and convertToAssets never revert and report
      // the idle buffer during an outage, a lower bound; here the vault is all cash.
      const buffer = await vault.held(h.f.local.tokens.USDC.address);
      expect(await vault.totalAssets()).to.equal(buffer);
      expect(await vault.convertToAssets(10n ** 18n)).to.equal(
        (10n ** 18n * (buffer + 1n)) / ((await vault.totalSupply()) + 10n ** 12n),
      );
      expect(await vault.convertToShares(USDC(1))).to.equal(0n);
      expect(await vault.maxDeposit(a)).to.equal(0n);
      expect(await vault.maxMint(a)).to.equal(0n);
      expect(await vault.maxWithdraw(a)).to.equal(0n);
      expect(await vault.maxRedeem(a)).to.equal(0n);
    };
    const snap = await local.ethers.provider.send("evm_snapshot", []);
    await makeStale(h.f, "WETH");
    await check();
    await local.ethers.provider.send("evm_revert", [snap]);
    await setSequencerStatus(local, false);
    await check();
  });

  it("withdraw beyond the idle buffer is refused (buffer only, never sells)", async () => {
    const { vault, actors, usdc } = h.f;
    await investedSetup(h.f);
    const buffer = await vault.held(await usdc.getAddress());
    const a = actors.alice.address;
    expect(await vault.maxWithdraw(a)).to.equal(buffer);
    expect(await vault.maxRedeem(a)).to.equal(await vault.convertToShares(buffer));
    // OpenZeppelin's max* check fires before the vault's own InsufficientBuffer guard, which is
    // therefore unreachable through withdraw/redeem (see report).
    await expect(vault.connect(actors.alice).withdraw(buffer + 1n, a, a))
      .to.be.revertedWithCustomError(vault, "ERC4626ExceededMaxWithdraw")
      .withArgs(a, buffer + 1n, buffer);
    const maxRedeem = await vault.maxRedeem(a);
    await expect(vault.connect(actors.alice).redeem(maxRedeem + 1n, a, a))
      .to.be.revertedWithCustomError(vault, "ERC4626ExceededMaxRedeem")
      .withArgs(a, maxRedeem + 1n, maxRedeem);
    await (await vault.connect(actors.alice).withdraw(buffer, a, a)).wait();
    expect(await vault.held(await usdc.getAddress())).to.equal(0n);
  });

  it("previews equal what the entry points do in the same block", async () => {
    const { vault, actors, local, usdc, vaultAddress } = h.f;
    await investedSetup(h.f);
    const probe = (await local.ethers.deployContract("PreviewProbe")) as unknown as PreviewProbe;
    const probeAddress = await probe.getAddress();
    await (await usdc.connect(actors.alice).transfer(probeAddress, USDC(50_000))).wait();
    await (await probe.approve(await usdc.getAddress(), vaultAddress)).wait();
    await setFeedPrice(local, "WETH", 3_137.77);
    for (const [name, tx] of [
      ["deposit", () => probe.deposit(vaultAddress, USDC(12_345.678901))],
      ["mint", () => probe.mint(vaultAddress, 10n ** 18n * 777n + 3n)],
      ["withdraw", () => probe.withdraw(vaultAddress, USDC(1_234.567891))],
      ["redeem", () => probe.redeem(vaultAddress, 10n ** 18n * 321n + 7n)],
    ] as const) {
      const [preview, actual] = await compared(tx(), probe);
      expect(actual, name).to.equal(preview);
      expect(actual, name).to.be.greaterThan(0n);
    }
    expect(await vault.balanceOf(probeAddress)).to.be.greaterThan(0n);
  });

  it("EIP-4626 maxRedeem MUST NOT be higher than what redeem accepts: a dust holder reports 0", async () => {
    const { vault, actors } = h.f;
    const a = actors.alice.address;
    const b = actors.bob.address;
    await (await vault.connect(actors.alice).deposit(DEPOSIT, a)).wait();
    // One share unit is worth 1e-12 USDC units: far below one base unit.
    await (await vault.connect(actors.alice).transfer(b, 1n)).wait();
    expect(await vault.previewRedeem(1n)).to.equal(0n);
    expect(await vault.maxRedeem(b)).to.equal(0n);
    // redeem checks against maxRedeem, so the dust redemption is refused as above the maximum.
    await expect(vault.connect(actors.bob).redeem(1n, b, b))
      .to.be.revertedWithCustomError(vault, "ERC4626ExceededMaxRedeem")
      .withArgs(b, 1n, 0n);
    // A real holder's maximum is accepted as is.
    const max = await vault.maxRedeem(a);
    expect(max).to.equal(await vault.balanceOf(a));
    await (await vault.connect(actors.alice).redeem(max, a, a)).wait();
    expect(await vault.balanceOf(a)).to.equal(0n);
  });

  it("spending another owner's shares needs an allowance", async () => {
    const { vault, actors } = h.f;
    await (await vault.connect(actors.alice).deposit(DEPOSIT, actors.alice.address)).wait();
    const a = actors.alice.address;
    await expect(vault.connect(actors.bob).redeem(10n ** 18n, actors.bob.address, a)).to.be.revertedWithCustomError(
      vault,
      "ERC20InsufficientAllowance",
    );
    await expect(vault.connect(actors.bob).redeemInKind(10n, actors.bob.address, a)).to.be.revertedWithCustomError(
      vault,
      "ERC20InsufficientAllowance",
    );
    await expect(
      vault.connect(actors.bob).redeemWithSwaps(10n, actors.bob.address, a, 0n),
    ).to.be.revertedWithCustomError(vault, "ERC20InsufficientAllowance");
    await (await vault.connect(actors.alice).approve(actors.bob.address, 10n ** 18n)).wait();
    await (await vault.connect(actors.bob).redeemInKind(10n ** 17n, actors.bob.address, a)).wait();
    await (await vault.connect(actors.bob).redeemWithSwaps(10n ** 17n, actors.bob.address, a, 0n)).wait();
    expect(await vault.allowance(a, actors.bob.address)).to.equal(10n ** 18n - 2n * 10n ** 17n);
  });
});

describe("IndexVault redeemInKind", () => {
  const h = useVaultFixture({}, investedSetup);

  it("sends a pro-rata slice (rounded down) of every holding and emits RedeemedInKind", async () => {
    const { vault, actors } = h.f;
    const assets = await vault.assets();
    const held = await Promise.all(assets.map((a) => vault.held(a)));
    const supply = await vault.totalSupply();
    const shares = (await vault.balanceOf(actors.alice.address)) / 3n;
    const expected = held.map((x) => (x * shares) / (supply + 10n ** 12n));
    const receiver = "0x000000000000000000000000000000000000bEEF";
    await expect(vault.connect(actors.alice).redeemInKind(shares, receiver, actors.alice.address))
      .to.emit(vault, "RedeemedInKind")
      .withArgs(actors.alice.address, receiver, actors.alice.address, shares, expected);
    for (const [i, a] of assets.entries()) {
      const token = await h.f.local.ethers.getContractAt("MockERC20", a);
      expect(await token.balanceOf(receiver)).to.equal(expected[i]);
      expect(await vault.held(a)).to.equal((held[i] ?? 0n) - (expected[i] ?? 0n));
    }
  });

  it("works while paused and with a stale oracle", async () => {
    const { vault, actors } = h.f;
    await (await vault.connect(actors.guardian).pause()).wait();
    const updatedAt = await makeStale(h.f, "WBTC");
    // totalAssets never reverts (it reports the buffer); accrueFees reports the oracle's detail.
    await expect(vault.accrueFees())
      .to.be.revertedWithCustomError(vault, "StalePrice")
      .withArgs(h.f.local.tokens.WBTC.address, updatedAt, 86_400);
    const shares = await vault.balanceOf(actors.alice.address);
    await (await vault.connect(actors.alice).redeemInKind(shares, actors.alice.address, actors.alice.address)).wait();
    expect(await vault.balanceOf(actors.alice.address)).to.equal(0n);
    expect(await vault.totalSupply()).to.equal(0n);
  });

  it("rejects zero shares and a zero receiver", async () => {
    const { vault, actors } = h.f;
    const a = actors.alice.address;
    await expect(vault.connect(actors.alice).redeemInKind(0n, a, a)).to.be.revertedWithCustomError(vault, "ZeroAmount");
    await expect(
      vault.connect(actors.alice).redeemInKind(1n, "0x0000000000000000000000000000000000000000", a),
    ).to.be.revertedWithCustomError(vault, "ZeroAddress");
  });
});

describe("IndexVault redeemWithSwaps", () => {
  const h = useVaultFixture({}, investedSetup);

  it("pays from the buffer alone when it covers the redemption", async () => {
    const { vault, actors, usdc } = h.f;
    const a = actors.alice.address;
    const shares = (await vault.balanceOf(a)) / 10n;
    const owed = await vault.previewRedeem(shares);
    await expect(vault.connect(actors.alice).redeemWithSwaps(shares, a, a, owed))
      .to.emit(vault, "RedeemedWithSwaps")
      .withArgs(a, a, a, shares, owed)
      .and.not.to.emit(vault, "LegExecuted");
    expect(await vault.held(await usdc.getAddress())).to.be.greaterThan(0n);
  });

  it("sells basket tokens pro-rata through their sell paths when the buffer is short", async () => {
    const { vault, actors, usdc } = h.f;
    const a = actors.alice.address;
    const assets = await vault.assets();
    const heldBefore = await Promise.all(assets.map((x) => vault.held(x)));
    const shares = ((await vault.balanceOf(a)) * 6n) / 10n;
    const owed = await vault.previewRedeem(shares);
    const out = await vault.connect(actors.alice).redeemWithSwaps.staticCall(shares, a, a, 0n);
    // The redeemer bears execution cost: a little under the oracle value, never more.
    expect(out).to.be.lessThanOrEqual(owed);
    expect(out).to.be.greaterThan((owed * 995n) / 1000n);
    const before = await usdc.balanceOf(a);
    await expect(vault.connect(actors.alice).redeemWithSwaps(shares, a, a, out))
      .to.emit(vault, "LegExecuted")
      .withArgs(assets[1], assets[0], anyValue, anyValue, anyValue);
    expect((await usdc.balanceOf(a)) - before).to.equal(out);
    // Each basket holding shrank by the same fraction (the shortfall over the basket value).
    const heldAfter = await Promise.all(assets.map((x) => vault.held(x)));
    const fractions = heldAfter.slice(1).map((x, i) => Number(x) / Number(heldBefore[i + 1]));
    for (const fr of fractions) expect(Math.abs(fr - (fractions[0] ?? 0))).to.be.lessThan(1e-6);
    expect(fractions[0]).to.be.lessThan(1);
  });

  it("reverts PayoutBelowMinimum when the payout is under the caller's minimum", async () => {
    const { vault, actors } = h.f;
    const a = actors.alice.address;
    const shares = ((await vault.balanceOf(a)) * 6n) / 10n;
    const out = await vault.connect(actors.alice).redeemWithSwaps.staticCall(shares, a, a, 0n);
    await expect(vault.connect(actors.alice).redeemWithSwaps(shares, a, a, out + 1n))
      .to.be.revertedWithCustomError(vault, "PayoutBelowMinimum")
      .withArgs(out, out + 1n);
  });

  it("rejects zero shares, a zero receiver and more shares than owned", async () => {
    const { vault, actors } = h.f;
    const a = actors.alice.address;
    const balance = await vault.balanceOf(a);
    await expect(vault.connect(actors.alice).redeemWithSwaps(0n, a, a, 0n)).to.be.revertedWithCustomError(
      vault,
      "ZeroAmount",
    );
    await expect(
      vault.connect(actors.alice).redeemWithSwaps(1n, "0x0000000000000000000000000000000000000000", a, 0n),
    ).to.be.revertedWithCustomError(vault, "ZeroAddress");
    await expect(vault.connect(actors.alice).redeemWithSwaps(balance + 1n, a, a, 0n))
      .to.be.revertedWithCustomError(vault, "ExceedsMax")
      .withArgs(balance + 1n, balance);
  });

  it("needs usable prices", async () => {
    const { vault, actors, local } = h.f;
    const a = actors.alice.address;
    await setSequencerStatus(local, false);
    await expect(vault.connect(actors.alice).redeemWithSwaps(1n, a, a, 0n)).to.be.revertedWithCustomError(
      vault,
      "SequencerDown",
    );
    await advance(h.f, 1);
  });
});
