/**
 * Wiring of the Arbitrum keeper (cli is the only composition root): loads the keys, connects
 * the RPC with failover, checks the chain, the vault and the keys against each other (reads
 * only), opens the store and its leadership, and builds the IndexVault venue, the rotation
 * manager and the keeper from them. Any mismatch is a ConfigError raised before anything is sent.
 */
import type { Wallet } from "ethers";
import { parseUnits } from "ethers";
import { IndexVault__factory } from "../../../../types/ethers-contracts/index.js";
import type { KeeperConfig } from "../../config/keeperConfig.js";
import { ConfigError, ExecutionError } from "../../core/errors.js";
import { toNumber } from "../../core/fixed.js";
import { FailoverRpc } from "../../execution/failoverRpc.js";
import { ExchangeRateReader } from "../../execution/indexVault/exchangeRates.js";
import { type ExecutionHooks, IndexVaultVenue } from "../../execution/indexVault/indexVaultVenue.js";
import { VaultGovernance } from "../../execution/indexVault/rotation/vaultGovernance.js";
import { checkRoutesRegistered } from "../../execution/indexVault/routeRegistry.js";
import { probeIndexVault } from "../../execution/indexVault/vaultProbe.js";
import type { Oracle, VenueAsset, Weights } from "../../execution/portfolioManager.js";
import { loadWallet } from "../../execution/signerKeys.js";
import type { FeePolicy } from "../../execution/txSender.js";
import type { UniverseSource } from "../../execution/universeSource.js";
import {
  announce,
  Keeper,
  type KeeperDeps,
  killSwitchOn,
  type MarketView,
  type YieldPlanOf,
} from "../../service/keeper.js";
import { KeeperMetrics } from "../../service/keeperMetrics.js";
import type { Logger } from "../../service/logger.js";
import type { RiskLevel } from "../../service/readModel.js";
import { RotationManager } from "../../service/rotation/rotationManager.js";
import { openStore } from "../../service/store/openStore.js";

export function feePolicy(config: KeeperConfig): FeePolicy {
  const g = config.gas;
  return {
    maxFeePerGasCap: parseUnits(String(g.maxFeePerGasGwei), "gwei"),
    priorityFee: parseUnits(String(g.priorityFeeGwei), "gwei"),
    bumpPercent: g.bumpPercent,
    stuckAfterMs: g.stuckAfterMs,
    pollMs: g.pollMs,
    maxReplacements: g.maxReplacements,
    waitTimeoutMs: g.waitTimeoutMs,
  };
}

export interface OpenKeeperOptions {
  readonly oracle: Oracle;
  /** Where rotations get their new universe (the classifier on the market panel). */
  readonly universe?: UniverseSource;
  readonly logger: Logger;
  readonly env?: NodeJS.ProcessEnv;
  readonly hooks?: ExecutionHooks;
  readonly benchmark?: (t: number) => number | null;
  /** The risk level at chain time t of the vault's holdings (weights by symbol). */
  readonly riskLevel?: (t: number, holdings: Weights) => RiskLevel;
  /** The market view the strategy decides on (see `KeeperDeps.market`). */
  readonly market?: MarketView;
  /** See `KeeperDeps.basketReturns`. */
  readonly basketReturns?: KeeperDeps["basketReturns"];
  /** Instruments to update; a fresh set when absent. */
  readonly metrics?: KeeperMetrics;
  /** What the strategy counts as yield per asset (/api/yields); the keeper then snapshots the rates. */
  readonly yieldPlan?: YieldPlanOf;
}

/**
 * Loads keys, connects and checks the chain, the vault and the keys against each other (reads
 * only), then opens the store. Any mismatch is a ConfigError raised before anything is sent.
 */
export async function openKeeper(config: KeeperConfig, options: OpenKeeperOptions): Promise<Keeper> {
  const env = options.env ?? process.env;
  const signer: Wallet = await loadWallet(config.signer, env);
  const submitter: Wallet = await loadWallet(config.submitter, env);
  // The admin key is optional: without it rotations write proposals for the admin (a multisig).
  const admin: Wallet | null =
    env[config.admin.keyEnv] || config.admin.keystorePath ? await loadWallet(config.admin, env) : null;
  const metrics = options.metrics ?? new KeeperMetrics();
  const rpc = new FailoverRpc({
    urls: config.rpcUrls,
    chainId: config.chainId,
    retries: config.rpc.retries,
    backoffMs: config.rpc.backoffMs,
    timeoutMs: config.rpc.timeoutMs,
    onFailover: (from, to) => {
      metrics.failovers.inc();
      options.logger.warn({ from, to }, "rpc failover");
    },
    onTransportError: () => metrics.rpcErrors.inc(),
    onBatchLimit: (url, size, reason) => options.logger.warn({ url, size, reason }, "rpc batch size lowered"),
  });
  try {
    const network = await rpc.read("chain id", (p) => p.send("eth_chainId", []));
    if (Number(network) !== config.chainId) {
      throw new ConfigError(`RPC chain id ${Number(network)} differs from configured ${config.chainId}`);
    }
    // Refuses a token or any other contract given as the vault, with a clear message.
    await probeIndexVault(rpc, config.vault, (config.tokens[0] as KeeperConfig["tokens"][number]).address);
    // Candidate routes over pools the vault would refuse (M-4) are a config error, named by pool.
    if (config.tokens.some((t) => t.routes.length > 0)) await checkRoutesRegistered(rpc, config.vault, config.tokens);
    const venue = new IndexVaultVenue({
      rpc,
      chainId: config.chainId,
      vaultAddress: config.vault,
      signer,
      submitter,
      tokens: config.tokens,
      planning: config.planning,
      fees: feePolicy(config),
      uniswapFactory: config.uniswapFactory,
      ...(options.hooks ? { hooks: options.hooks } : {}),
    });
    const onChainSigner = await rpc.read("keeperSigner", (p) =>
      IndexVault__factory.connect(config.vault, p).keeperSigner(),
    );
    if (onChainSigner.toLowerCase() !== signer.address.toLowerCase()) {
      throw new ConfigError(
        `the vault's keeper signer is ${onChainSigner}, not the configured key's ${signer.address}`,
      );
    }
    // Every vault asset must be described by the config (throws ExecutionError otherwise).
    let startUniverse: readonly VenueAsset[] = [];
    try {
      // The pools' ticks ride in the same batch: the first cycle then reads their bitmap words
      // with its first batch (a hint only; see PoolReadHint).
      [startUniverse] = await Promise.all([venue.universe(), venue.seedPoolHints()]);
    } catch (error) {
      if (error instanceof ExecutionError) throw new ConfigError(error.message);
      throw error;
    }
    const balance = await rpc.read("submitter balance", (p) => p.getBalance(submitter.address));
    if (balance === 0n) throw new ConfigError(`submitter ${submitter.address} has no ETH for gas`);
    metrics.submitterBalance.set(toNumber(balance, 18));
    if (admin) {
      const onChainAdmin = await rpc.read("admin", (p) => IndexVault__factory.connect(config.vault, p).admin());
      if (onChainAdmin.toLowerCase() !== admin.address.toLowerCase()) {
        throw new ConfigError(`the vault's admin is ${onChainAdmin}, not the configured admin key's ${admin.address}`);
      }
      const adminBalance = await rpc.read("admin balance", (p) => p.getBalance(admin.address));
      if (adminBalance === 0n) throw new ConfigError(`admin ${admin.address} has no ETH for gas`);
    }
    const { store, leadership } = await openStore(config, { logger: options.logger, metrics });
    const rotation = options.universe
      ? new RotationManager({
          store,
          governance: new VaultGovernance({
            rpc,
            chainId: config.chainId,
            vault: config.vault,
            // A dry run sends nothing: rotation steps become proposals, as without an admin key.
            admin: config.dryRun ? null : admin,
            fees: feePolicy(config),
            beforeBroadcast: () => leadership.fence("send an admin transaction"),
          }),
          universe: options.universe,
          book: config.tokens.map((t) => ({
            ...t,
            oracle: t.oracle && {
              feed: t.oracle.feed,
              heartbeat: t.oracle.heartbeat,
              minAnswer: BigInt(t.oracle.minAnswer),
              maxAnswer: BigInt(t.oracle.maxAnswer),
              deviationBps: t.oracle.deviationBps,
            },
          })),
          settings: {
            rotationDays: config.strategy.rotationDays,
            minAssets: config.strategy.rotationMinAssets,
            defaultMaxWeightBps: Math.round(config.strategy.maxWeight * 10_000),
          },
          logger: options.logger,
        })
      : undefined;
    // The status names the vault and strategy from the start, before the first cycle. A standby
    // (PostgreSQL) writes only these facts, which every keeper of this vault shares.
    await announce(store, {
      chainId: config.chainId,
      vault: config.vault,
      strategy: options.oracle.name,
      dryRun: config.dryRun,
      ...(leadership.isLeader() ? { killSwitch: killSwitchOn(config), activeRpcUrl: rpc.activeUrl } : {}),
      ...(options.yieldPlan ? { yieldPlan: options.yieldPlan(startUniverse.map((a) => a.symbol)) } : {}),
    });
    return new Keeper({
      config,
      store,
      rpc,
      venue,
      oracle: options.oracle,
      logger: options.logger,
      signerAddress: signer.address,
      submitterAddress: submitter.address,
      metrics,
      leadership,
      ...(options.market ? { market: options.market } : {}),
      ...(rotation ? { rotation } : {}),
      ...(options.benchmark ? { benchmark: options.benchmark } : {}),
      ...(options.riskLevel ? { riskLevel: options.riskLevel } : {}),
      ...(options.basketReturns ? { basketReturns: options.basketReturns } : {}),
      ...(options.yieldPlan
        ? { yields: { plan: options.yieldPlan, rates: new ExchangeRateReader(rpc, config.vault) } }
        : {}),
    });
  } catch (error) {
    rpc.destroy();
    throw error;
  }
}
