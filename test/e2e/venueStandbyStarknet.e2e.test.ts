/**
 * Standby venue keepers on Starknet: `keeper run --venue starknet` processes on one throwaway
 * PostgreSQL (the suite skips with the reason only when it cannot start) against the local
 * JSON-RPC stand-in of the LST vault. Only the lease holder invokes. Three times over, the
 * holder is killed (SIGKILL) between sending its rebalance and seeing it confirmed (the
 * stand-in holds the transaction RECEIVED until after the kill); the standby takes the lease
 * once it expires, resumes the journal by transaction hash, sends nothing again, and a fresh
 * process becomes the next standby. Each round the scores flip the basket (all wstETH, all rETH)
 * so every new holder has a rebalance to send. Prints the takeover time (kill -> "lease taken
 * over" in the new holder's log) of each kill.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { LOCAL_STARKNET, proofStateStarknet, type StarknetLocal } from "../../keeper/src/devchain/starknetLocal.js";
import { killAll, type LoggedRun, seen, spawnLogged } from "../helpers/loggedRun.js";
import { createDatabase } from "../helpers/postgresServer.js";
import { until } from "../helpers/until.js";
import { usePostgres } from "../helpers/usePostgres.js";
import { utcDate } from "../helpers/utcDate.js";

const { vault: VAULT, weth: WETH, wsteth: WSTETH, reth: RETH, exchange: EXCHANGE, keeper: KEIRA } = LOCAL_STARKNET;
const LEASE = { ttlMs: 3_000, renewMs: 500, marginMs: 1_000 };
const KILLS = 3;
const T0 = 1_700_000_000; // the stand-in's block time at the start
/** Block time added between rounds: past the vault's cooldown and the keeper's schedule (both 1 h). */
const STEP = 7_200;
/** The vault's slots in order, with their oracle pairs. */
const SLOTS = [
  { symbol: "WETH", token: WETH, pair: "ETH/USD" },
  { symbol: "WSTETH", token: WSTETH, pair: "WSTETH/USD" },
  { symbol: "RETH", token: RETH, pair: "RETH/USD" },
] as const;

/** The vault's weights in bps of NAV, from the stand-in's balances and oracle prices. */
function vaultWeightsBps(local: StarknetLocal): number[] {
  const values = SLOTS.map((s) => local.balanceOf(s.token, VAULT) * (local.prices.get(s.pair)?.price ?? 0n));
  const nav = values.reduce((a, b) => a + b, 0n);
  return values.map((v) => Number((v * 10_000n) / nav));
}

describe("e2e: standby venue keepers (starknet) on one PostgreSQL", function () {
  this.timeout(300_000);
  const pg = usePostgres();
  let local: StarknetLocal | undefined;
  const running: LoggedRun[] = [];

  afterEach(async () => {
    await killAll(running);
    await local?.stop();
  });

  it("the holder killed three times between invoke and confirmation: the standby takes over, resumes, no invoke twice", async () => {
    const server = pg.server();
    // Prices stay fresh over the rounds' block time (3 x 2 h).
    local = proofStateStarknet({ time: T0, maxPriceAge: 86_400 });
    const stand = local;
    const rpcUrl = await stand.start();
    // Every transaction stays RECEIVED (sent, not confirmed) until the test accepts it.
    stand.acceptAtOnce = false;
    const dir = mkdtempSync(join(tmpdir(), "ballast-venue-standby-sn-"));
    const scores = join(dir, "scores.csv");
    const day = utcDate(T0 - 86_400);
    /** Long only: the best-ranked asset takes the whole vault. */
    const writeScores = (best: "WSTETH" | "RETH") =>
      writeFileSync(
        scores,
        `date,symbol,score\n${day},WETH,0.1\n${day},WSTETH,${best === "WSTETH" ? 0.9 : 0.6}\n${day},RETH,${best === "RETH" ? 0.9 : 0.6}\n`,
      );
    writeScores("WSTETH");
    const storeUrl = await createDatabase(server, "venue_standby_sn");

    let started = 0;
    const start = (): LoggedRun => {
      const name = `keeper-${++started}`;
      const config = join(dir, `${name}.json`);
      writeFileSync(
        config,
        JSON.stringify({
          venue: "starknet",
          dataDir: join(dir, name),
          store: { url: storeUrl, timeoutMs: 800, lease: { ...LEASE, holder: name } },
          // Due once per round: the test moves the block time on by STEP.
          schedule: { pollSeconds: 0.3, everySeconds: 3_600, driftThresholdBps: 300 },
          signals: { path: scores, mode: "long-only", gross: 1, maxWeight: 1, minCoverage: 0.5 },
          starknet: {
            rpcUrl,
            vaultAddress: VAULT,
            accountAddress: KEIRA,
            exchangeAddress: EXCHANGE,
            setTargetsOnChain: true,
            maxSlippageBps: 100,
            assumedCostBps: 5,
            pollIntervalMs: 50,
            confirmTimeoutMs: 60_000,
          },
        }),
      );
      const keeper = spawnLogged(
        name,
        ["run", "--venue", "starknet", "--config", config, "--no-serve"],
        { STARKNET_KEEPER_KEY: LOCAL_STARKNET.keeperKey },
        280_000,
      );
      running.push(keeper);
      return keeper;
    };
    const invokes = () => stand.requests.get("starknet_addInvokeTransaction") ?? 0;

    let leader = start();
    await until("keeper-1's lease", 60_000, () => seen(leader, "lease acquired"));
    let standby = start();
    await until("keeper-2 up as a standby", 60_000, () => seen(standby, "venue keeper starting"));

    const takeovers: number[] = [];
    const traded = (k: LoggedRun) =>
      k.lines().filter((l) => l.msg === "venue cycle finished" && l.outcome === "traded").length;
    for (let round = 1; round <= KILLS; round++) {
      const best = round % 2 === 1 ? "WSTETH" : "RETH";
      const tradedBefore = traded(leader);
      // The holder's rebalance reaches the node; it is not in a block before the kill.
      await until(`round ${round}'s invoke`, 60_000, () => (stand.transactionCount() >= round ? true : null));
      const killedAt = Date.now();
      leader.run.child.kill("SIGKILL");
      expect((await leader.run.done).signal).to.equal("SIGKILL");
      expect(traded(leader), `${leader.name} never saw its round's cycle finish`).to.equal(tradedBefore);
      // Confirmed after its sender died: only the journal knows it was sent.
      stand.acceptPending();

      const next = standby;
      const took = await until(`${next.name} takes over`, 60_000, () => seen(next, "lease taken over"));
      takeovers.push(took.time - killedAt);
      await until(`${next.name} resumes`, 60_000, () => seen(next, "resuming a recorded cycle"));
      await until(`${next.name} finishes the resumed cycle`, 60_000, () => (traded(next) >= 1 ? true : null));
      // Resumed by transaction hash: nothing invoked again, one nonce per round.
      expect(invokes(), `invokes after round ${round}`).to.equal(round);
      expect(stand.nonceOf(KEIRA), `nonce after round ${round}`).to.equal(BigInt(round));
      // The round's targets are on chain and the vault holds them.
      const slot = SLOTS.findIndex((s) => s.symbol === best);
      expect(stand.targetBps()[slot], `round ${round}: ${best}'s target`).to.equal(10_000);
      expect(vaultWeightsBps(stand)[slot], `round ${round}: ${best} held`).to.be.at.least(9_800);

      leader = next;
      standby = start();
      await until(`${standby.name} up as a standby`, 60_000, () => seen(standby, "venue keeper starting"));
      expect(seen(standby, "lease acquired"), "the fresh process stays standby").to.equal(null);
      if (round < KILLS) {
        // New scores first, then the clock: the next due cycle reads the new scores.
        writeScores(round % 2 === 1 ? "RETH" : "WSTETH");
        stand.time += STEP;
      }
    }
    console.log(
      `      takeover after SIGKILL: ${takeovers.map((t) => `${t} ms`).join(", ")} ` +
        `(mean ${Math.round(takeovers.reduce((a, b) => a + b, 0) / takeovers.length)} ms; lease ttl ${LEASE.ttlMs} ms, renew ${LEASE.renewMs} ms)`,
    );

    // One invoke per round, each with its own nonce, none refused as a duplicate.
    expect(invokes()).to.equal(KILLS);
    expect(stand.transactionCount()).to.equal(KILLS);
    expect(stand.nonceOf(KEIRA)).to.equal(BigInt(KILLS));
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
