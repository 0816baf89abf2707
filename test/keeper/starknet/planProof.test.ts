import { readFileSync } from "node:fs";
import { expect } from "chai";
import { planSwaps } from "../../../keeper/src/execution/starknet/planSwaps.js";
import { findFunctions, isTest, removeFunctions } from "../../../scripts/starknet/cairoSource.js";
import {
  PROOF_MODULE,
  PROOF_STATE,
  PROOF_TEST,
  planForProof,
  proofModule,
  proofSource,
} from "../../../scripts/starknet/planProofSource.js";

const E18 = 10n ** 18n;

/**
 * The Cairo proof's generator (the compile and run is `npm run cairo:plan-proof`, in
 * .ci/cairo-e2e.sh): what it writes is the planner's output for the proof state, nothing else.
 */
describe("Starknet plan proof (generated Cairo test)", () => {
  const vault = readFileSync("starknet/src/lst_vault.cairo", "utf8");
  const plan = planForProof(PROOF_STATE);
  const source = proofSource(vault, proofModule(PROOF_STATE, plan), (s) =>
    removeFunctions(s, findFunctions(s).filter(isTest)),
  );

  it("plans one sell (wstETH above target) and one buy (rETH below) for the proof state", () => {
    expect(plan.swaps.map((s) => [s.slot, s.side])).to.deep.equal([
      [1, "sell"],
      [2, "buy"],
    ]);
    for (const [i, target] of PROOF_STATE.targetBps.entries()) {
      expect(Math.abs((plan.predictedBps[i] as number) - target)).to.be.at.most(2);
    }
  });

  it("keeps exactly one test, the generated one, and the e2e mocks it deploys", () => {
    const tests = findFunctions(source).filter(isTest);
    expect(tests.map((t) => `${t.modulePath}::${t.name}`)).to.deep.equal([`tests::${PROOF_MODULE}::${PROOF_TEST}`]);
    expect(source).to.include("pub mod MockMarket");
    expect(source.trimEnd().endsWith("}")).to.equal(true);
  });

  it("writes the planned amounts, the oracle's targets and both assertions into the test", () => {
    for (const s of plan.swaps) expect(source).to.include(`, ${s.amountIn}),`);
    expect(source).to.include(`set_target_weights(array![${PROOF_STATE.targetBps.join(", ")}])`);
    expect(source).to.include(`rebalance(swaps, ${PROOF_STATE.maxSlippageBps})`);
    expect(source).to.include(`<= ${PROOF_STATE.toleranceBps}, 'off target'`);
    expect(source).to.include(`array![${plan.predictedBps.join(", ")}]`);
  });
});

describe("planSwaps", () => {
  const slots = [
    { symbol: "WETH", token: "0x1", balance: 50n * E18, priceWad: E18 },
    { symbol: "WSTETH", token: "0x2", balance: 50n * E18, priceWad: (119n * E18) / 100n },
  ];

  it("leaves slots within the minimum trade alone", () => {
    // 50 WETH and 59.5 WETH of wstETH: 4566 bps of WETH.
    const plan = planSwaps({ slots, targetBps: [4570, 5430], maxSlippageBps: 50, minTradeBps: 10, assumedCostBps: 0 });
    expect(plan.swaps).to.have.length(0);
  });

  it("never buys with more WETH than held plus the sells' minimum out", () => {
    const poor = [{ ...slots[0], balance: 0n } as (typeof slots)[0], slots[1] as (typeof slots)[0]];
    const plan = planSwaps({
      slots: poor,
      targetBps: [0, 10_000],
      maxSlippageBps: 50,
      minTradeBps: 0,
      assumedCostBps: 0,
    });
    expect(plan.swaps).to.have.length(0);
  });

  it("sells in full to a zero target", () => {
    const plan = planSwaps({ slots, targetBps: [10_000, 0], maxSlippageBps: 50, minTradeBps: 0, assumedCostBps: 0 });
    expect(plan.swaps[0]?.amountIn).to.equal(50n * E18);
    expect(plan.predictedBps).to.deep.equal([10_000, 0]);
  });

  it("refuses targets that do not cover the basket or do not sum to 10000", () => {
    expect(() =>
      planSwaps({ slots, targetBps: [10_000], maxSlippageBps: 50, minTradeBps: 0, assumedCostBps: 0 }),
    ).to.throw(/one target per basket slot/);
    expect(() =>
      planSwaps({ slots, targetBps: [5000, 4999], maxSlippageBps: 50, minTradeBps: 0, assumedCostBps: 0 }),
    ).to.throw(/sum to 10000/);
  });
});
