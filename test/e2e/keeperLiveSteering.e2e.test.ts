/**
 * The volatility steering on the keeper's live market path (`openSession`, as `keeper run`):
 * daily bars from a CoinGecko-format replay server, Chainlink feeds on the local chain. The live
 * layer keeps daily bars only, so the 168 h lookback is the one that decides; a jump in the
 * replayed closes moves the next rebalance earlier and shrinks the trade.
 */
import { expect } from "chai";
import { openSession } from "../../keeper/src/cli/commands/keeperSession.js";
import type { TokenSymbol } from "../../keeper/src/config/addressBook.js";
import { parseKeeperConfig } from "../../keeper/src/config/keeperConfig.js";
import { followPrices } from "../../keeper/src/devchain/arbitrumLocal.js";
import { type ReplayServer, startReplayServer } from "../../keeper/src/devchain/replayServer.js";
import { expectAbsClose } from "../helpers/approx.js";
import { coinGeckoReplay, DAY } from "../keeper/data/live/marketReplay.js";
import { advanceDays, configFor, KEYS_ENV, memoryLogger, useWorld } from "./harness.js";

const SYMBOLS = ["USDC", "WETH", "WBTC", "ARB"] as const;
const BASE: Record<string, number> = { USDC: 1, WETH: 3_000, WBTC: 60_000, ARB: 1 };

describe("e2e: volatility steering on live daily market data", () => {
  const h = useWorld();
  let server: ReplayServer;
  /**
   * Daily log closes on a triangle wave (up two days, down two: no one-day reversal for the
   * spike filter to flag), 0.5% a day (about 10% a year) before `jumpAt`; after it WETH moves
   * 20% a day, WBTC 10% and ARB 5%, so inverse-vol also wants a different basket.
   */
  let jumpAt = Number.POSITIVE_INFINITY;
  const tri = (day: number) => [0, 1, 2, 1][((day % 4) + 4) % 4] as number;
  const price = (symbol: string, t: number): number => {
    const day = Math.floor(t / DAY);
    const jumpDay = Math.floor(jumpAt / DAY);
    const stress: Record<string, number> = { WETH: 0.2, WBTC: 0.1, ARB: 0.05 };
    const x = 0.005 * tri(day) + (day > jumpDay ? (stress[symbol] ?? 0) * (tri(day) - tri(jumpDay)) : 0);
    return symbol === "USDC" ? 1 : (BASE[symbol] ?? 1) * Math.exp(x);
  };
  const replay = coinGeckoReplay(price);

  before(async () => {
    server = await startReplayServer((req) => replay.handler(req));
  });
  after(async () => {
    await server.close();
  });

  it("a jump in the replayed daily closes shortens the schedule and trades a quarter of the move", async () => {
    const chainNow = async () => (await h.world.local.ethers.provider.getBlock("latest"))?.timestamp ?? 0;
    // The feeds follow the newest closed bar, so the live data and Chainlink agree.
    const refreshFeeds = async () => {
      const close = Math.floor((await chainNow()) / DAY) * DAY;
      const prices = Object.fromEntries(SYMBOLS.map((s) => [s, price(s, close)]));
      await followPrices(h.world.local, prices as Partial<Record<TokenSymbol, number>>);
    };
    const t0 = await chainNow();
    jumpAt = Math.floor(t0 / DAY) * DAY + 2 * DAY;
    await refreshFeeds();
    const config = parseKeeperConfig(
      configFor(h.world, {
        strategy: { name: "inverse-vol", maxWeight: 0.5 },
        market: { source: "coingecko", historyBars: 60, maxBarAgeSeconds: 36 * 3_600, maxChainlinkDeviation: 0.03 },
        schedule: { everySeconds: 7 * DAY, driftThresholdBps: 5_000, pollSeconds: 1, volSteering: { enabled: true } },
      }),
    );
    const { logger, lines } = memoryLogger();
    const env = { ...KEYS_ENV, COINGECKO_BASE_URL: server.baseUrl, HTTP_RETRIES: "0", HTTP_TIMEOUT_MS: "2000" };
    const session = await openSession({}, config, env, { logger });
    const { keeper } = session;
    try {
      const first = await keeper.tick();
      expect(first?.status, first?.reason ?? "").to.equal("reconciled");

      // Calm, a day later: the 168 h vol of the held basket is ~10%, very low: 14-day interval.
      await advanceDays(h.world, 1);
      await refreshFeeds();
      expect(await keeper.tick()).to.equal(null);
      const calm = await keeper.store.status();
      expect(calm.riskLevel).to.equal("very low");
      expect(calm.steering?.intervalSeconds).to.equal(14 * DAY);
      // Daily bars: 1 h and 4 h cannot be measured, 24 h is one return (too few to count).
      expect(calm.steering?.vol.map((v) => v.annualised === null)).to.deep.equal([true, true, false, false]);
      expect(calm.steering?.reason).to.match(/^168h vol \d+%: very-low/);

      // Five days of 10% moves: very high, interval 1.75 d; 6 d since the trade, so due now.
      await advanceDays(h.world, 5);
      await refreshFeeds();
      const stressed = await keeper.tick();
      expect(stressed, "the jump made the rebalance due").to.not.equal(null);
      expect(stressed?.status, stressed?.reason ?? "").to.equal("reconciled");
      const status = await keeper.store.status();
      expect(status.riskLevel).to.equal("very high");
      expect(status.steering?.intervalSeconds).to.equal(Math.round(1.75 * DAY));
      expect(status.steering?.tradeFraction).to.equal(0.25);
      // The cycle aimed a quarter of the way from the weights held at its start to the strategy's
      // target (asked again at the same chain time: the same snapshot, the same answer).
      const startedAt = stressed?.startedAt ?? 0;
      const held = (await keeper.store.compositionHistory()).find((p) => p.t === startedAt)?.weights ?? {};
      const wanted = await session.oracle.targetWeights({
        now: startedAt,
        currentWeights: held,
        universe: [...SYMBOLS],
      });
      expect(wanted).to.not.equal(null);
      const want = wanted as Record<string, number>;
      const aimed = stressed?.targetWeights ?? {};
      let moved = 0;
      for (const s of ["WETH", "WBTC", "ARB"]) {
        const from = held[s] ?? 0;
        expectAbsClose(aimed[s] ?? 0, from + 0.25 * ((want[s] ?? 0) - from), 1e-9, s);
        moved += Math.abs((want[s] ?? 0) - from);
      }
      // Not a trivial check: the strategy wanted a real move (WETH is now the most volatile).
      expect(moved).to.be.greaterThan(0.1);
      expect(want.WETH ?? 0).to.be.lessThan(held.WETH ?? 0);
      expectAbsClose(
        Object.values(aimed).reduce((a, b) => a + b, 0),
        1,
        1e-9,
      );
      expect(lines.some((l) => l.includes('"volatility level"') && l.includes('"level":"very high"'))).to.equal(true);
    } finally {
      await session.close();
    }
  });
});
