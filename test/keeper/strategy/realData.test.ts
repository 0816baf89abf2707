import { existsSync } from "node:fs";
import { expect } from "chai";
import type { MarketPanel } from "../../../keeper/src/core/types.js";
import { loadMarketCsv } from "../../../keeper/src/data/csv.js";
import { buildCandidates } from "../../../keeper/src/research/candidates.js";
import { researchConfigSchema } from "../../../keeper/src/research/researchConfig.js";
import { researchBlocks } from "../../../keeper/src/research/runResearch.js";
import { researchEligibility } from "../../../keeper/src/research/universe.js";
import { expectAbsClose } from "../../helpers/approx.js";
import { viewAt } from "./syntheticPanel.js";

const DATA = "../shared/data/market_daily.csv";

describe("strategy: every candidate on the real daily data", () => {
  let panel: MarketPanel;
  before(function () {
    if (!existsSync(DATA)) {
      console.log("skipped: ../shared/data absent");
      this.skip();
    }
    panel = loadMarketCsv(DATA).panel;
  });

  it("the test block is the last third", () => {
    const blocks = researchBlocks(panel, researchConfigSchema.parse({}));
    const T = panel.timestamps.length;
    expect(blocks.test.to).to.equal(T - 1);
    expectAbsClose(blocks.test.to - blocks.test.from + 1, T / 3, 2);
    expect(blocks.validation.to).to.be.below(blocks.test.from);
  });

  it("gives valid weights (sum 1, >= 0, zero where ineligible or unpriced) at sampled bars", () => {
    const eligibility = researchEligibility(panel);
    const cfg = researchConfigSchema.parse({ schedules: [{ label: "24h", decideEveryBars: 1 }] });
    for (const t of [100, 400, 800, 1200, 1460]) {
      const view0 = viewAt(panel, t);
      const eligible = eligibility(view0.panel, t);
      for (const c of buildCandidates(cfg)) {
        const w = c.make(panel).decide(viewAt(panel, t, { eligible }));
        if (w === null) continue;
        expectAbsClose(
          w.reduce((a, b) => a + b, 0),
          1,
          1e-9,
          `${c.id} at ${t}`,
        );
        w.forEach((x, i) => {
          expect(x, `${c.id} at ${t}`).to.be.at.least(0);
          if (!eligible[i] || !(panel.close[i]![t]! > 0))
            expect(x, `${c.id} ${panel.assets[i]!.symbol} at ${t}`).to.equal(0);
        });
      }
    }
  });
});
