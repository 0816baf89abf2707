import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { type ContractFactory, MaxUint256, ZeroAddress } from "ethers";
import { network } from "hardhat";
import type { TokenSymbol } from "../../../keeper/src/config/addressBook.js";
import { type ArbitrumLocal, deployArbitrumLocal } from "../../../keeper/src/devchain/arbitrumLocal.js";
import { deployVaultLibraries } from "../../../keeper/src/devchain/deployVault.js";
import { routeToBase } from "../../../keeper/src/devchain/routes.js";
import { connectIndexVault } from "../../../keeper/src/execution/indexVault/vaultAbi.js";
import { DEFAULT_LIMITS, GRACE_PERIOD, oracleConfig } from "../fixture.js";

/**
 * The constructor's initial basket (`InitParams.basket`): what `npm run deploy` uses to register
 * the whole basket in the deployment, with the checks `addAsset` makes and no timelock.
 */
describe("IndexVault constructor: initial basket", () => {
  let local: ArbitrumLocal;
  let factory: ContractFactory;
  let admin: HardhatEthersSigner;
  let others: HardhatEthersSigner[];
  /** An interface holding the vault's and its libraries' errors, for the revert matchers. */
  let errors: ReturnType<typeof connectIndexVault>;

  before(async () => {
    const connection = await network.create("arbitrumLocal");
    local = await deployArbitrumLocal(connection.ethers);
    const signers = (await connection.ethers.getSigners()).slice(2);
    admin = signers[0] ?? expect.fail("signer");
    others = signers.slice(1);
    factory = await connection.ethers.getContractFactory("IndexVault", {
      libraries: await deployVaultLibraries(connection.ethers, local.deployer),
    });
    errors = connectIndexVault(ZeroAddress, admin);
  });

  const entry = (symbol: TokenSymbol, overrides: Record<string, unknown> = {}) => ({
    token: local.tokens[symbol].address,
    oracle: oracleConfig(local, symbol),
    maxWeightBps: 4_000,
    sellPath: routeToBase(local, symbol),
    deviationBps: 50,
    ...overrides,
  });

  async function params(basket: unknown[]) {
    const [guardian, keeper, feeRecipient] = others;
    return {
      baseAsset: local.tokens.USDC.address,
      name: "Ballast Arbitrum Index",
      symbol: "bIDX",
      admin: admin.address,
      guardian: guardian?.address,
      keeperSigner: keeper?.address,
      feeRecipient: feeRecipient?.address,
      swapRouter: await local.uniswap.router.getAddress(),
      sequencerUptimeFeed: await local.sequencerFeed.getAddress(),
      sequencerGracePeriod: GRACE_PERIOD,
      baseOracle: oracleConfig(local, "USDC"),
      timelockDelay: 172_800,
      depositCap: MaxUint256,
      managementFeeBps: 0,
      performanceFeeBps: 0,
      limits: DEFAULT_LIMITS,
      baseDeviationBps: 10,
      basket,
    };
  }

  it("registers every asset in order, as addAsset would, under the production timelock", async () => {
    const basket = (["WETH", "WBTC", "LINK"] as const).map((s) => entry(s));
    const deployed = await factory.connect(admin).deploy(await params(basket));
    await deployed.waitForDeployment();
    const vault = connectIndexVault(await deployed.getAddress(), admin);
    const tx = deployed.deploymentTransaction();
    expect(tx).to.not.equal(null);
    for (const asset of basket) {
      await expect(tx)
        .to.emit(vault, "AssetAdded")
        .withArgs(asset.token, Object.values(asset.oracle), 4_000, asset.sellPath);
    }
    // LINK sells through WETH: both hops' pools are registered.
    const weth = local.tokens.WETH.address;
    await expect(tx).to.emit(vault, "PoolSet").withArgs(local.tokens.LINK.address, weth, 3_000, true);
    expect(await vault.assets()).to.deep.equal([local.tokens.USDC.address, ...basket.map((a) => a.token)]);
    for (const asset of basket) {
      expect(await vault.sellPath(asset.token)).to.equal(asset.sellPath.toLowerCase());
      expect(await vault.maxWeightBps(asset.token)).to.equal(4_000n);
      expect((await vault.oracleOf(asset.token)).feed).to.equal(asset.oracle.feed);
    }
    expect(await vault.isPool(local.tokens.LINK.address, weth, 3_000)).to.equal(true);
    expect(await vault.timelockDelay()).to.equal(172_800n);
    // Each feed's deviation threshold is declared with it (M-1: the entry spread is right from
    // the first deposit, not the 255 bps a record starts at until a timelocked setDeviation).
    await expect(tx).to.emit(vault, "DeviationSet").withArgs(local.tokens.USDC.address, 10);
    expect(await vault.deviationBps(local.tokens.USDC.address)).to.equal(10n);
    for (const asset of basket) {
      await expect(tx).to.emit(vault, "DeviationSet").withArgs(asset.token, 50);
      expect(await vault.deviationBps(asset.token)).to.equal(50n);
    }
    // The basket is init code only: the runtime code is as long as an empty-basket vault's (the
    // bytes differ only in immutables such as the EIP-712 domain's own address).
    const empty = await factory.connect(admin).deploy(await params([]));
    await empty.waitForDeployment();
    const provider = local.ethers.provider;
    const size = async (address: string) => ((await provider.getCode(address)).length - 2) / 2;
    expect(await size(vault.target as string)).to.equal(await size(await empty.getAddress()));
  });

  const refusals: [string, () => unknown[], string][] = [
    ["a zero token", () => [entry("WETH", { token: ZeroAddress })], "ZeroAddress"],
    ["the base asset again", () => [entry("WETH", { token: local.tokens.USDC.address })], "AssetAlreadyRegistered"],
    ["the same asset twice", () => [entry("WETH"), entry("WETH")], "AssetAlreadyRegistered"],
    ["a cap above 100%", () => [entry("WETH", { maxWeightBps: 10_001 })], "InvalidBps"],
    [
      "a sell path that does not end at the base",
      () => [entry("WETH", { sellPath: routeToBase(local, "WBTC") })],
      "InvalidPath",
    ],
    [
      "an oracle whose answer is outside its bounds",
      () => [entry("WETH", { oracle: { ...oracleConfig(local, "WETH"), maxAnswer: 100n * 10n ** 8n } })],
      "PriceOutOfBounds",
    ],
    [
      "an oracle with inverted bounds",
      () => [entry("WETH", { oracle: { ...oracleConfig(local, "WETH"), minAnswer: 10n ** 15n } })],
      "InvalidOracleConfig",
    ],
  ];
  for (const [what, basket, error] of refusals) {
    it(`refuses ${what} (${error}): nothing is deployed`, async () => {
      await expect(factory.connect(admin).deploy(await params(basket()))).to.be.revertedWithCustomError(errors, error);
    });
  }
});
