import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { loadRelease, writeReleaseFolder } from "../../../keeper/src/cli/releaseFolder.js";
import { panelUpTo } from "../../../keeper/src/core/types.js";
import { generateSyntheticMarket } from "../../../keeper/src/data/synthetic.js";
import { buildCandidates } from "../../../keeper/src/research/candidates.js";
import { baselineRelease } from "../../../keeper/src/research/release/baselineRelease.js";
import { REPORT_FILE, releaseFiles, sha256 } from "../../../keeper/src/research/release/release.js";
import { researchConfigSchema } from "../../../keeper/src/research/researchConfig.js";

describe("research/release: a hand-made baseline release (no research)", () => {
  const cfg = researchConfigSchema.parse({});
  const data = {
    sha256: sha256("some data"),
    from: "2024-01-01",
    to: "2024-12-31",
    bars: 366,
    assets: ["USDC", "ETH", "ARB"],
  };
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), "ballast-baseline-release-"));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("loads like any release, serves the family's daily candidate, and its verdict says nothing was judged", () => {
    const dir = join(root, "inverse-vol");
    const manifest = baselineRelease({
      family: "inverse-vol",
      cfg,
      data,
      universe: ["ETH", "ARB"],
      chosenBy: "an operator",
    });
    writeReleaseFolder(dir, releaseFiles(manifest, { [REPORT_FILE]: "{}" }));
    const release = loadRelease(dir);
    const m = release.manifest;
    expect(m.producedBy).to.equal("operator");
    expect(m.strategy).to.deep.equal({
      id: "inverse-vol(lookback=30)@24h",
      family: "inverse-vol",
      params: { lookback: 30 },
      policyFile: null,
    });
    expect(m.schedule).to.deep.equal({ label: "24h", decideEveryBars: 1 });
    expect(m.gate.approved).to.equal(false);
    expect(m.gate.recommended).to.deep.equal({ id: m.strategy.id, family: "inverse-vol" });
    expect(m.gate.reasons).to.deep.equal([
      "no research ran: an operator chose this baseline by hand; nothing was judged",
    ]);
    expect(m.gate.evidence).to.deep.equal({
      blocks: [],
      excessSharpe: [],
      meanExcessSharpe: null,
      blocksBeaten: 0,
      deflatedSharpe: null,
    });
    // It serves the research candidate itself: the same weights on the same view.
    const panel = generateSyntheticMarket({ seed: 4, bars: 120, freq: "24h", assets: ["USDC", "ETH", "ARB"] });
    const view = {
      panel: panelUpTo(panel, 100),
      t: 100,
      currentWeights: new Float64Array(3),
      eligible: [true, true, true],
    };
    const candidate = buildCandidates(cfg).find((c) => c.id === m.strategy.id);
    expect(Array.from(release.strategy(panel).decide(view) ?? [])).to.deep.equal(
      Array.from(candidate?.make(panel).decide(view) ?? [Number.NaN]),
    );
  });

  it("every hand baseline has a daily candidate", () => {
    for (const family of ["equal-weight", "inverse-vol", "min-variance"] as const) {
      const m = baselineRelease({ family, cfg, data, universe: ["ETH", "ARB"], chosenBy: "x" });
      expect(m.strategy.id.startsWith(`${family}(`) && m.strategy.id.endsWith("@24h"), m.strategy.id).to.equal(true);
    }
  });
});
