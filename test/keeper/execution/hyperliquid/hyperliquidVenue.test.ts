/**
 * The HyperLiquid venue against a local server that replays the exchange's documented
 * formats (devchain/hyperliquidLocal.ts): universe and positions from /info, signed IOC orders to
 * /exchange, per-order rejections, partial fills, a 429, a lost answer, and a crash at each
 * step followed by a resume that never sends an order twice.
 */
import { inspect } from "node:util";
import { expect } from "chai";
import { Wallet } from "ethers";
import { parseHyperliquidConfig } from "../../../../keeper/src/config/hyperliquidConfig.js";
import { ConfigError, WeightsRefusedError } from "../../../../keeper/src/core/errors.js";
import type { OrderResult, VenueJournal } from "../../../../keeper/src/core/venue.js";
import { type HyperliquidLocal, startHyperliquidLocal } from "../../../../keeper/src/devchain/hyperliquidLocal.js";
import {
  type HyperliquidPending,
  HyperliquidVenue,
} from "../../../../keeper/src/execution/hyperliquid/hyperliquidVenue.js";
import { openHyperliquidVenue } from "../../../../keeper/src/execution/hyperliquid/openHyperliquidVenue.js";
import { validateSignedWeights } from "../../../../keeper/src/execution/portfolioManager.js";
import { expectAbsClose } from "../../../helpers/approx.js";

const ALICE = Wallet.createRandom(); // the account
const AGENT = Wallet.createRandom(); // an API wallet Alice approved
const MALLORY = Wallet.createRandom(); // nobody approved this key

const MARKETS = [
  { name: "BTC", szDecimals: 5, maxLeverage: 40 },
  { name: "ETH", szDecimals: 4, maxLeverage: 25 },
  { name: "SOL", szDecimals: 2, maxLeverage: 20 },
  { name: "LUNA", szDecimals: 1, maxLeverage: 3, isDelisted: true },
];

class MemoryJournal implements VenueJournal<HyperliquidPending> {
  pendingRecords: HyperliquidPending[] = [];
  resultRecords: OrderResult[][] = [];
  crashOnPending = false;
  crashOnResults = false;
  pending(record: HyperliquidPending): void {
    // A real store writes JSON: keep exactly what would survive a restart.
    this.pendingRecords.push(JSON.parse(JSON.stringify(record)) as HyperliquidPending);
    if (this.crashOnPending) throw new Error("crash: process killed after recording, before sending");
  }
  results(results: readonly OrderResult[]): void {
    this.resultRecords.push([...results]);
    if (this.crashOnResults) throw new Error("crash: process killed before the results were stored");
  }
  get last(): HyperliquidPending {
    const p = this.pendingRecords.at(-1);
    if (!p) throw new Error("nothing recorded");
    return p;
  }
}

describe("HyperLiquid venue (local replay of the exchange API)", () => {
  let hl: HyperliquidLocal;
  let clock: number;

  const venue = (signer = AGENT, overrides: Record<string, unknown> = {}) =>
    new HyperliquidVenue({
      config: parseHyperliquidConfig({
        network: "testnet",
        apiUrl: hl.url,
        accountAddress: ALICE.address,
        maxGrossLeverage: 2,
        maxNetExposure: 1,
        timeoutMs: 400,
        ...overrides,
      }),
      signer: signer.signingKey,
      now: () => clock,
      backoffMs: 5,
    });

  beforeEach(async () => {
    clock = 1_764_000_000_000;
    hl = await startHyperliquidLocal({
      user: ALICE.address,
      authorized: [ALICE.address, AGENT.address],
      network: "testnet",
      markets: MARKETS.map((m) => ({ ...m })),
      mids: { BTC: 97_123.5, ETH: 3_456.78, SOL: 187.123, LUNA: 0.1 },
      cash: 100_000,
      lateAnswerMs: 1_500,
    });
  });
  afterEach(() => hl.close());

  it("reads the universe (delisted markets left out) and signed positions from /info", async () => {
    hl.positions.ETH = -2;
    const v = venue();
    const universe = await v.universe();
    expect(universe.map((m) => m.symbol)).to.deep.equal(["BTC", "ETH", "SOL"]);
    const account = await v.positions();
    expectAbsClose(account.navUsd, 100_000 - 2 * 3_456.78, 1e-6);
    expect(account.holdings).to.have.length(1);
    expect(account.holdings[0]?.size).to.equal(-2);
    expect(account.holdings[0]?.weight).to.be.lessThan(0);
  });

  it("goes long and short with IOC orders sized from net liquidity, on the size and tick grids", async () => {
    const v = venue();
    const journal = new MemoryJournal();
    const plan = await v.plan({ BTC: 0.5, ETH: -0.3, SOL: 0.2 });
    expect(plan.orders.map((o) => [o.symbol, o.side, o.reduceOnly])).to.deep.equal([
      ["BTC", "buy", false],
      ["ETH", "sell", false],
      ["SOL", "buy", false],
    ]);
    const btc = plan.orders[0];
    // 50,000 USD / 97,123.5 = 0.514808... -> floored to 5 decimals.
    expect(btc?.size).to.equal("0.5148");
    // 97,123.5 * 1.005 = 97,609.1175 -> 5 significant figures, rounded down for a buy.
    expect(btc?.limitPrice).to.equal("97609");
    expect(plan.orders[1]?.limitPrice).to.equal("3439.5"); // 3,456.78 * 0.995 = 3439.496.. rounded up for a sell
    expect((await v.simulate(plan)).ok).to.equal(true);
    const outcome = await v.execute(plan, journal);
    expect(outcome.kind).to.equal("executed");
    expect(outcome.results.every((r) => r.status === "filled")).to.equal(true);
    expect(hl.positions).to.deep.include({ BTC: 0.5148, SOL: 106.88 });
    expect(hl.positions.ETH).to.equal(-8.6785); // 30,000 / 3,456.78 = 8.678596.. floored
    expect(journal.pendingRecords).to.have.length(1);
    expect(hl.signers).to.deep.equal([AGENT.address.toLowerCase()]);
    // Fees were paid: net liquidity fell by about the taker fee on the traded notional.
    expect(outcome.navAfterUsd).to.be.lessThan(outcome.navBeforeUsd ?? 0);
  });

  it("closes with reduce-only orders first, then opens the flipped side", async () => {
    hl.positions.BTC = 0.3;
    hl.positions.ETH = -5;
    const v = venue();
    const plan = await v.plan({ BTC: -0.2, SOL: 0.1 });
    expect(plan.orders.map((o) => [o.symbol, o.side, o.size, o.reduceOnly])).to.deep.equal([
      ["BTC", "sell", "0.3", true],
      ["ETH", "buy", "5", true],
      ["BTC", "sell", plan.orders[2]?.size, false],
      ["SOL", "buy", plan.orders[3]?.size, false],
    ]);
    const outcome = await v.execute(plan, new MemoryJournal());
    expect(outcome.kind).to.equal("executed");
    expect(hl.positions.ETH).to.equal(0);
    expect(hl.positions.BTC).to.be.lessThan(0);
  });

  it("records a per-order rejection and a partial fill, and reports the execution as partial", async () => {
    hl.scripts.ETH = { kind: "error", message: "Insufficient margin to place order. asset=1" };
    hl.scripts.SOL = { kind: "partial", fraction: 0.4 };
    const v = venue();
    const journal = new MemoryJournal();
    const outcome = await v.execute(await v.plan({ BTC: 0.3, ETH: 0.3, SOL: 0.3 }), journal);
    expect(outcome.kind).to.equal("partial");
    const by = Object.fromEntries(outcome.results.map((r) => [r.order.symbol, r]));
    expect(by.BTC?.status).to.equal("filled");
    expect(by.ETH?.status).to.equal("rejected");
    expect(by.ETH?.reason).to.match(/Insufficient margin/);
    expect(by.SOL?.status).to.equal("partial");
    expectAbsClose(Number(by.SOL?.filledSize), 0.4 * Number(by.SOL?.order.size), 0.01);
    expect(outcome.reason).to.match(/ETH: Insufficient margin/);
    expect(journal.resultRecords.at(-1)).to.have.length(3);
  });

  it("marks every order rejected when the exchange refuses the action (an unapproved signer)", async () => {
    const outcome = await venue(MALLORY).execute(await venue(MALLORY).plan({ BTC: 0.2 }), new MemoryJournal());
    expect(outcome.kind).to.equal("failed");
    expect(outcome.results[0]?.status).to.equal("rejected");
    expect(outcome.reason).to.match(/does not exist/);
    expect(hl.positions.BTC ?? 0).to.equal(0);
  });

  it("signs with the account's own key too (no agent)", async () => {
    const outcome = await venue(ALICE).execute(await venue(ALICE).plan({ SOL: 0.1 }), new MemoryJournal());
    expect(outcome.kind).to.equal("executed");
    expect(hl.signers).to.deep.equal([ALICE.address.toLowerCase()]);
  });

  it("trades for a vault: reads the vault's positions and signs with the vault address in the hash", async () => {
    const VAULT = Wallet.createRandom().address;
    await hl.close();
    hl = await startHyperliquidLocal({
      user: VAULT,
      authorized: [AGENT.address],
      network: "testnet",
      markets: MARKETS.map((m) => ({ ...m })),
      mids: { BTC: 97_123.5, ETH: 3_456.78, SOL: 187.123 },
      cash: 50_000,
    });
    const v = venue(AGENT, { vaultAddress: VAULT });
    expectAbsClose((await v.positions()).navUsd, 50_000, 1e-9);
    const outcome = await v.execute(await v.plan({ ETH: -0.2 }), new MemoryJournal());
    expect(outcome.kind).to.equal("executed");
    expect(hl.positions.ETH).to.be.lessThan(0);
    // The vault's signature covered the vault address (the stand-in recovered the agent from
    // a hash that includes it); without the vault setting the venue reads the account instead.
    expect(hl.signers).to.deep.equal([AGENT.address.toLowerCase()]);
    expect((await venue(AGENT).positions()).navUsd).to.equal(0);
  });

  it("waits out a 429 and sends the action once it is accepted", async () => {
    hl.rateLimitNext = 2;
    const outcome = await venue().execute(await venue().plan({ BTC: 0.2 }), new MemoryJournal());
    expect(outcome.kind).to.equal("executed");
    expect(hl.exchangeCalls).to.equal(3);
    expect([...hl.placedByCloid.values()]).to.deep.equal([1]);
  });

  it("gives up on a 429 that does not clear, with nothing sent and everything recorded as unknown", async () => {
    hl.rateLimitNext = 100;
    const journal = new MemoryJournal();
    const outcome = await venue().execute(await venue().plan({ BTC: 0.2 }), journal);
    expect(outcome.kind).to.equal("failed");
    expect(outcome.results[0]?.status).to.equal("unknown");
    expect(outcome.reason).to.match(/rate limited/);
    expect(hl.placedByCloid.size).to.equal(0);
    expect(journal.pendingRecords).to.have.length(1);
  });

  it("a lost answer (timeout after the exchange processed it) is reconciled by cloid, not re-sent", async () => {
    hl.loseNextAnswer = true;
    const outcome = await venue().execute(await venue().plan({ BTC: 0.2, ETH: -0.1 }), new MemoryJournal());
    expect(outcome.kind).to.equal("executed");
    expect(outcome.results.map((r) => r.status)).to.deep.equal(["filled", "filled"]);
    expect([...hl.placedByCloid.values()]).to.deep.equal([1, 1]);
    expect(hl.exchangeCalls).to.equal(1);
  });

  it("resumes after a crash between sending and storing results without sending anything again", async () => {
    const journal = new MemoryJournal();
    journal.crashOnResults = true;
    const plan = await venue().plan({ BTC: 0.2, SOL: -0.1 });
    let crashed = false;
    await venue()
      .execute(plan, journal)
      .catch(() => {
        crashed = true;
      });
    expect(crashed).to.equal(true);
    const positionsAfterCrash = { ...hl.positions };
    // A new process: a fresh venue, only the recorded pending plan.
    clock += 60_000;
    const resumed = await venue().resume(journal.last, new MemoryJournal());
    expect(resumed.kind).to.equal("executed");
    expect(resumed.results.map((r) => r.status)).to.deep.equal(["filled", "filled"]);
    // Prices of fills found by cloid come from the account's fills.
    expect(resumed.results.map((r) => r.averagePrice)).to.deep.equal([hl.mids.BTC, hl.mids.SOL]);
    expect(hl.exchangeCalls).to.equal(1);
    expect([...hl.placedByCloid.values()]).to.deep.equal([1, 1]);
    expect(hl.positions).to.deep.equal(positionsAfterCrash);
  });

  it("resumes after a crash before the action left by sending the same orders (same cloids) once", async () => {
    const journal = new MemoryJournal();
    journal.crashOnPending = true;
    const plan = await venue().plan({ ETH: 0.25 });
    await venue()
      .execute(plan, journal)
      .catch(() => undefined);
    expect(hl.exchangeCalls).to.equal(0);
    clock += 30_000;
    const second = new MemoryJournal();
    const resumed = await venue().resume(journal.last, second);
    expect(resumed.kind).to.equal("executed");
    expect([...hl.placedByCloid.keys()]).to.deep.equal([plan.orders[0]?.clientId]);
    // A second resume of the same record finds the order and sends nothing.
    const again = await venue().resume(second.last, new MemoryJournal());
    expect(again.kind).to.equal("executed");
    expect(hl.exchangeCalls).to.equal(1);
  });

  it("does not re-send a plan older than its time to live; the orders are recorded as unknown", async () => {
    const journal = new MemoryJournal();
    journal.crashOnPending = true;
    await venue()
      .execute(await venue().plan({ ETH: 0.25 }), journal)
      .catch(() => undefined);
    clock += 301_000;
    const resumed = await venue().resume(journal.last, new MemoryJournal());
    expect(resumed.kind).to.equal("failed");
    expect(resumed.results[0]?.status).to.equal("unknown");
    expect(resumed.reason).to.match(/not re-sent/);
    expect(hl.exchangeCalls).to.equal(0);
  });

  it("refuses targets over the gross-leverage cap, short-weight caps and unknown markets", async () => {
    const v = venue();
    const markets = await v.universe();
    expect(() => validateSignedWeights({ BTC: 0.5, ETH: -0.5, SOL: 0.5 }, markets, v.capabilities, { maxGross: 1.2 }))
      .to.throw(WeightsRefusedError, /gross leverage/)
      .with.property("refusal", "gross-above-cap");
    expect(() => validateSignedWeights({ LUNA: 0.1 }, markets, v.capabilities))
      .to.throw(WeightsRefusedError, /LUNA/)
      .with.property("refusal", "unknown-asset");
    // The venue re-checks at planning, whatever the caller validated.
    await expectRejected(
      venue(AGENT, { maxGrossLeverage: 1.2 }).plan({ BTC: 0.5, ETH: -0.5, SOL: 0.5 }),
      /gross leverage/,
    );
  });

  it("simulation refuses a plan whose targets need more margin than the account has", async () => {
    hl.markets[0] = { name: "BTC", szDecimals: 5, maxLeverage: 1 };
    hl.markets[2] = { name: "SOL", szDecimals: 2, maxLeverage: 1 };
    const v = venue(AGENT, { maxGrossLeverage: 3, maxNetExposure: 2, maxWeight: 3 });
    const sim = await v.simulate(await v.plan({ BTC: 0.8, SOL: 0.8 }));
    expect(sim.ok).to.equal(false);
    expect(sim.reason).to.match(/initial margin/);
  });

  it("never shows the key: not in the venue object, the recorded plan or an error", async () => {
    const v = venue();
    const journal = new MemoryJournal();
    hl.scripts.BTC = { kind: "error", message: "boom" };
    await v.execute(await v.plan({ BTC: 0.2 }), journal);
    const key = AGENT.privateKey.slice(2);
    expect(inspect(v, { depth: 10 })).to.not.include(key);
    expect(JSON.stringify(v)).to.not.include(key);
    expect(JSON.stringify(journal.pendingRecords)).to.not.include(key);
    expect(JSON.stringify(journal.resultRecords)).to.not.include(key);
  });

  it("one rebalance costs 5 /info reads and a single /exchange request", async () => {
    const v = venue();
    const plan = await v.plan({ BTC: 0.3, ETH: -0.3, SOL: 0.1 });
    await v.simulate(plan);
    await v.execute(plan, new MemoryJournal());
    // snapshot: meta, allMids, clearinghouseState; simulate: meta; after: clearinghouseState.
    expect(v.client.sent).to.deep.equal({ info: 5, exchange: 1 });
  });

  it("an exit closes a position in full whatever the target says", async () => {
    hl.positions.SOL = 12.5;
    const plan = await venue().plan({ SOL: 0.2, BTC: 0.1 }, { exit: ["SOL"] });
    expect(plan.orders.map((o) => [o.symbol, o.side, o.size, o.reduceOnly])).to.deep.equal([
      ["SOL", "sell", "12.5", true],
      ["BTC", "buy", plan.orders[1]?.size, false],
    ]);
    expect(plan.notes.join()).to.match(/SOL: exit requested/);
  });

  it("refuses an unknown coin at planning, before anything is signed", async () => {
    await expectRejected(venue().plan({ DOGE: 0.1 }), /DOGE/);
    await expectRejected(venue().plan({ LUNA: 0.1 }), /LUNA/); // delisted
    expect(hl.exchangeCalls).to.equal(0);
  });

  it("opens from config: loads the agent key from the named variable, which errors never show", async () => {
    const config = parseHyperliquidConfig({
      network: "testnet",
      apiUrl: hl.url,
      accountAddress: ALICE.address,
      key: { keyEnv: "HL_TEST_AGENT_KEY" },
    });
    const opened = await openHyperliquidVenue(config, { HL_TEST_AGENT_KEY: AGENT.privateKey });
    expect(opened.agent).to.equal(true);
    expect(opened.signerAddress).to.equal(AGENT.address);
    const outcome = await opened.venue.execute(await opened.venue.plan({ SOL: 0.1 }), new MemoryJournal());
    expect(outcome.kind).to.equal("executed");
    await expectRejected(openHyperliquidVenue(config, {}), /HL_TEST_AGENT_KEY/);
    const bad = `${AGENT.privateKey.slice(0, -1)}z`;
    try {
      await openHyperliquidVenue(config, { HL_TEST_AGENT_KEY: bad });
      expect.fail("expected a ConfigError");
    } catch (error) {
      expect(error).to.be.instanceOf(ConfigError);
      expect(String((error as Error).message)).to.not.include(bad.slice(2, 20));
    }
  });

  it("config: network picks the public URL; bad input is a ConfigError listing each problem", () => {
    const ok = parseHyperliquidConfig({ network: "mainnet", accountAddress: ALICE.address });
    expect(ok.apiUrl).to.equal("https://api.hyperliquid.xyz");
    expect(parseHyperliquidConfig({ network: "testnet", accountAddress: ALICE.address }).apiUrl).to.equal(
      "https://api.hyperliquid-testnet.xyz",
    );
    expect(() => parseHyperliquidConfig({ network: "devnet", accountAddress: "0x12", maxGrossLeverage: -1 }))
      .to.throw(ConfigError)
      .that.satisfies((e: ConfigError) => (e.details.problems as string[]).length === 3);
    expect(() =>
      parseHyperliquidConfig({ network: "mainnet", accountAddress: ALICE.address, privateKey: "0x1" }),
    ).to.throw(ConfigError, /privateKey/);
    expect(() =>
      parseHyperliquidConfig({
        network: "mainnet",
        accountAddress: ALICE.address,
        maxGrossLeverage: 1,
        maxNetExposure: 2,
      }),
    ).to.throw(ConfigError, /maxNetExposure/);
  });
});

async function expectRejected(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect(String(error)).to.match(pattern);
    return;
  }
  expect.fail("expected a rejection");
}
