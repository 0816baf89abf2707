/**
 * The whole library path the keeper will take on HyperLiquid once it holds a Venue: a score
 * file -> SignalOracle (long/short) -> validateSignedWeights against the venue's markets and
 * caps -> plan -> simulate -> execute against the local stand-in, and the positions that
 * result carry the signal's signs. A stale file holds, and nothing is sent.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { Wallet } from "ethers";
import { parseHyperliquidConfig } from "../../../../keeper/src/config/hyperliquidConfig.js";
import type { OrderResult } from "../../../../keeper/src/core/venue.js";
import { loadScoreFile } from "../../../../keeper/src/data/signals/scoreFile.js";
import { type HyperliquidLocal, startHyperliquidLocal } from "../../../../keeper/src/devchain/hyperliquidLocal.js";
import type { HyperliquidPending } from "../../../../keeper/src/execution/hyperliquid/hyperliquidVenue.js";
import { HyperliquidVenue } from "../../../../keeper/src/execution/hyperliquid/hyperliquidVenue.js";
import { OracleHold, validateSignedWeights } from "../../../../keeper/src/execution/portfolioManager.js";
import { SignalOracle } from "../../../../keeper/src/execution/signalOracle.js";

const ACCOUNT = Wallet.createRandom();
const DAY = 86_400;

describe("signal file to HyperLiquid orders (library path)", () => {
  let hl: HyperliquidLocal;
  beforeEach(async () => {
    hl = await startHyperliquidLocal({
      user: ACCOUNT.address,
      authorized: [ACCOUNT.address],
      network: "mainnet",
      markets: [
        { name: "BTC", szDecimals: 5, maxLeverage: 40 },
        { name: "ETH", szDecimals: 4, maxLeverage: 25 },
        { name: "SOL", szDecimals: 2, maxLeverage: 20 },
        { name: "DOGE", szDecimals: 0, maxLeverage: 10 },
      ],
      mids: { BTC: 60_000, ETH: 3_000, SOL: 150, DOGE: 0.12 },
      cash: 20_000,
    });
  });
  afterEach(() => hl.close());

  it("trades the scores' ranks long and short, and holds on a stale file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "signal-perps-"));
    const path = join(dir, "scores.csv");
    writeFileSync(
      path,
      "date,symbol,score\n2024-06-01,BTC,2.0\n2024-06-01,ETH,1.0\n2024-06-01,SOL,-1.0\n2024-06-01,DOGE,-3.0\n",
    );
    const now = Date.UTC(2024, 5, 2, 1) / 1000; // an hour after the scores became known
    const venue = new HyperliquidVenue({
      config: parseHyperliquidConfig({ network: "mainnet", apiUrl: hl.url, accountAddress: ACCOUNT.address }),
      signer: ACCOUNT.signingKey,
      now: () => now * 1000,
    });
    const oracle = new SignalOracle({
      name: "meta-model",
      read: async () => loadScoreFile(path),
      policy: { mode: "long-short", gross: 1, maxWeight: 0.4, maxAgeSeconds: 2 * DAY, minCoverage: 1 },
    });
    const markets = await venue.universe();
    const universe = markets.map((m) => m.symbol);
    const target = await oracle.targetWeights({ now, currentWeights: {}, universe });
    if (target instanceof OracleHold) expect.fail(target.reason);
    const weights = validateSignedWeights(target, markets, venue.capabilities);
    const plan = await venue.plan(weights);
    expect((await venue.simulate(plan)).ok).to.equal(true);
    const results: OrderResult[][] = [];
    const pending: HyperliquidPending[] = [];
    const outcome = await venue.execute(plan, {
      pending: (p) => {
        pending.push(p);
      },
      results: (r) => {
        results.push([...r]);
      },
    });
    expect(outcome.kind).to.equal("executed");
    expect(pending).to.have.length(1);
    expect(hl.positions.BTC).to.be.greaterThan(0);
    expect(hl.positions.ETH).to.be.greaterThan(0);
    expect(hl.positions.SOL).to.be.lessThan(0);
    expect(hl.positions.DOGE).to.be.lessThan(0);
    const account = await venue.positions();
    expect(Math.abs(account.holdings.reduce((s, h) => s + h.weight, 0))).to.be.below(0.01);
    expect(account.grossLeverage).to.be.within(0.95, 1.01);

    const stale = await oracle.targetWeights({ now: now + 3 * DAY, currentWeights: {}, universe });
    expect(stale).to.be.instanceOf(OracleHold);
    expect((stale as OracleHold).reason).to.match(/stale/);
    expect(hl.exchangeCalls).to.equal(1);
  });
});
