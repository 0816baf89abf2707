import { expect } from "chai";
import { parseUnits } from "../../../keeper/src/core/fixed.js";
import { routeToBase } from "../../../keeper/src/devchain/routes.js";
import type { MockAggregatorV3 } from "../../../types/ethers-contracts/index.js";
import { oracleConfig, timelockedCall, USDC } from "../fixture.js";
import { useVaultFixture } from "../unit/harness.js";

/**
 * L-3: feed decimals were never read, so a feed with other decimals than the vault's 8 (an
 * 18-decimal USD feed, or a Chainlink ETH-quoted feed such as rETH/ETH) was accepted and
 * mispriced its asset by 10^10, which also drives every slippage minimum on it to about zero.
 * The vault now refuses such a feed when it is registered or replaced.
 */
describe("IndexVault attack: a feed with other decimals (L-3)", () => {
  const h = useVaultFixture({ basket: ["WETH", "WBTC"], timelockDelay: 0 });

  async function feedWithDecimals(decimals: number, answer: bigint): Promise<MockAggregatorV3> {
    return (await h.f.local.ethers.deployContract("MockAggregatorV3", [
      decimals,
      "18-decimal feed",
      answer,
    ])) as unknown as MockAggregatorV3;
  }

  it("refuses to register an asset on an ETH-quoted 18-decimal feed (rETH/ETH)", async () => {
    const { vault, actors, local } = h.f;
    // rETH/ETH answers 1.1e18 and fits bounds written in its own decimals (uint64 holds 1.8e19).
    const rethEth = await feedWithDecimals(18, parseUnits("1.1", 18));
    const oracle = { feed: rethEth.target, heartbeat: 86_400, minAnswer: 10n ** 17n, maxAnswer: 10n ** 19n };
    await expect(
      timelockedCall(vault, actors.admin, "addAsset", [
        local.tokens.RETH.address,
        oracle,
        10_000,
        routeToBase(local, "RETH"),
      ]),
    )
      .to.be.revertedWithCustomError(vault, "InvalidOracleConfig")
      .withArgs(local.tokens.RETH.address);
    expect(await vault.assets()).to.not.include(local.tokens.RETH.address);
  });

  it("refuses to replace a feed with an 18-decimal USD feed", async () => {
    const { vault, actors, local } = h.f;
    const weth = local.tokens.WETH.address;
    const before = await vault.oracleOf(weth);
    // $3,000 at 18 decimals does not fit uint64 bounds, but $3 (an ARB-like asset) does: use a
    // price the bounds can hold so only the decimals are wrong.
    const usd18 = await feedWithDecimals(18, parseUnits("3", 18));
    const oracle = { feed: usd18.target, heartbeat: 86_400, minAnswer: 10n ** 18n, maxAnswer: 10n ** 19n };
    await expect(timelockedCall(vault, actors.admin, "setOracle", [weth, oracle]))
      .to.be.revertedWithCustomError(vault, "InvalidOracleConfig")
      .withArgs(weth);
    expect((await vault.oracleOf(weth)).feed).to.equal(before.feed);
  });

  it("refuses a feed whose decimals() cannot be read", async () => {
    const { vault, actors, local } = h.f;
    // An account without code in place of a feed: it answers no decimals() at all.
    const oracle = { ...oracleConfig(local, "ARB"), feed: actors.attacker.address };
    await expect(
      timelockedCall(vault, actors.admin, "addAsset", [
        local.tokens.ARB.address,
        oracle,
        10_000,
        routeToBase(local, "ARB"),
      ]),
    )
      .to.be.revertedWithCustomError(vault, "InvalidOracleConfig")
      .withArgs(local.tokens.ARB.address);
  });

  it("still accepts an 8-decimal USD feed, and the vault prices it at face value", async () => {
    const { vault, actors, local } = h.f;
    await timelockedCall(vault, actors.admin, "addAsset", [
      local.tokens.ARB.address,
      oracleConfig(local, "ARB"),
      10_000,
      routeToBase(local, "ARB"),
    ]);
    expect(await vault.assets()).to.include(local.tokens.ARB.address);
    await (await vault.connect(actors.alice).deposit(USDC(1_000), actors.alice.address)).wait();
    const [, , pricesUsd] = await vault.portfolio();
    expect(pricesUsd.at(-1)).to.equal(10n ** 8n); // ARB starts at $1
  });
});
