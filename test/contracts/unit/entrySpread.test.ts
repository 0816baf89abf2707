/**
 * M-1 entry spread: deposits and mints pay the basket's worst-case mispricing inside the feeds'
 * declared deviation windows, kept by the vault for the holders; previews include it exactly;
 * governance declares each feed's threshold (lowering is timelocked, raising is immediate).
 */
import { expect } from "chai";
import { keccak256 } from "ethers";
import { LOCAL_FEED_DEVIATION_BPS } from "../../../keeper/src/devchain/marketSpec.js";
import { buildOrder, oracleConfig, submitOrder, timelockedCall, USDC, type VaultFixture } from "../fixture.js";
import { useVaultFixture } from "./harness.js";

const BPS = 10_000n;

function ceilDiv(a: bigint, b: bigint): bigint {
  return a === 0n ? 0n : (a - 1n) / b + 1n;
}

/** The spread the vault must charge, recomputed from the portfolio view and the declared thresholds. */
async function expectedSpread(f: VaultFixture): Promise<{ nav: bigint; spread: bigint }> {
  const [assets, , , values, , nav] = await f.vault.portfolio();
  const d0 = await f.vault.deviationBps(assets[0] ?? "");
  let excess = 0n;
  for (let i = 1; i < assets.length; i++) {
    excess += (values[i] ?? 0n) * ((await f.vault.deviationBps(assets[i] ?? "")) + d0);
  }
  return { nav, spread: ceilDiv(excess, BPS - d0) };
}

describe("IndexVault entry spread (M-1)", () => {
  // No timelock delay: a timelocked call still needs its schedule, without waiting a day.
  const h = useVaultFixture({ timelockDelay: 0 }, async (f) => {
    await (await f.vault.connect(f.actors.alice).deposit(USDC(100_000), f.actors.alice.address)).wait();
  });

  it("an all-cash vault charges no spread: deposit shares are the plain conversion", async () => {
    const { vault, actors } = h.f;
    const shares = await vault.convertToShares(USDC(1_000));
    expect(await vault.previewDeposit(USDC(1_000))).to.equal(shares);
    await (await vault.connect(actors.bob).deposit(USDC(1_000), actors.bob.address)).wait();
    expect(await vault.balanceOf(actors.bob.address)).to.equal(shares);
  });

  it("with a basket, deposit keeps ceil(a * spread / (NAV + spread)) for the holders, exactly as previewed", async () => {
    const { vault, actors } = h.f;
    await (await submitOrder(h.f, await buildOrder(h.f, [4000, 2000, 2000, 2000]))).wait();
    const { nav, spread } = await expectedSpread(h.f);
    // 60% of NAV in feeds with 50/50/100 bps windows over a 10 bps USDC window.
    expect(spread > 0n).to.equal(true);
    const amount = USDC(10_000);
    const fee = ceilDiv(amount * spread, nav + spread);
    const shares = await vault.convertToShares(amount - fee);
    expect(await vault.previewDeposit(amount)).to.equal(shares);
    const aliceBefore = await vault.convertToAssets(await vault.balanceOf(actors.alice.address));
    await (await vault.connect(actors.bob).deposit(amount, actors.bob.address)).wait();
    expect(await vault.balanceOf(actors.bob.address)).to.equal(shares);
    // The spread stayed in the vault: Alice's position gained about the fee.
    const aliceAfter = await vault.convertToAssets(await vault.balanceOf(actors.alice.address));
    expect(aliceAfter - aliceBefore >= (fee * 9n) / 10n).to.equal(true);
  });

  it("mint charges the spread on top and previewMint equals what mint pulls", async () => {
    const { vault, actors, usdc } = h.f;
    await (await submitOrder(h.f, await buildOrder(h.f, [4000, 2000, 2000, 2000]))).wait();
    const { nav, spread } = await expectedSpread(h.f);
    const shares = 10n ** 21n;
    const raw = await vault.convertToAssets(shares);
    const preview = await vault.previewMint(shares);
    expect(preview > raw).to.equal(true);
    // convertToAssets rounds down, the mint's raw assets round up: at most one unit apart.
    expect(preview - raw - ceilDiv(raw * spread, nav) <= 2n).to.equal(true);
    const before = await usdc.balanceOf(actors.bob.address);
    await (await vault.connect(actors.bob).mint(shares, actors.bob.address)).wait();
    expect(before - (await usdc.balanceOf(actors.bob.address))).to.equal(preview);
    expect(await vault.balanceOf(actors.bob.address)).to.equal(shares);
  });

  it("maxMint never overestimates under a cap: its previewMint fits in maxDeposit", async () => {
    const { vault, actors } = h.f;
    await (await submitOrder(h.f, await buildOrder(h.f, [4000, 2000, 2000, 2000]))).wait();
    await (await vault.connect(actors.guardian).setDepositCap(USDC(150_000))).wait();
    const maxMint = await vault.maxMint(actors.bob.address);
    expect(maxMint > 0n).to.equal(true);
    expect((await vault.previewMint(maxMint)) <= (await vault.maxDeposit(actors.bob.address))).to.equal(true);
    await expect(vault.connect(actors.bob).mint(maxMint, actors.bob.address)).to.emit(vault, "Deposit");
  });

  it("setDeviation: raising is immediate for the guardian, lowering is timelocked, at most 255 bps", async () => {
    const { vault, actors, local } = h.f;
    const weth = local.tokens.WETH.address;
    expect(await vault.deviationBps(weth)).to.equal(BigInt(LOCAL_FEED_DEVIATION_BPS.WETH));
    await expect(vault.connect(actors.guardian).setDeviation(weth, 80))
      .to.emit(vault, "DeviationSet")
      .withArgs(weth, 80n);
    await expect(vault.connect(actors.guardian).setDeviation(weth, 70)).to.be.revertedWithCustomError(
      vault,
      "NotAdmin",
    );
    const data = vault.interface.encodeFunctionData("setDeviation", [weth, 70n]);
    await expect(vault.connect(actors.admin).setDeviation(weth, 70))
      .to.be.revertedWithCustomError(vault, "ChangeNotScheduled")
      .withArgs(keccak256(data));
    await expect(vault.connect(actors.attacker).setDeviation(weth, 90)).to.be.revertedWithCustomError(
      vault,
      "NotGuardian",
    );
    await expect(vault.connect(actors.guardian).setDeviation(weth, 256))
      .to.be.revertedWithCustomError(vault, "InvalidBps")
      .withArgs(256n);
    const link = local.tokens.LINK.address;
    await expect(vault.connect(actors.guardian).setDeviation(link, 100))
      .to.be.revertedWithCustomError(vault, "AssetNotRegistered")
      .withArgs(link);
    expect(await vault.deviationBps(link)).to.equal(0n);
  });

  it("a new feed starts at 255 bps; a max-weight change keeps the declared threshold", async () => {
    const { vault, actors, local } = h.f;
    const weth = local.tokens.WETH.address;
    await (await vault.connect(actors.guardian).setMaxWeight(weth, 5000)).wait();
    expect(await vault.deviationBps(weth)).to.equal(BigInt(LOCAL_FEED_DEVIATION_BPS.WETH));
    await timelockedCall(vault, actors.admin, "setOracle", [weth, oracleConfig(local, "WETH")]);
    expect(await vault.deviationBps(weth)).to.equal(255n);
  });
});
