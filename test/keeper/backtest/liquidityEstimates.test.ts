import { expect } from "chai";
import { RollingLiquidity, trailingLiquidity } from "../../../keeper/src/backtest/liquidityEstimates.js";
import { expectNear, handPanel, randomPanel, seeded } from "./fixtures.js";

describe("trailing liquidity estimates", () => {
  it("daily volatility and average daily volume over the trailing window, by hand", () => {
    // 4 bars of closes 100, 110, 99, 99 and volumes 10, 20, 30, NaN; window 3 days (daily bars).
    const p = handPanel({ symbols: ["X"], closes: [[100, 110, 99, 99]], volumes: [[10, 20, 30, Number.NaN]] });
    const est = trailingLiquidity(p, 3);
    const r = [0.1, -0.1, 0];
    const mean = 0;
    const sd = Math.sqrt(r.reduce((a, x) => a + (x - mean) ** 2, 0) / 2);
    expectNear(est.sigmaDaily[0]![3]!, sd, 1e-12, "sigma at bar 3");
    expect(est.sigmaDaily[0]![1]).to.be.NaN; // one return only
    expectNear(est.dailyVolumeUsd[0]![2]!, 20, 1e-12, "ADV at bar 2");
    expectNear(est.dailyVolumeUsd[0]![3]!, 25, 1e-12, "ADV at bar 3 ignores the missing bar");
    // Hourly bars: an hourly window of the same length scales to a day by 24 (volume) and sqrt(24) (vol).
    const h = handPanel({
      symbols: ["X"],
      closes: [[100, 110, 99, 99]],
      volumes: [[10, 20, 30, Number.NaN]],
      freq: "1h",
    });
    const eh = trailingLiquidity(h, 3 / 24);
    expectNear(eh.dailyVolumeUsd[0]![3]!, 25 * 24, 1e-9, "hourly ADV");
    expectNear(eh.sigmaDaily[0]![3]!, sd * Math.sqrt(24), 1e-12, "hourly sigma");
  });

  it("keeps the last volume estimate when the source stops reporting", () => {
    const v = [5, 5, 5, Number.NaN, Number.NaN, Number.NaN, Number.NaN];
    const p = handPanel({ symbols: ["X"], closes: [v.map(() => 1)], volumes: [v] });
    const est = trailingLiquidity(p, 2);
    expect(Array.from(est.dailyVolumeUsd[0]!)).to.deep.equal([5, 5, 5, 5, 5, 5, 5]);
    const never = handPanel({ symbols: ["X"], closes: [[1, 1, 1]], volumes: [[Number.NaN, Number.NaN, Number.NaN]] });
    expect(Array.from(trailingLiquidity(never, 2).dailyVolumeUsd[0]!).every(Number.isNaN)).to.equal(true);
  });

  it("on-demand estimates agree with the materialised ones in any query order, and ignore the future", () => {
    const p = randomPanel(3, 3, 400);
    p.volume[1]!.fill(Number.NaN, 200, 330); // a reporting gap longer than the window
    const table = trailingLiquidity(p, 30);
    const rolling = new RollingLiquidity(p, 30);
    const rand = seeded(5);
    for (let q = 0; q < 300; q++) {
      const i = 1 + Math.floor(rand() * 2);
      const t = Math.floor(rand() * 400);
      rolling.at(i, t);
      const sig = table.sigmaDaily[i]![t]!;
      const adv = table.dailyVolumeUsd[i]![t]!;
      if (Number.isNaN(sig)) expect(rolling.sigmaDaily).to.be.NaN;
      else expectNear(rolling.sigmaDaily / sig, 1, 1e-9, `sigma ${i}@${t}`);
      expectNear(rolling.dailyVolumeUsd / adv, 1, 1e-9, `adv ${i}@${t}`);
    }
    const altered = { ...p, close: p.close.map((row) => row.map((x, t) => (t > 250 ? x * 3 : x))) };
    const a = trailingLiquidity(altered, 30);
    expect(Array.from(a.sigmaDaily[1]!.subarray(0, 251))).to.deep.equal(
      Array.from(table.sigmaDaily[1]!.subarray(0, 251)),
    );
  });
});
