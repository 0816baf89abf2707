import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { DataError } from "../../../keeper/src/core/errors.js";
import { snapshotAt } from "../../../keeper/src/core/signals.js";
import type { MarketPanel } from "../../../keeper/src/core/types.js";
import { fetchScores, loadScoreFile, parseScoreCsv } from "../../../keeper/src/data/signals/scoreFile.js";
import { startReplayServer } from "../../../keeper/src/devchain/replayServer.js";
import { OracleHold, validateSignedWeights } from "../../../keeper/src/execution/portfolioManager.js";
import { SignalOracle } from "../../../keeper/src/execution/signalOracle.js";
import { checkScores, rankScores, weightsFromScores } from "../../../keeper/src/strategy/signals/scoreWeights.js";
import { SignalStrategy } from "../../../keeper/src/strategy/signals/signalStrategy.js";
import { expectAbsClose } from "../../helpers/approx.js";

const DAY = 86_400;
const D1 = Date.UTC(2023, 4, 1) / 1000; // 2023-05-01 00:00 UTC
const CSV = `date,symbol,score
2023-05-01,BTC,0.9
2023-05-01,ETH,0.7
2023-05-01,SOL,0.2
2023-05-01,DOGE,0.1
2023-05-02,BTC,0.1
2023-05-02,ETH,0.2
2023-05-02,SOL,0.9
2023-05-02,DOGE,0.8
`;
const UNIVERSE = ["BTC", "ETH", "SOL", "DOGE"];
const POLICY = { mode: "long-short", gross: 1, maxWeight: 0.4, maxAgeSeconds: 2 * DAY, minCoverage: 0.75 } as const;

describe("signal scores -> weights", () => {
  it("a score dated D is known only at the end of D (point in time)", () => {
    const history = parseScoreCsv(CSV);
    expect(history.map((s) => s.asOf)).to.deep.equal([D1 + DAY, D1 + 2 * DAY]);
    expect(snapshotAt(history, D1 + DAY - 1)).to.equal(null);
    expect(snapshotAt(history, D1 + DAY)?.scores.BTC).to.equal(0.9);
    expect(snapshotAt(history, D1 + 2 * DAY + 5)?.scores.BTC).to.equal(0.1);
  });

  it("ranks (ties share), neutralises and goes long/short with capped, neutral weights", () => {
    expect([
      ...rankScores(
        new Map([
          ["a", 5],
          ["b", 1],
          ["c", 5],
        ]),
      ),
    ]).to.deep.equal([
      ["b", 0],
      ["a", 0.75],
      ["c", 0.75],
    ]);
    const w = weightsFromScores(
      new Map([
        ["BTC", 10],
        ["ETH", 3],
        ["SOL", 2],
        ["DOGE", -50],
      ]),
      POLICY,
    );
    expectAbsClose(
      Object.values(w).reduce((s, x) => s + x, 0),
      0,
      1e-12,
    );
    expectAbsClose(
      Object.values(w).reduce((s, x) => s + Math.abs(x), 0),
      1,
      1e-12,
    );
    expect(w.BTC).to.be.greaterThan(0);
    expect(w.DOGE).to.be.lessThan(0);
    expect(Math.max(...Object.values(w).map(Math.abs))).to.be.at.most(0.4 + 1e-12);
  });

  it("long only: the top half, summing to the gross, none above the cap", () => {
    const w = weightsFromScores(new Map(UNIVERSE.map((s, i) => [s, i])), {
      ...POLICY,
      mode: "long-only",
      maxWeight: 0.6,
    });
    expect(Object.keys(w).sort()).to.deep.equal(["DOGE", "SOL"]);
    expectAbsClose(w.DOGE, 0.6, 1e-12);
    expectAbsClose(w.SOL, 0.4, 1e-12);
  });

  it("refuses stale, non-finite and under-covering snapshots; ignores unknown assets with a note", () => {
    const snap = { asOf: D1, scores: { BTC: 1, ETH: 2, SOL: 3, PEPE: 4 } };
    expect(checkScores(snap, UNIVERSE, D1 + 3 * DAY, POLICY)).to.deep.include({ ok: false });
    const stale = checkScores(snap, UNIVERSE, D1 + 3 * DAY, POLICY);
    expect(stale.ok === false && stale.reason).to.match(/stale/);
    const nan = checkScores({ asOf: D1, scores: { ...snap.scores, DOGE: Number.NaN } }, UNIVERSE, D1, POLICY);
    expect(nan.ok === false && nan.reason).to.match(/not finite for DOGE/);
    const few = checkScores({ asOf: D1, scores: { BTC: 1, ETH: 2 } }, UNIVERSE, D1, POLICY);
    expect(few.ok === false && few.reason).to.match(/cover 2 of 4.*missing SOL, DOGE/);
    const ok = checkScores(snap, UNIVERSE, D1, POLICY);
    expect(ok.ok && ok.notes.join()).to.match(/PEPE/);
    expect(ok.ok && ok.notes.join()).to.match(/no score for DOGE/);
  });

  it("malformed files are DataErrors naming the rows; an empty score cell is kept as NaN", () => {
    expect(() => parseScoreCsv("day,symbol,score\n")).to.throw(DataError, /header/);
    expect(() => parseScoreCsv(`${CSV}2023-05-02,BTC,0.3\n`)).to.throw(DataError, /BTC scored twice/);
    expect(() => parseScoreCsv(`${CSV}2023-02-30,BTC,0.3\n`)).to.throw(DataError, /bad date/);
    expect(() => parseScoreCsv(`${CSV}2023-05-03,BTC,high\n`)).to.throw(DataError, /not a number/);
    const withGap = parseScoreCsv(`${CSV}2023-05-03,BTC,\n`);
    expect(Number.isNaN(withGap.at(-1)?.scores.BTC)).to.equal(true);
  });

  it("SignalStrategy sees only published scores and holds when they are unusable", () => {
    const hours = 24 * 4;
    const panel: MarketPanel = {
      freq: "1h",
      timestamps: Float64Array.from({ length: hours }, (_, t) => D1 + (t + 1) * 3_600),
      assets: UNIVERSE.map((symbol) => ({ symbol, category: "other", decimals: 18 })),
      close: UNIVERSE.map(() => new Float64Array(hours).fill(1)),
      volume: UNIVERSE.map(() => new Float64Array(hours).fill(Number.NaN)),
    };
    const strategy = new SignalStrategy(parseScoreCsv(CSV), POLICY);
    const view = (t: number) => ({
      panel,
      t,
      currentWeights: new Float64Array(4),
      eligible: UNIVERSE.map(() => true),
    });
    expect(strategy.decide(view(10))).to.equal(null); // before the first score is known
    const day2 = strategy.decide(view(24 + 1));
    expect(day2?.[0]).to.be.greaterThan(0); // BTC scored highest on 05-01
    const day3 = strategy.decide(view(48 + 1));
    expect(day3?.[0]).to.be.lessThan(0); // and lowest on 05-02
    expect(strategy.holds[0]?.reason).to.match(/no score snapshot/);
  });

  it("SignalOracle reads a file or an HTTP endpoint and holds with the reason on bad input", async () => {
    const dir = mkdtempSync(join(tmpdir(), "scores-"));
    const path = join(dir, "scores.csv");
    writeFileSync(path, CSV);
    const oracle = new SignalOracle({ name: "meta-model", read: async () => loadScoreFile(path), policy: POLICY });
    const context = { now: D1 + DAY + 60, currentWeights: {}, universe: UNIVERSE };
    const weights = await oracle.targetWeights(context);
    expect(weights).to.not.be.instanceOf(OracleHold);
    const perps = UNIVERSE.map((symbol) => ({ symbol, maxWeightBps: 5_000 }));
    const caps = { shorts: true, maxGross: 1.5, maxNet: 0.1, fullyInvested: false };
    expect(() => validateSignedWeights(weights as Record<string, number>, perps, caps)).to.not.throw();
    const spot = { shorts: false, maxGross: 1, maxNet: 1, fullyInvested: true };
    expect(() => validateSignedWeights(weights as Record<string, number>, perps, spot)).to.throw(/spot vault/);

    writeFileSync(path, "date,symbol\n");
    const hold = await oracle.targetWeights(context);
    expect(hold).to.be.instanceOf(OracleHold);
    expect((hold as OracleHold).reason).to.match(/DATA.*header/);
    expect(
      await new SignalOracle({
        name: "x",
        read: async () => loadScoreFile(join(dir, "gone.csv")),
        policy: POLICY,
      }).targetWeights(context),
    ).to.be.instanceOf(OracleHold);

    const server = await startReplayServer(() => ({
      body: { snapshots: [{ date: "2023-05-01", scores: { BTC: 1, ETH: 0.5, SOL: 0.2, DOGE: null } }] },
    }));
    try {
      const http = new SignalOracle({
        name: "api",
        read: () => fetchScores(`${server.baseUrl}/scores`),
        policy: POLICY,
      });
      const refused = await http.targetWeights(context);
      expect((refused as OracleHold).reason).to.match(/not finite for DOGE/);
      const longOnly = new SignalOracle({
        name: "api-long",
        read: () => fetchScores(`${server.baseUrl}/scores`),
        policy: { ...POLICY, mode: "long-only", minCoverage: 0.5, maxWeight: 1 },
        cash: ["USDC"],
      });
      const spotWeights = await longOnly.targetWeights({ ...context, universe: ["USDC", "BTC", "ETH", "SOL"] });
      expect(spotWeights).to.not.be.instanceOf(OracleHold);
      const sum = Object.values(spotWeights as Record<string, number>).reduce((s, w) => s + w, 0);
      expectAbsClose(sum, 1, 1e-12);
      expect((spotWeights as Record<string, number>).USDC).to.equal(undefined);
    } finally {
      await server.close();
    }
  });
});
