import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { expect } from "chai";
import { MaxUint256 } from "ethers";
import { network } from "hardhat";
import IndexVaultModule from "../../ignition/modules/IndexVault.js";
import LstIndexModule from "../../ignition/modules/LstIndex.js";
import {
  ARBITRUM_LST_PRICING,
  ARBITRUM_SEQUENCER_UPTIME_FEED,
  ARBITRUM_TOKENS,
  ARBITRUM_UNISWAP_V3,
  type TokenSymbol,
} from "../../keeper/src/config/addressBook.js";
import { type ArbitrumLocal, deployArbitrumLocal, fund } from "../../keeper/src/devchain/arbitrumLocal.js";
import { type IndexKind, oracleConfigFor } from "../../keeper/src/devchain/deployVault.js";
import { localIgnitionParameters } from "../../keeper/src/devchain/ignitionParameters.js";
import { routeToBase } from "../../keeper/src/devchain/routes.js";
import { decodePath } from "../../keeper/src/execution/indexVault/rebalanceOrder.js";
import type { IFeedAdapter, IndexVault, MockERC20 } from "../../types/ethers-contracts/index.js";

const INDEXES: readonly IndexKind[] = ["blue-chip", "lst"];
const parametersFile = (index: IndexKind, net: string) => resolve(`ignition/parameters/${index}.${net}.json`);
const readJson = (file: string): Record<string, Record<string, unknown>> => JSON.parse(readFileSync(file, "utf8"));

describe("Ignition: one IndexVault module, a parameter file per index", () => {
  let connection: Awaited<ReturnType<typeof network.create>>;
  let local: ArbitrumLocal;

  before(async () => {
    connection = await network.create("arbitrumLocal");
    local = await deployArbitrumLocal(connection.ethers);
  });

  for (const index of INDEXES) {
    it(`${index}.arbitrum-local.json holds the local chain's addresses and no placeholder`, async () => {
      const file = parametersFile(index, "arbitrum-local");
      const expected = await localIgnitionParameters(local, index);
      if (process.env.UPDATE_IGNITION_PARAMETERS) writeFileSync(file, `${JSON.stringify(expected, null, 2)}\n`);
      const text = readFileSync(file, "utf8");
      expect(text).not.to.match(/SET_ME/);
      expect(JSON.parse(text), `${file} is out of date: rerun with UPDATE_IGNITION_PARAMETERS=1`).to.deep.equal(
        expected,
      );
    });
  }

  it("the Arbitrum One files use the address book's tokens, router and feeds", () => {
    const blueChip = readJson(parametersFile("blue-chip", "arbitrum-one")).IndexVault ?? expect.fail("IndexVault");
    const lst = readJson(parametersFile("lst", "arbitrum-one")).LstIndex ?? expect.fail("LstIndex");
    const legs = lst;
    for (const [params, base] of [
      [blueChip, ARBITRUM_TOKENS.USDC],
      [lst, ARBITRUM_TOKENS.WETH],
    ] as const) {
      expect(params.baseAsset).to.equal(base.address);
      expect(params.baseFeed).to.equal(base.usdFeed);
      expect(params.swapRouter).to.equal(ARBITRUM_UNISWAP_V3.swapRouter);
      expect(params.sequencerUptimeFeed).to.equal(ARBITRUM_SEQUENCER_UPTIME_FEED);
    }
    const leg = (name: string) => legs[name] as { feed: string; heartbeat: number };
    const { WSTETH, RETH } = ARBITRUM_LST_PRICING;
    expect([leg("wstethRate").feed, leg("wstethRate").heartbeat]).to.deep.equal([WSTETH.ethLeg.feed, 86_400]);
    expect(leg("wstethUnderlyingUsd").feed).to.equal(WSTETH.usdLeg.feed);
    expect([leg("rethEth").feed, leg("rethEth").heartbeat]).to.deep.equal([RETH.ethLeg.feed, 86_400]);
    expect(leg("ethUsd").feed).to.equal(RETH.usdLeg.feed);
    expect(RETH.usdLeg.feed).to.equal(ARBITRUM_TOKENS.WETH.usdFeed);
    // The baskets: the address book's tokens and USD feeds, selling to the base asset.
    const basket = blueChip.basket as {
      symbol: TokenSymbol;
      token: string;
      oracle: { feed: string };
      sellPath: string;
    }[];
    expect(basket.map((a) => a.symbol)).to.deep.equal(["WETH", "WBTC", "ARB"]);
    for (const asset of basket) {
      expect([asset.token, asset.oracle.feed]).to.deep.equal([
        ARBITRUM_TOKENS[asset.symbol].address,
        ARBITRUM_TOKENS[asset.symbol].usdFeed,
      ]);
      const path = decodePath(asset.sellPath);
      expect([path.tokens[0], path.tokens.at(-1)]).to.deep.equal([asset.token, ARBITRUM_TOKENS.USDC.address]);
    }
    for (const [prefix, symbol] of [
      ["wsteth", "WSTETH"],
      ["reth", "RETH"],
    ] as const) {
      expect(lst[`${prefix}Token`]).to.equal(ARBITRUM_TOKENS[symbol].address);
      const path = decodePath(String(lst[`${prefix}SellPath`]));
      expect([path.tokens[0], path.tokens.at(-1)]).to.deep.equal([
        ARBITRUM_TOKENS[symbol].address,
        ARBITRUM_TOKENS.WETH.address,
      ]);
    }
  });

  /** Deposits `amount` of the vault's base from a fresh account and returns the shares minted. */
  async function depositInto(vault: IndexVault, baseSymbol: "USDC" | "WETH", amount: bigint): Promise<bigint> {
    const user = (await local.ethers.getSigners())[9] ?? expect.fail("signer");
    await fund(local, user.address, baseSymbol, amount);
    const token = (await local.ethers.getContractAt(
      "MockERC20",
      local.tokens[baseSymbol].address,
    )) as unknown as MockERC20;
    await (await token.connect(user).approve(await vault.getAddress(), MaxUint256)).wait();
    const before = await vault.balanceOf(user.address);
    await (await vault.connect(user).deposit(amount, user.address)).wait();
    return (await vault.balanceOf(user.address)) - before;
  }

  it("deploys the blue-chip index from blue-chip.arbitrum-local.json with its whole basket", async () => {
    const { vault: deployed } = await connection.ignition.deploy(IndexVaultModule, {
      parameters: parametersFile("blue-chip", "arbitrum-local"),
    });
    const vault = await vaultAt(await deployed.getAddress());
    expect(await vault.asset()).to.equal(local.tokens.USDC.address);
    expect([await vault.name(), await vault.symbol(), await vault.decimals()]).to.deep.equal([
      "Ballast Arbitrum Index",
      "bIDX",
      18n,
    ]);
    // The constructor registered the basket: no timelocked call was made.
    expect(await vault.assets()).to.deep.equal(
      ["USDC", "WETH", "WBTC", "ARB"].map((s) => local.tokens[s as "USDC"].address),
    );
    expect(await vault.timelockDelay()).to.equal(86_400n);
    for (const symbol of ["WETH", "WBTC", "ARB"] as const) {
      expect(await vault.sellPath(local.tokens[symbol].address)).to.equal(routeToBase(local, symbol).toLowerCase());
      expect((await vault.oracleOf(local.tokens[symbol].address)).feed).to.equal(oracleConfigFor(local, symbol).feed);
      expect(await vault.maxWeightBps(local.tokens[symbol].address)).to.equal(5_000n);
    }
    const shares = await depositInto(vault, "USDC", 1_000n * 10n ** 6n);
    expect(shares).to.equal(1_000n * 10n ** 18n);
    expect(await vault.totalAssets()).to.equal(1_000n * 10n ** 6n);
  });

  it("deploys the LST index with lst.arbitrum-local.json: adapters first, then the vault with both LSTs", async () => {
    const deployed = await connection.ignition.deploy(LstIndexModule, {
      parameters: parametersFile("lst", "arbitrum-local"),
    });
    const vault = await vaultAt(await deployed.vault.getAddress());
    expect(await vault.asset()).to.equal(local.tokens.WETH.address);
    expect([await vault.name(), await vault.symbol(), await vault.decimals()]).to.deep.equal([
      "Ballast Arbitrum LST Index",
      "bLST",
      24n, // 18-decimal base plus the 6-decimal virtual offset
    ]);
    const wsteth = (await local.ethers.getContractAt(
      "IFeedAdapter",
      await deployed.wstethUsdFeed.getAddress(),
    )) as unknown as IFeedAdapter;
    const reth = (await local.ethers.getContractAt(
      "IFeedAdapter",
      await deployed.rethUsdFeed.getAddress(),
    )) as unknown as IFeedAdapter;
    // Start prices: ETH $3,000, 1.17 stETH per wstETH, 1.1 ETH per rETH.
    expect((await wsteth.latestRoundData())[1]).to.equal(3_510n * 10n ** 8n);
    expect((await reth.latestRoundData())[1]).to.equal(3_300n * 10n ** 8n);
    const wstethLegs = await wsteth.legs();
    expect(wstethLegs.map((l) => [l.config.feed, l.decimals])).to.deep.equal([
      [local.lstEthFeeds.WSTETH.target, 18n],
      [local.feeds.WETH?.target, 8n],
    ]);
    // Both LSTs were registered by the constructor, priced by the adapters just deployed.
    expect((await vault.oracleOf(local.tokens.WSTETH.address)).feed).to.equal(wsteth.target);
    expect((await vault.oracleOf(local.tokens.RETH.address)).feed).to.equal(reth.target);
    expect(await vault.timelockDelay()).to.equal(86_400n);
    expect(await vault.assets()).to.deep.equal([
      local.tokens.WETH.address,
      local.tokens.WSTETH.address,
      local.tokens.RETH.address,
    ]);
    const [, , pricesUsd] = await vault.portfolio();
    expect(pricesUsd).to.deep.equal([3_000n * 10n ** 8n, 3_510n * 10n ** 8n, 3_300n * 10n ** 8n]);
    const shares = await depositInto(vault, "WETH", 2n * 10n ** 18n);
    expect(shares).to.equal(2n * 10n ** 24n);
    expect(await vault.totalAssets()).to.equal(2n * 10n ** 18n);
  });

  async function vaultAt(address: string): Promise<IndexVault> {
    return (await local.ethers.getContractAt("IndexVault", address)) as unknown as IndexVault;
  }
});
