import { expect } from "chai";
import { learnLegs } from "../../../keeper/src/market/routeBandit.js";
import type { RouteView } from "../../../keeper/src/service/readModel.js";
import { loadDashboardSeries } from "../../helpers/dashboardSeries.js";
import { useStoreServer } from "./storeServer.js";

const ARB = "0x912ce59144191c1204e64559fe8253a0e49e6548";
const WETH = "0x82af49447d8a07e3bd95bd0d56f35241523fbab1";
const USDC = "0xaf88d065e77c8cc2239327c5edb3a432268e5831";
const hop = (fee: number) => fee.toString(16).padStart(6, "0");
/** Uniswap V3 paths: ARB -0.05%-> USDC, and ARB -0.05%-> WETH -0.05%-> USDC. */
const DIRECT = `0x${ARB.slice(2)}${hop(500)}${USDC.slice(2)}`;
const VIA_WETH = `0x${ARB.slice(2)}${hop(500)}${WETH.slice(2)}${hop(500)}${USDC.slice(2)}`;
const FEATURES = { sizeOverLiquidity: 0.02, volLevel: 2, gasGwei: 0.01 };

interface SeriesModule {
  routeCells(view: { routes: RouteView[] } | null): Record<string, string>[] | null;
}

function loadSeries(): SeriesModule {
  return loadDashboardSeries<SeriesModule>();
}

/** /api/routes and the dashboard's Routes rows, from a real (in-memory) keeper store. */
describe("service/http routes (route learning)", () => {
  const h = useStoreServer("routes-api-test-token");

  async function getRoutes(): Promise<RouteView[]> {
    const res = await fetch(`${h.url}/api/routes`);
    expect(res.status).to.equal(200);
    return ((await res.json()) as { routes: RouteView[] }).routes;
  }

  it("is empty before any route was learned, and the panel says so", async () => {
    expect(await getRoutes()).to.deep.equal([]);
    expect(loadSeries().routeCells({ routes: [] })).to.equal(null);
  });

  it("serves each learned route decoded, with its picks, errors and regret", async () => {
    const direct = `sell:${DIRECT}`;
    const viaWeth = `sell:${VIA_WETH}`;
    const scores = [
      { id: viaWeth, predictedCostBps: 31, correctionBps: 0, bonusBps: 2, correctedBps: 31, eligible: true },
      { id: direct, predictedCostBps: 43, correctionBps: 0, bonusBps: 2, correctedBps: 43, eligible: true },
    ];
    // Cycle 1 tried the two-hop route: predicted 31, realised 66 (regret 66 - 43 = 23).
    await h.store.routeStore.learn(1, 1_000, (arms) =>
      learnLegs(arms, [{ route: viaWeth, features: FEATURES, scores, predictedCostBps: 31, realisedCostBps: 66 }]),
    );
    // Cycles 2 and 3 took the direct route: predicted 43, realised 43 and 44.
    for (const [cycle, realised] of [
      [2, 43],
      [3, 44],
    ] as const)
      await h.store.routeStore.learn(cycle, 1_000 + cycle, (arms) =>
        learnLegs(arms, [
          { route: direct, features: FEATURES, scores, predictedCostBps: 43, realisedCostBps: realised },
        ]),
      );

    // Regret is against the best other route's corrected prediction at choice time (31 here, as the
    // scores were given): (43 - 31) + (44 - 31) = 25 for the direct route.
    const routes = await getRoutes();
    expect(routes.map((r) => r.route)).to.deep.equal([direct.toLowerCase(), viaWeth.toLowerCase()].sort());
    const byId = new Map(routes.map((r) => [r.route, r]));
    const d = byId.get(direct.toLowerCase());
    const v = byId.get(viaWeth.toLowerCase());
    expect(d).to.include({
      side: "sell",
      picks: 2,
      updates: 2,
      meanErrorBps: 0.5,
      meanAbsErrorBps: 0.5,
      regretBps: 25,
    });
    expect(d?.tokens.map((t) => t.toLowerCase())).to.deep.equal([ARB, USDC]);
    expect(d?.fees).to.deep.equal([500]);
    expect(v).to.include({ side: "sell", picks: 1, updates: 1, meanErrorBps: 35, meanAbsErrorBps: 35, regretBps: 23 });
    expect(v?.tokens.map((t) => t.toLowerCase())).to.deep.equal([ARB, WETH, USDC]);

    const cells = loadSeries().routeCells({ routes });
    expect(cells).to.have.length(2);
    const row = cells?.find((c) => c.picks === "1");
    expect(row).to.include({ side: "sell", updates: "1", meanError: "35.0 bps", regret: "23.0 bps" });
    expect(row?.path?.toLowerCase()).to.equal("0x912c…6548 –0.05%→ 0x82af…bab1 –0.05%→ 0xaf88…5831");
  });

  it("exposes each route's picks, mean absolute error and regret, and each refit, as /metrics gauges", async () => {
    const metrics = async () => (await fetch(`${h.url}/metrics`)).text();
    // Nothing learned, nothing refitted: no route series at all.
    expect(await metrics()).to.not.match(/^keeper_(route|impact_refit)_\w+\{/m);
    const direct = `sell:${DIRECT}`.toLowerCase();
    const viaWeth = `sell:${VIA_WETH}`.toLowerCase();
    const scores = [
      { id: viaWeth, predictedCostBps: 31, correctionBps: 0, bonusBps: 2, correctedBps: 31, eligible: true },
      { id: direct, predictedCostBps: 43, correctionBps: 0, bonusBps: 2, correctedBps: 43, eligible: true },
    ];
    await h.store.routeStore.learn(1, 1_000, (arms) =>
      learnLegs(arms, [
        { route: viaWeth, features: FEATURES, scores, predictedCostBps: 31, realisedCostBps: 66 },
        { route: direct, features: FEATURES, scores, predictedCostBps: 43, realisedCostBps: 41 },
      ]),
    );
    // The refits the last cycle sized with, as the keeper records them.
    await h.store.setState({
      impactRefits: [{ route: direct, side: "sell", fills: 12, scale: 1.25, offsetBps: 3.5, weight: 12 / 17 }],
    });
    const text = await metrics();
    const sample = (name: string, route: string) =>
      new RegExp(`^${name}\\{side="sell",route="${route}"\\} (\\S+)$`, "m").exec(text)?.[1];
    expect(sample("keeper_route_picks", viaWeth)).to.equal("1");
    expect(sample("keeper_route_picks", direct)).to.equal("1");
    expect(sample("keeper_route_mean_abs_error_bps", viaWeth)).to.equal("35");
    expect(sample("keeper_route_mean_abs_error_bps", direct)).to.equal("2");
    // Regret against the best other candidate's corrected prediction: 66 - 43 and 41 - 31.
    expect(sample("keeper_route_regret_bps", viaWeth)).to.equal("23");
    expect(sample("keeper_route_regret_bps", direct)).to.equal("10");
    expect(sample("keeper_impact_refit_scale", direct)).to.equal("1.25");
    expect(sample("keeper_impact_refit_offset_bps", direct)).to.equal("3.5");
    expect(sample("keeper_impact_refit_fills", direct)).to.equal("12");
    // Only refitted routes have refit series.
    expect(sample("keeper_impact_refit_scale", viaWeth)).to.equal(undefined);
    expect(text).to.include("# TYPE keeper_route_picks gauge");
  });
});
