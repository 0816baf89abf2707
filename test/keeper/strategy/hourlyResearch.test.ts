import { expect } from "chai";
import { LazyPointInTimeView } from "../../../keeper/src/backtest/pointInTimeView.js";
import { generateSyntheticMarket } from "../../../keeper/src/data/synthetic.js";
import { buildCandidates } from "../../../keeper/src/research/candidates.js";
import { researchConfigSchema } from "../../../keeper/src/research/researchConfig.js";
import { researchEligibility } from "../../../keeper/src/research/universe.js";
import { VolRegimeOverlay } from "../../../keeper/src/strategy/risk/volRegimeOverlay.js";

describe("hourly research: parameters in days, volatility levels from hourly bars", () => {
  const hourly = researchConfigSchema.parse({ barsPerDay: 24, ppo: { enabled: false } });
  const daily = researchConfigSchema.parse({ ppo: { enabled: false } });

  it("keeps the candidate ids of the daily study and scales schedules-free references to a day", () => {
    const h = buildCandidates(hourly);
    const d = buildCandidates(daily);
    expect(h.map((c) => c.id)).to.deep.equal(d.map((c) => c.id));
    const bh = h.find((c) => c.family === "buy-and-hold")!;
    expect(bh.schedule).to.deep.equal({ label: "24h", decideEveryBars: 24 });
    expect(d.find((c) => c.family === "buy-and-hold")!.schedule.decideEveryBars).to.equal(1);
  });

  it("the volatility overlay reads 1h and 4h volatility on an hourly panel, not on a daily one", () => {
    const panel = generateSyntheticMarket({ seed: 4, bars: 24 * 120, freq: "1h" });
    const overlay = buildCandidates(hourly).find((c) => c.family === "inverse-vol+vol-overlay")!;
    const strategy = overlay.make(panel) as VolRegimeOverlay;
    expect(strategy).to.be.instanceOf(VolRegimeOverlay);
    const t = 24 * 100;
    const eligibility = researchEligibility(panel);
    const view = new LazyPointInTimeView(panel, t, new Float64Array(panel.assets.length), eligibility);
    const target = Float64Array.from(view.eligible, (ok, i) => (ok && panel.assets[i]!.symbol !== "USDC" ? 1 : 0));
    const sum = target.reduce((a, b) => a + b, 0);
    expect(sum).to.be.greaterThan(0);
    const regime = strategy.regimeOf(
      view,
      target.map((x) => x / sum),
    );
    const byHours = new Map(regime.readings.map((r) => [r.lookbackHours, r.annualisedVol]));
    for (const h of [1, 4, 24, 168]) expect(byHours.get(h), `${h}h`).to.be.a("number");
    // On daily bars the same overlay cannot see 1h or 4h volatility.
    const dailyPanel = generateSyntheticMarket({ seed: 4, bars: 200, freq: "24h" });
    const dailyOverlay = buildCandidates(daily).find((c) => c.family === "inverse-vol+vol-overlay")!;
    const dv = new LazyPointInTimeView(
      dailyPanel,
      150,
      new Float64Array(dailyPanel.assets.length),
      researchEligibility(dailyPanel),
    );
    const dailyRegime = (dailyOverlay.make(dailyPanel) as VolRegimeOverlay).regimeOf(
      dv,
      target.map((x) => x / sum),
    );
    expect(dailyRegime.readings.filter((r) => r.annualisedVol === null).map((r) => r.lookbackHours)).to.deep.equal([
      1, 4,
    ]);
    // 60 days of seasoning, in hourly bars.
    expect(eligibility(panel, 24 * 59).filter(Boolean).length).to.equal(1);
    expect(eligibility(panel, 24 * 61).filter(Boolean).length).to.be.greaterThan(1);
  });
});
