import { expect } from "chai";
import { parseKeeperConfig, RECKLESS_LIMITS } from "../../../keeper/src/config/keeperConfig.js";
import { volSteeringConfigSchema } from "../../../keeper/src/config/volSteeringConfig.js";
import { ConfigError } from "../../../keeper/src/core/errors.js";
import type { Strategy } from "../../../keeper/src/core/types.js";
import { steerCycle } from "../../../keeper/src/service/cycleSteering.js";
import { Prng } from "../../../keeper/src/strategy/math/prng.js";
import { volatilityRegime } from "../../../keeper/src/strategy/risk/volatilityLevels.js";
import { VolSteeredStrategy } from "../../../keeper/src/strategy/risk/volSteeredStrategy.js";
import {
  basketLogReturns,
  levelWithHysteresis,
  moveToward,
  steerByVolatility,
} from "../../../keeper/src/strategy/risk/volSteering.js";
import { expectAbsClose } from "../../helpers/approx.js";
import { syntheticPanel, viewAt } from "./syntheticPanel.js";

const ON = volSteeringConfigSchema.parse({ enabled: true });
const OFF = volSteeringConfigSchema.parse({});
const EDGES = [0.25, 0.45, 0.7, 1.0];

/** Hourly returns with constant size so every lookback measures exactly `annual`. */
function flatReturns(count: number, annual: number): Float64Array {
  const r = annual / Math.sqrt(8760);
  return Float64Array.from({ length: count }, (_, k) => (k % 2 === 0 ? r : -r));
}

function gaussian(count: number, annual: number, seed: number): Float64Array {
  const rng = new Prng(seed);
  return Float64Array.from({ length: count }, () => (annual / Math.sqrt(8760)) * rng.normal());
}

describe("strategy/risk: volatility steering", () => {
  it("maps each lookback's annualised vol to the configured level, interval and trade share", () => {
    const cases = [
      [0.1, "very-low", 2, 1],
      [0.35, "low", 1.5, 1],
      [0.6, "medium", 1, 1],
      [0.85, "high", 0.5, 0.5],
      [1.6, "very-high", 0.25, 0.25],
    ] as const;
    for (const [vol, level, interval, fraction] of cases) {
      const s = steerByVolatility(flatReturns(200, vol), "1h", ON, null);
      expect(s.level, `vol ${vol}`).to.equal(level);
      expect(s.intervalMultiplier).to.equal(interval);
      expect(s.tradeFraction).to.equal(fraction);
      expectAbsClose(s.drivingVol as number, vol, 1e-9);
      expect(s.reason).to.include(`${level}; interval ×${interval}`);
    }
  });

  it("measures 1/4/24/168 h on hourly bars and lets the most volatile lookback with enough returns decide", () => {
    // A calm week, then a stressed last four hours: 4h sees it first, 1h has too few returns.
    const returns = flatReturns(200, 0.2);
    const jump = 1.5 / Math.sqrt(8760);
    for (let k = 196; k < 200; k++) returns[k] = k % 2 === 0 ? jump : -jump;
    const s = steerByVolatility(returns, "1h", ON, null);
    expect(s.readings.map((r) => r.lookbackHours)).to.deep.equal([1, 4, 24, 168]);
    expect(s.readings.map((r) => r.returns)).to.deep.equal([1, 4, 24, 168]);
    expect(s.drivingLookbackHours).to.equal(4);
    expect(s.level).to.equal("very-high");
    expect(s.reason).to.match(/^4h vol 150%: very-high/);
    // minReturns 1 lets the single last hour count; it is as volatile as the 4h window here.
    const oneHour = steerByVolatility(returns, "1h", { ...ON, minReturns: 1 }, null);
    expect(oneHour.drivingLookbackHours).to.equal(1);
  });

  it("on daily bars only 168h is measurable (24h is a single return) and decides alone", () => {
    const daily = Float64Array.from({ length: 30 }, (_, k) => ((k % 2 === 0 ? 1 : -1) * 0.8) / Math.sqrt(365));
    const s = steerByVolatility(daily, "24h", ON, null);
    expect(s.readings.map((r) => r.annualisedVol === null)).to.deep.equal([true, true, false, false]);
    expect(s.drivingLookbackHours).to.equal(168);
    expect(s.level).to.equal("high");
  });

  it("holds the previous level inside the hysteresis band and moves once past it, both ways", () => {
    const h = 0.1;
    // 0.72 is above the 0.70 edge but not by 10%: a medium level stays medium.
    expect(levelWithHysteresis(0.72, "medium", EDGES, h)).to.equal("medium");
    expect(levelWithHysteresis(0.77, "medium", EDGES, h)).to.equal("high");
    // Down from high: 0.66 is below 0.70 but not below 0.63.
    expect(levelWithHysteresis(0.66, "high", EDGES, h)).to.equal("high");
    expect(levelWithHysteresis(0.62, "high", EDGES, h)).to.equal("medium");
    // A big jump skips levels; without a previous level there is no band.
    expect(levelWithHysteresis(1.2, "low", EDGES, h)).to.equal("very-high");
    expect(levelWithHysteresis(0.72, null, EDGES, h)).to.equal("high");
    expect(levelWithHysteresis(0.72, "medium", EDGES, 0)).to.equal("high");
    const held = steerByVolatility(flatReturns(200, 0.72), "1h", ON, "medium");
    expect(held.level).to.equal("medium");
    expect(held.reason).to.include("held by hysteresis");
  });

  it("does not flap on a noisy vol that hovers on a threshold", () => {
    // Vol around the 0.70 edge: without hysteresis the level flips often, with 10% it barely does.
    const changes = (cfg: typeof ON) => {
      let level: ReturnType<typeof steerByVolatility>["level"] = null;
      let flips = 0;
      const returns = gaussian(2_000, 0.7, 7);
      for (let t = 168; t <= returns.length; t++) {
        const s = steerByVolatility(returns.subarray(0, t), "1h", { ...cfg, minReturns: 168 }, level);
        if (level !== null && s.level !== level) flips++;
        level = s.level;
      }
      return flips;
    };
    const plain = changes({ ...ON, hysteresis: 0 });
    const damped = changes(ON);
    expect(plain).to.be.greaterThan(10);
    expect(damped).to.be.lessThan(plain / 4);
  });

  it("off: the plain level of the dashboard, today's interval and the full move", () => {
    const returns = flatReturns(200, 0.85);
    const s = steerByVolatility(returns, "1h", OFF, "medium");
    expect(s.level).to.equal(volatilityRegime(returns, "1h").level);
    expect(s.intervalMultiplier).to.equal(1);
    expect(s.tradeFraction).to.equal(1);
    expect(s.reason).to.include("steering off");
    const few = steerByVolatility(new Float64Array(2), "1h", ON, null);
    expect(few.level).to.equal(null);
    expect(few.intervalMultiplier).to.equal(1);
  });

  it("moves a share of the way to the target, sells a removed asset in full and respects caps", () => {
    const current = { USDC: 0.1, WETH: 0.6, WBTC: 0.3, OLD: 0 };
    const target = { USDC: 0.2, WETH: 0.2, WBTC: 0.6 };
    const half = moveToward(current, target, 0.5, ["USDC", "WETH", "WBTC"], () => 1);
    expectAbsClose(half.WETH as number, 0.4, 1e-12);
    expectAbsClose(half.WBTC as number, 0.45, 1e-12);
    expectAbsClose(half.USDC as number, 0.15, 1e-12);
    // ARB held but not eligible (being removed): gone at once; the cash takes it.
    const exiting = moveToward(
      { USDC: 0.1, WETH: 0.5, ARB: 0.4 },
      { USDC: 0, WETH: 1 },
      0.25,
      ["USDC", "WETH"],
      () => 1,
    );
    expect(exiting.ARB).to.equal(undefined);
    expectAbsClose(exiting.WETH as number, 0.625, 1e-12);
    expectAbsClose(exiting.USDC as number, 0.375, 1e-12);
    // A drifted weight above its cap is cut to it, never left above.
    const capped = moveToward(
      { USDC: 0, WETH: 0.7, WBTC: 0.3 },
      { USDC: 0, WETH: 0.5, WBTC: 0.5 },
      0.1,
      ["USDC", "WETH", "WBTC"],
      () => 0.5,
    );
    expect(capped.WETH).to.equal(0.5);
    expect(moveToward(current, target, 1, ["USDC"], () => 1)).to.deep.equal(target);
  });

  it("measures the held basket: cash lowers its volatility", () => {
    const up = Float64Array.from({ length: 10 }, (_, k) => 100 * 1.02 ** k);
    const cash = new Float64Array(10).fill(1);
    const all = basketLogReturns([cash, up], [0, 1], 9, 168);
    const half = basketLogReturns([cash, up], [1, 1], 9, 168);
    expect(all.length).to.equal(9);
    expectAbsClose(all[0] as number, Math.log(1.02), 1e-12);
    expectAbsClose(half[0] as number, Math.log(1.01), 1e-12);
  });

  it("steers the keeper's schedule from the stored level (hysteresis across cycles and restarts)", () => {
    const schedule = { everySeconds: 86_400, driftThresholdBps: 500, pollSeconds: 60, volSteering: ON };
    const calm = steerCycle(schedule, { returns: flatReturns(200, 0.3), freq: "1h" }, null);
    expect(calm.riskLevel).to.equal("low");
    expect(calm.schedule.everySeconds).to.equal(129_600);
    expect(calm.status.vol.map((v) => v.lookbackHours)).to.deep.equal([1, 4, 24, 168]);
    const stressed = steerCycle(schedule, { returns: flatReturns(200, 1.4), freq: "1h" }, calm.status);
    expect(stressed.riskLevel).to.equal("very high");
    expect(stressed.schedule.everySeconds).to.equal(21_600);
    expect(stressed.status.tradeFraction).to.equal(0.25);
    // 0.96 is below the 1.0 edge but within 10%: the stored very-high level holds.
    const after = steerCycle(schedule, { returns: flatReturns(200, 0.96), freq: "1h" }, stressed.status);
    expect(after.riskLevel).to.equal("very high");
    const off = steerCycle({ ...schedule, volSteering: OFF }, { returns: flatReturns(200, 1.4), freq: "1h" }, null);
    expect(off.schedule.everySeconds).to.equal(86_400);
    expect(off.riskLevel).to.equal("very high");
  });

  it("in a backtest, trades on the steered interval and moves the level's share of the way", () => {
    const panel = syntheticPanel(
      [
        { symbol: "USDC", drift: 0, vol: 0 },
        { symbol: "WETH", drift: 0, vol: 0.04 },
        { symbol: "WBTC", drift: 0, vol: 0.03 },
      ],
      400,
      3,
    );
    const always: Strategy = {
      name: "fixed",
      decide: (view) => Float64Array.from(view.panel.assets, (_, i) => (i === 0 ? 0 : 0.5)),
    };
    const base = "USDC";
    const veryHigh = { ...ON, thresholds: [1e-6, 2e-6, 3e-6, 4e-6] as [number, number, number, number] };
    const steered = new VolSteeredStrategy(always, { everyBars: 24, steering: veryHigh, baseSymbol: base });
    const current = { current: Float64Array.from([0.5, 0.25, 0.25]) };
    const first = steered.decide(viewAt(panel, 200, current));
    // Very-high everywhere: a quarter of the way from half cash to 50/50.
    expect(Array.from(first ?? [])).to.deep.equal([0.375, 0.3125, 0.3125]);
    expect(steered.decide(viewAt(panel, 205, current))).to.equal(null);
    // Interval 24 × 0.25 = 6 bars.
    expect(steered.decide(viewAt(panel, 206, current))).to.not.equal(null);
    const plain = new VolSteeredStrategy(always, {
      everyBars: 24,
      steering: { ...veryHigh, enabled: false },
      baseSymbol: base,
    });
    expect(Array.from(plain.decide(viewAt(panel, 200, current)) ?? [])).to.deep.equal([0, 0.5, 0.5]);
    expect(plain.decide(viewAt(panel, 206, current))).to.equal(null);
    expect(plain.decide(viewAt(panel, 224, current))).to.not.equal(null);
  });
});

describe("keeper config: volatility steering", () => {
  const BASE = {
    rpcUrls: ["http://127.0.0.1:8545"],
    chainId: 42161,
    vault: `0x${"11".repeat(20)}`,
    tokens: [
      { symbol: "USDC", address: `0x${"22".repeat(20)}`, decimals: 6 },
      { symbol: "WETH", address: `0x${"33".repeat(20)}`, decimals: 18 },
    ],
  };
  const problems = (schedule: unknown): string => {
    try {
      parseKeeperConfig({ ...BASE, schedule });
    } catch (error) {
      expect(error).to.be.instanceOf(ConfigError);
      return (error as Error).message;
    }
    expect.fail("accepted");
  };

  it("is off by default, with the dashboard's thresholds", () => {
    const config = parseKeeperConfig(BASE);
    expect(config.schedule.volSteering.enabled).to.equal(false);
    expect(config.schedule.volSteering.thresholds).to.deep.equal(EDGES);
  });

  it("refuses unknown keys, a bad level name, non-increasing thresholds and out-of-range values", () => {
    expect(problems({ volSteering: { enable: true } })).to.include('schedule.volSteering: unknown key "enable"');
    expect(problems({ volSteering: { tradeFraction: { calm: 1 } } })).to.include("schedule.volSteering.tradeFraction");
    expect(problems({ volSteering: { thresholds: [0.5, 0.4, 0.7, 1] } })).to.include("thresholds must increase");
    expect(problems({ volSteering: { hysteresis: 0.9 } })).to.include("schedule.volSteering.hysteresis");
    const overshoot = { "very-low": 1, low: 1, medium: 1, high: 1, "very-high": 1.5 };
    expect(problems({ volSteering: { tradeFraction: overshoot } })).to.include(
      "schedule.volSteering.tradeFraction.very-high",
    );
  });

  it("refuses a steered interval under an hour and a crawling trade share unless reckless limits are allowed", () => {
    const steering = {
      enabled: true,
      intervalMultiplier: { "very-low": 2, low: 1, medium: 1, high: 0.5, "very-high": 0.1 },
      tradeFraction: { "very-low": 1, low: 1, medium: 1, high: 0.5, "very-high": 0.05 },
    };
    const msg = problems({ everySeconds: 20_000, volSteering: steering });
    expect(msg).to.include(
      `schedule.volSteering.intervalMultiplier.very-high: ×0.1 makes the interval 2000 s, below ${RECKLESS_LIMITS.minEverySeconds} s`,
    );
    expect(msg).to.include("schedule.volSteering.tradeFraction.very-high: 0.05 is below 0.1");
    expect(msg).to.include("allowRecklessLimits");
    // The same numbers with steering off are not in force, so not refused; with the override, accepted.
    parseKeeperConfig({ ...BASE, schedule: { everySeconds: 20_000, volSteering: { ...steering, enabled: false } } });
    const ok = parseKeeperConfig({
      ...BASE,
      allowRecklessLimits: true,
      schedule: { everySeconds: 20_000, volSteering: steering },
    });
    expect(ok.schedule.volSteering.tradeFraction["very-high"]).to.equal(0.05);
  });
});
