import { expect } from "chai";
import { keeperConfigSchema } from "../../../keeper/src/config/keeperConfig.js";
import { parseMarketCsv } from "../../../keeper/src/data/csv.js";
import { checkMarket, type MarketGuardConfig, type MarketVerdict } from "../../../keeper/src/data/marketGuard.js";
import { Rng } from "../../../keeper/src/data/rng.js";

const DAY = 86_400;
const CONFIG: MarketGuardConfig = { maxBarAgeSeconds: 36 * 3_600, maxJumpBps: 2_500, confirmToleranceBps: 500 };
const BASKET = ["WETH", "WBTC"];

/** A daily market CSV: 10 days of USDC, WETH and WBTC; `edit` changes cells of the last day. */
function csv(last: Partial<Record<string, string>> = {}, drop: readonly string[] = []): string {
  const lines = ["date,symbol,close_usd"];
  const start = Date.UTC(2024, 0, 1) / 1000;
  for (let d = 0; d < 10; d++) {
    const date = new Date((start + d * DAY) * 1000).toISOString().slice(0, 10);
    const prices: Record<string, string> = { USDC: "1", WETH: String(3000 + 10 * d), WBTC: String(60_000 - 100 * d) };
    for (const [symbol, price] of Object.entries(prices)) {
      if (drop.includes(symbol)) continue;
      lines.push(`${date},${symbol},${d === 9 ? (last[symbol] ?? price) : price}`);
    }
  }
  return lines.join("\n");
}

function verdict(
  text: string,
  options: { lateBy?: number; chainlinkUsd?: Record<string, number> } = {},
): MarketVerdict {
  const { panel } = parseMarketCsv(text);
  // The keeper's clock an hour after the newest bar closed, unless told otherwise.
  const asOf = (panel.timestamps.at(-1) as number) + (options.lateBy ?? 3_600);
  return checkMarket(
    { panel, asOf, ...(options.chainlinkUsd ? { chainlinkUsd: options.chainlinkUsd } : {}) },
    BASKET,
    CONFIG,
    ["USDC"],
  );
}

function held(v: MarketVerdict): { check: string; reason: string } {
  if (v.ok) throw new Error("expected a hold");
  return { check: v.check, reason: v.reason };
}

describe("data/marketGuard", () => {
  it("passes fresh, complete, positive data and vouches for every checked asset", () => {
    const v = verdict(csv());
    expect(v.ok).to.equal(true);
    if (!v.ok) return;
    expect(v.ageSeconds).to.equal(3_600);
    expect([...v.vouched].sort()).to.deep.equal(["USDC", "WBTC", "WETH"]);
  });

  it("holds when a basket asset has no row in the market data", () => {
    const v = held(verdict(csv({}, ["WBTC"])));
    expect(v.check).to.equal("missing-asset");
    expect(v.reason).to.contain("WBTC");
  });

  it("holds on a zero, a negative and a non-numeric price on the newest bar", () => {
    for (const bad of ["0", "-5", "abc"]) {
      const v = held(verdict(csv({ WETH: bad })));
      expect(v.check, bad).to.equal("bad-price");
      expect(v.reason).to.match(/WETH has no positive finite price/);
    }
  });

  it("holds on data older than the limit, relative to the keeper's clock", () => {
    expect(verdict(csv(), { lateBy: 36 * 3_600 }).ok).to.equal(true);
    const v = held(verdict(csv(), { lateBy: 36 * 3_600 + 1 }));
    expect(v.check).to.equal("stale");
    expect(v.reason).to.contain("older than");
  });

  it("holds when there is no bar at or before the clock", () => {
    const { panel } = parseMarketCsv(csv());
    const v = held(checkMarket({ panel, asOf: (panel.timestamps[0] as number) - 1 }, BASKET, CONFIG));
    expect(v.check).to.equal("no-bar");
  });

  it("holds on a jump beyond the bound unless the vault's Chainlink price confirms it", () => {
    // WETH 3,080 -> 9,000: a bad tick, or a real move Chainlink would show.
    const jump = csv({ WETH: "9000" });
    const unconfirmed = held(verdict(jump));
    expect(unconfirmed.check).to.equal("unconfirmed-jump");
    expect(unconfirmed.reason).to.match(/WETH moved \d+ bps .*no Chainlink price/);
    expect(held(verdict(jump, { chainlinkUsd: { WETH: 3_085 } })).check).to.equal("unconfirmed-jump");
    expect(verdict(jump, { chainlinkUsd: { WETH: 8_800 } }).ok).to.equal(true);
  });

  it("measures a jump from the last valid close when bars are missing in between", () => {
    const text = csv().replace(/^2024-01-09,WETH,.*$/m, "2024-01-09,WETH,");
    expect(verdict(text).ok).to.equal(true);
    const { panel } = parseMarketCsv(text.replace(/^2024-01-10,WETH,.*$/m, "2024-01-10,WETH,5000"));
    const asOf = (panel.timestamps.at(-1) as number) + 60;
    const v = held(checkMarket({ panel, asOf }, BASKET, CONFIG));
    expect(v.check).to.equal("unconfirmed-jump");
  });

  it("accepts every move within the bound and holds every move beyond it (seeded, bounded fuzz)", () => {
    const rng = new Rng(13);
    for (let k = 0; k < 200; k++) {
      const moveBps = Math.round((rng.uniform() * 2 - 1) * 5_000);
      if (moveBps <= -9_999 || Math.abs(moveBps) === CONFIG.maxJumpBps) continue;
      const prev = 3_080;
      const price = prev * (1 + moveBps / 10_000);
      const v = verdict(csv({ WETH: String(price) }));
      expect(v.ok, `move ${moveBps} bps`).to.equal(Math.abs(moveBps) < CONFIG.maxJumpBps);
    }
  });

  it("has documented defaults in the keeper config", () => {
    const market = keeperConfigSchema.shape.market.parse(undefined);
    expect(market).to.include({ maxBarAgeSeconds: 129_600, maxJumpBps: 2_500, confirmToleranceBps: 500 });
  });
});
