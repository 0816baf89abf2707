import { expect } from "chai";
import { network } from "hardhat";
import type { ArbitrumLocal } from "../../keeper/src/devchain/arbitrumLocal.js";
import {
  advanceTime,
  currentPrices,
  deployArbitrumLocal,
  followPrices,
  fund,
  setFeedPrice,
  setSequencerStatus,
} from "../../keeper/src/devchain/arbitrumLocal.js";
import { LOCAL_POOLS, START_PRICES_USD } from "../../keeper/src/devchain/marketSpec.js";
import { forkConfigured, startArbitrumLocal } from "../../keeper/src/devchain/start.js";
import { usd0FromSqrtPriceX96 } from "../../keeper/src/devchain/uniswapMath.js";
import type { MockERC20 } from "../../types/ethers-contracts/index.js";
import { expectRelClose } from "../helpers/approx.js";

describe("arbitrum-local", () => {
  let local: ArbitrumLocal;

  before(async () => {
    const { ethers } = await network.create("arbitrumLocal");
    local = await deployArbitrumLocal(ethers);
  });

  async function erc20(symbol: keyof ArbitrumLocal["tokens"]): Promise<MockERC20> {
    return (await local.ethers.getContractAt("MockERC20", local.tokens[symbol].address)) as unknown as MockERC20;
  }

  it("runs on Arbitrum's chain id with Arbitrum's token decimals and symbols", async () => {
    expect(local.chainId).to.equal(42161n);
    expect(await (await erc20("USDC")).decimals()).to.equal(6n);
    expect(await (await erc20("WBTC")).decimals()).to.equal(8n);
    expect(await (await erc20("WSTETH")).symbol()).to.equal("wstETH");
    expect(await (await erc20("RETH")).symbol()).to.equal("rETH");
    expect(await (await erc20("ARB")).decimals()).to.equal(18n);
  });

  it("creates every pool at its starting price with in-range liquidity", async () => {
    expect(local.pools).to.have.length(LOCAL_POOLS.length);
    for (const pool of local.pools) {
      const [sqrtPriceX96] = await pool.contract.slot0();
      const usd0 = usd0FromSqrtPriceX96(
        sqrtPriceX96,
        local.tokens[pool.token0].decimals,
        local.tokens[pool.token1].decimals,
        START_PRICES_USD[pool.token1],
      );
      expectRelClose(usd0, START_PRICES_USD[pool.token0], 1e-6, pool.key);
      expect(await pool.contract.liquidity(), pool.key).to.be.greaterThan(0n);
      expect(await pool.contract.fee()).to.equal(BigInt(pool.fee));
    }
  });

  it("swaps through SwapRouter exactly as QuoterV2 predicted", async () => {
    const [, , trader] = await local.ethers.getSigners();
    if (!trader) throw new Error("missing signer");
    const usdc = await erc20("USDC");
    const amountIn = 100_000n * 10n ** 6n;
    await fund(local, trader.address, "USDC", amountIn);
    const pool = local.pools.find((p) => p.key === "WETH/USDC/500");
    if (!pool) throw new Error("missing pool");
    const params = {
      tokenIn: local.tokens.USDC.address,
      tokenOut: local.tokens.WETH.address,
      amountIn,
      fee: 500,
      sqrtPriceLimitX96: 0n,
    };
    const [quotedOut, quotedSqrtPriceAfter] = await local.uniswap.quoter.quoteExactInputSingle.staticCall(params);
    const weth = await local.ethers.getContractAt("WETH9", local.tokens.WETH.address);
    const wethBefore = await weth.balanceOf(trader.address);
    await (await usdc.connect(trader).approve(await local.uniswap.router.getAddress(), amountIn)).wait();
    const deadline = BigInt((await local.ethers.provider.getBlock("latest"))?.timestamp ?? 0) + 60n;
    await (
      await local.uniswap.router.connect(trader).exactInputSingle({
        tokenIn: params.tokenIn,
        tokenOut: params.tokenOut,
        fee: 500,
        recipient: trader.address,
        deadline,
        amountIn,
        amountOutMinimum: quotedOut,
        sqrtPriceLimitX96: 0n,
      })
    ).wait();
    expect((await weth.balanceOf(trader.address)) - wethBefore).to.equal(quotedOut);
    expect(await usdc.balanceOf(trader.address)).to.equal(0n);
    const [sqrtAfter] = await pool.contract.slot0();
    expect(sqrtAfter).to.equal(quotedSqrtPriceAfter);
    // $100k into a ~$40M pool at 3000 USD/ETH: about 33.3 ETH less fee and a little impact.
    const ethOut = Number(quotedOut) / 1e18;
    expect(ethOut).to.be.lessThan((100_000 / 3000) * 0.9995);
    expect(ethOut).to.be.greaterThan((100_000 / 3000) * 0.99);
  });

  it("feeds report what was set, and the sequencer feed reports its status", async () => {
    await setFeedPrice(local, "LINK", 17.25);
    const [, answer, , updatedAt] = await (local.feeds.LINK ?? expect.fail("no LINK feed")).latestRoundData();
    expect(answer).to.equal(1_725_000_000n);
    const block = await local.ethers.provider.getBlock("latest");
    expect(updatedAt).to.equal(BigInt(block?.timestamp ?? -1));
    expect(await local.feeds.LINK?.decimals()).to.equal(8n);

    await setSequencerStatus(local, false);
    const [, down] = await local.sequencerFeed.latestRoundData();
    expect(down).to.equal(1n);
    await setSequencerStatus(local, true);
    const [, up] = await local.sequencerFeed.latestRoundData();
    expect(up).to.equal(0n);
  });

  it("follows a price path: pools and feeds land on each step's prices", async () => {
    const path = [
      { WETH: 3150, ARB: 1.1, WSTETH: 3690 },
      { WETH: 2700, ARB: 0.85, WSTETH: 3160 },
      { WETH: 2950, ARB: 0.95, WSTETH: 3450 },
    ];
    for (const step of path) {
      await followPrices(local, step);
      await advanceTime(local, 86_400);
      const prices = await currentPrices(local);
      expectRelClose(prices.WETH, step.WETH, 1e-9, "WETH feed");
      for (const pool of local.pools) {
        const [sqrtPriceX96] = await pool.contract.slot0();
        const implied = usd0FromSqrtPriceX96(
          sqrtPriceX96,
          local.tokens[pool.token0].decimals,
          local.tokens[pool.token1].decimals,
          prices[pool.token1],
        );
        expectRelClose(implied, prices[pool.token0], 1e-6, `${pool.key} at WETH=${step.WETH}`);
      }
    }
  });

  it("advances time", async () => {
    const before = (await local.ethers.provider.getBlock("latest"))?.timestamp ?? 0;
    await advanceTime(local, 3600);
    const after = (await local.ethers.provider.getBlock("latest"))?.timestamp ?? 0;
    expect(after - before).to.be.greaterThanOrEqual(3600);
  });

  it("rejects a non-positive price", async () => {
    let error: unknown;
    try {
      await followPrices(local, { ARB: 0 });
    } catch (e) {
      error = e;
    }
    expect(String(error)).to.match(/must be positive/);
  });
});

describe("arbitrum-local fork mode", () => {
  it("attaches to Arbitrum One's real Uniswap pools at the pinned block", async function () {
    if (!forkConfigured()) {
      console.log("    skipped: set ARBITRUM_RPC_URL to run fork-mode tests (no network here)");
      this.skip();
    }
    const { local, close } = await startArbitrumLocal();
    try {
      expect(local.mode).to.equal("fork");
      expect(local.pools.length).to.be.greaterThan(0);
      const [, answer] = await (local.feeds.WETH ?? expect.fail("no WETH feed")).latestRoundData();
      expect(answer).to.be.greaterThan(0n);
    } finally {
      await close();
    }
  });
});
