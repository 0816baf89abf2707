/**
 * The demo summary's rotation line: a finished rotation lists what it removed and added; one
 * still running lists the same steps with the status each has reached, rather than empty lists.
 */
import { expect } from "chai";
import { rotationLine } from "../../../keeper/src/cli/demoSummary.js";
import type { RotationRecord, RotationStepRecord } from "../../../keeper/src/service/readModel.js";

function step(
  kind: RotationStepRecord["kind"],
  symbol: string,
  status: RotationStepRecord["status"],
): RotationStepRecord {
  return {
    id: 1,
    kind,
    symbol,
    token: `0x${symbol.toLowerCase().padEnd(40, "0")}`,
    status,
    callData: null,
    readyAt: null,
    txHash: null,
    proposal: null,
    reason: null,
    updatedAt: 0,
  };
}

function rotation(status: RotationRecord["status"], steps: RotationStepRecord[]): RotationRecord {
  return {
    id: 3,
    startedAt: 0,
    finishedAt: status === "done" ? 86_400 : null,
    status,
    selected: ["WETH", "WBTC"],
    plan: { keep: ["WETH"], remove: ["UNI"], add: ["WBTC"], rejected: [] },
    reason: null,
    steps,
  };
}

const ctx = { dayOf: (t: number) => Math.floor(t / 86_400) };

describe("demo summary: rotation line", () => {
  it("a finished rotation names what it removed and added", () => {
    const line = rotationLine(
      rotation("done", [step("remove", "UNI", "removed"), step("add", "WBTC", "executed")]),
      new Map(),
      ctx,
      [],
    );
    expect(line).to.include("removed [UNI], added [WBTC]");
    expect(line).to.include("finished day 1");
  });

  it("a rotation in progress names each step with the status it has reached", () => {
    const line = rotationLine(
      rotation("in-progress", [step("remove", "UNI", "selling"), step("add", "WBTC", "scheduled")]),
      new Map(),
      ctx,
      [],
    );
    expect(line).to.include("removed [UNI (selling)], added [WBTC (scheduled)]");
    expect(line).to.include("still in progress");
  });
});
