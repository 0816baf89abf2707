import { expect } from "chai";
import { network } from "hardhat";
import { readPoolLiquidity } from "../../../keeper/src/data/poolLiquidity.js";
import { type ArbitrumLocal, deployArbitrumLocal } from "../../../keeper/src/devchain/arbitrumLocal.js";
import { predictPool } from "../../../keeper/src/execution/indexVault/routeLiquidity.js";
import { expectRelClose } from "../../helpers/approx.js";

type Connection = Awaited<ReturnType<typeof network.create>>;

/** The local WETH/USDC pool: half its TVL full range, half in a +-10% band around $3000. */
describe("data/poolLiquidity (local Uniswap V3 pools)", () => {
  let connection: Connection;
  let local: ArbitrumLocal;
  before(async () => {
    connection = await network.create("arbitrumLocal");
    local = await deployArbitrumLocal(connection.ethers);
  });
  after(async () => {
    await connection?.close();
  });

  const wethUsdc = () => {
    const pool = local.pools.find((p) => p.key === "WETH/USDC/500");
    if (!pool) throw new Error("no WETH/USDC pool");
    return pool;
  };

  it("finds the band's edges on both sides and the full-range liquidity beyond them", async () => {
    const state = await readPoolLiquidity(local.ethers.provider, wethUsdc().address, { horizon: 0.15 });
    const priceRatio = (tick: number | null) => 1.0001 ** ((tick ?? Number.NaN) - state.tick);
    // The band spans +-10% of the start price (ticks aligned to the spacing of 10).
    expectRelClose(priceRatio(state.down.edgeTick), 0.9, 0.002, "lower edge");
    expectRelClose(priceRatio(state.up.edgeTick), 1.1, 0.002, "upper edge");
    // Past either edge only the full-range position is left, the same on both sides.
    expect(state.down.beyondLiquidity).to.equal(state.up.beyondLiquidity);
    expect(state.down.beyondLiquidity).to.be.greaterThan(0n);
    expect(state.down.beyondLiquidity).to.be.lessThan(state.liquidity);
    // The band concentrates its half of the TVL: its liquidity far exceeds the full-range half's.
    expect(state.liquidity - state.down.beyondLiquidity).to.be.greaterThan(state.down.beyondLiquidity * 3n);
  });

  it("reports no edge inside a narrower horizon, and where the scan stopped", async () => {
    const state = await readPoolLiquidity(local.ethers.provider, wethUsdc().address, { horizon: 0.05 });
    const horizonTicks = Math.ceil(Math.log(1.05) / Math.log(1.0001));
    expect(state.down).to.deep.equal({ edgeTick: null, beyondLiquidity: 0n, horizonTick: state.tick - horizonTicks });
    expect(state.up).to.deep.equal({ edgeTick: null, beyondLiquidity: 0n, horizonTick: state.tick + horizonTicks });
  });

  it("stops at the first tick it has no budget left to read", async () => {
    // Downward the band's lower edge is the first initialised tick, then the full range's far below.
    const full = await readPoolLiquidity(local.ethers.provider, wethUsdc().address, { horizon: 0.15 });
    const none = await readPoolLiquidity(local.ethers.provider, wethUsdc().address, {
      horizon: 0.15,
      maxTickReads: 0,
    });
    expect(none.down).to.deep.equal({ edgeTick: null, beyondLiquidity: 0n, horizonTick: full.down.edgeTick });
    expect(none.up).to.deep.equal({ edgeTick: null, beyondLiquidity: 0n, horizonTick: full.up.edgeTick });
    const one = await readPoolLiquidity(local.ethers.provider, wethUsdc().address, { horizon: 0.15, maxTickReads: 1 });
    expect(one.down).to.deep.equal(full.down);
    expect(one.up).to.deep.equal(full.up);
  });

  it("every local pool is at the CREATE2 address the keeper predicts (real pool bytecode)", async () => {
    const factory = local.uniswap.factory.target as string;
    expect(local.pools.length).to.be.greaterThan(3);
    for (const pool of local.pools) {
      const [token0, token1, fee] = await Promise.all([
        pool.contract.token0(),
        pool.contract.token1(),
        pool.contract.fee(),
      ]);
      expect(predictPool(factory, token1, token0, Number(fee)), pool.key).to.equal(pool.address);
      expect(await local.uniswap.factory.getPool(token0, token1, fee)).to.equal(pool.address);
    }
  });
});
