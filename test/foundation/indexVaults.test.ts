import { expect } from "chai";
import { Wallet } from "ethers";
import { network } from "hardhat";
import {
  type ArbitrumLocal,
  advanceTime,
  deployArbitrumLocal,
  followPrices,
  setFeedPrice,
} from "../../keeper/src/devchain/arbitrumLocal.js";
import { type DeployedVault, deployIndexVaults, fundAndDeposit } from "../../keeper/src/devchain/deployVault.js";
import type { IAggregatorV3T } from "../../types/ethers-contracts/index.js";
import { expectRelClose } from "../helpers/approx.js";

describe("arbitrum-local offers both indexes", () => {
  let local: ArbitrumLocal;
  let blueChip: DeployedVault;
  let lst: DeployedVault;
  let snapshot = "";

  before(async () => {
    const { ethers } = await network.create("arbitrumLocal");
    local = await deployArbitrumLocal(ethers);
    ({ blueChip, lst } = await deployIndexVaults(local, new Wallet(`0x${"4b".repeat(32)}`).address));
  });
  beforeEach(async () => {
    snapshot = await local.ethers.provider.send("evm_snapshot", []);
  });
  afterEach(async () => {
    await local.ethers.provider.send("evm_revert", [snapshot]);
  });

  async function depositor(index: number) {
    return (await local.ethers.getSigners())[index] ?? expect.fail("signer");
  }

  async function feedAt(address: string): Promise<IAggregatorV3T> {
    return (await local.ethers.getContractAt("IAggregatorV3T", address)) as unknown as IAggregatorV3T;
  }

  it("the blue-chip index (USDC base) and the LST index (WETH base) both take deposits and answer", async () => {
    expect(blueChip.symbols).to.deep.equal(["USDC", "WETH", "WBTC", "ARB"]);
    expect(lst.symbols).to.deep.equal(["WETH", "WSTETH", "RETH"]);
    expect(await lst.vault.assets()).to.deep.equal(lst.symbols.map((s) => local.tokens[s].address));
    const alice = await depositor(8);
    await fundAndDeposit(local, blueChip.vault, [alice], 5_000n * 10n ** 6n);
    await fundAndDeposit(local, lst.vault, [alice], 3n * 10n ** 18n);
    expect(await blueChip.vault.totalAssets()).to.equal(5_000n * 10n ** 6n);
    expect(await lst.vault.totalAssets()).to.equal(3n * 10n ** 18n);
    expect(await lst.vault.convertToAssets(await lst.vault.balanceOf(alice.address))).to.equal(3n * 10n ** 18n);
    expect(await lst.vault.maxDeposit(alice.address)).to.be.greaterThan(0n);
    const [, , pricesUsd] = await lst.vault.portfolio();
    expect(pricesUsd).to.deep.equal([3_000n * 10n ** 8n, 3_510n * 10n ** 8n, 3_300n * 10n ** 8n]);
  });

  it("prices the LSTs through their adapters, which follow the market like the USD feeds do", async () => {
    expect(lst.feeds[1]).not.to.equal(local.feeds.WSTETH?.target);
    const path = [
      { WETH: 2_700, WSTETH: 3_160, RETH: 2_970 },
      { WETH: 3_300 }, // symbols left out keep their USD price: the LST legs' ratios follow
    ];
    for (const step of path) {
      await followPrices(local, step);
      for (const [i, symbol] of [
        [1, "WSTETH"],
        [2, "RETH"],
      ] as const) {
        const [, viaAdapter] = await (await feedAt(lst.feeds[i] ?? expect.fail("feed"))).latestRoundData();
        const [, direct] = await (local.feeds[symbol] ?? expect.fail("feed")).latestRoundData();
        expectRelClose(Number(viaAdapter), Number(direct), 1e-8, `${symbol} adapter vs USD feed`);
      }
    }
    const [, wstethUsd] = await (await feedAt(lst.feeds[1] ?? "")).latestRoundData();
    expectRelClose(Number(wstethUsd) / 1e8, 3_160, 1e-8, "wstETH after ETH moved");
    const [, rethRate] = await local.lstEthFeeds.RETH.latestRoundData();
    expectRelClose(Number(rethRate) / 1e18, 2_970 / 3_300, 1e-12, "rETH/ETH leg follows the pool ratio");
  });

  it("a stale adapter leg makes the LST index refuse deposits without breaking its views or exits", async () => {
    const alice = await depositor(8);
    await fundAndDeposit(local, lst.vault, [alice], 10n ** 18n);
    // A day and a minute later every feed is re-stamped except the wstETH exchange rate.
    await advanceTime(local, 86_460);
    for (const symbol of ["USDC", "WETH", "WBTC", "ARB", "WSTETH", "RETH"] as const) {
      const [, answer] = await (local.feeds[symbol] ?? expect.fail("feed")).latestRoundData();
      await setFeedPrice(local, symbol, Number(answer) / 1e8);
    }
    const rethLeg = local.mockLstEthFeeds.RETH ?? expect.fail("leg");
    await (await rethLeg.setAnswer((await rethLeg.latestRoundData())[1])).wait();
    const adapter = lst.feeds[1] ?? expect.fail("feed");
    expect(await lst.vault.maxDeposit(alice.address)).to.equal(0n);
    expect(await lst.vault.previewDeposit(10n ** 18n)).to.equal(0n);
    await expect(lst.vault.connect(alice).deposit(10n ** 18n, alice.address))
      .to.be.revertedWithCustomError(lst.vault, "FeedReverted")
      .withArgs(local.tokens.WSTETH.address, adapter);
    // The blue-chip index does not use the leg and keeps working.
    expect(await blueChip.vault.maxDeposit(alice.address)).to.be.greaterThan(0n);
    const shares = await lst.vault.balanceOf(alice.address);
    await (await lst.vault.connect(alice).redeemInKind(shares, alice.address, alice.address)).wait();
    expect(await lst.vault.balanceOf(alice.address)).to.equal(0n);
  });
});
