/**
 * The route bandit: the exploration bound (never a route whose corrected cost is more than the
 * margin above the best one's), learning (a route whose realised cost keeps beating its
 * prediction is avoided), and determinism (same arms and inputs, same choice; a JSON round trip
 * of the arms changes nothing).
 */
import { expect } from "chai";
import {
  chooseRoute,
  freshArm,
  learn,
  parseArm,
  type RouteArm,
  type RouteCandidate,
  type RouteFeatures,
  recordPick,
  routeMetrics,
} from "../../../keeper/src/market/routeBandit.js";

const F: RouteFeatures = { sizeOverLiquidity: 0.002, volLevel: 1, gasGwei: 0.01 };
const POLICY = { marginBps: 10, alpha: 5, maxBonusBps: 50 };

function candidates(a: number, b: number): RouteCandidate[] {
  return [
    { id: "A", predictedCostBps: a, features: F },
    { id: "B", predictedCostBps: b, features: F },
  ];
}

describe("route bandit", () => {
  it("never picks a route predicted worse than the best by more than the margin, whatever the bonus", () => {
    // A huge bonus on a fresh arm would pick B if the bound were not applied.
    const arms = new Map<string, RouteArm>([["A", learnMany(freshArm(), 200, 0)]]);
    const choice = chooseRoute(candidates(30, 41), arms, { marginBps: 10, alpha: 1e6, maxBonusBps: 1e6 });
    expect(choice.index).to.equal(0);
    expect(choice.scores[1]?.eligible).to.equal(false);
    // Inside the margin the bonus may explore the less known route.
    const explore = chooseRoute(candidates(30, 39), arms, { marginBps: 10, alpha: 1e6, maxBonusBps: 1e6 });
    expect(explore.index).to.equal(1);
    expect(explore.scores[1]?.eligible).to.equal(true);
  });

  it("caps the bonus at maxBonusBps", () => {
    const choice = chooseRoute(candidates(30, 30), new Map(), { marginBps: 10, alpha: 1e9, maxBonusBps: 7 });
    for (const s of choice.scores) expect(s.bonusBps).to.equal(7);
  });

  it("learns to avoid a route whose realised cost is consistently worse than predicted", () => {
    let arms = new Map<string, RouteArm>();
    const picks: string[] = [];
    for (let t = 0; t < 30; t++) {
      const choice = chooseRoute(candidates(20, 22), arms, POLICY);
      const id = choice.scores[choice.index]?.id as string;
      picks.push(id);
      // Route A realises 25 bps more than predicted, route B 1 bps more.
      const error = id === "A" ? 25 : 1;
      const arm = recordPick(arms.get(id) ?? freshArm());
      arms = new Map(arms).set(id, learn(arm, F, error, id === "A" ? 22 : 0));
    }
    expect(picks[0]).to.equal("A");
    expect(picks.slice(-10).every((p) => p === "B")).to.equal(true);
    const a = routeMetrics("A", arms.get("A") as RouteArm);
    expect(a.meanErrorBps).to.equal(25);
    expect(a.meanAbsErrorBps).to.equal(25);
    expect(a.regretBps).to.equal(22 * a.updates);
    // Its learned correction puts it beyond the margin: it is no longer even eligible.
    const last = chooseRoute(candidates(20, 22), arms, POLICY);
    expect(last.scores[0]?.correctionBps).to.be.greaterThan(12);
    expect(last.scores[0]?.eligible).to.equal(false);
  });

  it("is deterministic and survives a JSON round trip of its arms", () => {
    let arm = freshArm();
    for (let k = 0; k < 5; k++) arm = learn(recordPick(arm), { ...F, sizeOverLiquidity: 0.001 * k }, 3 * k, 0);
    const arms = new Map([["A", arm]]);
    const restored = new Map([["A", parseArm(JSON.parse(JSON.stringify(arm)))]]);
    const first = chooseRoute(candidates(20, 24), arms, POLICY);
    expect(chooseRoute(candidates(20, 24), arms, POLICY)).to.deep.equal(first);
    expect(chooseRoute(candidates(20, 24), restored, POLICY)).to.deep.equal(first);
  });

  it("refuses a malformed stored arm and an empty candidate list", () => {
    expect(() => parseArm({ ...freshArm(), a: [1, 2] })).to.throw(/malformed/);
    expect(() => chooseRoute([], new Map(), POLICY)).to.throw(/no candidate/);
  });
});

function learnMany(arm: RouteArm, n: number, error: number): RouteArm {
  let out = arm;
  for (let k = 0; k < n; k++) out = learn(out, F, error, 0);
  return out;
}
