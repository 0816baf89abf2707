import { expect } from "chai";
import { runWalkForward, walkForwardWindows } from "../../../keeper/src/backtest/walkForward.js";
import { ConfigError } from "../../../keeper/src/core/errors.js";
import type { MarketPanel, Strategy } from "../../../keeper/src/core/types.js";
import { equalWeight } from "../../../keeper/src/strategy/baselines/simple.js";
import { looseRules, randomPanel, zeroCosts } from "./fixtures.js";

describe("walk-forward windows", () => {
  it("rolling: fixed-length train + validation sliding by the test length", () => {
    const w = walkForwardWindows({ mode: "rolling", trainBars: 50, validationBars: 10, testBars: 20 }, 0, 119);
    expect(
      w.map((x) => [x.train.from, x.train.to, x.validation.from, x.validation.to, x.test.from, x.test.to]),
    ).to.deep.equal([
      [0, 49, 50, 59, 60, 79],
      [20, 69, 70, 79, 80, 99],
      [40, 89, 90, 99, 100, 119],
    ]);
  });

  it("expanding: train always starts at the beginning; the last test block is clipped", () => {
    const w = walkForwardWindows({ mode: "expanding", trainBars: 30, testBars: 25 }, 10, 99);
    expect(w.map((x) => [x.train.from, x.train.to, x.test.from, x.test.to])).to.deep.equal([
      [10, 39, 40, 64],
      [10, 64, 65, 89],
      [10, 89, 90, 99],
    ]);
    for (const x of w) expect(x.validation.from).to.be.greaterThan(x.validation.to); // empty
  });

  it("the classic 66% / 33% split is one setting", () => {
    const [w, ...rest] = walkForwardWindows({ mode: "split" }, 0, 299);
    expect(rest).to.have.length(0);
    expect(w!.train).to.deep.equal({ from: 0, to: 197 });
    expect(w!.test).to.deep.equal({ from: 198, to: 299 });
    expect(() => walkForwardWindows({ mode: "rolling", trainBars: 500, testBars: 10 }, 0, 99)).to.throw(ConfigError);
  });

  it("fits each window on its past only and trades the stitched test blocks as one run", () => {
    const panel = randomPanel(21, 4, 160);
    const fittedOn: number[] = [];
    const factory = (_w: unknown, history: MarketPanel): Strategy => {
      fittedOn.push(history.timestamps.length);
      return equalWeight({ rebalanceEveryBars: 10 });
    };
    const { windows, result } = runWalkForward({
      panel,
      costs: zeroCosts(4),
      rules: looseRules(4),
      baseAssetIndex: 0,
      factory,
      config: { mode: "rolling", trainBars: 40, validationBars: 20, testBars: 50 },
    });
    expect(windows.map((w) => w.test.from)).to.deep.equal([60, 110]);
    // History handed to the factory ends right before each test block.
    expect(fittedOn).to.deep.equal([60, 110]);
    expect(result.from).to.equal(60);
    expect(result.to).to.equal(159);
    expect(result.nav.length).to.equal(100);
    expect(result.rebalances.some((e) => e.decidedAt >= 110)).to.equal(true);
  });
});
