import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";
import { setSequencerStatus } from "../../../keeper/src/devchain/arbitrumLocal.js";
import {
  encodePath,
  hashRebalanceOrder,
  toTypedValue,
} from "../../../keeper/src/execution/indexVault/rebalanceOrder.js";
import { buildOrder, signOrder, submitOrder, timelockedCall, USDC, type VaultFixture } from "../fixture.js";
import { advance, now, refreshFeeds, useVaultFixture } from "./harness.js";

const NAV = USDC(100_000);

async function funded(f: VaultFixture): Promise<void> {
  await (await f.vault.connect(f.actors.alice).deposit(NAV, f.actors.alice.address)).wait();
}

describe("IndexVault rebalance", () => {
  const h = useVaultFixture({}, funded);

  it("executes a signed order: legs, Rebalanced, nonce and cooldown; share supply unchanged", async () => {
    const { vault } = h.f;
    const supply = await vault.totalSupply();
    const order = await buildOrder(h.f, [2500, 2500, 2500, 2500]);
    await expect(submitOrder(h.f, order))
      .to.emit(vault, "Rebalanced")
      .withArgs(0n, h.f.actors.submitter.address, NAV, anyValue, anyValue)
      .and.to.emit(vault, "LegExecuted");
    expect(await vault.totalSupply()).to.equal(supply);
    expect(await vault.rebalanceNonce()).to.equal(1n);
    const last = await vault.lastRebalance();
    expect(last).to.equal(await now(h.f));
    const next = await buildOrder(h.f, [2500, 2500, 2500, 2500], { legs: [] });
    await expect(submitOrder(h.f, next))
      .to.be.revertedWithCustomError(vault, "CooldownActive")
      .withArgs(last + 3600n);
    await advance(h.f, 3600);
    await expect(submitOrder(h.f, await buildOrder(h.f, [2500, 2500, 2500, 2500], { legs: [] }))).to.emit(
      vault,
      "Rebalanced",
    );
  });

  it("executes multi-hop legs (USDC -> WETH -> WBTC)", async () => {
    const { vault, local } = h.f;
    const usdc = local.tokens.USDC.address;
    const wbtc = local.tokens.WBTC.address;
    const path = encodePath([usdc, local.tokens.WETH.address, wbtc], [500, 500]);
    // WBTC's sell path is its direct USDC pool: the WETH/WBTC hop must be registered first (M-4).
    await timelockedCall(vault, h.f.actors.admin, "setPool", [local.tokens.WETH.address, wbtc, 500, true]);
    await refreshFeeds(h.f);
    const order = await buildOrder(h.f, [5000, 0, 5000, 0], {
      legs: [{ path, amountIn: USDC(50_000), minAmountOut: 0n }],
    });
    await expect(submitOrder(h.f, order))
      .to.emit(vault, "LegExecuted")
      .withArgs(usdc, wbtc, USDC(50_000), anyValue, anyValue);
    expect(await vault.held(wbtc)).to.be.greaterThan(0n);
    expect(await vault.held(local.tokens.WETH.address)).to.equal(0n);
  });

  it("checks the order envelope: expiry, nonce, signature, slippage, asset list, weights", async () => {
    const { vault, local } = h.f;
    const base = await buildOrder(h.f, [2500, 2500, 2500, 2500]);
    const t = await now(h.f);
    await expect(submitOrder(h.f, { ...base, deadline: t }))
      .to.be.revertedWithCustomError(vault, "OrderExpired")
      .withArgs(t);
    await expect(submitOrder(h.f, { ...base, nonce: 5n }))
      .to.be.revertedWithCustomError(vault, "InvalidNonce")
      .withArgs(0n, 5n);
    await expect(submitOrder(h.f, { ...base, maxSlippageBps: 301 }))
      .to.be.revertedWithCustomError(vault, "SlippageAboveLimit")
      .withArgs(301, 300);
    await expect(
      submitOrder(h.f, { ...base, assets: base.assets.slice(0, 3), targetWeightsBps: [5000, 2500, 2500] }),
    ).to.be.revertedWithCustomError(vault, "AssetListMismatch");
    const swapped = [base.assets[0] ?? "", base.assets[2] ?? "", base.assets[1] ?? "", base.assets[3] ?? ""];
    await expect(submitOrder(h.f, { ...base, assets: swapped })).to.be.revertedWithCustomError(
      vault,
      "AssetListMismatch",
    );
    await expect(submitOrder(h.f, { ...base, targetWeightsBps: [2500, 2500, 2500, 2499] }))
      .to.be.revertedWithCustomError(vault, "WeightsDoNotSum")
      .withArgs(9999);
    await (await vault.connect(h.f.actors.guardian).setMaxWeight(local.tokens.WETH.address, 2000)).wait();
    await expect(submitOrder(h.f, base))
      .to.be.revertedWithCustomError(vault, "WeightAboveMax")
      .withArgs(local.tokens.WETH.address, 2500, 2000);
  });

  it("checks legs: zero amount, holding, path shape and registration", async () => {
    const { vault, local } = h.f;
    const weth = local.tokens.WETH.address;
    const usdc = local.tokens.USDC.address;
    const link = local.tokens.LINK.address;
    const with1 = async (path: string, amountIn: bigint) =>
      submitOrder(h.f, await buildOrder(h.f, [10_000, 0, 0, 0], { legs: [{ path, amountIn, minAmountOut: 0n }] }));
    await expect(with1(encodePath([usdc, weth], [500]), 0n)).to.be.revertedWithCustomError(vault, "ZeroAmount");
    await expect(with1(encodePath([weth, usdc], [500]), 1n))
      .to.be.revertedWithCustomError(vault, "InsufficientHolding")
      .withArgs(weth, 0n, 1n);
    // More than held (an in-kind exit after signing): the leg sells the whole holding.
    const snapshot = await local.ethers.provider.send("evm_snapshot", []);
    const oversized = await buildOrder(h.f, [0, 10_000, 0, 0], {
      legs: [{ path: encodePath([usdc, weth], [500]), amountIn: NAV + 1n, minAmountOut: 0n }],
    });
    await expect(submitOrder(h.f, oversized))
      .to.emit(vault, "LegExecuted")
      .withArgs(usdc, weth, NAV, anyValue, anyValue);
    expect(await vault.held(usdc)).to.equal(0n);
    await local.ethers.provider.send("evm_revert", [snapshot]);
    await expect(with1("0xdeadbeef", 1n)).to.be.revertedWithCustomError(vault, "InvalidPath").withArgs("0xdeadbeef");
    const loop = encodePath([usdc, weth, usdc], [500, 500]);
    await expect(with1(loop, 1n)).to.be.revertedWithCustomError(vault, "InvalidPath").withArgs(loop);
    await expect(with1(encodePath([link, usdc], [500]), 1n))
      .to.be.revertedWithCustomError(vault, "AssetNotRegistered")
      .withArgs(link);
    await expect(with1(encodePath([usdc, link], [500]), 1n))
      .to.be.revertedWithCustomError(vault, "AssetNotRegistered")
      .withArgs(link);
  });

  it("enforces the turnover limit", async () => {
    const { vault } = h.f;
    await (
      await vault.connect(h.f.actors.guardian).setRebalanceLimits({
        cooldown: 3600,
        maxTurnoverBps: 1000,
        toleranceBps: 100,
        maxSlippageBps: 300,
      })
    ).wait();
    await expect(submitOrder(h.f, await buildOrder(h.f, [2500, 2500, 2500, 2500])))
      .to.be.revertedWithCustomError(vault, "TurnoverAboveLimit")
      .withArgs(anyValue, 1000);
  });

  it("enforces post-trade tolerance and max weight", async () => {
    const { vault, local } = h.f;
    const planned = await buildOrder(h.f, [2500, 2500, 2500, 2500]);
    await expect(submitOrder(h.f, { ...planned, targetWeightsBps: [4000, 2000, 2000, 2000] }))
      .to.be.revertedWithCustomError(vault, "WeightOutOfTolerance")
      .withArgs(local.tokens.USDC.address, anyValue, 4000);
    // WETH lands near 20.8%: within 1% of a 20% target, but above a 20% cap.
    const weth = local.tokens.WETH.address;
    await (await vault.connect(h.f.actors.guardian).setMaxWeight(weth, 2000)).wait();
    const over = await buildOrder(h.f, [2420, 2080, 2750, 2750]);
    await expect(submitOrder(h.f, { ...over, targetWeightsBps: [2500, 2000, 2750, 2750] }))
      .to.be.revertedWithCustomError(vault, "WeightAboveMax")
      .withArgs(weth, anyValue, 2000);
  });

  it("rejects a round trip whose total loss exceeds the signed slippage (NavLossTooHigh)", async () => {
    const { vault, local } = h.f;
    const usdc = local.tokens.USDC.address;
    const weth = local.tokens.WETH.address;
    // Each leg loses ~5-6 bps (pool fee), under the 8 bps per-leg budget; two round trips of 45% of NAV lose ~10 bps of NAV.
    const buy = { path: encodePath([usdc, weth], [500]), amountIn: USDC(45_000), minAmountOut: 0n };
    const wethOut = await local.uniswap.quoter.quoteExactInputSingle.staticCall({
      tokenIn: usdc,
      tokenOut: weth,
      amountIn: USDC(45_000),
      fee: 500,
      sqrtPriceLimitX96: 0n,
    });
    const sell = { path: encodePath([weth, usdc], [500]), amountIn: (wethOut[0] * 9999n) / 10_000n, minAmountOut: 0n };
    const order = await buildOrder(h.f, [10_000, 0, 0, 0], { legs: [buy, sell, buy, sell], maxSlippageBps: 8 });
    await expect(submitOrder(h.f, order))
      .to.be.revertedWithCustomError(vault, "NavLossTooHigh")
      .withArgs(NAV, anyValue);
  });

  it("needs the vault unpaused and the sequencer up", async () => {
    const { vault, local } = h.f;
    const order = await buildOrder(h.f, [2500, 2500, 2500, 2500]);
    await setSequencerStatus(local, false);
    await expect(submitOrder(h.f, order)).to.be.revertedWithCustomError(vault, "SequencerDown");
    await (await vault.connect(h.f.actors.guardian).pause()).wait();
    await expect(submitOrder(h.f, order)).to.be.revertedWithCustomError(vault, "EnforcedPause");
  });

  it("hashOrder matches the keeper's EIP-712 digest and only the named submitter may submit", async () => {
    const { vault, actors } = h.f;
    const order = await buildOrder(h.f, [7000, 1000, 1000, 1000]);
    const sig = await signOrder(h.f, order);
    expect(await vault.hashOrder(toTypedValue(order))).to.equal(
      hashRebalanceOrder(h.f.local.chainId, h.f.vaultAddress, order),
    );
    await expect(vault.connect(actors.attacker).rebalance(toTypedValue(order), sig))
      .to.be.revertedWithCustomError(vault, "WrongSubmitter")
      .withArgs(actors.submitter.address, actors.attacker.address);
    const named = { ...order, submitter: actors.bob.address };
    await expect(vault.connect(actors.bob).rebalance(toTypedValue(named), await signOrder(h.f, named)))
      .to.emit(vault, "Rebalanced")
      .withArgs(0n, actors.bob.address, NAV, anyValue, anyValue);
  });
});

describe("IndexVault rebalance of an empty vault", () => {
  const h = useVaultFixture();

  it("accepts an order without legs when NAV is zero", async () => {
    const { vault } = h.f;
    const order = await buildOrder(h.f, [2500, 2500, 2500, 2500], { legs: [] });
    await expect(submitOrder(h.f, order)).to.emit(vault, "Rebalanced").withArgs(0n, anyValue, 0n, 0n, 0n);
  });
});
