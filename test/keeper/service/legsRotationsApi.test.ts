import { expect } from "chai";
import { startOperatorServer } from "../../../keeper/src/service/http/server.js";
import { createLogger } from "../../../keeper/src/service/logger.js";
import type { LegRecord, RotationRecord } from "../../../keeper/src/service/readModel.js";
import { KeeperStore } from "../../../keeper/src/service/store/keeperStore.js";

/** The leg and rotation routes, answered from a real (in-memory) keeper store. */
describe("service/http legs and rotations", () => {
  let store: KeeperStore;
  let server: { url: string; close(): Promise<void> };
  let cycleId: number;

  beforeEach(async () => {
    store = await KeeperStore.open(":memory:");
    cycleId = await store.beginCycle(1_000, { USDC: 0.1, WETH: 0.9 });
    const order = {
      assets: ["0x01", "0x02"],
      targetWeightsBps: [1000, 9000],
      legs: [{ path: "0xab", amountIn: 900_000_000n, minAmountOut: 0n }],
      nonce: 0n,
      deadline: 2_000n,
      maxSlippageBps: 200,
      submitter: "0x00000000000000000000000000000000000000a1",
    };
    await store.saveOrder(cycleId, order, [
      {
        asset: 1,
        side: "buy",
        amountIn: 900_000_000n,
        sizeUsd: 900,
        wantedUsd: 900,
        predictedCostBps: 7.5,
        analyticCostBps: 7.5,
        capped: false,
      },
    ]);
    await store.addFills(
      cycleId,
      [{ tokenIn: "0x01", tokenOut: "0x02", amountIn: 900_000_000n, amountOut: 299_775_000_000_000_000n, minOut: 1n }],
      [{ valueInUsd: 900, realisedCostBps: 7.25 }],
    );
    await store.rotationStore.create(
      5_000,
      ["WETH", "PENDLE"],
      {
        keep: ["WETH"],
        remove: [],
        add: ["PENDLE"],
        rejected: [{ symbol: "PEPE", reason: "not in the address book" }],
      },
      [{ kind: "add", symbol: "PENDLE", token: "0x05", status: "proposed", callData: "0xfeed" }],
      "in-progress",
      null,
    );
    server = await startOperatorServer({
      readModel: store,
      control: { triggerRebalance: async () => ({ accepted: true }) },
      authToken: "legs-and-rotations-token",
      port: 0,
      logger: createLogger({ level: "silent" }),
    });
  });

  afterEach(async () => {
    await server.close();
    await store.close();
  });

  it("GET /api/legs?cycle=N shows each leg's predicted cost beside the realised one", async () => {
    const res = await fetch(`${server.url}/api/legs?cycle=${cycleId}`);
    expect(res.status).to.equal(200);
    const body = (await res.json()) as { cycle: number; legs: LegRecord[] };
    expect(body.cycle).to.equal(cycleId);
    expect(body.legs.map((l) => [l.legIndex, l.predictedCostBps, l.realisedCostBps, l.amountOut])).to.deep.equal([
      [0, 7.5, 7.25, "299775000000000000"],
    ]);
    for (const bad of ["", "0", "x", "1.5"]) {
      expect((await fetch(`${server.url}/api/legs?cycle=${bad}`)).status, `cycle=${bad}`).to.equal(400);
    }
    expect((await fetch(`${server.url}/api/legs`)).status).to.equal(400);
  });

  it("GET /api/rotations lists rotations with their steps and rejected assets", async () => {
    const body = (await (await fetch(`${server.url}/api/rotations`)).json()) as { rotations: RotationRecord[] };
    expect(body.rotations).to.have.length(1);
    const [rotation] = body.rotations;
    expect(rotation?.status).to.equal("in-progress");
    expect(rotation?.plan.rejected).to.deep.equal([{ symbol: "PEPE", reason: "not in the address book" }]);
    expect(rotation?.steps.map((s) => [s.symbol, s.status, s.callData])).to.deep.equal([
      ["PENDLE", "proposed", "0xfeed"],
    ]);
  });
});
