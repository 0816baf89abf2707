/**
 * `keeper impact` on a real store: fills of two routes of one token pair (the configured direct
 * sellPath, recorded without a route as before route learning, and a route through WETH the
 * bandit recorded) are refitted and scored per route, each row naming its path.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { impactCommand } from "../../../keeper/src/cli/commands/impact.js";
import type { RebalanceOrder } from "../../../keeper/src/execution/indexVault/rebalanceOrder.js";
import { routeId } from "../../../keeper/src/market/routeBandit.js";
import { KeeperStore } from "../../../keeper/src/service/store/keeperStore.js";
import { runCaptured } from "../../helpers/captureCommand.js";

const USDC = `0x${"a0".repeat(20)}`;
const WETH = `0x${"a1".repeat(20)}`;
const ARB = `0x${"a2".repeat(20)}`;
const hop = (fee: number) => fee.toString(16).padStart(6, "0");
const DIRECT = `0x${ARB.slice(2)}${hop(500)}${USDC.slice(2)}`;
const VIA_WETH = `0x${ARB.slice(2)}${hop(500)}${WETH.slice(2)}${hop(500)}${USDC.slice(2)}`;
const ORDER: RebalanceOrder = {
  assets: [USDC, ARB],
  targetWeightsBps: [5000, 5000],
  legs: [{ path: DIRECT, amountIn: 1n, minAmountOut: 1n }],
  nonce: 1n,
  deadline: 2_000_000_000n,
  maxSlippageBps: 50,
  submitter: `0x${"03".repeat(20)}`,
};

describe("cli: keeper impact, per route", () => {
  it("refits and scores the two routes of one pair apart, fills without a route on the configured one", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "ballast-impact-cli-"));
    const store = await KeeperStore.open(join(dataDir, "keeper.sqlite"));
    // 40 sells alternating: direct (no route recorded) realising 10 bps over the model, through
    // WETH (recorded by the bandit) 40 bps over it.
    for (let k = 0; k < 40; k++) {
      const via = k % 2 === 1;
      const analytic = (via ? 10 : 5) + 2 + (k % 4);
      const id = await store.beginCycle(1_000 + k, {});
      const route = via
        ? {
            route: {
              id: routeId("sell", VIA_WETH),
              features: { sizeOverLiquidity: 0.01, volLevel: 2, gasGwei: 0.01 },
              scores: [],
            },
          }
        : {};
      await store.saveOrder(id, ORDER, [
        {
          asset: 1,
          side: "sell",
          amountIn: 1n,
          sizeUsd: 1_000,
          wantedUsd: 1_000,
          predictedCostBps: analytic,
          analyticCostBps: analytic,
          capped: false,
          ...route,
        },
      ]);
      await store.addFills(
        id,
        [{ tokenIn: ARB, tokenOut: USDC, amountIn: 1n, amountOut: 1n, minOut: 1n }],
        [{ valueInUsd: 1_000, realisedCostBps: analytic + (via ? 40 : 10) }],
      );
    }
    await store.close();
    const config = {
      rpcUrls: ["http://127.0.0.1:8545"],
      chainId: 42161,
      vault: `0x${"11".repeat(20)}`,
      dataDir,
      tokens: [
        { symbol: "USDC", address: USDC, decimals: 6 },
        {
          symbol: "WETH",
          address: WETH,
          decimals: 18,
          sellPath: `0x${WETH.slice(2)}${hop(500)}${USDC.slice(2)}`,
          buyPath: `0x${USDC.slice(2)}${hop(500)}${WETH.slice(2)}`,
        },
        {
          symbol: "ARB",
          address: ARB,
          decimals: 18,
          sellPath: DIRECT,
          buyPath: `0x${USDC.slice(2)}${hop(500)}${ARB.slice(2)}`,
        },
      ],
    };
    const configPath = join(dataDir, "keeper.json");
    writeFileSync(configPath, JSON.stringify(config));
    const res = await runCaptured(impactCommand, ["--config", configPath, "--holdout", "0.25"]);
    expect(res.code, res.err).to.equal(0);
    const row = (along: string) => {
      const cells = res.out
        .split("\n")
        .find((l) => l.startsWith(`| sell ${along} |`))
        ?.split("|")
        .map((c) => c.trim());
      // | route | fills fitted | scale | offset bps | weight | held out | MAE before | MAE after |
      return cells
        ? { fitted: Number(cells[2]), held: Number(cells[6]), before: Number(cells[7]), after: Number(cells[8]) }
        : null;
    };
    const direct = row("ARB -0.05%-> USDC");
    const via = row("ARB -0.05%-> WETH -0.05%-> USDC");
    expect(direct, res.out).to.include({ fitted: 15, held: 5 });
    expect(via, res.out).to.include({ fitted: 15, held: 5 });
    // Each route's held-out fills are scored with its own refit: both gaps close.
    expect(direct?.before).to.equal(10);
    expect(via?.before).to.equal(40);
    expect(direct?.after).to.be.lessThan(3);
    expect(via?.after).to.be.lessThan(8);
    expect(res.out).to.match(/held-out mean \|predicted - realised\| 25\.00 bps before the refit, [\d.]+ bps after/);
  });
});
