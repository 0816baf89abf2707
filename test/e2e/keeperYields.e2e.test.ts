/**
 * The keeper on the local chain's LST index (WETH base, wstETH and rETH priced through rate
 * adapters): every cycle stores each LST's exchange rate read from the vault's adapter feed,
 * and when the wstETH rate feed moves between two cycles the realised yield shows on the read
 * model (what /api/yields serves), measured from the chain, beside the APY the strategy used.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { Wallet } from "ethers";
import { network } from "hardhat";
import { openKeeper } from "../../keeper/src/cli/commands/openKeeper.js";
import { parseKeeperConfig } from "../../keeper/src/config/keeperConfig.js";
import {
  type ArbitrumLocal,
  advanceTime,
  currentPrices,
  deployArbitrumLocal,
  followPrices,
} from "../../keeper/src/devchain/arbitrumLocal.js";
import {
  type DeployedVault,
  deployVault,
  fundAndDeposit,
  LST_BASKET,
  vaultTokenEntries,
} from "../../keeper/src/devchain/deployVault.js";
import { type RpcServer, startRpcServer } from "../../keeper/src/devchain/rpcServer.js";
import type { Keeper } from "../../keeper/src/service/keeper.js";
import type { YieldPlan } from "../../keeper/src/service/readModel.js";
import { expectAbsClose } from "../helpers/approx.js";
import { KEYS_ENV, memoryLogger, SIGNER_KEY, SUBMITTER_KEY } from "./harness.js";

const DAY = 86_400;
const PLAN: YieldPlan = {
  strategy: "fixed",
  assets: [
    { asset: "WETH", source: "none", pool: null, apy: null, rewardHaircut: null, asOf: null, accrual: null },
    { asset: "WSTETH", source: "prior", pool: null, apy: 0.04, rewardHaircut: null, asOf: 0, accrual: "price" },
    { asset: "RETH", source: "prior", pool: null, apy: 0.035, rewardHaircut: null, asOf: 0, accrual: "price" },
  ],
};

describe("e2e: realised yield of the LST index from its rate feeds", function () {
  this.timeout(240_000);
  let local: ArbitrumLocal;
  let lst: DeployedVault;
  let server: RpcServer;
  let close: () => Promise<void>;
  let keeper: Keeper | null = null;

  before(async () => {
    const connection = await network.create("arbitrumLocal");
    local = await deployArbitrumLocal(connection.ethers);
    lst = await deployVault(local, {
      index: "lst",
      basket: [...LST_BASKET],
      keeperSigner: new Wallet(SIGNER_KEY).address,
    });
    const [, , , , , alice] = await local.ethers.getSigners();
    if (!alice) throw new Error("signers");
    await fundAndDeposit(local, lst.vault, [alice], 10n ** 19n);
    await local.ethers.provider.send("hardhat_setBalance", [new Wallet(SUBMITTER_KEY).address, "0x56bc75e2d63100000"]);
    server = await startRpcServer({
      request: ({ method, params }) => connection.provider.request({ method, params: params ? [...params] : [] }),
    });
    close = async () => {
      await server.close();
      await connection.close();
    };
  });
  after(async () => {
    await keeper?.close();
    await close();
  });

  async function rateOf(symbol: "WSTETH" | "RETH"): Promise<number> {
    const [, answer] = await local.lstEthFeeds[symbol].latestRoundData();
    return Number(answer) / 1e18;
  }

  function config() {
    return parseKeeperConfig({
      rpcUrls: [server.url],
      chainId: Number(local.chainId),
      vault: lst.address,
      tokens: vaultTokenEntries(local, lst),
      uniswapFactory: local.uniswap.factory.target as string,
      dataDir: mkdtempSync(join(tmpdir(), "ballast-e2e-yields-")),
      strategy: { maxWeight: 0.5 },
      schedule: { everySeconds: 7 * DAY, driftThresholdBps: 500, pollSeconds: 1 },
      gas: { maxFeePerGasGwei: 50, priorityFeeGwei: 0.01, stuckAfterMs: 300, pollMs: 50, waitTimeoutMs: 20_000 },
      rpc: { retries: 2, backoffMs: 20, timeoutMs: 10_000 },
    });
  }

  it("stores a rate per cycle and measures the wstETH rate's growth as the realised yield", async () => {
    const { logger } = memoryLogger();
    // The vault stays in WETH (its base): the test is about the rates, not the trades.
    keeper = await openKeeper(config(), {
      oracle: { name: "fixed", targetWeights: async () => ({ WETH: 1 }) },
      logger,
      env: KEYS_ENV,
      yieldPlan: () => PLAN,
    });
    const before = { WSTETH: await rateOf("WSTETH"), RETH: await rateOf("RETH") };
    await keeper.tick();
    const first = await keeper.readModel.yields?.();
    expect(first?.assets.find((a) => a.asset === "WSTETH")).to.include({
      realised: null,
      realisedReason: "one rate snapshot so far: needs two",
    });

    // 30 days on, wstETH's rate is 0.3% higher (its USD price over ETH's); rETH's is unchanged.
    await advanceTime(local, 30 * DAY);
    const prices = await currentPrices(local);
    await followPrices(local, { WETH: prices.WETH, WSTETH: prices.WSTETH * 1.003, RETH: prices.RETH });
    const after = { WSTETH: await rateOf("WSTETH"), RETH: await rateOf("RETH") };
    await keeper.tick();

    const view = await keeper.readModel.yields?.();
    expect(view?.usesYields).to.equal(true);
    const wst = view?.assets.find((a) => a.asset === "WSTETH");
    const reth = view?.assets.find((a) => a.asset === "RETH");
    expect(wst?.rate?.snapshots).to.equal(2);
    expectAbsClose(wst?.rate?.firstRate ?? Number.NaN, before.WSTETH, 1e-15);
    expectAbsClose(wst?.rate?.lastRate ?? Number.NaN, after.WSTETH, 1e-15);
    expect(wst?.rate?.source).to.include(lst.feeds[1] as string);
    const seconds = (wst?.rate?.to ?? 0) - (wst?.rate?.from ?? 0);
    expect(seconds).to.be.within(30 * DAY, 30 * DAY + 600);
    const expected = Math.expm1((Math.log(after.WSTETH / before.WSTETH) * 365 * DAY) / seconds);
    expectAbsClose(wst?.realised ?? Number.NaN, expected, 1e-12);
    // About 1.003^(365/30) - 1 = 3.7% a year, beside the 4% prior the strategy used.
    expectAbsClose(wst?.realised ?? Number.NaN, 1.003 ** (365 / 30) - 1, 1e-3);
    expect(wst?.apy).to.equal(0.04);
    expect(reth?.rate?.snapshots).to.equal(2);
    expectAbsClose(reth?.realised ?? Number.NaN, 0, 1e-9);
    expect(view?.assets.find((a) => a.asset === "WETH")).to.include({ source: "none", realised: null });
  });

  it("an asset whose vault feed is not a rate adapter gets no realised yield, and the reason", async () => {
    const { logger } = memoryLogger();
    // As if the strategy counted a yield in WETH's rate: its vault feed is a plain USD feed.
    const plan: YieldPlan = {
      strategy: "fixed",
      assets: [{ ...(PLAN.assets[1] as YieldPlan["assets"][number]), asset: "WETH" }],
    };
    const other = await openKeeper(config(), {
      oracle: { name: "fixed", targetWeights: async () => ({ WETH: 1 }) },
      logger,
      env: KEYS_ENV,
      yieldPlan: () => plan,
    });
    try {
      await other.tick();
      const weth = (await other.readModel.yields?.())?.assets[0];
      expect(weth?.realised).to.equal(null);
      expect(weth?.realisedReason).to.equal(`its feed ${lst.feeds[0]} is not a rate adapter (no legs())`);
    } finally {
      await other.close();
    }
  });
});
