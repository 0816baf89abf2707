import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { ConfigError } from "../../keeper/src/core/errors.js";
import { currentPrices, followPrices, movePoolToPrice } from "../../keeper/src/devchain/arbitrumLocal.js";
import { timelockedCall, vaultTokenEntries } from "../../keeper/src/devchain/deployVault.js";
import { encodePath } from "../../keeper/src/execution/indexVault/rebalanceOrder.js";
import type { Weights } from "../../keeper/src/execution/portfolioManager.js";
import { routeId, routeMetrics } from "../../keeper/src/market/routeBandit.js";
import type { Keeper } from "../../keeper/src/service/keeper.js";
import { advanceDays, EQUAL, fixedOracle, keeperFor, useWorld } from "./harness.js";

/** The ARB/WETH pool trades ARB this far below its feed before every cycle (it is manipulated). */
const GAP = 0.0035;
const TILTED: Weights = { USDC: 0.01, WETH: 0.37, WBTC: 0.37, ARB: 0.25 };
const CYCLES = 12;
const MARGIN_BPS = 10;

/**
 * Route learning on the local chain: ARB can be sold over the direct ARB/USDC pool (its
 * configured sellPath) or through WETH (a candidate route, once governance registers ARB/WETH).
 * The route through WETH is predicted cheaper (deeper pools), but before every cycle its
 * ARB/WETH pool is pushed below ARB's feed, so its sells realise about GAP more than the model
 * (which prices against the pools) predicts. The keeper's own cycles (real orders, real swaps)
 * teach the bandit to sell over the direct pool instead, every choice stays within the margin,
 * and the arms survive a restart of the keeper.
 */
describe("e2e: route learning avoids a route that realises worse than predicted", function () {
  this.timeout(900_000);
  this.retries(1);
  const h = useWorld();

  it("refuses an unregistered candidate pool, then learns to avoid the manipulated route across a restart", async () => {
    const local = h.world.local;
    const [usdc, weth, arb] = [local.tokens.USDC.address, local.tokens.WETH.address, local.tokens.ARB.address];
    const viaWeth = {
      sellPath: encodePath([arb, weth, usdc], [500, 500]),
      buyPath: encodePath([usdc, weth, arb], [500, 500]),
    };
    const tokens = vaultTokenEntries(local, h.world.deployed).map((t) =>
      t.symbol === "ARB" ? { ...t, routes: [viaWeth] } : t,
    );
    const config = { tokens, routing: { enabled: true, marginBps: MARGIN_BPS, alpha: 1, maxBonusBps: 10 } };
    let target: Weights = EQUAL;
    const dataDir = mkdtempSync(join(tmpdir(), "ballast-routes-"));
    const open = () =>
      keeperFor(
        h.world,
        fixedOracle(() => target),
        { dataDir, config },
      );

    // ARB/WETH is not registered yet: the keeper refuses the candidate, naming the pool.
    const refused = await open().then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).to.be.instanceOf(ConfigError);
    expect((refused as Error).message)
      .to.contain(`fee 500`)
      .and.to.match(new RegExp(arb.slice(2), "i"));
    await timelockedCall(h.world.deployed.vault, h.world.deployed.admin, "setPool", [arb, weth, 500, true]);

    const start = await currentPrices(local);
    const manipulated = local.pools.find((p) => p.key === "ARB/WETH/500");
    if (!manipulated) throw new Error("no ARB/WETH pool");
    const sellDirect = routeId("sell", tokens.find((t) => t.symbol === "ARB")?.sellPath ?? "");
    const sellVia = routeId("sell", viaWeth.sellPath);
    const rows: { cycle: number; route: string; predicted: number; realised: number; scores: string }[] = [];
    const cycle = async (keeper: Keeper, k: number): Promise<void> => {
      if (k > 0) await advanceDays(h.world, 8);
      await followPrices(local, { USDC: 1, WETH: start.WETH, WBTC: start.WBTC, ARB: start.ARB });
      // The manipulation: ARB is cheaper in the ARB/WETH pool than its feed says.
      const arbLow = start.ARB * (1 - GAP);
      const [usd0, usd1] = manipulated.token0 === "ARB" ? [arbLow, start.WETH] : [start.WETH, arbLow];
      await movePoolToPrice(local, manipulated, usd0, usd1);
      target = k % 2 === 0 ? TILTED : EQUAL;
      const ran = await keeper.tick();
      expect(ran?.status, `cycle ${k}: ${ran?.reason ?? ""}`).to.equal("reconciled");
      const id = ran?.id ?? -1;
      const plans = await keeper.store.legPlans(id);
      const legs = await keeper.store.legs(id);
      plans.forEach((plan, i) => {
        if (!plan.route) return;
        // The exploration bound, on what the keeper recorded when it chose.
        const chosen = plan.route.scores.find((s) => s.id === plan.route?.id);
        const best = Math.min(...plan.route.scores.map((s) => s.correctedBps));
        expect(chosen?.correctedBps, `cycle ${k} leg ${i}`).to.be.at.most(best + MARGIN_BPS + 1e-9);
        expect(legs[i]?.route).to.equal(plan.route.id);
        if (plan.side === "sell" && legs[i]?.realisedCostBps !== null && plan.predictedCostBps !== null)
          rows.push({
            cycle: k,
            route: plan.route.id === sellDirect ? "direct" : "via WETH",
            predicted: plan.predictedCostBps,
            realised: legs[i]?.realisedCostBps as number,
            scores: plan.route.scores
              .map(
                (s) =>
                  `${s.id === sellDirect ? "direct" : "via WETH"} ${s.predictedCostBps.toFixed(2)}${s.correctionBps >= 0 ? "+" : ""}${s.correctionBps.toFixed(2)}-${s.bonusBps.toFixed(2)}`,
              )
              .join(", "),
          });
      });
    };

    let { keeper } = await open();
    for (let k = 0; k < CYCLES; k++) await cycle(keeper, k);
    const before = await keeper.store.routeStore.arms();
    await keeper.close();
    // A restart: the arms come back from the store and the next sells still avoid the direct pool.
    ({ keeper } = await open());
    expect(await keeper.store.routeStore.arms()).to.deep.equal(before);
    for (let k = CYCLES; k < CYCLES + 4; k++) await cycle(keeper, k);
    const after = await keeper.store.routeStore.arms();
    await keeper.close();

    for (const r of rows)
      console.log(
        `      cycle ${String(r.cycle).padStart(2)} sell ARB ${r.route.padEnd(8)}: predicted ${r.predicted.toFixed(2)} bps, realised ${r.realised.toFixed(2)} bps (candidates: predicted+correction-bonus ${r.scores})`,
      );
    for (const [route, arm] of after) {
      const m = routeMetrics(route, arm);
      console.log(
        `      ${route === sellDirect ? "sell direct" : route === sellVia ? "sell via WETH" : route.startsWith("buy:") ? `buy ${route.length > 100 ? "via WETH" : "direct"}` : route}: picks ${m.picks}, mean error ${m.meanErrorBps?.toFixed(2)} bps, MAE ${m.meanAbsErrorBps?.toFixed(2)} bps, regret ${m.regretBps.toFixed(2)} bps`,
      );
    }
    const viaRows = rows.filter((r) => r.route === "via WETH");
    expect(rows[0]?.route, "the route predicted cheaper is tried first").to.equal("via WETH");
    for (const r of viaRows) expect(r.realised - r.predicted).to.be.greaterThan(0.6 * GAP * 10_000);
    // Learned: the last sells (after the restart included) all avoid the manipulated route.
    const late = rows.filter((r) => r.cycle >= CYCLES - 4);
    expect(late.length).to.be.at.least(3);
    for (const r of late) expect(r.route, `cycle ${r.cycle}`).to.equal("direct");
    const viaArm = after.get(sellVia);
    if (!viaArm) throw new Error("no arm for the route through WETH");
    expect(routeMetrics(sellVia, viaArm).meanErrorBps).to.be.greaterThan(0.6 * GAP * 10_000);
    expect(after.get(sellDirect)?.picks ?? 0).to.be.at.least(late.length);
  });
});
