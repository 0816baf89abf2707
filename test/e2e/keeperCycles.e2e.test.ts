import { expect } from "chai";
import { followPrices } from "../../keeper/src/devchain/arbitrumLocal.js";
import type { LegRecord } from "../../keeper/src/service/readModel.js";
import { advanceDays, EQUAL, fixedOracle, keeperFor, useWorld } from "./harness.js";

describe("e2e: keeper cycles on the local chain", function () {
  // Known flake (1 in ~4 full-suite runs on a loaded 2-core machine): the first tick returned
  // no cycle. Retried once while the cause is investigated; the diagnostic below says why.
  this.retries(1);
  const h = useWorld();

  it("runs several signed rebalances with real swaps and reconciles each", async () => {
    let target = EQUAL;
    const { keeper } = await keeperFor(
      h.world,
      fixedOracle(() => target),
    );
    const first = await keeper.tick();
    expect(first, `no cycle ran: ${JSON.stringify(await keeper.store.status())}`).to.not.equal(null);
    expect(first?.status, first?.reason ?? "").to.equal("reconciled");
    expect(first?.nonce).to.equal("0");
    expect(Number(first?.gasUsed)).to.be.greaterThan(100_000);
    expect(await keeper.store.fillCount(first?.id ?? -1)).to.equal(3);
    expectPredictedNearRealised(await keeper.store.legs(first?.id ?? -1));
    await advanceDays(h.world, 8);
    await followPrices(h.world.local, { USDC: 1, WETH: 3300, WBTC: 57_000, ARB: 1.2 });
    target = { USDC: 0.01, WETH: 0.49, WBTC: 0.25, ARB: 0.25 };
    const second = await keeper.tick();
    expect(second?.status, second?.reason ?? "").to.equal("reconciled");
    expect(second?.nonce).to.equal("1");
    expectPredictedNearRealised(await keeper.store.legs(second?.id ?? -1));
    expect(await h.world.deployed.vault.rebalanceNonce()).to.equal(2n);
    const weights = await keeper.store.currentWeights();
    expect(Math.abs((weights.WETH ?? 0) - 0.49)).to.be.lessThan(0.015);
    expect((await keeper.store.navHistory()).length).to.be.at.least(2);
    await keeper.close();
  });
});

/**
 * The sizing's predicted cost (fees + impact from the pools' on-chain liquidity) against the
 * realised one (value out vs value in at Chainlink prices). The local pools sit exactly at the
 * feed prices, so the two should agree to within rounding; the band allows for the model's
 * conservative pricing past a liquidity edge.
 */
function expectPredictedNearRealised(legs: readonly LegRecord[]): void {
  expect(legs.length).to.be.greaterThan(0);
  for (const leg of legs) {
    const { predictedCostBps: predicted, realisedCostBps: realised } = leg;
    expect(predicted, `leg ${leg.legIndex} has no prediction`).to.be.a("number");
    expect(realised, `leg ${leg.legIndex} has no realised cost`).to.be.a("number");
    const gap = Math.abs((predicted as number) - (realised as number));
    expect(gap, `leg ${leg.legIndex}: predicted ${predicted} bps, realised ${realised} bps`).to.be.at.most(
      Math.max(2, 0.1 * (realised as number)),
    );
  }
}
