/**
 * The venue keeper's fencing: the venue asks the journal's `authorize` (the leadership's
 * `fence`) right before it signs and sends. A lease lost between the plan and the send leaves
 * nothing sent and a journal the next holder can finish: a cycle recorded as pending (its
 * orders recorded, none sent) is resumed once by the new holder; a cycle fenced before its
 * record is closed as failed with no orders. A standby ticks nothing and writes nothing.
 */
import { expect } from "chai";
import { LeaseLostError } from "../../../keeper/src/core/errors.js";
import type {
  OrderResult,
  SimulationResult,
  Venue,
  VenueAccount,
  VenueExecution,
  VenueJournal,
  VenueMarket,
  VenueOrder,
  VenuePlan,
} from "../../../keeper/src/core/venue.js";
import type { Oracle } from "../../../keeper/src/execution/portfolioManager.js";
import type { Leadership, LeadershipView } from "../../../keeper/src/service/leadership/leadership.js";
import { KeeperStore } from "../../../keeper/src/service/store/keeperStore.js";
import { VenueStore } from "../../../keeper/src/service/store/venueStore.js";
import { venueKeeperOn } from "../../helpers/venueKeeperOn.js";

/** A leadership whose lease the test takes away; `fence` then throws, as LeaseLeadership's does. */
class SwitchableLeadership implements Leadership {
  leader = true;
  readonly fenced: string[] = [];
  /** Called inside `fence`, before the check: where the test loses the lease "just in time". */
  beforeFence: (act: string) => void = () => undefined;

  isLeader(): boolean {
    return this.leader;
  }

  async fence(act: string): Promise<void> {
    this.beforeFence(act);
    if (!this.leader) throw new LeaseLostError(`lease moved: will not ${act}`);
    this.fenced.push(act);
  }

  view(): LeadershipView {
    return {
      mode: "lease",
      role: this.leader ? "leader" : "standby",
      self: "test",
      holder: this.leader ? "test" : "other",
      token: 1,
      expiresAt: null,
      leaderSince: null,
      acquisitions: this.leader ? 1 : 0,
    };
  }

  async start(onLeader: () => void): Promise<void> {
    if (this.leader) onLeader();
  }

  async stop(): Promise<void> {}
}

type Pending = { readonly orders: readonly VenueOrder[] };

/**
 * An order-book venue in memory: like HyperLiquid it records its pending orders, then asks
 * `authorize`, then "sends" (counted per client id); `signBeforeRecord` puts the fence before
 * the record, as the Starknet venue signs first.
 */
class MemoryVenue implements Venue<null, VenuePlan, Pending> {
  readonly name = "memory";
  readonly capabilities = { shorts: true, maxGross: 2, maxNet: 1, fullyInvested: false };
  readonly sent = new Map<string, number>();
  btc = 0;
  signBeforeRecord = false;

  async universe(): Promise<readonly VenueMarket[]> {
    return [{ symbol: "BTC", maxWeightBps: 10_000 }];
  }

  async positions(): Promise<VenueAccount> {
    return {
      time: 1_700_000_000,
      navUsd: 1_000,
      holdings: this.btc === 0 ? [] : [{ symbol: "BTC", size: this.btc, notionalUsd: 500, weight: 0.5 }],
      grossLeverage: this.btc === 0 ? 0 : 0.5,
    };
  }

  async snapshot(): Promise<null> {
    return null;
  }

  async time(): Promise<number> {
    return 1_700_000_000;
  }

  async plan(target: Readonly<Record<string, number>>): Promise<VenuePlan> {
    const orders: VenueOrder[] =
      this.btc === 0
        ? [{ clientId: "0xc1", symbol: "BTC", side: "buy", size: "0.005", limitPrice: "101000", reduceOnly: false }]
        : [];
    return { orders, targetWeights: target, notes: [] };
  }

  async simulate(): Promise<SimulationResult> {
    return { ok: true, reason: null, estimatedFeesUsd: 0.1 };
  }

  async execute(plan: VenuePlan, journal: VenueJournal<Pending>): Promise<VenueExecution> {
    if (this.signBeforeRecord) await journal.authorize?.("sign");
    await journal.pending({ orders: plan.orders });
    return this.send(plan.orders, journal);
  }

  async resume(pending: Pending, journal: VenueJournal<Pending>): Promise<VenueExecution> {
    const unseen = pending.orders.filter((o) => !this.sent.has(o.clientId));
    return this.send(unseen, journal);
  }

  private async send(orders: readonly VenueOrder[], journal: VenueJournal<Pending>): Promise<VenueExecution> {
    await journal.authorize?.(`send ${orders.length} order(s)`);
    for (const o of orders) this.sent.set(o.clientId, (this.sent.get(o.clientId) ?? 0) + 1);
    if (orders.length > 0) this.btc = 0.005;
    const results: OrderResult[] = orders.map((order) => ({
      order,
      status: "filled",
      filledSize: order.size,
      averagePrice: 100_000,
      venueOrderId: "1",
      reason: null,
    }));
    await journal.results?.(results);
    return { kind: "executed", reason: null, results, navBeforeUsd: 1_000, navAfterUsd: 1_000 };
  }
}

const oracle: Oracle = { name: "half-btc", targetWeights: async () => ({ BTC: 0.5 }) };

function keeperOn(store: KeeperStore, venue: MemoryVenue, leadership: Leadership) {
  return venueKeeperOn(venue, oracle, store.db, { describes: "memory venue", leadership });
}

describe("venue keeper: fencing before signing and sending", () => {
  let store: KeeperStore;
  let venue: MemoryVenue;

  beforeEach(async () => {
    store = await KeeperStore.open(":memory:");
    venue = new MemoryVenue();
  });

  afterEach(async () => {
    await store.close();
  });

  it("a lease lost between the plan and the send: nothing sent, the cycle pending with its orders, resumed once by the next holder", async () => {
    const old = new SwitchableLeadership();
    // The lease moves after the plan, simulation and record, just before the send's fence.
    old.beforeFence = () => {
      old.leader = false;
    };
    const cycle = await keeperOn(store, venue, old).tick(true);
    expect(venue.sent.size, "nothing sent").to.equal(0);
    expect(cycle?.status).to.equal("pending");
    expect(cycle?.reason).to.match(/interrupted, to resume: lease moved: will not send 1 order/);
    const journal = new VenueStore(store.db, venue.name);
    const orders = await journal.orders(cycle?.id ?? 0);
    expect(orders.map((o) => o.order.clientId)).to.deep.equal(["0xc1"]);
    expect(orders.map((o) => o.result)).to.deep.equal([null]);

    // The old holder, now a standby, does nothing on its next tick.
    expect(await keeperOn(store, venue, old).tick(true)).to.equal(null);
    expect((await journal.cycles(10)).map((c) => c.status)).to.deep.equal(["pending"]);

    const next = new SwitchableLeadership();
    const resumed = await keeperOn(store, venue, next).tick();
    expect(resumed?.id).to.equal(cycle?.id);
    expect(resumed?.status).to.equal("done");
    expect(resumed?.outcome).to.equal("traded");
    expect([...venue.sent.entries()]).to.deep.equal([["0xc1", 1]]);
    expect(next.fenced).to.deep.equal(["send 1 order(s)"]);
    expect((await journal.orders(cycle?.id ?? 0)).map((o) => o.result?.status)).to.deep.equal(["filled"]);
  });

  it("a lease lost before signing (the record not yet written): nothing sent, the cycle failed, no orders recorded", async () => {
    venue.signBeforeRecord = true;
    const old = new SwitchableLeadership();
    old.beforeFence = () => {
      old.leader = false;
    };
    const cycle = await keeperOn(store, venue, old).tick(true);
    expect(venue.sent.size).to.equal(0);
    expect(cycle?.status).to.equal("failed");
    expect(cycle?.reason).to.equal("lease moved: will not sign");
    const journal = new VenueStore(store.db, venue.name);
    expect(await journal.orders(cycle?.id ?? 0)).to.deep.equal([]);
    expect(await journal.unfinished()).to.equal(null);
    // The next holder plans afresh and sends once.
    const next = new SwitchableLeadership();
    const fresh = await keeperOn(store, venue, next).tick(true);
    expect(fresh?.outcome).to.equal("traded");
    expect([...venue.sent.entries()]).to.deep.equal([["0xc1", 1]]);
    expect(next.fenced).to.deep.equal(["sign", "send 1 order(s)"]);
  });

  it("a standby neither ticks nor accepts an operator's trigger, and its status shows the role", async () => {
    const standby = new SwitchableLeadership();
    standby.leader = false;
    const keeper = keeperOn(store, venue, standby);
    expect(await keeper.tick(true)).to.equal(null);
    const trigger = await keeper.triggerRebalance();
    expect(trigger.accepted).to.equal(false);
    expect(trigger.reason).to.equal("standby: the venue account's lease is held by other");
    expect(await new VenueStore(store.db, venue.name).cycles(10)).to.deep.equal([]);
    const status = await keeper.readModel.status();
    expect(status.leadership?.role).to.equal("standby");
    expect(status.leadership?.holder).to.equal("other");
    expect(venue.sent.size).to.equal(0);
  });
});
