/**
 * The Arbitrum vault's keeper shows its venue the way the venue keeper shows HyperLiquid and
 * Starknet: `/api/status` carries `venue` (name, where, the account as signed weights, the last
 * cycle's legs as venue-neutral orders with how each ended) and `/metrics` the per-market
 * notional. Real vault, real swaps on the local chain.
 */
import { expect } from "chai";
import type { TokenSymbol } from "../../keeper/src/config/addressBook.js";
import { InvalidInputError } from "../../keeper/src/core/errors.js";
import { currentPrices, setFeedPrice } from "../../keeper/src/devchain/arbitrumLocal.js";
import type { Weights } from "../../keeper/src/execution/portfolioManager.js";
import { registerReadModelMetrics } from "../../keeper/src/service/http/metrics.js";
import { expectAbsClose, expectRelClose } from "../helpers/approx.js";
import { advanceDays, EQUAL, fixedOracle, keeperFor, useWorld } from "./harness.js";

describe("e2e: the Arbitrum vault in venue-neutral terms (status venue view, metrics)", () => {
  const h = useWorld();

  it("shows the vault's holdings and the last order's legs, filled, after a rebalance", async () => {
    let target: Weights = EQUAL;
    const { keeper } = await keeperFor(
      h.world,
      fixedOracle(() => target),
    );
    try {
      const cycle = await keeper.tick();
      expect(cycle?.status, cycle?.reason ?? "").to.equal("reconciled");
      const venue = (await keeper.readModel.status()).venue;
      expect(venue?.name).to.equal("arbitrum");
      expect(venue?.describes).to.include(h.world.deployed.address);
      const holdings = venue?.account?.holdings ?? [];
      expect(holdings.map((x) => x.symbol)).to.deep.equal(["USDC", "WETH", "WBTC", "ARB"]);
      // The same read as the weights panel's, and no further from the target than the cycle
      // says it is (the first move out of all-USDC is capped by the vault's turnover limit).
      const current = await keeper.store.currentWeights();
      const distance = (cycle?.distanceBps ?? 0) / 10_000;
      for (const x of holdings) {
        expect(x.weight, x.symbol).to.equal(current[x.symbol]);
        expect(x.size, x.symbol).to.be.greaterThan(0);
        expect(Math.abs(x.weight - (EQUAL[x.symbol] ?? 0)), x.symbol).to.be.at.most(distance + 1e-4);
      }
      const nav = venue?.account?.navUsd ?? 0;
      expectRelClose(
        holdings.reduce((s, x) => s + x.notionalUsd, 0),
        nav,
        1e-6,
        "holdings sum to NAV",
      );
      expectAbsClose(venue?.account?.grossLeverage, 1, 1e-3, "gross leverage");
      // One leg per basket asset bought with USDC, each filled at least at its signed minimum.
      const orders = venue?.lastOrders ?? [];
      expect(orders.map((o) => o.order.clientId)).to.deep.equal(["0:0", "0:1", "0:2"]);
      expect(await keeper.store.fillCount(cycle?.id ?? -1)).to.equal(orders.length);
      for (const { order, result } of orders) {
        expect(order.side, order.symbol).to.equal("buy");
        expect(result?.status, order.symbol).to.equal("filled");
        expect(Number(result?.filledSize), order.symbol).to.be.at.least(Number(order.size));
        // A buy's limit is the worst USDC price per unit its minimum allows: the fill is better.
        expect(result?.averagePrice ?? Number.POSITIVE_INFINITY, order.symbol).to.be.at.most(Number(order.limitPrice));
      }

      registerReadModelMetrics(keeper.deps.metrics, keeper.readModel);
      const text = await keeper.deps.metrics.registry.metrics();
      const weth = holdings.find((x) => x.symbol === "WETH")?.notionalUsd ?? 0;
      const sample = Number(/^keeper_venue_position_usd\{venue="arbitrum",symbol="WETH"\} (\S+)$/m.exec(text)?.[1]);
      expectRelClose(sample, weth, 1e-6, "WETH notional on /metrics");
      const gross = Number(/^keeper_venue_gross_leverage_ratio\{venue="arbitrum"\} (\S+)$/m.exec(text)?.[1]);
      expectAbsClose(gross, 1, 1e-3, "gross leverage on /metrics");

      // A cycle that plans no order (the target is where the vault is) does not show the
      // previous cycle's legs as its own. Past the cooldown, with the feeds updated at their prices.
      target = await keeper.store.currentWeights();
      await advanceDays(h.world, 2);
      for (const [symbol, usd] of Object.entries(await currentPrices(h.world.local)) as [TokenSymbol, number][]) {
        await setFeedPrice(h.world.local, symbol, usd);
      }
      const again = await keeper.triggerRebalance();
      expect(again.outcome).to.equal("nothing-to-trade");
      expect((await keeper.readModel.status()).venue?.lastOrders).to.deep.equal([]);
    } finally {
      await keeper.close();
    }
  });

  it("refuses a plan naming an asset the vault does not hold, a short weight, or weights not summing to 1", async () => {
    const { keeper } = await keeperFor(
      h.world,
      fixedOracle(() => EQUAL),
    );
    try {
      const venue = keeper.deps.venue;
      const unknown = await venue.plan({ USDC: 0.5, DOGE: 0.5 }).catch((e: unknown) => e);
      expect(unknown).to.be.instanceOf(InvalidInputError);
      expect((unknown as Error).message).to.equal("target names assets the vault does not hold: DOGE");
      const partial = await venue.plan({ USDC: 0.5, WETH: 0.4 }).catch((e: unknown) => e);
      expect(partial).to.be.instanceOf(InvalidInputError);
      expect((partial as Error).message).to.equal("target weights sum to 0.9, not 1");
      const short = await venue.plan({ USDC: 1.2, WETH: -0.2 }).catch((e: unknown) => e);
      expect(short).to.be.instanceOf(InvalidInputError);
      expect((short as Error).message).to.equal("a spot vault takes no short weight: WETH");
      expect(await keeper.store.cycles(1)).to.deep.equal([]);
    } finally {
      await keeper.close();
    }
  });

  it("marks the legs of an order refused before signing (gas above the cap) as not sent, with the reason", async () => {
    const { keeper } = await keeperFor(
      h.world,
      fixedOracle(() => EQUAL),
      { config: { gas: { maxFeePerGasGwei: 0.000001, priorityFeeGwei: 0 } } },
    );
    try {
      const cycle = await keeper.tick();
      expect(cycle?.outcome).to.equal("failed");
      expect(cycle?.reason).to.match(/^gas price above cap/);
      const orders = (await keeper.readModel.status()).venue?.lastOrders ?? [];
      expect(orders).to.have.length(3);
      for (const { result } of orders) {
        expect(result?.status).to.equal("unknown");
        expect(result?.reason).to.equal(cycle?.reason);
      }
      expect(await keeper.store.signedOrdersForNonce(0n)).to.equal(0);
    } finally {
      await keeper.close();
    }
  });

  it("marks a dry run's legs as not sent", async () => {
    const { keeper } = await keeperFor(
      h.world,
      fixedOracle(() => EQUAL),
      { config: { dryRun: true } },
    );
    try {
      const cycle = await keeper.tick();
      expect(cycle?.outcome, cycle?.reason ?? "").to.equal("dry-run");
      const orders = (await keeper.readModel.status()).venue?.lastOrders ?? [];
      expect(orders).to.have.length(3);
      for (const { result } of orders) {
        expect(result).to.deep.include({ status: "unknown", filledSize: "0", reason: "dry run: not sent" });
      }
      expect(await h.world.deployed.vault.rebalanceNonce()).to.equal(0n);
    } finally {
      await keeper.close();
    }
  });
});
