/**
 * The Arbitrum IndexVault is one implementation of the core `Venue`: the generic venue keeper
 * (service/venueKeeper.ts, the HyperLiquid and Starknet cycle) drives it on the local chain
 * with nothing vault-specific, through plan -> simulate -> execute and, after a crash between
 * signing and sending, resume from the pending record it wrote (bigints included). The product
 * runs the vault on its basket keeper (service/keeper.ts); this proves the seam is the whole
 * contract between a keeper and the vault.
 */
import { expect } from "chai";
import { followPrices } from "../../keeper/src/devchain/arbitrumLocal.js";
import type { Weights } from "../../keeper/src/execution/portfolioManager.js";
import { KeeperStore } from "../../keeper/src/service/store/keeperStore.js";
import { VenueStore } from "../../keeper/src/service/store/venueStore.js";
import { venueKeeperOn } from "../helpers/venueKeeperOn.js";
import { advanceDays, EQUAL, fixedOracle, keeperFor, useWorld } from "./harness.js";

describe("e2e: the generic venue keeper drives the Arbitrum vault through the core Venue", () => {
  const h = useWorld();

  it("rebalances, then resumes an order signed before a crash without signing a second one", async () => {
    let target: Weights = EQUAL;
    let crash = false;
    // The vault venue as cli builds it; its basket keeper is only opened for it, never ticked.
    const { keeper } = await keeperFor(
      h.world,
      fixedOracle(() => target),
      {
        hooks: {
          afterSigned: async () => {
            if (!crash) return;
            crash = false;
            throw new Error("killed after signing");
          },
        },
      },
    );
    const journal = await KeeperStore.open(":memory:");
    const generic = () =>
      venueKeeperOn(
        keeper.deps.venue,
        fixedOracle(() => target),
        journal.db,
        { describes: "IndexVault on the local chain" },
      );
    const store = new VenueStore(journal.db, "arbitrum");
    try {
      const first = await generic().tick(true);
      expect(first?.status, first?.reason ?? "").to.equal("done");
      expect(first?.outcome).to.equal("traded");
      expect(await h.world.deployed.vault.rebalanceNonce()).to.equal(1n);
      const legs = await store.orders(first?.id ?? -1);
      expect(legs.map((o) => o.order.clientId)).to.deep.equal(["0:0", "0:1", "0:2"]);
      expect(legs.map((o) => o.result?.status)).to.deep.equal(["filled", "filled", "filled"]);

      // A week on, the market moved; the next order is signed and recorded, then the process dies.
      await advanceDays(h.world, 8);
      await followPrices(h.world.local, { USDC: 1, WETH: 3300, WBTC: 57_000, ARB: 1.2 });
      target = { USDC: 0.01, WETH: 0.49, WBTC: 0.25, ARB: 0.25 };
      crash = true;
      const interrupted = await generic().tick(true);
      expect(interrupted?.status).to.equal("pending");
      expect(interrupted?.reason).to.match(/interrupted, to resume: killed after signing/);
      expect(await h.world.deployed.vault.rebalanceNonce()).to.equal(1n);
      const recorded = await store.unfinished();
      const pending = recorded?.pending as { order: { nonce: unknown }; gasLimit: unknown } | undefined;
      expect(pending?.order.nonce, "the pending record keeps its bigints").to.equal(1n);
      expect(typeof pending?.gasLimit).to.equal("bigint");

      // A new process resumes the recorded order: it lands once, with the nonce it was signed for.
      const resumed = await generic().tick();
      expect(resumed?.id).to.equal(interrupted?.id);
      expect(resumed?.status, resumed?.reason ?? "").to.equal("done");
      expect(resumed?.outcome).to.equal("traded");
      expect(await h.world.deployed.vault.rebalanceNonce()).to.equal(2n);
      const resumedLegs = await store.orders(resumed?.id ?? -1);
      expect(resumedLegs.length).to.be.greaterThan(0);
      expect(resumedLegs.every((o) => o.order.clientId.startsWith("1:") && o.result?.status === "filled")).to.equal(
        true,
      );
      const weth = (await keeper.deps.venue.positions()).holdings.find((x) => x.symbol === "WETH");
      expect(Math.abs((weth?.weight ?? 0) - 0.49)).to.be.lessThan(0.015);
      expect((await store.cycles(10)).map((c) => c.status)).to.deep.equal(["done", "done"]);
    } finally {
      await journal.close();
      await keeper.close();
    }
  });
});
