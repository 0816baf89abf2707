/**
 * Standby venue keepers: `keeper run --venue hyperliquid` processes on one throwaway
 * PostgreSQL (the suite skips with the reason only when it cannot start) against the local
 * replay of the HyperLiquid API. Only the lease holder sends. Three times over, the holder is
 * killed (SIGKILL) while its order action is in flight (the exchange has the orders, the keeper
 * has no answer); the standby takes the lease once it expires, resumes the journal by client
 * order id and sends nothing again, and a fresh process becomes the next standby. Prints the
 * takeover time (kill -> "lease taken over" in the new holder's log) of each kill.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { Wallet } from "ethers";
import { type HyperliquidLocal, localBook, startHyperliquidLocal } from "../../keeper/src/devchain/hyperliquidLocal.js";
import { killAll, type LoggedRun, seen, spawnLogged } from "../helpers/loggedRun.js";
import { createDatabase } from "../helpers/postgresServer.js";
import { until } from "../helpers/until.js";
import { usePostgres } from "../helpers/usePostgres.js";
import { utcDate } from "../helpers/utcDate.js";

const ALICE = Wallet.createRandom();
const LEASE = { ttlMs: 3_000, renewMs: 500, marginMs: 1_000 };
const KILLS = 3;

describe("e2e: standby venue keepers (hyperliquid) on one PostgreSQL", function () {
  this.timeout(300_000);
  const pg = usePostgres();
  let hl: HyperliquidLocal;
  const running: LoggedRun[] = [];

  afterEach(async () => {
    await killAll(running);
    await hl?.close();
  });

  it("the holder killed three times with orders in flight: the standby takes over, resumes, no order sent twice", async () => {
    const server = pg.server();
    hl = await startHyperliquidLocal({
      ...localBook(ALICE.address),
      // The answer to a lost action arrives long after its sender was killed.
      lateAnswerMs: 30_000,
    });
    const dir = mkdtempSync(join(tmpdir(), "ballast-venue-standby-"));
    const scores = join(dir, "scores.csv");
    const day = utcDate(Date.now() / 1000 - 86_400);
    /** Long the best, short the worst: each kill round flips them, so every new leader has orders to send. */
    const writeScores = (best: string, worst: string) =>
      writeFileSync(scores, `date,symbol,score\n${day},${best},0.9\n${day},ETH,0.5\n${day},${worst},0.1\n`);
    writeScores("BTC", "SOL");
    const storeUrl = await createDatabase(server, "venue_standby");

    let started = 0;
    const start = (): LoggedRun => {
      const name = `keeper-${++started}`;
      const config = join(dir, `${name}.json`);
      writeFileSync(
        config,
        JSON.stringify({
          venue: "hyperliquid",
          dataDir: join(dir, name),
          store: { url: storeUrl, timeoutMs: 800, lease: { ...LEASE, holder: name } },
          schedule: { pollSeconds: 0.3, everySeconds: 1, driftThresholdBps: 100 },
          signals: { path: scores, mode: "long-short", gross: 1, maxWeight: 0.5 },
          hyperliquid: {
            network: "testnet",
            apiUrl: hl.url,
            accountAddress: ALICE.address,
            maxGrossLeverage: 1.5,
            timeoutMs: 60_000,
          },
        }),
      );
      const keeper = spawnLogged(
        name,
        ["run", "--venue", "hyperliquid", "--config", config, "--no-serve"],
        { HYPERLIQUID_SIGNER_KEY: ALICE.privateKey },
        280_000,
      );
      running.push(keeper);
      return keeper;
    };

    // The first holder's first action is lost in flight, as every later round's is.
    hl.loseNextAnswer = true;
    let leader = start();
    await until("keeper-1's lease", 60_000, () => seen(leader, "lease acquired"));
    let standby = start();
    await until("keeper-2 up as a standby", 60_000, () => seen(standby, "venue keeper starting"));

    const takeovers: number[] = [];
    const traded = (k: LoggedRun) =>
      k.lines().filter((l) => l.msg === "venue cycle finished" && l.outcome === "traded").length;
    for (let round = 1; round <= KILLS; round++) {
      const tradedBefore = traded(leader);
      // The holder's orders reach the exchange; its answer never comes back before the kill.
      await until(`round ${round}'s order action`, 60_000, () => (hl.exchangeCalls >= round ? true : null));
      const killedAt = Date.now();
      leader.run.child.kill("SIGKILL");
      expect((await leader.run.done).signal).to.equal("SIGKILL");
      expect(traded(leader), `${leader.name} never saw its round's cycle finish`).to.equal(tradedBefore);

      const next = standby;
      const took = await until(`${next.name} takes over`, 60_000, () => seen(next, "lease taken over"));
      takeovers.push(took.time - killedAt);
      await until(`${next.name} resumes`, 60_000, () => seen(next, "resuming a recorded cycle"));
      await until(`${next.name} finishes the resumed cycle`, 60_000, () => (traded(next) >= 1 ? true : null));
      // Resumed by cloid: the orders the dead holder sent are found, none sent again.
      expect(hl.exchangeCalls, `after round ${round}`).to.equal(round);
      leader = next;
      standby = start();
      await until(`${standby.name} up as a standby`, 60_000, () => seen(standby, "venue keeper starting"));
      expect(seen(standby, "lease acquired"), "the fresh process stays standby").to.equal(null);
      if (round < KILLS) {
        // New scores: the leader's next cycle has orders again, and its answer is lost again.
        hl.loseNextAnswer = true;
        if (round % 2 === 1) writeScores("SOL", "BTC");
        else writeScores("BTC", "SOL");
      }
    }
    console.log(
      `      takeover after SIGKILL: ${takeovers.map((t) => `${t} ms`).join(", ")} ` +
        `(mean ${Math.round(takeovers.reduce((a, b) => a + b, 0) / takeovers.length)} ms; lease ttl ${LEASE.ttlMs} ms, renew ${LEASE.renewMs} ms)`,
    );

    // One order action per round, each client order id placed exactly once.
    expect(hl.exchangeCalls).to.equal(KILLS);
    expect([...hl.placedByCloid.values()].every((n) => n === 1)).to.equal(true);
    // At least one order per round (a flip from long to short sends a close and an open per coin).
    expect(hl.placedByCloid.size).to.be.at.least(KILLS);
    // Only the holder ever ran a cycle: the standbys logged no cycle before their takeover.
    for (const k of running) {
      const took = seen(k, "lease taken over")?.time ?? seen(k, "lease acquired")?.time ?? Number.POSITIVE_INFINITY;
      const early = k.lines().filter((l) => l.msg === "venue cycle finished" && l.time < took);
      expect(early, `${k.name} ran a cycle as a standby`).to.deep.equal([]);
    }
    // Takeover within the lease's bound: after the lease ran out, at most ttl + renew after the kill, with 10 s of slack for a loaded CI machine.
    for (const t of takeovers) expect(t).to.be.within(LEASE.ttlMs - LEASE.renewMs - 1_000, LEASE.ttlMs + 10_000);
  });
});
