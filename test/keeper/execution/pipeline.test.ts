import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { AbiCoder, encryptKeystoreJsonSync, Wallet } from "ethers";
import { parseKeeperConfig } from "../../../keeper/src/config/keeperConfig.js";
import { ConfigError, InvalidInputError } from "../../../keeper/src/core/errors.js";
import { indexVaultInterface } from "../../../keeper/src/execution/indexVault/vaultAbi.js";
import {
  clipToCaps,
  maxDriftBps,
  restrictWeights,
  toBps,
  validateTargetWeights,
  weightCaps,
} from "../../../keeper/src/execution/portfolioManager.js";
import { decodeRevert } from "../../../keeper/src/execution/revertReason.js";
import { loadWallet } from "../../../keeper/src/execution/signerKeys.js";
import { decideRun } from "../../../keeper/src/service/scheduler.js";
import { KeeperStore } from "../../../keeper/src/service/store/keeperStore.js";
import { MIGRATIONS } from "../../../keeper/src/service/store/migrations.js";
import { expectAbsClose } from "../../helpers/approx.js";

const UNIVERSE = [
  { symbol: "USDC", address: "0x01", decimals: 6, maxWeightBps: 10_000 },
  { symbol: "WETH", address: "0x02", decimals: 18, maxWeightBps: 6_000 },
  { symbol: "ARB", address: "0x03", decimals: 18, maxWeightBps: 6_000 },
];

describe("keeper pipeline pieces", () => {
  describe("portfolio manager validation", () => {
    it("converts valid weights to bps summing to exactly 10,000", async () => {
      const bps = validateTargetWeights({ USDC: 1 / 3, WETH: 1 / 3, ARB: 1 / 3 }, UNIVERSE);
      expect(bps.reduce((a, b) => a + b, 0)).to.equal(10_000);
      expect(Math.max(...bps) - Math.min(...bps)).to.be.at.most(1);
    });
    it("rejects weights that do not sum to 1, exceed a cap, or name unknown assets", async () => {
      expect(() => validateTargetWeights({ USDC: 0.5, WETH: 0.4 }, UNIVERSE)).to.throw(InvalidInputError, /sum/);
      expect(() => validateTargetWeights({ WETH: 0.7, ARB: 0.3 }, UNIVERSE)).to.throw(InvalidInputError, /cap/);
      expect(() => validateTargetWeights({ WETH: 0.5, PEPE: 0.5 }, UNIVERSE)).to.throw(InvalidInputError, /PEPE/);
      expect(() => validateTargetWeights({ WETH: 0.5, ARB: 0.5 }, UNIVERSE, { maxWeight: 0.4 })).to.throw(/cap 4000/);
    });
    it("restricts weights to the assets a rotation leaves holdable, rescaled to sum to 1", async () => {
      const kept = restrictWeights({ USDC: 0.01, WETH: 0.33, ARB: 0.33, PEPE: 0.33 }, ["USDC", "WETH", "ARB"]);
      expect(Object.keys(kept)).to.deep.equal(["USDC", "WETH", "ARB"]);
      expect(Object.values(kept).reduce((a, b) => a + b, 0)).to.be.within(1 - 1e-12, 1 + 1e-12);
      expect((kept.WETH ?? 0) / (kept.USDC ?? 1)).to.be.within(33 - 1e-9, 33 + 1e-9);
      expect(restrictWeights({ PEPE: 1 }, ["USDC", "WETH"])).to.deep.equal({ USDC: 1 });
    });
    it("rounds by largest remainder and measures drift in bps", async () => {
      expect(toBps([0.12345, 0.5, 0.37655])).to.deep.equal([1235, 5000, 3765]);
      expect(maxDriftBps([5000, 3000, 2000], [4000, 3500, 2500])).to.equal(1000);
    });
  });

  describe("scheduler", () => {
    const cfg = { everySeconds: 7 * 86_400, driftThresholdBps: 500 };
    it("runs first, then on the frequency, and early only on drift above the threshold", async () => {
      expect(decideRun({ now: 100, lastRebalanceAt: null, driftBps: 0 }, cfg).reason).to.equal("first");
      expect(decideRun({ now: 86_400, lastRebalanceAt: 0, driftBps: 100 }, cfg).due).to.equal(false);
      expect(decideRun({ now: 86_400, lastRebalanceAt: 0, driftBps: 501 }, cfg).reason).to.equal("drift");
      const weekly = decideRun({ now: 7 * 86_400, lastRebalanceAt: 0, driftBps: 0 }, cfg);
      expect(weekly.reason).to.equal("schedule");
      expect(weekly.nextRunAt).to.equal(7 * 86_400);
    });
  });

  describe("revert decoding", () => {
    const iface = indexVaultInterface();
    it("decodes the vault's custom errors, Error(string) and panics", async () => {
      const data = iface.encodeErrorResult("NavLossTooHigh", [1000n, 900n]);
      expect(decodeRevert({ code: "CALL_EXCEPTION", info: { error: { data } } }, iface)).to.equal(
        "NavLossTooHigh(1000, 900)",
      );
      const reason = `0x08c379a0${AbiCoder.defaultAbiCoder().encode(["string"], ["Too little received"]).slice(2)}`;
      expect(decodeRevert({ error: { data: reason } }, iface)).to.equal("Too little received");
      const panic = `0x4e487b71${AbiCoder.defaultAbiCoder().encode(["uint256"], [0x11]).slice(2)}`;
      expect(decodeRevert({ data: panic }, iface)).to.equal("Panic(0x11)");
    });
  });

  describe("keys", () => {
    const key = `0x${"3c".repeat(32)}`;
    it("loads a key from the environment or an encrypted keystore, never echoing it", async () => {
      const fromEnv = await loadWallet({ keyEnv: "K", passwordEnv: "P" }, { K: key });
      expect(fromEnv.address).to.equal(new Wallet(key).address);
      const bad = await loadWallet({ keyEnv: "K", passwordEnv: "P" }, { K: `${key}ff` }).catch((e: unknown) => e);
      expect(bad).to.be.instanceOf(ConfigError);
      expect((bad as Error).message).not.to.include("3c3c3c3c");
      const dir = mkdtempSync(join(tmpdir(), "ballast-keys-"));
      const path = join(dir, "keystore.json");
      // Light scrypt parameters keep the test fast; real keystores use the defaults.
      const account = { address: new Wallet(key).address, privateKey: key };
      writeFileSync(path, encryptKeystoreJsonSync(account, "pw", { scrypt: { N: 2 ** 4 } }));
      const fromStore = await loadWallet({ keyEnv: "K", keystorePath: path, passwordEnv: "P" }, { P: "pw" });
      expect(fromStore.address).to.equal(fromEnv.address);
      const wrong = await loadWallet({ keyEnv: "K", keystorePath: path, passwordEnv: "P" }, { P: "no" }).catch(
        (e: unknown) => e,
      );
      expect(wrong).to.be.instanceOf(ConfigError);
    });
  });

  describe("config", () => {
    it("lists every problem in one ConfigError and applies defaults", async () => {
      const error = (() => {
        try {
          parseKeeperConfig({ rpcUrls: [], chainId: -1, vault: "0x12", tokens: [] });
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(error).to.be.instanceOf(ConfigError);
      for (const field of ["rpcUrls", "chainId", "vault", "tokens"]) expect(String(error)).to.include(field);
      const ok = parseKeeperConfig({
        rpcUrls: ["http://127.0.0.1:8545"],
        chainId: 42161,
        vault: `0x${"11".repeat(20)}`,
        tokens: [
          { symbol: "USDC", address: `0x${"22".repeat(20)}`, decimals: 6 },
          { symbol: "WETH", address: `0x${"33".repeat(20)}`, decimals: 18, sellPath: "0xab", buyPath: "0xcd" },
        ],
      });
      expect(ok.signer.keyEnv).to.equal("BALLAST_KEEPER_KEY");
      expect(ok.admin.keyEnv).to.equal("BALLAST_ADMIN_KEY");
      expect(ok.gas.bumpPercent).to.be.at.least(10);
      expect(ok.strategy.rotationDays).to.equal(90);
      expect(ok.planning.sizingMarginBps).to.equal(50);
      const badOracle = (() => {
        try {
          parseKeeperConfig({
            rpcUrls: ["http://127.0.0.1:8545"],
            chainId: 42161,
            vault: `0x${"11".repeat(20)}`,
            strategy: { rotationDays: -1 },
            tokens: [
              { symbol: "USDC", address: `0x${"22".repeat(20)}`, decimals: 6 },
              {
                symbol: "PENDLE",
                address: `0x${"44".repeat(20)}`,
                decimals: 18,
                oracle: { feed: "0x1", heartbeat: 0 },
              },
            ],
          });
        } catch (e) {
          return String(e);
        }
        return "";
      })();
      for (const field of ["strategy.rotationDays", "tokens.1.oracle.feed", "tokens.1.oracle.heartbeat", "minAnswer"]) {
        expect(badOracle).to.include(field);
      }
    });
  });

  describe("store", () => {
    it("migrates, persists each transition and finds a signed cycle to resume after reopening", async () => {
      const path = join(mkdtempSync(join(tmpdir(), "ballast-store-")), "keeper.sqlite");
      const store = await KeeperStore.open(path);
      expect(await store.schemaVersion()).to.equal(MIGRATIONS.length);
      const id = await store.beginCycle(1000, { USDC: 0.5, WETH: 0.5 });
      const order = {
        assets: ["0x01", "0x02"],
        targetWeightsBps: [5000, 5000],
        legs: [{ path: "0xabcd", amountIn: 123n, minAmountOut: 0n }],
        nonce: 4n,
        deadline: 5000n,
        maxSlippageBps: 100,
        submitter: "0x00000000000000000000000000000000000000a1",
      };
      await store.saveOrder(id, order);
      await store.saveSignature(id, "0xsig", "0xdigest", 500_000n);
      await store.updateCycle(id, { status: "signed", nonce: "4" });
      await store.addTransaction(id, { hash: "0xaa", nonce: 7, maxFeePerGas: 10n, replaces: null }, 1001);
      await store.close();
      const reopened = await KeeperStore.open(path);
      const pending = await reopened.pendingCycle();
      expect(pending?.cycle.id).to.equal(id);
      expect(pending?.pending.order).to.deep.equal(order);
      expect(pending?.pending.broadcasts.map((b) => b.hash)).to.deep.equal(["0xaa"]);
      expect(await reopened.signedOrdersForNonce(4n)).to.equal(1);
      await reopened.updateCycle(id, { status: "reconciled" });
      expect(await reopened.pendingCycle()).to.equal(null);
      expect((await reopened.status()).lastCycle?.status).to.equal("reconciled");
      await reopened.close();
    });

    it("keeps each leg's predicted cost beside its realised fill", async () => {
      const store = await KeeperStore.open(":memory:");
      const id = await store.beginCycle(1000, { USDC: 0.5, WETH: 0.5 });
      const order = {
        assets: ["0x01", "0x02"],
        targetWeightsBps: [5000, 5000],
        legs: [{ path: "0xabcd", amountIn: 1_000_000n, minAmountOut: 0n }],
        nonce: 0n,
        deadline: 5000n,
        maxSlippageBps: 200,
        submitter: "0x00000000000000000000000000000000000000a1",
      };
      const plan = { asset: 1, side: "buy" as const, amountIn: 1_000_000n, sizeUsd: 1, wantedUsd: 1, capped: false };
      await store.saveOrder(id, order, [{ ...plan, predictedCostBps: 12.5, analyticCostBps: 10 }]);
      const fill = { tokenIn: "0x01", tokenOut: "0x02", amountIn: 1_000_000n, amountOut: 333n, minOut: 300n };
      await store.addFills(id, [fill], [{ valueInUsd: 1, realisedCostBps: 12.25 }]);
      await store.updateCycle(id, { sizing: "predicted cost $0.00" });
      expect(await store.legs(id)).to.deep.equal([
        {
          cycleId: id,
          legIndex: 0,
          tokenIn: "0x01",
          tokenOut: "0x02",
          amountIn: "1000000",
          amountOut: "333",
          valueInUsd: 1,
          predictedCostBps: 12.5,
          analyticCostBps: 10,
          realisedCostBps: 12.25,
          route: null,
        },
      ]);
      expect((await store.cycle(id))?.sizing).to.equal("predicted cost $0.00");
      await store.close();
    });

    it("persists a rotation's steps so a reopened store resumes them", async () => {
      const path = join(mkdtempSync(join(tmpdir(), "ballast-rotation-")), "keeper.sqlite");
      const store = await KeeperStore.open(path);
      const plan = { keep: ["WETH"], remove: ["ARB"], add: ["PENDLE"], rejected: [], why: { ARB: "trend" } };
      const id = await store.rotationStore.create(
        100,
        ["WETH", "PENDLE"],
        plan,
        [
          { kind: "remove", symbol: "ARB", token: "0x03", status: "selling", callData: "0xdead" },
          { kind: "add", symbol: "PENDLE", token: "0x05", status: "pending", callData: "0xbeef" },
        ],
        "in-progress",
        null,
      );
      const step = (await store.rotationStore.active())?.steps[1];
      await store.rotationStore.updateStep(step?.id ?? -1, 150, {
        status: "scheduled",
        readyAt: 86_550,
        txHash: "0xaa",
      });
      await store.close();
      const reopened = await KeeperStore.open(path);
      const active = await reopened.rotationStore.active();
      expect(active?.id).to.equal(id);
      expect(active?.plan).to.deep.equal(plan);
      expect(active?.steps.map((s) => [s.symbol, s.status, s.readyAt, s.txHash])).to.deep.equal([
        ["ARB", "selling", null, null],
        ["PENDLE", "scheduled", 86_550, "0xaa"],
      ]);
      await reopened.rotationStore.finish(id, 200, "added PENDLE; removed ARB");
      expect(await reopened.rotationStore.active()).to.equal(null);
      expect(await reopened.rotationStore.lastStartedAt()).to.equal(100);
      expect((await reopened.rotations(5))[0]?.status).to.equal("done");
      await reopened.close();
    });
  });
});

describe("portfolio manager: clipping to the vault's caps", () => {
  const universe = [
    { symbol: "USDC", address: "0x1", decimals: 6, maxWeightBps: 10_000 },
    { symbol: "WETH", address: "0x2", decimals: 18, maxWeightBps: 4_000 },
    { symbol: "WBTC", address: "0x3", decimals: 8, maxWeightBps: 10_000 },
  ];

  it("caps each asset at the tighter of the venue's cap and the config's, the base at 100%", () => {
    expect(weightCaps(universe, 0.5)).to.deep.equal({ USDC: 1, WETH: 0.4, WBTC: 0.5 });
  });

  it("moves the excess above a cap into the base asset and names what it clipped", () => {
    const { weights, clipped } = clipToCaps({ WETH: 0.9, WBTC: 0.1 }, weightCaps(universe, 0.5), "USDC");
    expect(clipped).to.deep.equal(["WETH"]);
    expectAbsClose(weights.WETH, 0.4, 1e-12);
    expectAbsClose(weights.WBTC, 0.1, 1e-12);
    expectAbsClose(weights.USDC, 0.5, 1e-12);
    // What the clipped target becomes passes the same validation the order goes through.
    expect(validateTargetWeights(weights, universe, { maxWeight: 0.5 })).to.deep.equal([5_000, 4_000, 1_000]);
  });

  it("leaves a target within its caps untouched", () => {
    const target = { USDC: 0.2, WETH: 0.4, WBTC: 0.4 };
    expect(clipToCaps(target, weightCaps(universe, 0.5), "USDC")).to.deep.equal({ weights: target, clipped: [] });
  });
});
