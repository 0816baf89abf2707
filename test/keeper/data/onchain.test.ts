import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { expect } from "chai";
import { network } from "hardhat";
import { ProviderError } from "../../../keeper/src/core/errors.js";
import { poolPrice, readChainlinkFeed, readUniswapV3Pool } from "../../../keeper/src/data/onchain.js";

const require = createRequire(import.meta.url);
const factoryArtifact = JSON.parse(
  readFileSync(
    require.resolve("@uniswap/v3-core/artifacts/contracts/UniswapV3Factory.sol/UniswapV3Factory.json"),
    "utf8",
  ),
) as { abi: unknown[]; bytecode: string };

type Connection = Awaited<ReturnType<typeof network.create>>;

describe("data/onchain (Hardhat in-process chain)", () => {
  let connection: Connection;
  before(async () => {
    connection = await network.create();
  });
  after(async () => {
    await connection.close();
  });

  it("reads a Chainlink AggregatorV3 answer, decimals and timestamp", async () => {
    const { ethers } = connection;
    const feed = await ethers.deployContract("MockAggregatorV3", [8, "ETH / USD", 3_512_34_000_000n]);
    const answer = await readChainlinkFeed(ethers.provider, await feed.getAddress());
    expect(answer.answer).to.equal(3_512_34_000_000n);
    expect(answer.decimals).to.equal(8);
    expect(answer.price).to.equal(3512.34);
    expect(answer.description).to.equal("ETH / USD");
    expect(answer.roundId).to.equal(1n);
    const block = await ethers.provider.getBlock("latest");
    expect(answer.updatedAt).to.equal(block?.timestamp);

    await (await feed.getFunction("setRound")(-5n, 100n, 200n)).wait();
    const stale = await readChainlinkFeed(ethers.provider, await feed.getAddress());
    expect(stale.answer).to.equal(-5n);
    expect(stale.updatedAt).to.equal(200);
    expect(stale.roundId).to.equal(2n);
  });

  it("reads real Uniswap V3 pool state: sqrtPriceX96, tick, liquidity, fee, tokens", async () => {
    const { ethers } = connection;
    const [deployer] = await ethers.getSigners();
    const usdc = await ethers.deployContract("MockERC20", ["USD Coin", "USDC", 6]);
    const weth = await ethers.deployContract("MockERC20", ["Wrapped Ether", "WETH", 18]);
    const factory = await new ethers.ContractFactory(
      factoryArtifact.abi as never,
      factoryArtifact.bytecode,
      deployer,
    ).deploy();
    const [a, b] = [await usdc.getAddress(), await weth.getAddress()];
    await (await factory.getFunction("createPool")(a, b, 500)).wait();
    const poolAddress = (await factory.getFunction("getPool")(a, b, 500)) as string;

    // Price 3000 USDC per WETH. Uniswap orders tokens by address; raw price = token1 per token0.
    const wethIsToken0 = b.toLowerCase() < a.toLowerCase();
    const raw = wethIsToken0 ? 3000 * 10 ** (6 - 18) : (1 / 3000) * 10 ** (18 - 6);
    const sqrtPriceX96 = BigInt(Math.round(Math.sqrt(raw) * 2 ** 48)) * 2n ** 48n;
    const pool = new ethers.Contract(poolAddress, ["function initialize(uint160)"], deployer);
    await (await pool.getFunction("initialize")(sqrtPriceX96)).wait();

    const state = await readUniswapV3Pool(ethers.provider, poolAddress);
    expect(state.fee).to.equal(500);
    expect(state.sqrtPriceX96).to.equal(sqrtPriceX96);
    expect(state.liquidity).to.equal(0n); // no positions minted yet
    expect([state.token0, state.token1].sort()).to.deep.equal([a, b].sort());
    const [dec0, dec1] = wethIsToken0 ? [18, 6] : [6, 18];
    const price = poolPrice(state, dec0, dec1);
    // (Plain comparisons: the toolbox's closeTo only takes integers.)
    expect(Math.abs((wethIsToken0 ? price : 1 / price) - 3000)).to.be.lessThan(1e-6);
    // The tick agrees with the price: 1.0001^tick ~= raw price, to within one tick.
    expect(Math.abs(1.0001 ** state.tick / raw - 1)).to.be.lessThan(1e-4);
  });

  it("wraps failed reads in ProviderError", async () => {
    const { ethers } = connection;
    const notAFeed = await ethers.deployContract("MockERC20", ["X", "X", 18]);
    let caught: unknown;
    try {
      await readChainlinkFeed(ethers.provider, await notAFeed.getAddress());
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(ProviderError);
    let bad: unknown;
    try {
      await readUniswapV3Pool(ethers.provider, "0x1234");
    } catch (err) {
      bad = err;
    }
    expect(bad).to.be.instanceOf(ProviderError);
  });
});
