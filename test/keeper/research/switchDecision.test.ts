import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { loadRelease, writeReleaseFolder } from "../../../keeper/src/cli/releaseFolder.js";
import { type GateCandidate, runGate } from "../../../keeper/src/research/release/gate.js";
import { REPORT_FILE, releaseFiles, sha256 } from "../../../keeper/src/research/release/release.js";
import { decideSwitch } from "../../../keeper/src/research/release/switchDecision.js";

const EW: GateCandidate = {
  id: "equal-weight()@24h",
  family: "equal-weight",
  selection: [{ block: "validation", netSharpe: 0.8, netReturn: 0 }],
  outOfSelection: [{ block: "test", netSharpe: 0.5, netReturn: 0 }],
};
const IV = "inverse-vol(lookback=30)@24h";

/** A release of inverse-vol over `assets` whose candidate scored `oosSharpe` on the test block. */
function writeIvRelease(dir: string, assets: readonly string[], oosSharpe: number): string {
  const candidate = {
    id: IV,
    family: "inverse-vol",
    selection: [{ block: "validation", netSharpe: 1, netReturn: 0 }],
    outOfSelection: [{ block: "test", netSharpe: oosSharpe, netReturn: 0 }],
    deflatedSharpe: 0.99,
  };
  const gate = runGate({ candidate, equalWeight: EW, baselines: [EW, candidate] });
  const params: Record<string, number> = gate.recommended.id === IV ? { lookback: 30 } : {};
  const strategy =
    gate.recommended.id === IV
      ? { id: IV, family: "inverse-vol", params, policyFile: null }
      : { id: EW.id, family: EW.family, params, policyFile: null };
  const files = releaseFiles(
    {
      createdAt: new Date(0).toISOString(),
      producedBy: "research",
      strategy,
      schedule: { label: "24h", decideEveryBars: 1 },
      universe: { base: "USDC", assets: [...assets] },
      researchConfig: { baseSymbol: "USDC" },
      data: { sha256: sha256("rows"), from: "2021-01-01", to: "2021-07-01", bars: 182, assets: ["USDC", ...assets] },
      gate,
    },
    { [REPORT_FILE]: "{}" },
  );
  writeReleaseFolder(dir, files);
  return dir;
}

describe("research/release: switching to a rotation retrain's release", () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), "ballast-switch-"));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const decide = (dir: string, basket = ["USDC", "WETH", "WBTC", "ARB"]) =>
    decideSwitch({ dir, load: loadRelease, manifestOf: (r) => r.manifest, basket });

  it("switches to a release the gate approved whose universe is the basket", () => {
    const dir = writeIvRelease(join(root, "approved"), ["ETH", "BTC", "ARB"], 1.2);
    const d = decide(dir);
    expect(d.switch).to.equal(true);
    if (!d.switch) return;
    expect(d.release.dir).to.equal(dir);
    expect(d.release.manifest.strategy.id).to.equal(IV);
    expect(d.reason).to.match(/^the gate approved inverse-vol\(lookback=30\)@24h: beats equal weight by 0\.70/);
  });

  it("keeps the release in force when the gate did not approve, saying why", () => {
    const dir = writeIvRelease(join(root, "rejected"), ["ETH", "BTC", "ARB"], 0.55);
    const d = decide(dir);
    expect(d.switch).to.equal(false);
    expect(d.reason).to.match(/^the gate did not approve inverse-vol\(lookback=30\)@24h: mean excess net Sharpe/);
    expect(d.reason).to.contain("below the margin 0.10");
  });

  it("keeps it when the folder is missing, tampered with or for another basket", () => {
    expect(decide(join(root, "absent")).reason).to.equal(`release ${join(root, "absent")} refused: no such folder`);
    const tampered = writeIvRelease(join(root, "tampered"), ["ETH", "BTC", "ARB"], 1.2);
    writeFileSync(join(tampered, REPORT_FILE), '{"edited":true}');
    const t = decide(tampered);
    expect(t.switch).to.equal(false);
    expect(t.reason).to.contain("report.json does not match its hash in release.json (tampered?)");
    const narrow = writeIvRelease(join(root, "narrow"), ["ETH", "BTC"], 1.2);
    const n = decide(narrow);
    expect(n.switch).to.equal(false);
    expect(n.reason).to.match(/^release universe \(BTC ETH USDC\) differs from the vault's basket/);
  });
});
