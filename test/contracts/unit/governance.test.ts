import { expect } from "chai";
import { type Interface, MaxUint256, ZeroAddress } from "ethers";
import { fund, setFeedPrice } from "../../../keeper/src/devchain/arbitrumLocal.js";
import { routeToBase } from "../../../keeper/src/devchain/routes.js";
import { encodePath } from "../../../keeper/src/execution/indexVault/rebalanceOrder.js";
import type { MockERC20, RevertingAggregator } from "../../../types/ethers-contracts/index.js";
import { buildOrder, oracleConfig, submitOrder, timelockedCall, USDC, type VaultFixture } from "../fixture.js";
import { advance, advanceFresh, now, useVaultFixture } from "./harness.js";

const DELAY = 86_400;

/** Schedules `fn(args)`, waits the delay, and returns the transaction executing it (not awaited). */
async function scheduledTx(f: VaultFixture, fn: string, args: unknown[]) {
  const data = (f.vault.interface as unknown as Interface).encodeFunctionData(fn, args);
  await (await f.vault.connect(f.actors.admin).schedule(data)).wait();
  await advanceFresh(f, DELAY);
  return f.actors.admin.sendTransaction({ to: f.vaultAddress, data });
}

describe("IndexVault timelock", () => {
  const h = useVaultFixture();

  it("schedule emits ChangeScheduled, refuses duplicates, and execution waits for the delay", async () => {
    const { vault, actors } = h.f;
    const data = vault.interface.encodeFunctionData("setTimelockDelay", [3600]);
    const id = await vault.connect(actors.admin).schedule.staticCall(data);
    const tx = vault.connect(actors.admin).schedule(data);
    const readyAt = (await now(h.f)) + 1n + BigInt(DELAY);
    await expect(tx).to.emit(vault, "ChangeScheduled").withArgs(id, data, readyAt);
    expect(await vault.scheduledAt(id)).to.equal(readyAt);
    await expect(vault.connect(actors.admin).schedule(data))
      .to.be.revertedWithCustomError(vault, "ChangeAlreadyScheduled")
      .withArgs(id);
    await expect(actors.admin.sendTransaction({ to: h.f.vaultAddress, data }))
      .to.be.revertedWithCustomError(vault, "ChangeNotReady")
      .withArgs(id, readyAt);
    await advance(h.f, DELAY);
    await expect(actors.admin.sendTransaction({ to: h.f.vaultAddress, data }))
      .to.emit(vault, "ChangeExecuted")
      .withArgs(id)
      .and.to.emit(vault, "TimelockDelaySet")
      .withArgs(3600);
    expect(await vault.timelockDelay()).to.equal(3600n);
    expect(await vault.scheduledAt(id)).to.equal(0n);
    // Consumed: the same calldata cannot run twice.
    await expect(actors.admin.sendTransaction({ to: h.f.vaultAddress, data }))
      .to.be.revertedWithCustomError(vault, "ChangeNotScheduled")
      .withArgs(id);
  });

  it("the guardian (or admin) revokes a pending change", async () => {
    const { vault, actors } = h.f;
    const data = vault.interface.encodeFunctionData("setKeeperSigner", [actors.bob.address]);
    const id = await vault.connect(actors.admin).schedule.staticCall(data);
    await (await vault.connect(actors.admin).schedule(data)).wait();
    await expect(vault.connect(actors.guardian).revoke(id)).to.emit(vault, "ChangeRevoked").withArgs(id);
    await expect(vault.connect(actors.admin).revoke(id))
      .to.be.revertedWithCustomError(vault, "ChangeNotScheduled")
      .withArgs(id);
    await advance(h.f, DELAY);
    await expect(actors.admin.sendTransaction({ to: h.f.vaultAddress, data }))
      .to.be.revertedWithCustomError(vault, "ChangeNotScheduled")
      .withArgs(id);
  });

  it("rejects timelock delays above 30 days", async () => {
    const { vault } = h.f;
    const max = 30 * 86_400;
    await expect(scheduledTx(h.f, "setTimelockDelay", [max + 1]))
      .to.be.revertedWithCustomError(vault, "InvalidTimelockDelay")
      .withArgs(max + 1);
    await expect(scheduledTx(h.f, "setTimelockDelay", [max]))
      .to.emit(vault, "TimelockDelaySet")
      .withArgs(max);
  });
});

describe("IndexVault risk-decreasing vs risk-increasing changes", () => {
  const h = useVaultFixture();

  it("max weight: lowering is immediate for the guardian, raising is timelocked", async () => {
    const { vault, actors, local } = h.f;
    const weth = local.tokens.WETH.address;
    await expect(vault.connect(actors.guardian).setMaxWeight(weth, 4000))
      .to.emit(vault, "MaxWeightSet")
      .withArgs(weth, 4000);
    expect(await vault.maxWeightBps(weth)).to.equal(4000n);
    await expect(vault.connect(actors.guardian).setMaxWeight(weth, 5000))
      .to.be.revertedWithCustomError(vault, "NotAdmin")
      .withArgs(actors.guardian.address);
    const data = vault.interface.encodeFunctionData("setMaxWeight", [weth, 5000]);
    await expect(vault.connect(actors.admin).setMaxWeight(weth, 5000)).to.be.revertedWithCustomError(
      vault,
      "ChangeNotScheduled",
    );
    await (await vault.connect(actors.admin).schedule(data)).wait();
    await advance(h.f, DELAY);
    await expect(vault.connect(actors.admin).setMaxWeight(weth, 5000)).to.emit(vault, "MaxWeightSet");
    await expect(vault.connect(actors.guardian).setMaxWeight(weth, 10_001))
      .to.be.revertedWithCustomError(vault, "InvalidBps")
      .withArgs(10_001);
    await expect(vault.connect(actors.guardian).setMaxWeight(local.tokens.USDC.address, 1))
      .to.be.revertedWithCustomError(vault, "AssetNotRegistered")
      .withArgs(local.tokens.USDC.address);
    await expect(vault.connect(actors.attacker).setMaxWeight(weth, 1))
      .to.be.revertedWithCustomError(vault, "NotGuardian")
      .withArgs(actors.attacker.address);
  });

  it("deposit cap: lowering is immediate, raising is timelocked", async () => {
    const { vault, actors } = h.f;
    await expect(vault.connect(actors.guardian).setDepositCap(USDC(5)))
      .to.emit(vault, "DepositCapSet")
      .withArgs(USDC(5));
    await expect(vault.connect(actors.admin).setDepositCap(USDC(6))).to.be.revertedWithCustomError(
      vault,
      "ChangeNotScheduled",
    );
    await expect(scheduledTx(h.f, "setDepositCap", [MaxUint256]))
      .to.emit(vault, "DepositCapSet")
      .withArgs(MaxUint256);
    expect(await vault.depositCap()).to.equal(MaxUint256);
  });

  it("rebalance limits: tightening is immediate, loosening any is timelocked, malformed values revert", async () => {
    const { vault, actors } = h.f;
    const tight = { cooldown: 7200, maxTurnoverBps: 5000, toleranceBps: 50, maxSlippageBps: 100 };
    await expect(vault.connect(actors.guardian).setRebalanceLimits(tight)).to.emit(vault, "RebalanceLimitsSet");
    const got = await vault.rebalanceLimits();
    expect([got.cooldown, got.maxTurnoverBps, got.toleranceBps, got.maxSlippageBps]).to.deep.equal([
      7200n,
      5000n,
      50n,
      100n,
    ]);
    for (const loose of [
      { ...tight, cooldown: 7199 },
      { ...tight, maxTurnoverBps: 5001 },
      { ...tight, toleranceBps: 51 },
      { ...tight, maxSlippageBps: 101 },
    ]) {
      await expect(vault.connect(actors.guardian).setRebalanceLimits(loose))
        .to.be.revertedWithCustomError(vault, "NotAdmin")
        .withArgs(actors.guardian.address);
    }
    await expect(scheduledTx(h.f, "setRebalanceLimits", [{ ...tight, maxSlippageBps: 200 }])).to.emit(
      vault,
      "RebalanceLimitsSet",
    );
    for (const [bad, value] of [
      [{ ...tight, maxTurnoverBps: 20_001 }, 20_001],
      [{ ...tight, toleranceBps: 10_001 }, 10_001],
      [{ ...tight, maxSlippageBps: 10_000 }, 10_000],
    ] as const) {
      await expect(vault.connect(actors.guardian).setRebalanceLimits(bad))
        .to.be.revertedWithCustomError(vault, "InvalidBps")
        .withArgs(value);
    }
  });

  it("fees: lowering is immediate for the admin, raising is timelocked, caps are enforced", async () => {
    const { vault, actors } = h.f;
    await expect(vault.connect(actors.admin).setFees(201, 0))
      .to.be.revertedWithCustomError(vault, "FeeAboveCap")
      .withArgs(201, 200);
    await expect(vault.connect(actors.admin).setFees(0, 2001))
      .to.be.revertedWithCustomError(vault, "FeeAboveCap")
      .withArgs(2001, 2000);
    await expect(vault.connect(actors.admin).setFees(100, 0)).to.be.revertedWithCustomError(
      vault,
      "ChangeNotScheduled",
    );
    await expect(scheduledTx(h.f, "setFees", [200, 2000]))
      .to.emit(vault, "FeesSet")
      .withArgs(200, 2000);
    await expect(vault.connect(actors.admin).setFees(50, 1000)).to.emit(vault, "FeesSet").withArgs(50, 1000);
    expect(await vault.managementFeeBps()).to.equal(50n);
    expect(await vault.performanceFeeBps()).to.equal(1000n);
    await expect(vault.connect(actors.guardian).setFees(0, 0))
      .to.be.revertedWithCustomError(vault, "NotAdmin")
      .withArgs(actors.guardian.address);
  });

  it("fee recipient is admin-set, the guardian timelocked (L-2), and neither is ever zero", async () => {
    const { vault, actors } = h.f;
    await expect(vault.connect(actors.admin).setFeeRecipient(ZeroAddress)).to.be.revertedWithCustomError(
      vault,
      "ZeroAddress",
    );
    await expect(vault.connect(actors.admin).setFeeRecipient(actors.bob.address))
      .to.emit(vault, "FeeRecipientSet")
      .withArgs(actors.bob.address);
    expect(await vault.feeRecipient()).to.equal(actors.bob.address);
    await expect(vault.connect(actors.admin).setGuardian(actors.bob.address)).to.be.revertedWithCustomError(
      vault,
      "ChangeNotScheduled",
    );
    await expect(scheduledTx(h.f, "setGuardian", [ZeroAddress])).to.be.revertedWithCustomError(vault, "ZeroAddress");
    await expect(scheduledTx(h.f, "setGuardian", [actors.bob.address]))
      .to.emit(vault, "GuardianSet")
      .withArgs(actors.bob.address);
    expect(await vault.guardian()).to.equal(actors.bob.address);
    await expect(vault.connect(actors.guardian).pause())
      .to.be.revertedWithCustomError(vault, "NotGuardian")
      .withArgs(actors.guardian.address);
  });

  it("keeper rotation is timelocked: the new signer's orders execute, the old signer's do not", async () => {
    const { vault, actors } = h.f;
    await (await vault.connect(actors.alice).deposit(USDC(10_000), actors.alice.address)).wait();
    const { Wallet } = await import("ethers");
    const next = new Wallet(`0x${"5c".repeat(32)}`);
    await expect(scheduledTx(h.f, "setKeeperSigner", [ZeroAddress])).to.be.revertedWithCustomError(
      vault,
      "ZeroAddress",
    );
    await expect(scheduledTx(h.f, "setKeeperSigner", [next.address]))
      .to.emit(vault, "KeeperSignerSet")
      .withArgs(next.address);
    const order = await buildOrder(h.f, [5000, 5000, 0, 0]);
    await expect(submitOrder(h.f, order)).to.be.revertedWithCustomError(vault, "InvalidSignature");
    const { signOrder } = await import("../fixture.js");
    const { toTypedValue } = await import("../../../keeper/src/execution/indexVault/rebalanceOrder.js");
    await expect(
      vault.connect(actors.submitter).rebalance(toTypedValue(order), await signOrder(h.f, order, next)),
    ).to.emit(vault, "Rebalanced");
  });

  it("admin transfer is two-step and timelocked", async () => {
    const { vault, actors } = h.f;
    await expect(scheduledTx(h.f, "transferAdmin", [ZeroAddress])).to.be.revertedWithCustomError(vault, "ZeroAddress");
    await expect(scheduledTx(h.f, "transferAdmin", [actors.bob.address]))
      .to.emit(vault, "AdminTransferStarted")
      .withArgs(actors.bob.address);
    expect(await vault.admin()).to.equal(actors.admin.address);
    expect(await vault.pendingAdmin()).to.equal(actors.bob.address);
    await expect(vault.connect(actors.attacker).acceptAdmin())
      .to.be.revertedWithCustomError(vault, "NotPendingAdmin")
      .withArgs(actors.attacker.address);
    await expect(vault.connect(actors.bob).acceptAdmin())
      .to.emit(vault, "AdminTransferred")
      .withArgs(actors.bob.address);
    expect(await vault.admin()).to.equal(actors.bob.address);
    expect(await vault.pendingAdmin()).to.equal(ZeroAddress);
    await expect(vault.connect(actors.admin).unpause())
      .to.be.revertedWithCustomError(vault, "NotAdmin")
      .withArgs(actors.admin.address);
  });

  it("the guardian pauses; only the admin unpauses", async () => {
    const { vault, actors } = h.f;
    await expect(vault.connect(actors.guardian).pause()).to.emit(vault, "Paused").withArgs(actors.guardian.address);
    expect(await vault.paused()).to.equal(true);
    await expect(vault.connect(actors.guardian).unpause())
      .to.be.revertedWithCustomError(vault, "NotAdmin")
      .withArgs(actors.guardian.address);
    await expect(vault.connect(actors.admin).unpause()).to.emit(vault, "Unpaused").withArgs(actors.admin.address);
    expect(await vault.paused()).to.equal(false);
  });

  it("skim sends donations away without touching accounted holdings", async () => {
    const { vault, actors, local, usdc, vaultAddress } = h.f;
    await (await vault.connect(actors.alice).deposit(USDC(1000), actors.alice.address)).wait();
    await (await usdc.connect(actors.bob).transfer(vaultAddress, USDC(7))).wait();
    await fund(local, vaultAddress, "ARB", 10n ** 18n);
    const usdcAddress = await usdc.getAddress();
    await expect(vault.connect(actors.admin).skim(usdcAddress, actors.bob.address))
      .to.emit(vault, "Skimmed")
      .withArgs(usdcAddress, actors.bob.address, USDC(7));
    await expect(vault.connect(actors.admin).skim(local.tokens.ARB.address, actors.bob.address))
      .to.emit(vault, "Skimmed")
      .withArgs(local.tokens.ARB.address, actors.bob.address, 10n ** 18n);
    expect(await vault.held(usdcAddress)).to.equal(USDC(1000));
    expect(await usdc.balanceOf(vaultAddress)).to.equal(USDC(1000));
    await expect(vault.connect(actors.admin).skim(usdcAddress, ZeroAddress)).to.be.revertedWithCustomError(
      vault,
      "ZeroAddress",
    );
  });
});

describe("IndexVault asset registry", () => {
  const h = useVaultFixture();

  async function newToken(decimals: number): Promise<MockERC20> {
    return (await h.f.local.ethers.deployContract("MockERC20", ["T", "T", decimals])) as unknown as MockERC20;
  }

  function pathFor(token: string, to = h.f.local.tokens.USDC.address): string {
    return encodePath([token, to], [500]);
  }

  it("adds an asset through the timelock and emits AssetAdded", async () => {
    const { vault, local } = h.f;
    const link = local.tokens.LINK.address;
    const oracle = oracleConfig(local, "LINK");
    const path = routeToBase(local, "LINK");
    await expect(scheduledTx(h.f, "addAsset", [link, oracle, 3000, path]))
      .to.emit(vault, "AssetAdded")
      .withArgs(link, [oracle.feed, oracle.heartbeat, oracle.minAnswer, oracle.maxAnswer], 3000, path);
    expect((await vault.assets()).at(-1)).to.equal(link);
    expect(await vault.maxWeightBps(link)).to.equal(3000n);
    expect(await vault.sellPath(link)).to.equal(path.toLowerCase());
    expect((await vault.oracleOf(link)).feed).to.equal(oracle.feed);
  });

  it("rejects malformed additions", async () => {
    const { vault, local } = h.f;
    const link = local.tokens.LINK.address;
    const good = oracleConfig(local, "LINK");
    const path = routeToBase(local, "LINK");
    const t19 = await newToken(19);
    const noDecimals = await local.ethers.deployContract("NoDecimalsERC20");
    const noDecAddr = await noDecimals.getAddress();
    const t19Addr = await t19.getAddress();
    const cases: [unknown[], string, unknown[] | null][] = [
      [[ZeroAddress, good, 1000, path], "ZeroAddress", null],
      [[local.tokens.WETH.address, good, 1000, path], "AssetAlreadyRegistered", [local.tokens.WETH.address]],
      [[local.tokens.USDC.address, good, 1000, path], "AssetAlreadyRegistered", [local.tokens.USDC.address]],
      [[link, good, 10_001, path], "InvalidBps", [10_001]],
      [[t19Addr, good, 1000, pathFor(t19Addr)], "UnsupportedDecimals", [t19Addr]],
      [[noDecAddr, good, 1000, pathFor(noDecAddr)], "UnsupportedDecimals", [noDecAddr]],
      [[link, { ...good, feed: ZeroAddress }, 1000, path], "InvalidOracleConfig", [link]],
      [[link, { ...good, heartbeat: 0 }, 1000, path], "InvalidOracleConfig", [link]],
      [[link, { ...good, minAnswer: 0n }, 1000, path], "InvalidOracleConfig", [link]],
      [[link, { ...good, maxAnswer: good.minAnswer }, 1000, path], "InvalidOracleConfig", [link]],
      [[link, { ...good, maxAnswer: good.minAnswer + 1n }, 1000, path], "PriceOutOfBounds", null],
      [[link, good, 1000, "0x1234"], "InvalidPath", ["0x1234"]],
      [[link, good, 1000, pathFor(link, local.tokens.WETH.address)], "InvalidPath", null],
      [[link, good, 1000, pathFor(local.tokens.WETH.address)], "InvalidPath", null],
    ];
    for (const [args, error, errArgs] of cases) {
      const tx = scheduledTx(h.f, "addAsset", args);
      if (errArgs)
        await expect(tx, error)
          .to.be.revertedWithCustomError(vault, error)
          .withArgs(...errArgs);
      else await expect(tx, error).to.be.revertedWithCustomError(vault, error);
    }
  });

  it("holds at most 16 basket assets besides the base asset", async () => {
    const { vault, local } = h.f;
    const feed = oracleConfig(local, "ARB");
    await (
      await vault.connect(h.f.actors.admin).schedule(vault.interface.encodeFunctionData("setTimelockDelay", [0]))
    ).wait();
    await advanceFresh(h.f, DELAY);
    await (await vault.connect(h.f.actors.admin).setTimelockDelay(0)).wait();
    while ((await vault.assets()).length < 17) {
      const token = await (await newToken(18)).getAddress();
      await timelockedCall(vault, h.f.actors.admin, "addAsset", [token, feed, 1000, pathFor(token)]);
    }
    const extra = await (await newToken(18)).getAddress();
    const data = vault.interface.encodeFunctionData("addAsset", [extra, feed, 1000, pathFor(extra)]);
    await (await vault.connect(h.f.actors.admin).schedule(data)).wait();
    await expect(h.f.actors.admin.sendTransaction({ to: h.f.vaultAddress, data })).to.be.revertedWithCustomError(
      vault,
      "TooManyAssets",
    );
  });

  it("removes only empty basket assets and keeps the list compact", async () => {
    const { vault, actors, local } = h.f;
    await (await vault.connect(actors.alice).deposit(USDC(10_000), actors.alice.address)).wait();
    await (await submitOrder(h.f, await buildOrder(h.f, [5000, 5000, 0, 0]))).wait();
    const weth = local.tokens.WETH.address;
    const held = await vault.held(weth);
    await expect(vault.connect(actors.admin).removeAsset(weth))
      .to.be.revertedWithCustomError(vault, "AssetNotEmpty")
      .withArgs(weth, held);
    await expect(vault.connect(actors.admin).removeAsset(local.tokens.USDC.address))
      .to.be.revertedWithCustomError(vault, "AssetNotRegistered")
      .withArgs(local.tokens.USDC.address);
    await expect(vault.connect(actors.guardian).removeAsset(local.tokens.WBTC.address))
      .to.be.revertedWithCustomError(vault, "NotAdmin")
      .withArgs(actors.guardian.address);
    const wbtc = local.tokens.WBTC.address;
    await expect(vault.connect(actors.admin).removeAsset(wbtc)).to.emit(vault, "AssetRemoved").withArgs(wbtc);
    expect(await vault.assets()).to.deep.equal([local.tokens.USDC.address, weth, local.tokens.ARB.address]);
    expect(await vault.maxWeightBps(wbtc)).to.equal(0n);
    expect(await vault.sellPath(wbtc)).to.equal("0x");
    // The moved asset still prices correctly and the last one can be removed too.
    const arb = local.tokens.ARB.address;
    await expect(vault.connect(actors.admin).removeAsset(arb)).to.emit(vault, "AssetRemoved").withArgs(arb);
    expect(await vault.totalAssets()).to.be.greaterThan(0n);
  });

  it("removing a middle asset moves the last asset's held balance with its record", async () => {
    const { vault, actors, local } = h.f;
    await (await vault.connect(actors.alice).deposit(USDC(10_000), actors.alice.address)).wait();
    // Basket [USDC, WETH, WBTC, ARB]: leave WBTC empty and put a balance in ARB, the last asset.
    await (await submitOrder(h.f, await buildOrder(h.f, [5000, 2500, 0, 2500]))).wait();
    const arb = local.tokens.ARB.address;
    const heldArb = await vault.held(arb);
    expect(heldArb).to.be.greaterThan(0n);
    const navBefore = await vault.totalAssets();
    await (await vault.connect(actors.admin).removeAsset(local.tokens.WBTC.address)).wait();
    expect(await vault.assets()).to.deep.equal([local.tokens.USDC.address, local.tokens.WETH.address, arb]);
    expect(await vault.held(arb)).to.equal(heldArb);
    expect(await vault.held(local.tokens.WBTC.address)).to.equal(0n);
    expect(await vault.totalAssets()).to.equal(navBefore);
    // The index ARB left is clear: an asset added there starts from zero.
    const wbtc = local.tokens.WBTC.address;
    await (
      await scheduledTx(h.f, "addAsset", [wbtc, oracleConfig(local, "WBTC"), 3000, routeToBase(local, "WBTC")])
    ).wait();
    expect(await vault.assets()).to.deep.equal([local.tokens.USDC.address, local.tokens.WETH.address, arb, wbtc]);
    expect(await vault.held(wbtc)).to.equal(0n);
    expect(await vault.held(arb)).to.equal(heldArb);
    const shares = await vault.balanceOf(actors.alice.address);
    const amounts = await vault
      .connect(actors.alice)
      .redeemInKind.staticCall(shares, actors.alice.address, actors.alice.address);
    expect(amounts[2]).to.be.greaterThan(0n);
  });

  it("setOracle and setSellPath are timelocked, validated and evented", async () => {
    const { vault, local } = h.f;
    const weth = local.tokens.WETH.address;
    const oracle = { ...oracleConfig(local, "WETH"), heartbeat: 3600 };
    await expect(scheduledTx(h.f, "setOracle", [weth, oracle])).to.emit(vault, "OracleSet");
    expect((await vault.oracleOf(weth)).heartbeat).to.equal(3600n);
    const usdcOracle = { ...oracleConfig(local, "USDC"), heartbeat: 7200 };
    await expect(scheduledTx(h.f, "setOracle", [local.tokens.USDC.address, usdcOracle])).to.emit(vault, "OracleSet");
    const link = local.tokens.LINK.address;
    await expect(scheduledTx(h.f, "setOracle", [link, oracleConfig(local, "LINK")]))
      .to.be.revertedWithCustomError(vault, "AssetNotRegistered")
      .withArgs(link);
    const multiHop = encodePath([weth, local.tokens.WBTC.address, local.tokens.USDC.address], [500, 500]);
    await expect(scheduledTx(h.f, "setSellPath", [weth, multiHop]))
      .to.emit(vault, "SellPathSet")
      .withArgs(weth, multiHop);
    await expect(scheduledTx(h.f, "setSellPath", [weth, "0x00"]))
      .to.be.revertedWithCustomError(vault, "InvalidPath")
      .withArgs("0x00");
    await expect(scheduledTx(h.f, "setSellPath", [link, pathFor(link)]))
      .to.be.revertedWithCustomError(vault, "AssetNotRegistered")
      .withArgs(link);
  });

  it("an oracle that stops answering is reported as FeedReverted", async () => {
    const { vault, local } = h.f;
    const feed = (await local.ethers.deployContract("RevertingAggregator", [
      300_000_000_000n,
    ])) as unknown as RevertingAggregator;
    const weth = local.tokens.WETH.address;
    const feedAddress = await feed.getAddress();
    await (await feed.setBroken(true)).wait();
    const oracle = { ...oracleConfig(local, "WETH"), feed: feedAddress };
    await expect(scheduledTx(h.f, "setOracle", [weth, oracle]))
      .to.be.revertedWithCustomError(vault, "FeedReverted")
      .withArgs(weth, feedAddress);
    await (await feed.setBroken(false)).wait();
    await expect(scheduledTx(h.f, "setOracle", [weth, { ...oracle, heartbeat: 3600 }])).to.emit(vault, "OracleSet");
    await (await feed.setBroken(true)).wait();
    await expect(vault.accrueFees()).to.be.revertedWithCustomError(vault, "FeedReverted").withArgs(weth, feedAddress);
    expect(await vault.totalAssets()).to.equal(await vault.held(local.tokens.USDC.address));
    expect(await vault.previewDeposit(USDC(1))).to.equal(0n);
    await setFeedPrice(local, "WETH", 3000);
  });
});
