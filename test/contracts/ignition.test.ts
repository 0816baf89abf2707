import { expect } from "chai";
import { network } from "hardhat";
import IndexVaultModule from "../../ignition/modules/IndexVault.js";
import { deployArbitrumLocal } from "../../keeper/src/devchain/arbitrumLocal.js";
import { oracleConfig } from "./fixture.js";

describe("Ignition: IndexVault module", () => {
  it("deploys the vault with its linked oracle library on the local chain", async () => {
    const connection = await network.create("arbitrumLocal");
    const local = await deployArbitrumLocal(connection.ethers);
    const [deployer] = await connection.ethers.getSigners();
    if (!deployer) throw new Error("signer");
    const base = oracleConfig(local, "USDC");
    const { vault } = await connection.ignition.deploy(IndexVaultModule, {
      parameters: {
        IndexVault: {
          baseAsset: local.tokens.USDC.address,
          swapRouter: await local.uniswap.router.getAddress(),
          sequencerUptimeFeed: await local.sequencerFeed.getAddress(),
          baseFeed: base.feed,
          baseMinAnswer: Number(base.minAnswer),
          baseMaxAnswer: Number(base.maxAnswer),
          admin: deployer.address,
          guardian: deployer.address,
          keeperSigner: deployer.address,
          feeRecipient: deployer.address,
        },
      },
    });
    const deployed = await connection.ethers.getContractAt("IndexVault", await vault.getAddress());
    expect(await deployed.asset()).to.equal(local.tokens.USDC.address);
    expect(await deployed.timelockDelay()).to.equal(172_800n);
    expect(await deployed.decimals()).to.equal(18n);
    expect(await deployed.assets()).to.deep.equal([local.tokens.USDC.address]);
  });
});
