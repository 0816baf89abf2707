import { expect } from "chai";
import { yieldPlanOf } from "../../../keeper/src/cli/yieldPlan.js";
import { type GateCandidate, runGate } from "../../../keeper/src/research/release/gate.js";
import {
  MANIFEST_FILE,
  REPORT_FILE,
  releaseFiles,
  sha256,
  verifyRelease,
} from "../../../keeper/src/research/release/release.js";

const EW: GateCandidate = {
  id: "equal-weight()@24h",
  family: "equal-weight",
  selection: [{ block: "validation", netSharpe: 0.8, netReturn: 0 }],
  outOfSelection: [{ block: "test", netSharpe: 0.9, netReturn: 0 }],
};

/** A verified release of the LST index serving `family`, with its research config's yields. */
function lstRelease(family: string) {
  const id = `${family}(g=5)@7d`;
  const gate = runGate({
    candidate: {
      ...EW,
      id,
      family,
      deflatedSharpe: 0.99,
      outOfSelection: [{ block: "test", netSharpe: 1.5, netReturn: 0 }],
    },
    equalWeight: EW,
    baselines: [EW],
  });
  const files = releaseFiles(
    {
      createdAt: "2026-11-01T00:00:00.000Z",
      producedBy: "research",
      strategy: { id, family, params: { riskAversion: 5 }, policyFile: null },
      schedule: { label: "7d", decideEveryBars: 7 },
      universe: { base: "ETH", assets: ["WSTETH", "RETH"] },
      researchConfig: {
        baseSymbol: "ETH",
        lstYields: { WSTETH: 0.031, RETH: 0.028 },
        lstYieldAccrual: { WSTETH: "price" },
      },
      data: { sha256: sha256("x"), from: "2024-01-01", to: "2025-01-01", bars: 367, assets: ["ETH", "WSTETH", "RETH"] },
      gate,
    },
    { [REPORT_FILE]: "{}" },
  );
  expect(files[MANIFEST_FILE]).to.be.a("string");
  return verifyRelease((name) => files[name] ?? null);
}

describe("cli/yieldPlan", () => {
  it("a yield-aware release: the research config's priors per vault asset, base and unknown assets none", () => {
    const plan = yieldPlanOf(lstRelease("mean-variance+yield"), "mv+yield", ["WETH", "WSTETH", "RETH"]);
    expect(plan.strategy).to.equal("mv+yield");
    expect(plan.assets.map((a) => [a.asset, a.source, a.apy, a.accrual])).to.deep.equal([
      ["WETH", "none", null, null],
      ["WSTETH", "prior", 0.031, "price"],
      // No accrual configured: the strategy's default, a balance it adds on top of the price.
      ["RETH", "prior", 0.028, "balance"],
    ]);
    expect(plan.assets[1]?.asOf).to.equal(Date.parse("2026-11-01T00:00:00Z") / 1000);
  });

  it("any other strategy, or no release, counts no yield", () => {
    for (const plan of [
      yieldPlanOf(lstRelease("mean-variance"), "mv", ["WETH", "WSTETH"]),
      yieldPlanOf(null, "inverse-vol", ["WETH", "WSTETH"]),
    ]) {
      expect(plan.assets.map((a) => a.source)).to.deep.equal(["none", "none"]);
    }
  });
});
