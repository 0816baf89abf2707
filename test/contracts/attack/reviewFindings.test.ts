/**
 * Attack tests for the independent review's findings (issue 15), on the real Uniswap V3
 * bytecode. Each test is named after its finding and fails on the vault the review examined:
 * there, the attack it shows succeeds. The in-kind exit's token-failure case (M-3) needs a
 * token that blocks transfers and a pool-free router; it lives in InKindExit.t.sol beside this.
 */
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";
import { type BaseContract, type EventLog, keccak256, ZeroAddress } from "ethers";
import { movePoolToPrice, setSequencerStatus } from "../../../keeper/src/devchain/arbitrumLocal.js";
import { routeToBase } from "../../../keeper/src/devchain/routes.js";
import { encodePath, signCancelOrders, toTypedValue } from "../../../keeper/src/execution/indexVault/rebalanceOrder.js";
import {
  buildOrder,
  DEFAULT_LIMITS,
  signOrder,
  submitOrder,
  timelockedCall,
  USDC,
  type VaultFixture,
} from "../fixture.js";
import { advance, makeStale, refreshFeeds, useVaultFixture } from "../unit/harness.js";

const NAV = USDC(100_000);

async function funded(f: VaultFixture): Promise<void> {
  await (await f.vault.connect(f.actors.alice).deposit(NAV, f.actors.alice.address)).wait();
}

/** An all-cash vault's order to 50% WETH, each leg's minimum the router's own quote less 10 bps. */
async function quotedOrder(f: VaultFixture) {
  const order = await buildOrder(f, [5000, 5000, 0, 0], { maxSlippageBps: 300 });
  const legs = [];
  for (const leg of order.legs) {
    const [quoted] = await f.local.uniswap.quoter.quoteExactInput.staticCall(leg.path, leg.amountIn);
    legs.push({ ...leg, minAmountOut: (quoted * 9_990n) / 10_000n });
  }
  return { ...order, legs };
}

/** Front-runs a WETH buy: pushes the WETH/USDC pool 1% above the oracle price (inside the 3% band). */
async function pushWethUp(f: VaultFixture): Promise<void> {
  const pool = f.local.pools.find((p) => p.key === "WETH/USDC/500");
  if (!pool) throw new Error("pool");
  const weth = 3_000 * 1.01;
  await movePoolToPrice(f.local, pool, pool.token0 === "WETH" ? weth : 1, pool.token0 === "WETH" ? 1 : weth);
}

describe("Review findings (issue 15): attack tests", () => {
  const h = useVaultFixture({}, funded);

  describe("M-2 leaked orders", () => {
    it("M-2: a leaked signed order is inert in anyone's hands but its named submitter", async () => {
      const { vault, actors } = h.f;
      const order = await buildOrder(h.f, [5000, 5000, 0, 0]);
      const sig = await signOrder(h.f, order);
      await expect(vault.connect(actors.attacker).rebalance(toTypedValue(order), sig))
        .to.be.revertedWithCustomError(vault, "WrongSubmitter")
        .withArgs(actors.submitter.address, actors.attacker.address);
      // Renaming the submitter breaks the signature.
      const renamed = { ...order, submitter: actors.attacker.address };
      await expect(vault.connect(actors.attacker).rebalance(toTypedValue(renamed), sig)).to.be.revertedWithCustomError(
        vault,
        "InvalidSignature",
      );
      await expect(submitOrder(h.f, order)).to.emit(vault, "Rebalanced");
    });

    it("M-2: a leg never fills below the keeper's signed quote: a sandwich inside the oracle band reverts", async () => {
      const { vault } = h.f;
      const order = await quotedOrder(h.f);
      expect(order.legs.every((leg) => leg.minAmountOut > 0n)).to.equal(true);
      // Without a signed minimum (the reviewed vault's only bound), the 1% sandwich fills: the
      // oracle floor is 3% below.
      const snapshot = await h.f.local.ethers.provider.send("evm_snapshot", []);
      await pushWethUp(h.f);
      const floorOnly = { ...order, legs: order.legs.map((leg) => ({ ...leg, minAmountOut: 0n })) };
      await expect(submitOrder(h.f, floorOnly)).to.emit(vault, "Rebalanced");
      await h.f.local.ethers.provider.send("evm_revert", [snapshot]);
      // With the keeper's per-leg minimum the same sandwich reverts the order; nothing moves.
      await pushWethUp(h.f);
      await expect(submitOrder(h.f, order)).to.be.revertedWith("Too little received");
      expect(await vault.held(h.f.local.tokens.USDC.address)).to.equal(NAV);
      expect(await vault.rebalanceNonce()).to.equal(0n);
    });

    it("M-2: the signed minimum is the higher bound: the vault's oracle floor still applies under it", async () => {
      const { vault, local } = h.f;
      const order = await quotedOrder(h.f);
      const low = { ...order, legs: order.legs.map((leg) => ({ ...leg, minAmountOut: 1n })) };
      await expect(submitOrder(h.f, low))
        .to.emit(vault, "LegExecuted")
        .withArgs(local.tokens.USDC.address, local.tokens.WETH.address, anyValue, anyValue, anyValue);
      // LegExecuted's minOut is the applied minimum: the oracle floor (3% below the oracle value), not 1.
      const legs = await (vault as unknown as BaseContract).queryFilter("LegExecuted");
      const applied = (legs[0] as EventLog).args[4] as bigint;
      const oracleOut = ((order.legs[0]?.amountIn ?? 0n) * 10n ** 12n) / 3_000n;
      expect(applied).to.equal((oracleOut * 9_700n) / 10_000n);
    });

    it("M-2: cancelOrders kills every order below a nonce; relayed signed cancellations; never backwards", async () => {
      const { vault, actors, local, vaultAddress } = h.f;
      const order = await buildOrder(h.f, [5000, 5000, 0, 0]);
      const sig = await signOrder(h.f, order);
      await expect(vault.connect(actors.attacker).cancelOrders(1n, "0x"))
        .to.be.revertedWithCustomError(vault, "NotCanceller")
        .withArgs(actors.attacker.address);
      // A forged cancellation signature is refused.
      const forged = await signCancelOrders(actors.attacker, local.chainId, vaultAddress, 1n);
      await expect(vault.connect(actors.attacker).cancelOrders(1n, forged)).to.be.revertedWithCustomError(
        vault,
        "InvalidSignature",
      );
      // The keeper signs, anyone (here the submitter) relays: the signer key never needs gas.
      const cancel = await signCancelOrders(actors.keeper, local.chainId, vaultAddress, 1n);
      await expect(vault.connect(actors.submitter).cancelOrders(1n, cancel))
        .to.emit(vault, "OrdersCancelled")
        .withArgs(actors.submitter.address, 0n, 1n);
      await expect(vault.connect(actors.submitter).rebalance(toTypedValue(order), sig))
        .to.be.revertedWithCustomError(vault, "InvalidNonce")
        .withArgs(1n, 0n);
      // Replaying the cancellation, or moving the nonce back, is refused.
      await expect(vault.connect(actors.submitter).cancelOrders(1n, cancel))
        .to.be.revertedWithCustomError(vault, "NonceNotAhead")
        .withArgs(1n, 1n);
      await expect(vault.connect(actors.guardian).cancelOrders(0n, "0x")).to.be.revertedWithCustomError(
        vault,
        "NonceNotAhead",
      );
      await expect(vault.connect(actors.guardian).cancelOrders(5n, "0x"))
        .to.emit(vault, "OrdersCancelled")
        .withArgs(actors.guardian.address, 1n, 5n);
    });
  });

  describe("M-4 free intermediate hops", () => {
    it("M-4: a leg through a pool governance never registered reverts, even with registered ends", async () => {
      const { vault, local, actors } = h.f;
      const usdc = local.tokens.USDC.address;
      const weth = local.tokens.WETH.address;
      const wbtc = local.tokens.WBTC.address;
      // WBTC's registered route is its direct USDC pool; WETH/WBTC/500 exists but is not registered.
      expect(await vault.isPool(usdc, wbtc, 500)).to.equal(true);
      expect(await vault.isPool(wbtc, weth, 500)).to.equal(false);
      const path = encodePath([usdc, weth, wbtc], [500, 500]);
      const order = await buildOrder(h.f, [5000, 0, 5000, 0], {
        legs: [{ path, amountIn: USDC(50_000), minAmountOut: 0n }],
      });
      await expect(submitOrder(h.f, order))
        .to.be.revertedWithCustomError(vault, "PoolNotRegistered")
        .withArgs(weth, wbtc, 500);
      // Registering is risk-increasing: the guardian cannot, the admin only through the timelock.
      await expect(vault.connect(actors.guardian).setPool(weth, wbtc, 500, true)).to.be.revertedWithCustomError(
        vault,
        "NotAdmin",
      );
      await timelockedCall(vault, actors.admin, "setPool", [wbtc, weth, 500, true]);
      await refreshFeeds(h.f);
      expect(await vault.isPool(weth, wbtc, 500)).to.equal(true);
      const fresh = await buildOrder(h.f, [5000, 0, 5000, 0], {
        legs: [{ path, amountIn: USDC(50_000), minAmountOut: 0n }],
      });
      await expect(submitOrder(h.f, fresh)).to.emit(vault, "Rebalanced");
    });

    it("M-4: the guardian drops a pool at once, and swap-out redemptions check every hop too", async () => {
      const { vault, local, actors } = h.f;
      await (await submitOrder(h.f, await buildOrder(h.f, [4000, 2000, 2000, 2000]))).wait();
      const usdc = local.tokens.USDC.address;
      const arb = local.tokens.ARB.address;
      await expect(vault.connect(actors.guardian).setPool(arb, usdc, 500, false))
        .to.emit(vault, "PoolSet")
        .withArgs(arb, usdc, 500, false);
      const a = actors.alice.address;
      await expect(vault.connect(actors.alice).redeemWithSwaps(await vault.balanceOf(a), a, a, 0n))
        .to.be.revertedWithCustomError(vault, "PoolNotRegistered")
        .withArgs(arb, usdc, 500);
    });
  });

  describe("L-2 guardian and timelock", () => {
    it("L-2: the admin cannot replace the guardian at once, and scheduled calls expire", async () => {
      const { vault, actors } = h.f;
      await expect(vault.connect(actors.admin).setGuardian(actors.attacker.address)).to.be.revertedWithCustomError(
        vault,
        "ChangeNotScheduled",
      );
      const data = vault.interface.encodeFunctionData("setGuardian", [actors.attacker.address]);
      await (await vault.connect(actors.admin).schedule(data)).wait();
      // The guardian sees it coming and revokes it within the delay.
      await expect(vault.connect(actors.guardian).revoke(keccak256(data))).to.emit(vault, "ChangeRevoked");
      // A change left unexecuted past its window expires and must be scheduled again.
      await (await vault.connect(actors.admin).schedule(data)).wait();
      const window = await vault.SCHEDULE_WINDOW();
      await advance(h.f, Number(await vault.timelockDelay()) + Number(window) + 10);
      await expect(actors.admin.sendTransaction({ to: h.f.vaultAddress, data })).to.be.revertedWithCustomError(
        vault,
        "ChangeExpired",
      );
      await expect(vault.connect(actors.admin).schedule(data)).to.emit(vault, "ChangeScheduled");
      expect(await vault.guardian()).to.equal(actors.guardian.address);
    });
  });

  describe("L-4 fee changes in an outage", () => {
    it("L-4: a fee change while prices are unusable reverts instead of applying to the unaccrued period", async () => {
      const { vault, actors } = h.f;
      await (await submitOrder(h.f, await buildOrder(h.f, [4000, 2000, 2000, 2000]))).wait();
      const stale = await makeStale(h.f, "WETH");
      await expect(vault.connect(actors.admin).setFees(0, 0))
        .to.be.revertedWithCustomError(vault, "StalePrice")
        .withArgs(h.f.local.tokens.WETH.address, stale, 86_400);
      expect(await vault.managementFeeBps()).to.equal(0n);
      await refreshFeeds(h.f);
      await expect(vault.connect(actors.admin).setFees(0, 0)).to.emit(vault, "FeesSet");
    });
  });

  describe("Info items", () => {
    it("Info: totalAssets never reverts (EIP-4626); during an outage it reports the idle buffer, a lower bound", async () => {
      const { vault, local } = h.f;
      await (await submitOrder(h.f, await buildOrder(h.f, [4000, 2000, 2000, 2000]))).wait();
      const nav = await vault.totalAssets();
      const buffer = await vault.held(local.tokens.USDC.address);
      const perShare = await vault.convertToAssets(10n ** 18n);
      await makeStale(h.f, "WBTC");
      expect(await vault.totalAssets()).to.equal(buffer);
      expect(buffer < nav).to.equal(true);
      const floor = await vault.convertToAssets(10n ** 18n);
      expect(floor > 0n && floor < perShare).to.equal(true);
      // What integrators must not do meanwhile is closed: no entry, no preview.
      expect(await vault.maxDeposit(h.f.actors.bob.address)).to.equal(0n);
      expect(await vault.previewRedeem(10n ** 18n)).to.equal(0n);
      await refreshFeeds(h.f);
      expect(await vault.totalAssets()).to.equal(nav);
    });

    it("Info: a sequencer feed with startedAt == 0 reads as down, not as up and past grace", async () => {
      const { vault, local, actors } = h.f;
      await setSequencerStatus(local, true, 0n);
      await expect(vault.connect(actors.bob).deposit(USDC(1), actors.bob.address)).to.be.revertedWithCustomError(
        vault,
        "SequencerDown",
      );
      expect(await vault.maxDeposit(actors.bob.address)).to.equal(0n);
    });

    it("Info: removeAsset reports the index move and every table pointer change", async () => {
      const { vault, local, actors } = h.f;
      const weth = local.tokens.WETH.address;
      const arb = local.tokens.ARB.address;
      // WETH (index 1) leaves; ARB (index 3, the last) moves into index 1.
      const tx = vault.connect(actors.admin).removeAsset(weth);
      await expect(tx).to.emit(vault, "AssetMoved").withArgs(arb, 3n, 1n);
      await expect(tx).to.emit(vault, "AssetTableSet").withArgs(anyValue);
      const pointer = await vault.assetTable();
      await expect(tx).to.emit(vault, "AssetTableSet").withArgs(pointer);
      expect(pointer).to.not.equal(ZeroAddress);
      expect((await vault.assets())[1]).to.equal(arb);
    });
  });
});

describe("Review findings (issue 15): fees in an outage and whole-holding legs", () => {
  const FEE_BPS = 200n;
  const h = useVaultFixture({ managementFeeBps: Number(FEE_BPS) }, async (f) => {
    await funded(f);
    await (await f.vault.connect(f.actors.bob).deposit(NAV, f.actors.bob.address)).wait();
    await (await submitOrder(f, await buildOrder(f, [4000, 2000, 2000, 2000]))).wait();
  });

  /** Bob exits in kind at timestamp `at`; returns the fee shares minted to the recipient. */
  async function exitAt(f: VaultFixture, at: bigint): Promise<bigint> {
    const { vault, actors } = f;
    const before = await vault.balanceOf(actors.feeRecipient.address);
    await f.local.ethers.provider.send("evm_setNextBlockTimestamp", [Number(at)]);
    const bob = actors.bob.address;
    await (await vault.connect(actors.bob).redeemInKind(await vault.balanceOf(bob), bob, bob)).wait();
    expect(await vault.lastFeeAccrual()).to.equal(at);
    return (await vault.balanceOf(actors.feeRecipient.address)) - before;
  }

  it("L-4: an in-kind exit during a price outage still pays the management fee pending since the last accrual", async () => {
    const { vault } = h.f;
    const from = await vault.lastFeeAccrual();
    const at = from + 30n * 86_400n;
    // Reference: the same exit at the same second with usable prices (the priced accrual).
    const snapshot = await h.f.local.ethers.provider.send("evm_snapshot", []);
    await advance(h.f, 30 * 86_400 - 60);
    await refreshFeeds(h.f);
    const priced = await exitAt(h.f, at);
    await h.f.local.ethers.provider.send("evm_revert", [snapshot]);
    // The outage: after 30 days every feed is stale; the exit works and pays the fee anyway.
    await advance(h.f, 30 * 86_400 - 60);
    expect(await vault.maxDeposit(h.f.actors.alice.address)).to.equal(0n);
    const outage = await exitAt(h.f, at);
    expect(priced > 0n).to.equal(true);
    // Without prices the fee is floor(V * r / (1 - r)), at most 2 base units of value above
    // the priced formula, and never below it.
    expect(outage >= priced, `outage ${outage} < priced ${priced}`).to.equal(true);
    const nav = await vault.totalAssets();
    const supply = (await vault.totalSupply()) + 10n ** 12n;
    expect(((outage - priced) * nav) / supply <= 2n, `over by ${outage - priced} shares`).to.equal(true);
  });

  it("Info: a leg that sells a whole holding still executes after an in-kind exit shrank it", async () => {
    const { vault, local, actors } = h.f;
    await advance(h.f, DEFAULT_LIMITS.cooldown);
    await refreshFeeds(h.f);
    const weth = local.tokens.WETH.address;
    // The keeper signs "sell all WETH" (one leg); before it lands, Alice exits a tenth in kind.
    const [, , , , weights] = await vault.portfolio();
    const w = weights.map(Number);
    const targets = [10_000 - (w[2] ?? 0) - (w[3] ?? 0), 0, w[2] ?? 0, w[3] ?? 0];
    const legs = [{ path: routeToBase(local, "WETH"), amountIn: await vault.held(weth), minAmountOut: 0n }];
    const order = await buildOrder(h.f, targets, { legs });
    const a = actors.alice.address;
    await (await vault.connect(actors.alice).redeemInKind((await vault.balanceOf(a)) / 10n, a, a)).wait();
    expect((await vault.held(weth)) < (order.legs[0]?.amountIn ?? 0n)).to.equal(true);
    await expect(submitOrder(h.f, order)).to.emit(vault, "Rebalanced");
    expect(await vault.held(weth)).to.equal(0n);
  });
});
