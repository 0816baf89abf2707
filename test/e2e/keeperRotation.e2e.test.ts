import { expect } from "chai";
import { type BaseContract, keccak256 } from "ethers";
import { followPrices } from "../../keeper/src/devchain/arbitrumLocal.js";
import { addressBookEntry } from "../../keeper/src/devchain/deployVault.js";
import { localAccountKey } from "../../keeper/src/devchain/localKeys.js";
import { LOCAL_FEED_DEVIATION_BPS } from "../../keeper/src/devchain/marketSpec.js";
import type { Oracle } from "../../keeper/src/execution/portfolioManager.js";
import type { UniverseSource } from "../../keeper/src/execution/universeSource.js";
import type { Keeper } from "../../keeper/src/service/keeper.js";
import type { LegRecord, RotationRecord } from "../../keeper/src/service/readModel.js";
import { advanceDays, configFor, keeperFor, useWorld } from "./harness.js";

/** 2% cash, the rest split equally over whatever the keeper says may be held. */
const equalOverUniverse: Oracle = {
  name: "equal over the universe",
  targetWeights: async ({ universe }) => {
    const basket = universe.slice(1);
    return Object.fromEntries([[universe[0] as string, 0.02], ...basket.map((s) => [s, 0.98 / basket.length])]);
  },
};

/** The classifier's answer, fixed by the test: ARB out, PENDLE in. */
const newUniverse: UniverseSource = {
  select: async (now) => ({ asOf: now, selected: ["WETH", "WBTC", "PENDLE"], reasons: { ARB: "trend failed" } }),
};

const PRICES = { USDC: 1, WETH: 3000, WBTC: 60_000, ARB: 1, PENDLE: 5 } as const;

describe("e2e: portfolio rotation on the local chain", () => {
  const h = useWorld();
  let adminKey: string;
  before(async () => {
    adminKey = await localAccountKey(h.world.local, 2);
  });

  /** A keeper whose address book also lists PENDLE (feed and routes), rotating every day. */
  const rotatingKeeper = (options: { dataDir?: string; admin: boolean }) =>
    keeperFor(h.world, equalOverUniverse, {
      config: {
        strategy: { maxWeight: 0.5, rotationDays: 1 },
        tokens: [...(configFor(h.world).tokens ?? []), addressBookEntry(h.world.local, "PENDLE")],
      },
      universe: newUniverse,
      ...(options.admin ? { adminKey } : {}),
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    });

  /** A day passes: chain time moves and every feed (PENDLE's too) is refreshed. */
  const nextDay = async (days = 1) => {
    await advanceDays(h.world, days);
    await followPrices(h.world.local, PRICES);
  };

  const registered = async (symbol: keyof typeof PRICES) =>
    (await h.world.deployed.vault.assets()).some(
      (a) => a.toLowerCase() === h.world.local.tokens[symbol].address.toLowerCase(),
    );

  /** Logs of a vault event; for the timelock events topic 1 is the change id (keccak of the calldata). */
  // By name: `AssetRemoved` comes from the vault's basket library, outside the vault's typed ABI.
  const events = async (name: "ChangeScheduled" | "ChangeExecuted" | "AssetRemoved") =>
    (h.world.deployed.vault as unknown as BaseContract).queryFilter(name);
  const withId = async (name: "ChangeScheduled" | "ChangeExecuted", id: string) =>
    (await events(name)).filter((e) => e.topics[1] === id);

  const pendleCallData = (rotation: RotationRecord | undefined) =>
    rotation?.steps.find((s) => s.symbol === "PENDLE" && s.kind === "add")?.callData ?? "";

  /** PENDLE's feed deviation as the vault declares it (255 until the rotation's setDeviation lands). */
  const pendleDeviation = async () =>
    Number(await h.world.deployed.vault.deviationBps(h.world.local.tokens.PENDLE.address));

  /** Ticks day by day until the active rotation is done (or the days run out); returns it. */
  const tickUntilDone = async (keeper: Keeper, maxDays: number) => {
    const id = (await keeper.store.rotationStore.active())?.id;
    for (let d = 0; d < maxDays && (await keeper.store.rotationStore.active()); d++) {
      await nextDay();
      await keeper.tick();
    }
    return (await keeper.store.rotations(10)).find((r) => r.id === id);
  };

  it("sells the removed asset to zero, removes it, adds PENDLE through the timelock and rebalances into it", async () => {
    const { keeper } = await rotatingKeeper({ admin: true });
    expect((await keeper.tick())?.status).to.equal("reconciled");
    expect(await keeper.store.rotations(1)).to.deep.equal([]);

    await nextDay(2);
    const started = await keeper.tick();
    const rotation = (await keeper.store.rotations(1))[0];
    expect(rotation?.plan).to.deep.include({ keep: ["WETH", "WBTC"], remove: ["ARB"], add: ["PENDLE"] });
    // The rotation's rebalance gave ARB no weight and sold it in full (in one go or over cycles).
    expect(started?.status, started?.reason ?? "").to.equal("reconciled");
    expect(started?.targetWeights.ARB).to.equal(undefined);
    const add = rotation?.steps.find((s) => s.symbol === "PENDLE");
    expect(add?.status).to.equal("scheduled");
    const data = pendleCallData(rotation);
    expect(Number(await h.world.deployed.vault.scheduledAt(keccak256(data)))).to.equal(add?.readyAt);

    const done = await tickUntilDone(keeper, 5);
    expect(done?.status, JSON.stringify(done?.steps)).to.equal("done");
    expect(done?.steps.map((s) => [s.symbol, s.kind, s.status])).to.deep.equal([
      ["ARB", "remove", "removed"],
      ["PENDLE", "add", "executed"],
      ["PENDLE", "declare", "executed"],
    ]);
    // The feed's threshold was declared through the same timelock, so PENDLE's entry spread is
    // its feed's, not the vault's 255 bps default for a new asset.
    expect(await pendleDeviation()).to.equal(LOCAL_FEED_DEVIATION_BPS.PENDLE);
    expect(await registered("ARB")).to.equal(false);
    expect(await h.world.deployed.vault.held(h.world.local.tokens.ARB.address)).to.equal(0n);
    expect(await registered("PENDLE")).to.equal(true);
    // One schedule and one execution of the exact addAsset calldata; one removal.
    const scheduled = await withId("ChangeScheduled", keccak256(data));
    const executed = await withId("ChangeExecuted", keccak256(data));
    expect([scheduled.length, executed.length, (await events("AssetRemoved")).length]).to.deep.equal([1, 1, 1]);

    // A cycle after addAsset bought PENDLE with real swaps.
    const pendle = h.world.local.tokens.PENDLE.address.toLowerCase();
    const buys: LegRecord[] = [];
    for (const c of await keeper.store.cycles(50)) {
      if (c.status !== "reconciled") continue;
      buys.push(...(await keeper.store.legs(c.id)).filter((l) => l.tokenOut.toLowerCase() === pendle));
    }
    expect(buys.length).to.be.greaterThan(0);
    expect(await h.world.deployed.vault.held(h.world.local.tokens.PENDLE.address)).to.be.greaterThan(0n);
    expect((await keeper.store.currentWeights()).PENDLE ?? 0).to.be.greaterThan(0.1);
    await keeper.close();
  });

  it("resumes a rotation after a restart between schedule and execute without scheduling again", async () => {
    const first = await rotatingKeeper({ admin: true });
    const dataDir = first.keeper.deps.config.dataDir;
    await first.keeper.tick();
    await nextDay(2);
    await first.keeper.tick();
    const rotation = (await first.keeper.store.rotations(1))[0];
    expect(rotation?.steps.find((s) => s.symbol === "PENDLE")?.status).to.equal("scheduled");
    const id = keccak256(pendleCallData(rotation));
    await first.keeper.close();

    // A new process on the same data directory, after the timelock passed.
    const second = await rotatingKeeper({ admin: true, dataDir });
    const done = await tickUntilDone(second.keeper, 5);
    expect(done?.id).to.equal(rotation?.id);
    expect(done?.status).to.equal("done");
    expect(await registered("PENDLE")).to.equal(true);
    expect(await withId("ChangeScheduled", id)).to.have.length(1);
    expect(await withId("ChangeExecuted", id)).to.have.length(1);
    await second.keeper.close();
  });

  it("without an admin key writes proposals, sends nothing, and follows the multisig's calls on chain", async () => {
    const { keeper, lines } = await rotatingKeeper({ admin: false });
    const admin = h.world.deployed.admin;
    const provider = h.world.local.ethers.provider;
    const adminNonce = await provider.getTransactionCount(admin.address);
    await keeper.tick();
    await nextDay(2);
    await keeper.tick();
    await nextDay();
    await keeper.tick();

    let rotation = (await keeper.store.rotations(1))[0];
    const remove = rotation?.steps.find((s) => s.symbol === "ARB");
    const add = rotation?.steps.find((s) => s.symbol === "PENDLE" && s.kind === "add");
    const declare = rotation?.steps.find((s) => s.symbol === "PENDLE" && s.kind === "declare");
    // ARB was sold by the keeper's own signed rebalances; removing it is the admin's call.
    expect(await h.world.deployed.vault.held(h.world.local.tokens.ARB.address)).to.equal(0n);
    expect(remove?.status).to.equal("proposed");
    expect(remove?.proposal).to.deep.equal([
      {
        action: "removeAsset",
        to: h.world.deployed.address,
        data: h.world.deployed.vault.interface.encodeFunctionData("removeAsset", [h.world.local.tokens.ARB.address]),
        earliest: remove?.proposal?.[0]?.earliest ?? -1,
      },
    ]);
    expect(add?.status).to.equal("proposed");
    const data = add?.callData ?? "";
    expect(add?.proposal?.map((p) => [p.action.split(" ")[0], p.data])).to.deep.equal([
      ["schedule", h.world.deployed.vault.interface.encodeFunctionData("schedule", [data])],
      ["addAsset", data],
    ]);
    const declareData = h.world.deployed.vault.interface.encodeFunctionData("setDeviation", [
      h.world.local.tokens.PENDLE.address,
      LOCAL_FEED_DEVIATION_BPS.PENDLE,
    ]);
    expect(declare?.callData).to.equal(declareData);
    expect(declare?.proposal?.map((p) => [p.action.split(" ")[0], p.data])).to.deep.equal([
      ["schedule", h.world.deployed.vault.interface.encodeFunctionData("schedule", [declareData])],
      ["setDeviation", declareData],
    ]);
    expect(lines.some((l) => l.includes("admin action needed"))).to.equal(true);
    // Nothing was sent from the admin, and nothing was scheduled.
    expect(await provider.getTransactionCount(admin.address)).to.equal(adminNonce);
    expect(await h.world.deployed.vault.scheduledAt(keccak256(data))).to.equal(0n);
    expect(await registered("ARB")).to.equal(true);

    // The multisig executes the proposals; the keeper sees each change land.
    for (const p of [remove?.proposal?.[0], add?.proposal?.[0], declare?.proposal?.[0]]) {
      await (await admin.sendTransaction({ to: p?.to ?? "", data: p?.data ?? "" })).wait();
    }
    await nextDay();
    await keeper.tick();
    rotation = (await keeper.store.rotations(1))[0];
    const scheduled = rotation?.steps.find((s) => s.symbol === "PENDLE" && s.kind === "add");
    expect(rotation?.steps.find((s) => s.symbol === "ARB")?.status).to.equal("removed");
    expect(scheduled?.status).to.equal("scheduled");
    expect(scheduled?.proposal).to.deep.equal([
      {
        action: "addAsset",
        to: h.world.deployed.address,
        data,
        earliest: Number(await h.world.deployed.vault.scheduledAt(keccak256(data))),
      },
    ]);
    expect(rotation?.steps.find((s) => s.kind === "declare")?.status).to.equal("scheduled");
    // The add lands first: setDeviation reverts for an asset the vault does not list.
    for (const call of [data, declareData]) {
      await (await admin.sendTransaction({ to: h.world.deployed.address, data: call })).wait();
    }
    await nextDay();
    await keeper.tick();
    expect((await keeper.store.rotations(1))[0]?.status).to.equal("done");
    expect(await registered("PENDLE")).to.equal(true);
    expect(await pendleDeviation()).to.equal(LOCAL_FEED_DEVIATION_BPS.PENDLE);
    await keeper.close();
  });
});
