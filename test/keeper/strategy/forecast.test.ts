import { expect } from "chai";
import { forecastReturnModel } from "../../../keeper/src/strategy/forecast/forecastReturnModel.js";
import { TrendSeasonalForecaster } from "../../../keeper/src/strategy/forecast/trendSeasonal.js";
import { Prng } from "../../../keeper/src/strategy/math/prng.js";
import { expectAbsClose } from "../../helpers/approx.js";
import { STANDARD_ASSETS, syntheticPanel, viewAt, withDifferentFuture } from "./syntheticPanel.js";

const DAY = 86_400;

function seasonalSeries(bars: number, slope: number, amplitude: number, noise: number, seed: number) {
  const rng = new Prng(seed);
  const t0 = 1_600_000_000 - (1_600_000_000 % DAY);
  const timestamps = Float64Array.from({ length: bars }, (_, k) => t0 + k * DAY);
  const truth = (k: number, ts: number) =>
    4 + slope * k + amplitude * Math.sin((2 * Math.PI * (ts % (7 * DAY))) / (7 * DAY));
  const close = Float64Array.from({ length: bars }, (_, k) =>
    Math.exp(truth(k, timestamps[k]!) + noise * rng.normal()),
  );
  return { timestamps, close, truth };
}

describe("strategy/forecast: trend + seasonality", () => {
  it("recovers a linear trend with weekly seasonality and forecasts it", () => {
    const { timestamps, close, truth } = seasonalSeries(400, 0.002, 0.03, 0.002, 1);
    const f = new TrendSeasonalForecaster({ fitWindow: 180, changepointPenalty: 100, seasonalityPenalty: 0.01 });
    const t = 300;
    expectAbsClose(f.fit(close, timestamps, t)!.residualStd, 0.002, 0.0005);
    for (const h of [1, 3, 7, 14]) {
      const expected = truth(t + h, timestamps[t]! + h * DAY) - truth(t, timestamps[t]!);
      expectAbsClose(f.forecastLogReturn(close, timestamps, t, h), expected, 0.003);
    }
  });

  it("follows a trend break through changepoints", () => {
    const bars = 300;
    const t0 = 1_600_000_000;
    const timestamps = Float64Array.from({ length: bars }, (_, k) => t0 + k * DAY);
    const close = Float64Array.from({ length: bars }, (_, k) =>
      Math.exp(k < 200 ? 0.003 * k : 0.6 - 0.002 * (k - 200)),
    );
    const f = new TrendSeasonalForecaster({
      fitWindow: 180,
      weeklyOrder: 0,
      changepoints: 12,
      changepointPenalty: 0.001,
    });
    expectAbsClose(f.forecastLogReturn(close, timestamps, 290, 10), -0.02, 0.004);
  });

  it("uses no data after the decision bar", () => {
    const panel = syntheticPanel(STANDARD_ASSETS, 300, 3);
    const other = withDifferentFuture(panel, 200, 5);
    const f = new TrendSeasonalForecaster();
    for (let i = 1; i < panel.assets.length; i++) {
      const a = f.forecastLogReturn(panel.close[i]!, panel.timestamps, 200, 7);
      const b = f.forecastLogReturn(other.close[i]!, other.timestamps, 200, 7);
      expect(b).to.equal(a);
    }
    const model = forecastReturnModel({ horizon: 7, shrink: 0.5 });
    const ra = model(viewAt(panel, 200, { untruncated: true }), [1, 2, 3]);
    const rb = model(viewAt(other, 200, { untruncated: true }), [1, 2, 3]);
    expect(Array.from(rb)).to.deep.equal(Array.from(ra));
  });

  it("returns NaN (and the return model 0) when the window has missing prices", () => {
    const { timestamps, close } = seasonalSeries(200, 0.001, 0, 0.01, 2);
    close[150] = Number.NaN;
    expect(new TrendSeasonalForecaster().forecastLogReturn(close, timestamps, 199, 5)).to.be.NaN;
  });
});
