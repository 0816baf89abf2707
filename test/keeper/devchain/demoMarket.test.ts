import { expect } from "chai";
import { generateSyntheticMarket } from "../../../keeper/src/data/synthetic.js";
import { coinGeckoReplay } from "../../../keeper/src/devchain/coinGeckoReplay.js";
import { DemoMarket } from "../../../keeper/src/devchain/demoMarket.js";
import { START_PRICES_USD } from "../../../keeper/src/devchain/marketSpec.js";
import { expectAbsClose, expectRelClose } from "../../helpers/approx.js";

const DAY = 86_400;

describe("devchain/demoMarket: the demo's market on the chain's calendar", () => {
  const source = generateSyntheticMarket({ seed: 5, bars: 30, freq: "24h", assets: ["USDC", "WETH", "ARB"] });
  const t0 = 1_800_000_000 - (1_800_000_000 % DAY);
  const market = new DemoMarket(source, 20, t0);
  const raw = (symbol: string, bar: number) =>
    source.close[source.assets.findIndex((a) => a.symbol === symbol)]?.[bar] as number;

  it("puts bar `start` at day 0 (00:00 UTC) with the local pools' start prices, and keeps the returns", () => {
    expect(market.panel.timestamps[20]).to.equal(t0);
    expect(market.days).to.equal(9);
    const day0 = market.pricesAt(0, ["WETH", "ARB"]);
    expectAbsClose(day0.WETH, START_PRICES_USD.WETH, 1e-9);
    expectAbsClose(day0.ARB, START_PRICES_USD.ARB, 1e-12);
    const ratio = market.pricesAt(3, ["ARB"]).ARB / market.pricesAt(0, ["ARB"]).ARB;
    expectRelClose(ratio, raw("ARB", 23) / raw("ARB", 20), 1e-12);
    expect(() => new DemoMarket(source, 20, t0 + 1)).to.throw("day 0 must start at 00:00 UTC");
  });

  it("is point in time: a day's close holds until the next one closes; nothing outside the panel", () => {
    const day2 = market.pricesAt(2, ["WETH"]).WETH;
    expect(market.priceAt("WETH", t0 + 2 * DAY)).to.equal(day2);
    expect(market.priceAt("WETH", t0 + 3 * DAY - 1)).to.equal(day2);
    expect(market.priceAt("WETH", t0 + 3 * DAY)).to.equal(market.pricesAt(3, ["WETH"]).WETH);
    expectRelClose(
      market.priceAt("WETH", t0 - 20 * DAY),
      (raw("WETH", 0) * START_PRICES_USD.WETH) / raw("WETH", 20),
      1e-12,
    );
    expect(market.priceAt("WETH", t0 - 21 * DAY)).to.be.NaN;
    expect(market.priceAt("WETH", t0 + 10 * DAY)).to.be.NaN;
    expect(market.priceAt("PEPE", t0)).to.be.NaN;
  });

  it("served by the CoinGecko replay, never shows a point after the provider's now", () => {
    let now = t0 + 2 * DAY + 30;
    const replay = coinGeckoReplay({ ids: { weth: "WETH" }, price: (s, t) => market.priceAt(s, t), now: () => now });
    const ask = (from: number, to: number) =>
      JSON.parse(
        replay.handler({
          method: "GET",
          url: `/coins/weth/market_chart/range?vs_currency=usd&from=${from}&to=${to}`,
          headers: {},
          body: "",
        }).body as string,
      ) as { prices: [number, number][] };
    // Asked up to day 5: answered up to day 2's close (hourly points for a short range).
    const short = ask(t0, t0 + 5 * DAY).prices;
    expect(short.at(-1)).to.deep.equal([(t0 + 2 * DAY) * 1000, market.pricesAt(2, ["WETH"]).WETH]);
    expect(short).to.have.length(2 * 24 + 1);
    // A long range comes daily, from the panel's first close on (nothing before it).
    now = t0 + 9 * DAY;
    const long = ask(t0 - 100 * DAY, t0 + 9 * DAY).prices;
    expect(long.map(([ms]) => ms / 1000)).to.deep.equal(Array.from(market.panel.timestamps));
  });
});
