/**
 * Shared setup of the keeper's end-to-end tests: one local Arbitrum market with a funded vault,
 * served over real HTTP JSON-RPC, snapshotted so each test starts from the same chain state,
 * and a keeper opened through the same path the CLI uses (config -> keys -> preflight).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { Wallet } from "ethers";
import { network } from "hardhat";
import { type OpenKeeperOptions, openKeeper } from "../../keeper/src/cli/commands/openKeeper.js";
import { type KeeperConfigInput, parseKeeperConfig } from "../../keeper/src/config/keeperConfig.js";
import { parseUnits } from "../../keeper/src/core/fixed.js";
import type { MarketPanel } from "../../keeper/src/core/types.js";
import { generateSyntheticMarket } from "../../keeper/src/data/synthetic.js";
import { type ArbitrumLocal, deployArbitrumLocal } from "../../keeper/src/devchain/arbitrumLocal.js";
import {
  type DeployedVault,
  deployVault,
  fundAndDeposit,
  vaultTokenEntries,
} from "../../keeper/src/devchain/deployVault.js";
import { type RpcServer, startRpcServer } from "../../keeper/src/devchain/rpcServer.js";
import type { ExecutionHooks } from "../../keeper/src/execution/indexVault/indexVaultVenue.js";
import type { Oracle, Weights } from "../../keeper/src/execution/portfolioManager.js";
import type { UniverseSource } from "../../keeper/src/execution/universeSource.js";
import type { Keeper } from "../../keeper/src/service/keeper.js";
import { createLogger } from "../../keeper/src/service/logger.js";

export const SIGNER_KEY = `0x${"5a".repeat(32)}`;
export const SUBMITTER_KEY = `0x${"6b".repeat(32)}`;
export const BASKET = ["WETH", "WBTC", "ARB"] as const;

export interface E2eWorld {
  readonly local: ArbitrumLocal;
  readonly deployed: DeployedVault;
  readonly server: RpcServer;
  readonly snapshot: () => Promise<void>;
  readonly close: () => Promise<void>;
}

export async function buildWorld(): Promise<E2eWorld> {
  const connection = await network.create("arbitrumLocal");
  const local = await deployArbitrumLocal(connection.ethers);
  const signer = new Wallet(SIGNER_KEY);
  const deployed = await deployVault(local, { basket: [...BASKET], keeperSigner: signer.address });
  const [, , , , , alice, bob] = await local.ethers.getSigners();
  if (!alice || !bob) throw new Error("signers");
  await fundAndDeposit(local, deployed.vault, [alice, bob], parseUnits("250000", 6));
  const submitter = new Wallet(SUBMITTER_KEY);
  await local.ethers.provider.send("hardhat_setBalance", [submitter.address, "0x56bc75e2d63100000"]);
  const server = await startRpcServer({
    request: ({ method, params }) => connection.provider.request({ method, params: params ? [...params] : [] }),
  });
  let snap = (await local.ethers.provider.send("evm_snapshot", [])) as string;
  return {
    local,
    deployed,
    server,
    // Reverts to the state after setup and takes a fresh snapshot (a snapshot is single-use).
    snapshot: async () => {
      await local.ethers.provider.send("evm_setAutomine", [true]);
      await local.ethers.provider.send("evm_revert", [snap]);
      snap = (await local.ethers.provider.send("evm_snapshot", [])) as string;
    },
    close: async () => {
      await server.close();
      await connection.close();
    },
  };
}

/**
 * Mocha hooks for a suite: one world built before it, closed after it, and reverted to its
 * post-setup state before every test. Read the world through `handle.world` inside tests.
 */
export function useWorld(): { readonly world: E2eWorld } {
  let built: E2eWorld | undefined;
  before(async () => {
    built = await buildWorld();
  });
  after(async () => {
    await built?.close();
  });
  beforeEach(async () => {
    await handle.world.snapshot();
  });
  const handle = {
    get world(): E2eWorld {
      if (!built) throw new Error("useWorld: the world is built in the suite's before hook");
      return built;
    },
  };
  return handle;
}

/** A fixed-target oracle: the test decides the weights. */
export function fixedOracle(weights: () => Weights | null): Oracle {
  return { name: "fixed", targetWeights: async () => weights() };
}

export const EQUAL: Weights = { USDC: 0.01, WETH: 0.33, WBTC: 0.33, ARB: 0.33 };

export function configFor(world: E2eWorld, overrides: Partial<KeeperConfigInput> = {}): KeeperConfigInput {
  return {
    rpcUrls: [world.server.url],
    chainId: Number(world.local.chainId),
    vault: world.deployed.address,
    tokens: vaultTokenEntries(world.local, world.deployed),
    uniswapFactory: world.local.uniswap.factory.target as string,
    dataDir: mkdtempSync(join(tmpdir(), "ballast-e2e-")),
    strategy: { maxWeight: 0.5 },
    schedule: { everySeconds: 7 * 86_400, driftThresholdBps: 500, pollSeconds: 1 },
    gas: { maxFeePerGasGwei: 50, priorityFeeGwei: 0.01, stuckAfterMs: 300, pollMs: 50, waitTimeoutMs: 20_000 },
    rpc: { retries: 2, backoffMs: 20, timeoutMs: 10_000 },
    ...overrides,
  };
}

/** Collects every log line, so tests can check what was (and was not) logged. */
export function memoryLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString("utf8"));
      done();
    },
  });
  return { logger: createLogger({ level: "info", destination, secrets: [SIGNER_KEY, SUBMITTER_KEY] }), lines };
}

export const KEYS_ENV = { BALLAST_KEEPER_KEY: SIGNER_KEY, BALLAST_SUBMITTER_KEY: SUBMITTER_KEY };

export async function keeperFor(
  world: E2eWorld,
  oracle: Oracle,
  options: {
    config?: Partial<KeeperConfigInput>;
    hooks?: ExecutionHooks;
    dataDir?: string;
    /** Where rotations get their universe (no rotation without it). */
    universe?: UniverseSource;
    /** The vault admin's private key, for a keeper that carries out rotations itself. */
    adminKey?: string;
    /** The market view the market guard checks (no guard without it). */
    market?: () => MarketPanel;
    /** The held basket's returns, for the volatility steering (none without it). */
    basketReturns?: OpenKeeperOptions["basketReturns"];
  } = {},
): Promise<{ keeper: Keeper; lines: string[] }> {
  const { logger, lines } = memoryLogger();
  const config = parseKeeperConfig({
    ...configFor(world, options.config),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  });
  const keeper = await openKeeper(config, {
    oracle,
    logger,
    env: options.adminKey ? { ...KEYS_ENV, BALLAST_ADMIN_KEY: options.adminKey } : KEYS_ENV,
    ...(options.hooks ? { hooks: options.hooks } : {}),
    ...(options.universe ? { universe: options.universe } : {}),
    ...(options.market ? { market: options.market } : {}),
    ...(options.basketReturns ? { basketReturns: options.basketReturns } : {}),
  });
  return { keeper, lines };
}

export async function advanceDays(world: E2eWorld, days: number): Promise<void> {
  await world.local.ethers.provider.send("evm_increaseTime", [days * 86_400]);
  await world.local.ethers.provider.send("evm_mine", []);
}

/** A daily market CSV for the basket whose last bar is today (the strategy reads it at chain time). */
export function writeMarketCsv(path: string, symbols: readonly string[]): void {
  const bars = 400;
  const start = new Date(Date.now() - (bars - 1) * 86_400_000).toISOString().slice(0, 10);
  const panel = generateSyntheticMarket({ seed: 11, bars, freq: "24h", start, assets: [...symbols] });
  const rows = ["date,symbol,close_usd,volume_usd"];
  panel.timestamps.forEach((t, i) => {
    const date = new Date((t - 1) * 1000).toISOString().slice(0, 10);
    panel.assets.forEach((a, k) => {
      rows.push(`${date},${a.symbol},${panel.close[k]?.[i]},${panel.volume[k]?.[i]}`);
    });
  });
  writeFileSync(path, `${rows.join("\n")}\n`);
}
