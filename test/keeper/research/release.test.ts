import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { loadRelease, writeReleaseFolder } from "../../../keeper/src/cli/releaseFolder.js";
import { ConfigError } from "../../../keeper/src/core/errors.js";
import { type MarketPanel, panelUpTo } from "../../../keeper/src/core/types.js";
import { generateSyntheticMarket } from "../../../keeper/src/data/synthetic.js";
import { LiveOracle } from "../../../keeper/src/execution/liveOracle.js";
import { StrategyOracle } from "../../../keeper/src/execution/strategyOracle.js";
import { trainPpoAgent } from "../../../keeper/src/research/ppoAgent.js";
import { gateInputFromResearch, releaseFromResearch } from "../../../keeper/src/research/release/fromResearch.js";
import { type GateCandidate, type GateInput, runGate } from "../../../keeper/src/research/release/gate.js";
import {
  CHECKSUM_FILE,
  checkReleaseUniverse,
  MANIFEST_FILE,
  POLICY_FILE,
  REPORT_FILE,
  type ReleaseManifestInput,
  releaseFiles,
  sha256,
} from "../../../keeper/src/research/release/release.js";
import { researchConfigSchema } from "../../../keeper/src/research/researchConfig.js";
import { scoreOnTest, selectOnValidation } from "../../../keeper/src/research/runResearch.js";
import { candidateAssets, researchEligibility } from "../../../keeper/src/research/universe.js";
import { strategyFromPolicy } from "../../../keeper/src/strategy/ppo/policyStrategy.js";
import type { PpoPolicy } from "../../../keeper/src/strategy/ppo/ppoPolicy.js";
import { initTf } from "../../../keeper/src/strategy/ppo/tfBackend.js";
import { expectAbsClose } from "../../helpers/approx.js";

const block = (name: string, netSharpe: number) => ({ block: name, netSharpe, netReturn: netSharpe / 10 });
const cand = (id: string, family: string, sel: number[], oos: number[]): GateCandidate => ({
  id,
  family,
  selection: sel.map((s, i) => block(`sel${i}`, s)),
  outOfSelection: oos.map((s, i) => block(`oos${i}`, s)),
});

describe("research/release: the gate", () => {
  const ew = cand("equal-weight()@24h", "equal-weight", [0.5, 0.6], [0.4, 0.5, 0.3]);
  const iv = cand("inverse-vol(lookback=30)@24h", "inverse-vol", [0.7, 0.8], [0.2, 0.2, 0.2]);
  const mv = cand("min-variance(lookback=60)@24h", "min-variance", [0.9, 0.1], [0.9, 0.9, 0.9]);
  const input = (oos: number[], dsr: number): GateInput => ({
    candidate: { ...cand("mean-variance(riskAversion=5)@48h", "mean-variance", [1.2, 1.3], oos), deflatedSharpe: dsr },
    equalWeight: ew,
    baselines: [ew, iv, mv],
  });

  it("approves a candidate that beats equal weight by the margin out of selection, with a high deflated Sharpe", () => {
    const v = runGate(input([0.6, 0.7, 0.35], 0.97), { margin: 0.1, minDeflatedSharpe: 0.95 });
    expect(v.approved).to.equal(true);
    expect(v.recommended.id).to.equal("mean-variance(riskAversion=5)@48h");
    expectAbsClose(v.evidence.meanExcessSharpe, (0.2 + 0.2 + 0.05) / 3, 1e-12);
    expect(v.evidence.blocksBeaten).to.equal(3);
    expect(v.reasons[0]).to.match(/^beats equal weight by 0\.15 net Sharpe on average over 3 out-of-selection block/);
  });

  it("rejects a candidate below the margin and falls back to the baseline with the best worst selection block", () => {
    const v = runGate(input([0.45, 0.55, 0.3], 0.99), { margin: 0.1, minDeflatedSharpe: 0.95 });
    expect(v.approved).to.equal(false);
    // inverse-vol's worst selection block (0.7) beats equal weight's (0.5) and min-variance's (0.1);
    // min-variance's strong out-of-selection results do not count: the fallback is not chosen on them.
    expect(v.recommended.id).to.equal("inverse-vol(lookback=30)@24h");
    expect(v.reasons).to.deep.equal([
      "mean excess net Sharpe over equal weight on 3 out-of-selection block(s) is 0.03, below the margin 0.10",
      "fallback: inverse-vol(lookback=30)@24h, the baseline with the best worst-block net Sharpe on the selection blocks (0.70)",
    ]);
  });

  it("rejects a candidate whose deflated Sharpe is below the threshold, even when it beats equal weight", () => {
    const v = runGate(input([1, 1, 1], 0.6), { margin: 0.1, minDeflatedSharpe: 0.95 });
    expect(v.approved).to.equal(false);
    expect(v.reasons[0]).to.equal("deflated Sharpe 0.60 is below the threshold 0.95");
  });

  it("rejects a candidate that wins on average but loses on most blocks, and one that is equal weight itself", () => {
    const lumpy = runGate(input([2, 0.3, 0.2], 0.99));
    expect(lumpy.approved).to.equal(false);
    expect(lumpy.reasons).to.include("beats equal weight on only 1 of 3 block(s)");
    const self = runGate({ candidate: { ...ew, deflatedSharpe: 1 }, equalWeight: ew, baselines: [ew] });
    expect(self.approved).to.equal(false);
    expect(self.reasons[0]).to.equal("the candidate is the equal-weight baseline itself");
  });

  it("a NaN Sharpe never passes, and a block equal weight lacks is an input error", () => {
    expect(runGate(input([Number.NaN, 1, 1], 0.99)).approved).to.equal(false);
    const bad = { ...input([1, 1, 1], 0.99), equalWeight: cand("equal-weight()@24h", "equal-weight", [0.5], [0.4]) };
    expect(() => runGate(bad)).to.throw(/equal weight has no result on block oos1/);
  });
});

describe("research/release: the release folder", () => {
  const panel: MarketPanel = generateSyntheticMarket({
    seed: 5,
    bars: 360,
    freq: "24h",
    assets: ["USDC", "WETH", "WBTC", "ARB"],
  });
  const cfg = researchConfigSchema.parse({
    families: ["equal-weight", "inverse-vol", "min-variance"],
    schedules: [
      { label: "24h", decideEveryBars: 1 },
      { label: "168h", decideEveryBars: 7 },
    ],
    ppo: { enabled: false },
    pboBlocks: 4,
  });
  const dataHash = sha256("the data file");
  let dir: string;

  function researchRelease(): Record<string, string> {
    const selection = selectOnValidation(panel, cfg, [], { dataHash, configHash: "c" });
    const outcome = scoreOnTest(panel, cfg, selection, []);
    const verdict = runGate(gateInputFromResearch(selection, outcome));
    const manifest = releaseFromResearch({ panel, cfg, selection, verdict, dataHash, producedBy: "research" });
    const report = JSON.stringify({ research: { dataHash, chosenOverall: selection.chosenOverall } });
    return releaseFiles(manifest, { [REPORT_FILE]: report });
  }

  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), "ballast-release-")), "release");
  });
  afterEach(() => {
    rmSync(join(dir, ".."), { recursive: true, force: true });
  });

  it("round trip: research writes a release the keeper loads, serving what the gate recommends on its schedule", () => {
    const files = researchRelease();
    writeReleaseFolder(dir, files);
    const release = loadRelease(dir);
    const m = release.manifest;
    expect(m.strategy.id).to.equal(m.gate.recommended.id);
    expect(m.universe).to.deep.equal({ base: "USDC", assets: ["WETH", "WBTC", "ARB"] });
    expect(m.data).to.deep.include({ sha256: dataHash, bars: 360, assets: ["USDC", "WETH", "WBTC", "ARB"] });
    expect(m.gate.evidence.blocks).to.have.length(1);
    expect(["24h", "168h"]).to.include(m.schedule.label);
    expect(m.schedule.decideEveryBars).to.equal(m.schedule.label === "24h" ? 1 : 7);
    // The served strategy is the research candidate itself: same weights on the same view.
    const t = 300;
    const view = {
      panel: panelUpTo(panel, t),
      t,
      currentWeights: new Float64Array(4),
      eligible: [true, true, true, true],
    };
    const w = release.strategy(panel).decide(view);
    expect(w).to.not.equal(null);
    expectAbsClose(
      Array.from(w ?? []).reduce((a, b) => a + b, 0),
      1,
      1e-9,
    );
  });

  it("refuses a tampered file, an edited manifest, a missing gate verdict and a missing folder", () => {
    const files = researchRelease();
    writeReleaseFolder(dir, files);
    writeFileSync(join(dir, REPORT_FILE), `${files[REPORT_FILE]} `);
    expect(() => loadRelease(dir)).to.throw(
      ConfigError,
      /report\.json does not match its hash in release\.json \(tampered\?\)/,
    );

    writeReleaseFolder(dir, files);
    const manifest = JSON.parse(files[MANIFEST_FILE] as string) as Record<string, unknown>;
    writeFileSync(
      join(dir, MANIFEST_FILE),
      JSON.stringify({ ...manifest, schedule: { label: "x", decideEveryBars: 1 } }),
    );
    expect(() => loadRelease(dir)).to.throw(ConfigError, /release\.json does not match release\.sha256/);

    // Consistently re-hashed but without a gate verdict: still refused.
    const { gate: _gate, ...ungated } = manifest;
    const text = JSON.stringify(ungated);
    writeFileSync(join(dir, MANIFEST_FILE), text);
    writeFileSync(join(dir, CHECKSUM_FILE), `${sha256(text)}  release.json\n`);
    expect(() => loadRelease(dir)).to.throw(ConfigError, /refused: it has no gate verdict/);

    // A fingerprint that disagrees with its own report.
    const other = { ...manifest, data: { ...(manifest.data as object), sha256: sha256("other data") } };
    const otherText = JSON.stringify(other);
    writeFileSync(join(dir, MANIFEST_FILE), otherText);
    writeFileSync(join(dir, CHECKSUM_FILE), sha256(otherText));
    expect(() => loadRelease(dir)).to.throw(ConfigError, /the data fingerprint .* differs from the report's/);

    expect(() => loadRelease(join(dir, "nope"))).to.throw(ConfigError, /no such folder/);
    expect(readFileSync(join(dir, REPORT_FILE), "utf8")).to.equal(files[REPORT_FILE]);
  });

  it("refuses a universe that is not exactly the vault's basket", () => {
    writeReleaseFolder(dir, researchRelease());
    const { manifest } = loadRelease(dir);
    expect(() => checkReleaseUniverse(manifest, ["USDC", "ARB", "WBTC", "WETH"])).to.not.throw();
    expect(() => checkReleaseUniverse(manifest, ["USDC", "WETH", "WBTC"])).to.throw(
      ConfigError,
      "release universe (ARB USDC WBTC WETH) differs from the vault's basket (USDC WBTC WETH): refusing to start",
    );
  });
});

describe("research/release: research symbols against a vault's wrapped tokens", () => {
  // Research holds ETH and BTC; a vault holds WETH and WBTC (the same exposure).
  const research: MarketPanel = generateSyntheticMarket({
    seed: 6,
    bars: 300,
    freq: "24h",
    assets: ["USDC", "ETH", "BTC", "ARB"],
  });
  const cfg = researchConfigSchema.parse({
    families: ["equal-weight", "inverse-vol"],
    schedules: [{ label: "24h", decideEveryBars: 1 }],
    ppo: { enabled: false },
    pboBlocks: 4,
  });
  let dir: string;
  before(() => {
    const dataHash = sha256("eth btc data");
    const selection = selectOnValidation(research, cfg, [], { dataHash, configHash: "c" });
    const outcome = scoreOnTest(research, cfg, selection, []);
    // A fixture verdict that serves inverse vol, so the served weights depend on the data.
    const input = gateInputFromResearch(selection, outcome);
    const ivId = selection.chosenPerFamily["inverse-vol"] as string;
    const oosBlock = input.equalWeight.outOfSelection[0]?.block as string;
    const verdict = runGate({
      ...input,
      candidate: {
        id: ivId,
        family: "inverse-vol",
        selection: [],
        outOfSelection: [{ block: oosBlock, netSharpe: 99, netReturn: 0 }],
        deflatedSharpe: 1,
      },
    });
    const manifest = releaseFromResearch({
      panel: research,
      cfg,
      selection,
      verdict,
      dataHash,
      producedBy: "research",
    });
    dir = join(mkdtempSync(join(tmpdir(), "ballast-alias-")), "release");
    writeReleaseFolder(dir, releaseFiles(manifest, { [REPORT_FILE]: JSON.stringify({ research: { dataHash } }) }));
  });
  after(() => {
    rmSync(join(dir, ".."), { recursive: true, force: true });
  });

  it("accepts WETH/WBTC for ETH/BTC and serves the same weights on the vault's symbols", () => {
    const release = loadRelease(dir);
    expect(release.manifest.universe.assets).to.have.members(["ETH", "BTC", "ARB"]);
    expect(() => checkReleaseUniverse(release.manifest, ["USDC", "WETH", "WBTC", "ARB"])).to.not.throw();
    expect(() => checkReleaseUniverse(release.manifest, ["USDC", "WETH", "ARB"])).to.throw(ConfigError, /differs/);
    const vault: MarketPanel = {
      ...research,
      assets: research.assets.map((a) => ({
        ...a,
        symbol: a.symbol === "ETH" ? "WETH" : a.symbol === "BTC" ? "WBTC" : a.symbol,
      })),
    };
    const t = 280;
    const view = (p: MarketPanel) => ({
      panel: panelUpTo(p, t),
      t,
      currentWeights: new Float64Array(4),
      eligible: [true, true, true, true],
    });
    const served = release.strategy(vault).decide(view(vault));
    const direct = release.strategy(research).decide(view(research));
    expect(served).to.not.equal(null);
    expect(Array.from(served ?? [])).to.deep.equal(Array.from(direct ?? []));
  });
});

describe("research/release: PPO inference from a release", () => {
  const panel: MarketPanel = generateSyntheticMarket({
    seed: 8,
    bars: 200,
    freq: "24h",
    assets: ["USDC", "WETH", "WBTC", "ARB"],
  });
  let policy: PpoPolicy;
  let dir: string;

  before(async () => {
    const { tf } = await initTf();
    const cfg = researchConfigSchema.parse({});
    ({ policy } = await trainPpoAgent({
      tf,
      panel,
      universe: candidateAssets(panel),
      eligibility: researchEligibility(panel),
      assumptions: cfg.assumptions,
      from: 0,
      to: 120,
      ppo: {
        seed: 4,
        totalSteps: 256,
        numEnvs: 2,
        rolloutSteps: 64,
        minibatchSize: 64,
        epochs: 1,
        hiddenSizes: [16, 16],
      },
    }));
    policy = policy.withMeta({ seed: 4 });
    dir = join(mkdtempSync(join(tmpdir(), "ballast-ppo-release-")), "release");
    const gate = runGate({
      candidate: { ...cand("ppo(seed=4)@24h", "ppo", [1], [1.5]), deflatedSharpe: 0.99 },
      equalWeight: cand("equal-weight()@24h", "equal-weight", [0.5], [0.5]),
      baselines: [],
    });
    expect(gate.approved).to.equal(true);
    const manifest: ReleaseManifestInput = {
      createdAt: "2026-12-03T00:00:00.000Z",
      producedBy: "train",
      strategy: { id: "ppo(seed=4)@24h", family: "ppo", params: { seed: 4 }, policyFile: POLICY_FILE },
      schedule: { label: "24h", decideEveryBars: 1 },
      universe: { base: "USDC", assets: ["WETH", "WBTC", "ARB"] },
      researchConfig: { baseSymbol: "USDC" },
      data: {
        sha256: sha256("x"),
        from: "2020-01-01",
        to: "2020-07-18",
        bars: 200,
        assets: ["USDC", "WETH", "WBTC", "ARB"],
      },
      gate,
    };
    writeReleaseFolder(
      dir,
      releaseFiles(manifest, { [POLICY_FILE]: JSON.stringify(policy.toJSON()), [REPORT_FILE]: "{}" }),
    );
  });
  after(() => {
    rmSync(join(dir, ".."), { recursive: true, force: true });
  });

  it("gives the trained policy's weights on the same point-in-time features, through the keeper's live oracle too", async () => {
    const release = loadRelease(dir);
    expect(release.policy).to.not.equal(null);
    const symbols = ["USDC", "WETH", "WBTC", "ARB"];
    const trained = new StrategyOracle(strategyFromPolicy(policy, panel, "trained"), panel, symbols);
    const live = new LiveOracle({
      name: release.manifest.strategy.id,
      // The live panel ends at the decision bar: nothing later exists, as in production.
      market: {
        snapshot: async (now) => {
          const t = panel.timestamps.indexOf(now);
          return {
            ok: true,
            panel: panelUpTo(panel, t),
            bars: {},
            newestBarAt: now,
            chainlinkUsd: {},
            warning: null,
          };
        },
      },
      strategy: (p) => release.strategy(p),
      venueSymbols: symbols,
    });
    let compared = 0;
    for (const t of [130, 150, 170, 199]) {
      const now = panel.timestamps[t] as number;
      const ctx = { now, currentWeights: { USDC: 0.25, WETH: 0.25, WBTC: 0.25, ARB: 0.25 }, universe: symbols };
      const a = await trained.targetWeights(ctx);
      const b = await live.targetWeights(ctx);
      expect(b).to.deep.equal(a);
      expectAbsClose(
        Object.values(a ?? {}).reduce((x, y) => x + y, 0),
        1,
        1e-9,
      );
      compared++;
    }
    expect(compared).to.equal(4);
  });

  it("refuses a policy file whose assets differ from the release universe", () => {
    const wrong = policy.withMeta({ universe: ["WETH", "WBTC"] });
    const text = readFileSync(join(dir, MANIFEST_FILE), "utf8");
    const m = JSON.parse(text) as { files: Record<string, string> };
    const policyText = JSON.stringify(wrong.toJSON());
    m.files[POLICY_FILE] = sha256(policyText);
    const bad = join(dir, "..", "bad");
    const mText = JSON.stringify(m);
    writeReleaseFolder(bad, {
      [MANIFEST_FILE]: mText,
      [CHECKSUM_FILE]: sha256(mText),
      [POLICY_FILE]: policyText,
      [REPORT_FILE]: "{}",
    });
    expect(() => loadRelease(bad)).to.throw(ConfigError, /the policy's assets differ from the release universe/);
  });
});
