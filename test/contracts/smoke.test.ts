import { expect } from "chai";
import { hashRebalanceOrder, toTypedValue } from "../../keeper/src/execution/indexVault/rebalanceOrder.js";
import { buildOrder, deployVaultFixture, submitOrder, USDC } from "./fixture.js";

describe("IndexVault smoke", () => {
  it("deposits, rebalances with a signed order, and redeems in kind", async () => {
    const f = await deployVaultFixture();
    const { vault, actors } = f;
    await (await vault.connect(actors.alice).deposit(USDC(100_000), actors.alice.address)).wait();
    expect(await vault.totalAssets()).to.equal(USDC(100_000));
    await f.local.ethers.provider.send("evm_increaseTime", [3600]);
    const order = await buildOrder(f, [2500, 2500, 2500, 2500]);
    expect(await vault.hashOrder(toTypedValue(order))).to.equal(
      hashRebalanceOrder(f.local.chainId, f.vaultAddress, order),
    );
    await (await submitOrder(f, order)).wait();
    const [, , , , weights, nav] = await vault.portfolio();
    console.log("    weights", weights.map(String).join(","), "nav", nav.toString());
    expect(await vault.rebalanceNonce()).to.equal(1n);
    const shares = await vault.balanceOf(actors.alice.address);
    await (
      await vault.connect(actors.alice).redeemInKind(shares / 2n, actors.alice.address, actors.alice.address)
    ).wait();
    expect(await vault.balanceOf(actors.alice.address)).to.equal(shares - shares / 2n);
  });
});
