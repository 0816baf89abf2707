import { expect } from "chai";
import { panelUpTo } from "../../../keeper/src/core/types.js";
import type { MarketReading } from "../../../keeper/src/data/live/liveMarket.js";
import { generateSyntheticMarket } from "../../../keeper/src/data/synthetic.js";
import { LiveOracle } from "../../../keeper/src/execution/liveOracle.js";

describe("live oracle: basket returns for the volatility steering", () => {
  const panel = generateSyntheticMarket({ seed: 3, bars: 400, freq: "1h" });
  const symbols = panel.assets.map((a) => a.symbol);

  it("reads the market at most once per refresh interval between rebalances, and keeps the last accepted panel when refused", async () => {
    const asked: number[] = [];
    let refuse = false;
    const oracle = new LiveOracle({
      name: "equal",
      market: {
        snapshot: async (now): Promise<MarketReading> => {
          asked.push(now);
          if (refuse) return { ok: false, code: "stale", reason: "stale", newestBarAt: null };
          const t = panel.timestamps.findLastIndex((ts) => ts <= now);
          return { ok: true, panel: panelUpTo(panel, t), bars: {}, newestBarAt: now, chainlinkUsd: {}, warning: null };
        },
      },
      strategy: () => ({ name: "none", decide: () => null }),
      venueSymbols: symbols,
    });
    const t0 = panel.timestamps[300] as number;
    const first = await oracle.basketReturnsAt(t0, {});
    expect(first?.freq).to.equal("1h");
    expect(first?.returns.length).to.equal(168);
    // A poll a minute later uses the same snapshot; an hour later takes a new one.
    await oracle.basketReturnsAt(t0 + 60, {});
    expect(asked).to.deep.equal([t0]);
    const later = await oracle.basketReturnsAt(t0 + 3_600, {});
    expect(asked).to.deep.equal([t0, t0 + 3_600]);
    // The new snapshot holds the newer bar: the window ends one bar later.
    expect(later?.returns[166]).to.equal(first?.returns[167]);
    // A refused reading keeps the last accepted panel for the volatility.
    refuse = true;
    const kept = await oracle.basketReturnsAt(t0 + 7_200, {});
    expect(asked.length).to.equal(3);
    expect(kept?.returns[167]).to.equal(later?.returns[167]);
  });

  it("has nothing to measure before any snapshot was accepted", async () => {
    const oracle = new LiveOracle({
      name: "equal",
      market: { snapshot: async () => ({ ok: false, code: "no-data", reason: "none", newestBarAt: null }) },
      strategy: () => ({ name: "none", decide: () => null }),
      venueSymbols: symbols,
    });
    expect(await oracle.basketReturnsAt(1_000_000, {})).to.equal(null);
  });
});
