/**
 * The volatility steering on the local chain: the keeper reads the held basket's 1/4/24/168 h
 * volatility from replayed hourly bars (a panel served point in time through StrategyOracle,
 * since the live market layer keeps daily bars only), and a jump from calm to stressed moves
 * the next rebalance earlier and shrinks the trade to the level's share of the move.
 */
import { expect } from "chai";
import type { TokenSymbol } from "../../keeper/src/config/addressBook.js";
import type { MarketPanel } from "../../keeper/src/core/types.js";
import { currentPrices, followPrices } from "../../keeper/src/devchain/arbitrumLocal.js";
import { StrategyOracle } from "../../keeper/src/execution/strategyOracle.js";
import { expectAbsClose } from "../helpers/approx.js";
import { advanceDays, EQUAL, fixedOracle, keeperFor, useWorld } from "./harness.js";

const HOUR = 3_600;
const DAY = 86_400;
const SYMBOLS = ["USDC", "WETH", "WBTC", "ARB"] as const;

/**
 * Hourly closes from `start` (400 h of history before it) to 10 days after: a calm market at
 * 20% annualised volatility, then 150% from `jumpAt` on. Returns alternate in sign, so every
 * window measures its regime's volatility exactly.
 */
function hourlyReplay(start: number, jumpAt: number, prices: Readonly<Record<string, number>>): MarketPanel {
  const first = Math.floor(start / HOUR) * HOUR - 400 * HOUR;
  const bars = 400 + 10 * 24;
  const timestamps = Float64Array.from({ length: bars }, (_, k) => first + k * HOUR);
  const close = SYMBOLS.map((symbol) => {
    const row = new Float64Array(bars);
    row[0] = prices[symbol] ?? 1;
    for (let k = 1; k < bars; k++) {
      const annual = timestamps[k]! > jumpAt ? 1.5 : 0.2;
      const r = symbol === "USDC" ? 0 : ((k % 2 === 0 ? 1 : -1) * annual) / Math.sqrt(8_760);
      row[k] = row[k - 1]! * Math.exp(r);
    }
    return row;
  });
  return {
    freq: "1h",
    timestamps,
    assets: SYMBOLS.map((symbol) => ({ symbol, category: symbol === "USDC" ? "stablecoin" : "l1", decimals: 18 })),
    close,
    volume: SYMBOLS.map(() => new Float64Array(bars).fill(1e7)),
  };
}

describe("e2e: volatility steering on the local chain", () => {
  const h = useWorld();

  it("a volatility jump in the hourly replay shortens the schedule and trades a quarter of the move", async () => {
    const chainNow = async () => (await h.world.local.ethers.provider.getBlock("latest"))?.timestamp ?? 0;
    const t0 = await chainNow();
    const prices = await currentPrices(h.world.local);
    const panel = hourlyReplay(t0, t0 + 3 * DAY, prices);
    const view = new StrategyOracle({ name: "replay", decide: () => null }, panel, [...SYMBOLS]);
    let target = EQUAL;
    const { keeper, lines } = await keeperFor(
      h.world,
      fixedOracle(() => target),
      {
        // A drift trigger out of the way: the schedule alone decides when the keeper trades.
        config: {
          schedule: {
            everySeconds: 7 * DAY,
            driftThresholdBps: 5_000,
            pollSeconds: 1,
            volSteering: { enabled: true },
          },
        },
        basketReturns: (t, holdings) => view.basketReturns(t, holdings),
      },
    );
    const refreshFeeds = async () =>
      followPrices(h.world.local, (await currentPrices(h.world.local)) as Partial<Record<TokenSymbol, number>>);

    // First cycle: the vault holds only cash (no volatility), so it trades all of the move.
    const first = await keeper.tick();
    expect(first?.status, first?.reason ?? "").to.equal("reconciled");
    expect((await keeper.store.status()).steering?.tradeFraction).to.equal(1);

    // A calm day later: the basket's 24h and 168h vol is ~20%, "very low", interval 7 d × 2.
    await advanceDays(h.world, 1);
    await refreshFeeds();
    expect(await keeper.tick()).to.equal(null);
    const calm = await keeper.store.status();
    expect(calm.riskLevel).to.equal("very low");
    expect(calm.steering?.intervalSeconds).to.equal(14 * DAY);
    expect(calm.nextRunAt).to.equal((first?.startedAt ?? 0) + 14 * DAY);
    const calmVol = calm.steering?.vol.find((v) => v.lookbackHours === 168)?.annualised ?? 0;
    expect(calmVol).to.be.within(0.15, 0.25);

    // Half a day into the jump (3.5 d after the trade): "very high", interval 7 d × 0.25 = 1.75 d,
    // so the rebalance is due now, and it trades a quarter of the way to a de-risked target.
    target = { USDC: 0.31, WETH: 0.23, WBTC: 0.23, ARB: 0.23 };
    await advanceDays(h.world, 2.5);
    await refreshFeeds();
    const before = await keeper.store.currentWeights();
    const stressed = await keeper.tick();
    expect(stressed, "the jump made the rebalance due").to.not.equal(null);
    expect(stressed?.status, stressed?.reason ?? "").to.equal("reconciled");
    const status = await keeper.store.status();
    expect(status.riskLevel).to.equal("very high");
    expect(status.steering?.intervalSeconds).to.equal(Math.round(1.75 * DAY));
    expect(status.steering?.tradeFraction).to.equal(0.25);
    expect(status.steering?.reason).to.match(/vol \d+%: very-high; interval ×0.25, trades 25% of the move/);
    // The cycle aimed a quarter of the way from the held weights to the strategy's target (the
    // weights read at this cycle's start may differ from the last tick's by a bp or two).
    const aimed = stressed?.targetWeights ?? {};
    const expected = (before.USDC ?? 0) + 0.25 * (0.31 - (before.USDC ?? 0));
    expectAbsClose(aimed.USDC ?? 0, expected, 5e-4);
    for (const s of ["WETH", "WBTC", "ARB"]) {
      expectAbsClose(aimed[s] ?? 0, (before[s] ?? 0) + 0.25 * (0.23 - (before[s] ?? 0)), 5e-4, s);
    }
    const after = await keeper.store.currentWeights();
    expectAbsClose(after.USDC ?? 0, expected, 0.01);
    expect(after.USDC ?? 0).to.be.lessThan(0.2);
    // Logged with the level and the reason; exposed on /metrics.
    expect(lines.some((l) => l.includes('"volatility level"') && l.includes('"level":"very high"'))).to.equal(true);
    expect(lines.some((l) => l.includes("volatility steering: trading part of the move"))).to.equal(true);
    const metrics = await keeper.deps.metrics.render();
    expect(metrics).to.include(`keeper_rebalance_interval_seconds ${Math.round(1.75 * DAY)}`);
    expect(metrics).to.include("keeper_trade_fraction_ratio 0.25");
    expect(metrics).to.match(/keeper_basket_volatility_annualised_ratio\{lookback_hours="4"\} 1\.4\d/);
    await keeper.close();
  });

  it("with steering off, the same replay leaves today's 7-day schedule and the full move", async () => {
    const t0 = (await h.world.local.ethers.provider.getBlock("latest"))?.timestamp ?? 0;
    const panel = hourlyReplay(t0, t0 + 3 * DAY, await currentPrices(h.world.local));
    const view = new StrategyOracle({ name: "replay", decide: () => null }, panel, [...SYMBOLS]);
    const { keeper } = await keeperFor(
      h.world,
      fixedOracle(() => EQUAL),
      {
        config: { schedule: { everySeconds: 7 * DAY, driftThresholdBps: 5_000, pollSeconds: 1 } },
        basketReturns: (t, holdings) => view.basketReturns(t, holdings),
      },
    );
    const first = await keeper.tick();
    expect(first?.status, first?.reason ?? "").to.equal("reconciled");
    await advanceDays(h.world, 3.5);
    await followPrices(h.world.local, (await currentPrices(h.world.local)) as Partial<Record<TokenSymbol, number>>);
    expect(await keeper.tick(), "not due: the jump only changes the label").to.equal(null);
    const status = await keeper.store.status();
    expect(status.riskLevel).to.equal("very high");
    expect(status.steering?.enabled).to.equal(false);
    expect(status.steering?.intervalSeconds).to.equal(7 * DAY);
    expect(status.steering?.tradeFraction).to.equal(1);
    expect(status.nextRunAt).to.equal((first?.startedAt ?? 0) + 7 * DAY);
    await keeper.close();
  });
});
