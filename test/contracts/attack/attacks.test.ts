import { expect } from "chai";
import { Wallet, ZeroAddress } from "ethers";
import { movePoolToPrice, setFeedPrice, setSequencerStatus } from "../../../keeper/src/devchain/arbitrumLocal.js";
import { signRebalanceOrder, toTypedValue } from "../../../keeper/src/execution/indexVault/rebalanceOrder.js";
import type { ReentrantERC20 } from "../../../types/ethers-contracts/index.js";
import { buildOrder, signOrder, submitOrder, USDC } from "../fixture.js";
import { advance, now, useVaultFixture } from "../unit/harness.js";

describe("IndexVault attacks", () => {
  const h = useVaultFixture();

  it("first-depositor inflation: the victim loses at most dust, the attacker loses the donation", async () => {
    const { vault, actors, usdc, vaultAddress } = h.f;
    const a = actors.attacker.address;
    const start = await usdc.balanceOf(a);
    await (await vault.connect(actors.attacker).deposit(1n, a)).wait();
    await (await usdc.connect(actors.attacker).transfer(vaultAddress, USDC(1_000_000))).wait();
    const v = actors.alice.address;
    await (await vault.connect(actors.alice).deposit(USDC(10_000), v)).wait();
    const victimValue = await vault.previewRedeem(await vault.balanceOf(v));
    expect(USDC(10_000) - victimValue).to.be.lessThanOrEqual(1n);
    await (await vault.connect(actors.attacker).redeem(await vault.balanceOf(a), a, a)).wait();
    expect(start - (await usdc.balanceOf(a))).to.be.greaterThanOrEqual(USDC(1_000_000));
  });

  it("a donation does not move the share price", async () => {
    const { vault, actors, usdc, vaultAddress } = h.f;
    await (await vault.connect(actors.alice).deposit(USDC(10_000), actors.alice.address)).wait();
    const price = await vault.convertToAssets(10n ** 18n);
    const nav = await vault.totalAssets();
    await (await usdc.connect(actors.attacker).transfer(vaultAddress, USDC(500_000))).wait();
    expect(await vault.convertToAssets(10n ** 18n)).to.equal(price);
    expect(await vault.totalAssets()).to.equal(nav);
  });

  it("a sandwiched rebalance reverts with Uniswap's 'Too little received'; funds stay intact", async () => {
    const { vault, actors, local } = h.f;
    await (await vault.connect(actors.alice).deposit(USDC(100_000), actors.alice.address)).wait();
    const order = await buildOrder(h.f, [5000, 5000, 0, 0]);
    const pool = local.pools.find((p) => p.key === "WETH/USDC/500");
    if (!pool) throw new Error("no pool");
    // The attacker front-runs by pushing WETH 3% above the oracle price.
    const [usd0, usd1] = pool.token0 === "WETH" ? [3090, 1] : [1, 3090];
    await movePoolToPrice(local, pool, usd0, usd1);
    await expect(submitOrder(h.f, order)).to.be.revertedWith("Too little received");
    expect(await vault.held(local.tokens.USDC.address)).to.equal(USDC(100_000));
    expect(await vault.rebalanceNonce()).to.equal(0n);
  });

  it("rejects zero, negative and out-of-bounds feed answers", async () => {
    const { vault, actors, local } = h.f;
    const weth = local.tokens.WETH.address;
    const feed = local.mockFeeds.WETH;
    if (!feed) throw new Error("feed");
    const dep = () => vault.connect(actors.alice).deposit(USDC(1), actors.alice.address);
    await (await feed.setAnswer(0)).wait();
    await expect(dep()).to.be.revertedWithCustomError(vault, "NonPositivePrice").withArgs(weth, 0);
    await (await feed.setAnswer(-1)).wait();
    await expect(dep()).to.be.revertedWithCustomError(vault, "NonPositivePrice").withArgs(weth, -1);
    const cfg = await vault.oracleOf(weth);
    await (await feed.setAnswer(cfg.minAnswer - 1n)).wait();
    await expect(dep())
      .to.be.revertedWithCustomError(vault, "PriceOutOfBounds")
      .withArgs(weth, cfg.minAnswer - 1n, cfg.minAnswer, cfg.maxAnswer);
    await (await feed.setAnswer(cfg.maxAnswer + 1n)).wait();
    await expect(dep())
      .to.be.revertedWithCustomError(vault, "PriceOutOfBounds")
      .withArgs(weth, cfg.maxAnswer + 1n, cfg.minAnswer, cfg.maxAnswer);
    const t = await now(h.f);
    await (await feed.setRound(3000n * 10n ** 8n, t - 90_000n, t - 90_000n)).wait();
    await expect(dep())
      .to.be.revertedWithCustomError(vault, "StalePrice")
      .withArgs(weth, t - 90_000n, 86_400);
    await setFeedPrice(local, "WETH", 3000);
    await (await dep()).wait();
  });

  it("sequencer down, then up within the grace period, then usable", async () => {
    const { vault, actors, local } = h.f;
    const dep = () => vault.connect(actors.alice).deposit(USDC(1), actors.alice.address);
    await setSequencerStatus(local, false);
    await expect(dep()).to.be.revertedWithCustomError(vault, "SequencerDown");
    const upAt = await now(h.f);
    await setSequencerStatus(local, true, upAt);
    await expect(dep())
      .to.be.revertedWithCustomError(vault, "SequencerGracePeriod")
      .withArgs(upAt + 3600n + 1n);
    await advance(h.f, 3601);
    await (await dep()).wait();
  });

  it("replayed, expired, wrong-chain, wrong-vault, wrong-signer and tampered orders are refused", async () => {
    const { vault, actors, local, vaultAddress } = h.f;
    await (await vault.connect(actors.alice).deposit(USDC(100_000), actors.alice.address)).wait();
    const order = await buildOrder(h.f, [2500, 2500, 2500, 2500]);
    const sig = await signOrder(h.f, order);
    const submit = (o: typeof order, s: string) => vault.connect(actors.submitter).rebalance(toTypedValue(o), s);
    const badSigs = [
      await signRebalanceOrder(actors.keeper, local.chainId + 1n, vaultAddress, order),
      await signRebalanceOrder(actors.keeper, local.chainId, actors.bob.address, order),
      await signOrder(h.f, order, new Wallet(`0x${"66".repeat(32)}`)),
    ];
    for (const s of badSigs) await expect(submit(order, s)).to.be.revertedWithCustomError(vault, "InvalidSignature");
    const leg0 = order.legs[0];
    if (!leg0) throw new Error("no legs");
    const tampered = { ...order, legs: [{ ...leg0, amountIn: leg0.amountIn + 1n }, ...order.legs.slice(1)] };
    await expect(submit(tampered, sig)).to.be.revertedWithCustomError(vault, "InvalidSignature");
    await expect(submit({ ...order, targetWeightsBps: [2501, 2499, 2500, 2500] }, sig)).to.be.revertedWithCustomError(
      vault,
      "InvalidSignature",
    );
    await (await submit(order, sig)).wait();
    await expect(submit(order, sig)).to.be.revertedWithCustomError(vault, "InvalidNonce").withArgs(1n, 0n);
    const late = { ...order, nonce: 1n, deadline: (await now(h.f)) - 1n };
    await expect(submit(late, await signOrder(h.f, late)))
      .to.be.revertedWithCustomError(vault, "OrderExpired")
      .withArgs(late.deadline);
  });

  it("a malicious token cannot re-enter the vault during a transfer", async () => {
    const { vault, actors, local, vaultAddress } = h.f;
    await (await vault.connect(actors.alice).deposit(USDC(1000), actors.alice.address)).wait();
    const token = (await local.ethers.deployContract("ReentrantERC20")) as unknown as ReentrantERC20;
    await (await token.mint(vaultAddress, 1000n)).wait();
    const order = await buildOrder(h.f, [10_000, 0, 0, 0], { legs: [] });
    const sig = await signOrder(h.f, order);
    const a = actors.alice.address;
    const payloads = [
      vault.interface.encodeFunctionData("deposit", [1n, a]),
      vault.interface.encodeFunctionData("mint", [1n, a]),
      vault.interface.encodeFunctionData("withdraw", [1n, a, a]),
      vault.interface.encodeFunctionData("redeem", [1n, a, a]),
      vault.interface.encodeFunctionData("redeemInKind", [1n, a, a]),
      vault.interface.encodeFunctionData("redeemWithSwaps", [1n, a, a, 0n]),
      vault.interface.encodeFunctionData("rebalance", [toTypedValue(order), sig]),
      vault.interface.encodeFunctionData("accrueFees"),
    ];
    for (const payload of payloads) {
      await (await token.arm(vaultAddress, payload)).wait();
      await expect(
        vault.connect(actors.admin).skim(await token.getAddress(), actors.admin.address),
      ).to.be.revertedWithCustomError(vault, "ReentrancyGuardReentrantCall");
    }
    await (await token.arm(ZeroAddress, "0x")).wait();
    await (await vault.connect(actors.admin).skim(await token.getAddress(), actors.admin.address)).wait();
    expect(await token.balanceOf(actors.admin.address)).to.equal(1000n);
  });

  it("every role-gated function refuses an unauthorised caller", async () => {
    const { vault, actors, local } = h.f;
    const x = actors.attacker;
    const weth = local.tokens.WETH.address;
    const o = { feed: weth, heartbeat: 1, minAnswer: 1, maxAnswer: 2 };
    const limits = { cooldown: 0, maxTurnoverBps: 20_000, toleranceBps: 10_000, maxSlippageBps: 9_999 };
    const calls: [string, () => Promise<unknown>, string][] = [
      ["schedule", () => vault.connect(x).schedule("0x"), "NotAdmin"],
      ["revoke", () => vault.connect(x).revoke(`0x${"00".repeat(32)}`), "NotGuardian"],
      ["addAsset", () => vault.connect(x).addAsset(weth, o, 1, "0x"), "NotAdmin"],
      ["removeAsset", () => vault.connect(x).removeAsset(weth), "NotAdmin"],
      ["setOracle", () => vault.connect(x).setOracle(weth, o), "NotAdmin"],
      ["setSellPath", () => vault.connect(x).setSellPath(weth, "0x"), "NotAdmin"],
      ["setMaxWeight (lower)", () => vault.connect(x).setMaxWeight(weth, 1), "NotGuardian"],
      ["setDepositCap (lower)", () => vault.connect(x).setDepositCap(0), "NotGuardian"],
      ["setDepositCap (raise)", () => vault.connect(x).setDepositCap(2n ** 256n - 1n), "NotGuardian"],
      ["setFees", () => vault.connect(x).setFees(0, 0), "NotAdmin"],
      ["setFeeRecipient", () => vault.connect(x).setFeeRecipient(x.address), "NotAdmin"],
      ["setRebalanceLimits (loosen)", () => vault.connect(x).setRebalanceLimits(limits), "NotAdmin"],
      [
        "setRebalanceLimits (tighten)",
        () =>
          vault
            .connect(x)
            .setRebalanceLimits({ ...limits, cooldown: 9999, maxTurnoverBps: 0, toleranceBps: 0, maxSlippageBps: 0 }),
        "NotGuardian",
      ],
      ["setKeeperSigner", () => vault.connect(x).setKeeperSigner(x.address), "NotAdmin"],
      ["setGuardian", () => vault.connect(x).setGuardian(x.address), "NotAdmin"],
      ["transferAdmin", () => vault.connect(x).transferAdmin(x.address), "NotAdmin"],
      ["acceptAdmin", () => vault.connect(x).acceptAdmin(), "NotPendingAdmin"],
      ["setTimelockDelay", () => vault.connect(x).setTimelockDelay(0), "NotAdmin"],
      ["skim", () => vault.connect(x).skim(weth, x.address), "NotAdmin"],
      ["pause", () => vault.connect(x).pause(), "NotGuardian"],
      ["unpause", () => vault.connect(x).unpause(), "NotAdmin"],
    ];
    for (const [name, call, error] of calls) {
      await expect(call(), name).to.be.revertedWithCustomError(vault, error).withArgs(x.address);
    }
  });
});
