import { expect } from "chai";
import { network } from "hardhat";
import { poolReadHint, readPoolLiquidity } from "../../../keeper/src/data/poolLiquidity.js";
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

  describe("read hints (reads issued with the state, used only where the fresh state asks for them)", () => {
    const depth = (r: Awaited<ReturnType<typeof readPoolLiquidity>>) => ({
      tick: r.tick,
      liquidity: r.liquidity,
      token0: r.token0,
      token1: r.token1,
      fee: r.fee,
      down: r.down,
      up: r.up,
    });

    it("poolReadHint: the words cover a scan from any tick within one horizon; ticks only from those words, nearest first", () => {
      const spacing = 10;
      const horizonTicks = Math.ceil(Math.log(1.05) / Math.log(1.0001));
      const hint = poolReadHint(0, spacing, 0.05, [5_000_000, -30, 70, 20], undefined, 2);
      for (const tick of [-horizonTicks, 0, horizonTicks]) {
        for (const end of [tick - horizonTicks, tick + horizonTicks]) {
          expect(hint.words).to.include(Math.floor(end / spacing) >> 8, `tick ${tick}, scan end ${end}`);
        }
      }
      // A tick far outside the words is dropped; the two nearest of the rest are kept.
      expect(hint.ticks).to.deep.equal([20, -30]);
      expect(hint.immutables).to.equal(undefined);
    });

    it("a hint from the previous read covers every word and tick, and changes nothing read", async () => {
      const fresh = await readPoolLiquidity(local.ethers.provider, wethUsdc().address, { horizon: 0.15 });
      expect(fresh.report.missedWords).to.be.greaterThan(0);
      expect(fresh.report.missedTicks).to.be.greaterThan(0);
      const hinted = await readPoolLiquidity(local.ethers.provider, wethUsdc().address, {
        horizon: 0.15,
        hint: fresh.report.next,
      });
      expect(hinted.report.missedWords).to.equal(0);
      expect(hinted.report.missedTicks).to.equal(0);
      expect(depth(hinted)).to.deep.equal(depth(fresh));
    });

    it("tick moved out of the hinted words: the missing words and ticks are read, the depth is the fresh one", async () => {
      const fresh = await readPoolLiquidity(local.ethers.provider, wethUsdc().address, { horizon: 0.15 });
      // A hint seen 20000 ticks away (7.4x the price): none of its words is one the scan needs now.
      const moved = poolReadHint(fresh.tick + 20_000, 10, 0.15, fresh.report.next.ticks);
      expect(moved.words.some((w) => fresh.report.next.words.includes(w))).to.equal(false);
      const hinted = await readPoolLiquidity(local.ethers.provider, wethUsdc().address, { horizon: 0.15, hint: moved });
      expect(hinted.report.missedWords).to.be.greaterThan(0);
      // The moved hint keeps no tick outside its own words: the ticks are found and read afresh.
      expect(moved.ticks).to.deep.equal([]);
      expect(hinted.report.missedTicks).to.be.greaterThan(0);
      expect(depth(hinted)).to.deep.equal(depth(fresh));
      // The next hint is centred on the fresh tick again.
      expect(hinted.report.next.words).to.deep.equal(fresh.report.next.words);
    });

    it("bitmap changed: hinted ticks no longer initialised are ignored, new ones are read", async () => {
      const fresh = await readPoolLiquidity(local.ethers.provider, wethUsdc().address, { horizon: 0.15 });
      const ticks = fresh.report.next.ticks;
      expect(ticks.length).to.be.greaterThan(1);
      // The hint remembers one real tick and one that is not initialised (as after a burn + mint).
      const stale = { words: fresh.report.next.words, ticks: [ticks[0] as number, (ticks[0] as number) + 10] };
      const hinted = await readPoolLiquidity(local.ethers.provider, wethUsdc().address, { horizon: 0.15, hint: stale });
      expect(hinted.report.missedWords).to.equal(0);
      // Unhinted, every tick the scan reads is a miss: with the hint, all but the one it had right.
      expect(hinted.report.missedTicks).to.equal(fresh.report.missedTicks - 1);
      expect(depth(hinted)).to.deep.equal(depth(fresh));
    });

    it("pool liquidity changed since the hint: the depth follows the pool, not the hint", async () => {
      const pool = wethUsdc();
      const before = await readPoolLiquidity(local.ethers.provider, pool.address, { horizon: 0.15 });
      const snapshot = (await local.ethers.provider.send("evm_snapshot", [])) as string;
      try {
        // Halve the in-range liquidity in storage (slot 4 of UniswapV3Pool: uint128 liquidity).
        const halved = before.liquidity / 2n;
        await local.ethers.provider.send("hardhat_setStorageAt", [
          pool.address,
          "0x4",
          `0x${halved.toString(16).padStart(64, "0")}`,
        ]);
        const after = await readPoolLiquidity(local.ethers.provider, pool.address, {
          horizon: 0.15,
          hint: before.report.next,
        });
        expect(after.liquidity).to.equal(halved);
        expect(after.report.missedWords).to.equal(0);
        expect(after.report.missedTicks).to.equal(0);
        const unhinted = await readPoolLiquidity(local.ethers.provider, pool.address, { horizon: 0.15 });
        expect(depth(after)).to.deep.equal(depth(unhinted));
        expect(after.down.beyondLiquidity).to.not.equal(before.down.beyondLiquidity);
      } finally {
        await local.ethers.provider.send("evm_revert", [snapshot]);
      }
    });
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
