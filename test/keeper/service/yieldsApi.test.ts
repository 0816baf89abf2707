import { expect } from "chai";
import type { YieldPlan, YieldsView } from "../../../keeper/src/service/readModel.js";
import { expectAbsClose } from "../../helpers/approx.js";
import { loadDashboardSeries } from "../../helpers/dashboardSeries.js";
import { useStoreServer } from "./storeServer.js";

const DAY = 86_400;
const T0 = 1_700_000_000;
/** A basket whose strategy counts release priors: wstETH and rETH grow in their rate, stETH rebases. */
const PLAN: YieldPlan = {
  strategy: "mean-variance+yield(g=5)",
  assets: [
    { asset: "WETH", source: "none", pool: null, apy: null, rewardHaircut: null, asOf: null, accrual: null },
    { asset: "WSTETH", source: "prior", pool: null, apy: 0.04, rewardHaircut: null, asOf: T0, accrual: "price" },
    { asset: "RETH", source: "prior", pool: null, apy: 0.035, rewardHaircut: null, asOf: T0, accrual: "price" },
    { asset: "STETH", source: "prior", pool: null, apy: 0.04, rewardHaircut: null, asOf: T0, accrual: "balance" },
  ],
};

interface SeriesModule {
  yieldCells(
    view: YieldsView | null,
  ): { asset: string; used: string; realised: string; gap: string; note: string }[] | null;
}

function loadSeries(): SeriesModule {
  return loadDashboardSeries<SeriesModule>();
}

/** /api/yields, its gauges and the dashboard's rows, from a real (in-memory) keeper store. */
describe("service/http yields", () => {
  const h = useStoreServer("yields-api-test-token");

  async function getYields(): Promise<YieldsView> {
    const res = await fetch(`${h.url}/api/yields`);
    expect(res.status).to.equal(200);
    return (await res.json()) as YieldsView;
  }

  it("before a keeper wrote a plan: no strategy, no yield data", async () => {
    expect(await getYields()).to.deep.equal({ strategy: null, usesYields: false, assets: [] });
  });

  it("serves the APY used beside the realised growth of the rate between the first and last snapshot", async () => {
    await h.store.setState({ yieldPlan: PLAN, yieldRateIssues: {} });
    const source = "wstETH / USD: leg 0 0xfeed of 0xadapter";
    // wstETH's rate grows 2% in half a year: 1.02^2 - 1 = 4.04% a year; the middle reading does not count.
    await h.store.yieldStore.record([
      { asset: "WSTETH", t: T0, rate: 1.2, source },
      { asset: "RETH", t: T0, rate: 1.1, source: "rETH / USD" },
    ]);
    await h.store.yieldStore.record([{ asset: "WSTETH", t: T0 + 90 * DAY, rate: 1.5, source }]);
    await h.store.yieldStore.record([{ asset: "WSTETH", t: T0 + 182.5 * DAY, rate: 1.2 * 1.02, source }]);
    const view = await getYields();
    expect(view.strategy).to.equal(PLAN.strategy);
    expect(view.usesYields).to.equal(true);
    expect(view.assets.map((a) => a.asset)).to.deep.equal(["WETH", "WSTETH", "RETH", "STETH"]);
    const [weth, wst, reth, st] = view.assets;
    expect(weth).to.include({ source: "none", apy: null, realised: null });
    expect(wst).to.include({ source: "prior", apy: 0.04, asOf: T0, accrual: "price", realisedReason: null });
    expectAbsClose(wst?.realised ?? Number.NaN, 0.0404, 1e-12);
    expect(wst?.rate).to.deep.equal({
      source,
      from: T0,
      to: T0 + 182.5 * DAY,
      firstRate: 1.2,
      lastRate: 1.2 * 1.02,
      snapshots: 3,
    });
    expect(reth).to.include({ apy: 0.035, realised: null, realisedReason: "one rate snapshot so far: needs two" });
    expect(st).to.include({ realised: null, realisedReason: "a rebasing balance: no exchange rate to measure" });

    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).to.include('keeper_asset_apy_used_ratio{asset="WSTETH"} 0.04\n');
    expect(metrics).to.include('keeper_asset_apy_used_ratio{asset="RETH"} 0.035\n');
    expect(metrics).to.not.include('keeper_asset_apy_used_ratio{asset="WETH"}');
    const realised = /keeper_asset_yield_realised_ratio\{asset="WSTETH"\} (\S+)\n/.exec(metrics);
    expectAbsClose(Number(realised?.[1]), 0.0404, 1e-12);
    expect(metrics).to.not.include('keeper_asset_yield_realised_ratio{asset="RETH"}');

    const cells = loadSeries().yieldCells(view);
    expect(cells?.map((c) => [c.asset, c.used, c.realised, c.gap])).to.deep.equal([
      ["WETH", "–", "–", "–"],
      ["WSTETH", "4.00%", "4.04%", "-0.04%"],
      ["RETH", "3.50%", "–", "–"],
      ["STETH", "4.00%", "–", "–"],
    ]);
    expect(cells?.[1]?.note).to.equal("3 snapshots, 2023-11-14 to 2024-05-15");
  });

  it("says why a rate is missing, and shows no yield data for a strategy that counts none", async () => {
    await h.store.setState({
      yieldPlan: PLAN,
      yieldRateIssues: { WSTETH: "its feed 0x01 is not a rate adapter (no legs())" },
    });
    const view = await getYields();
    expect(view.assets[1]).to.include({
      realised: null,
      realisedReason: "its feed 0x01 is not a rate adapter (no legs())",
    });
    const plain: YieldPlan = { strategy: "inverse-vol", assets: [PLAN.assets[0] as YieldPlan["assets"][number]] };
    await h.store.setState({ yieldPlan: plain });
    const none = await getYields();
    expect(none).to.deep.include({ strategy: "inverse-vol", usesYields: false });
    expect(loadSeries().yieldCells(none)).to.equal(null);
    expect(await (await fetch(`${h.url}/metrics`)).text()).to.not.match(/^keeper_asset_apy_used_ratio\{/m);
  });

  it("rejects other methods on /api/yields", async () => {
    expect((await fetch(`${h.url}/api/yields`, { method: "POST" })).status).to.equal(405);
  });
});
