/**
 * Deploys and configures an IndexVault on the local Arbitrum market the way the contract tests
 * do (see test/contracts/fixture.ts), for the demo and the keeper's end-to-end tests: the
 * oracle library, the vault with USDC as base, the basket added through the timelock, then the
 * production timelock delay switched on. Production code must not import from test/, hence
 * this copy.
 */
import type { HardhatEthersProvider, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { type BaseContract, type Interface, MaxUint256 } from "ethers";
import type { IndexVault, MockERC20 } from "../../../types/ethers-contracts/index.js";
import type { TokenSymbol } from "../config/addressBook.js";
import { ConfigError } from "../core/errors.js";
import { parseUnits } from "../core/fixed.js";
import { connectIndexVault } from "../execution/vaultAbi.js";
import { type ArbitrumLocal, fund } from "./arbitrumLocal.js";
import { START_PRICES_USD } from "./marketSpec.js";
import { routeFromBase, routeToBase } from "./routes.js";

export interface VaultLimits {
  readonly cooldown: number;
  readonly maxTurnoverBps: number;
  readonly toleranceBps: number;
  readonly maxSlippageBps: number;
}

export interface DeployVaultOptions {
  readonly basket: readonly TokenSymbol[];
  /** Address whose EIP-712 signature authorises orders (the keeper's signer key). */
  readonly keeperSigner: string;
  readonly limits?: VaultLimits;
  readonly maxWeightBps?: number;
  /** Timelock delay switched on after the basket is added (seconds). */
  readonly timelockDelay?: number;
  readonly heartbeat?: number;
}

export interface DeployedVault {
  readonly vault: IndexVault;
  readonly address: string;
  readonly admin: HardhatEthersSigner;
  readonly guardian: HardhatEthersSigner;
  /** Symbols in `vault.assets()` order (USDC first). */
  readonly symbols: readonly TokenSymbol[];
  /** Uniswap paths per asset in `symbols` order (index 0, the base, is empty). */
  readonly routes: { readonly sell: readonly string[]; readonly buy: readonly string[] };
}

export const DEMO_LIMITS: VaultLimits = {
  cooldown: 3600,
  maxTurnoverBps: 20_000,
  toleranceBps: 150,
  maxSlippageBps: 300,
};

export function oracleConfigFor(local: ArbitrumLocal, symbol: TokenSymbol, heartbeat = 86_400) {
  const feed = local.mockFeeds[symbol];
  if (!feed) throw new ConfigError(`no local feed for ${symbol}`);
  const price = parseUnits(START_PRICES_USD[symbol], 8);
  return { feed: feed.target as string, heartbeat, minAnswer: price / 100n, maxAnswer: price * 100n };
}

/**
 * A keeper-config `tokens` entry for `symbol` on the local market: routes to and from USDC and
 * its feed, i.e. everything a rotation needs to add it to the vault.
 */
export function addressBookEntry(local: ArbitrumLocal, symbol: TokenSymbol, heartbeat = 86_400) {
  const oracle = oracleConfigFor(local, symbol, heartbeat);
  return {
    symbol,
    address: local.tokens[symbol].address,
    decimals: local.tokens[symbol].decimals,
    sellPath: routeToBase(local, symbol),
    buyPath: routeFromBase(local, symbol),
    oracle: {
      feed: oracle.feed,
      heartbeat: oracle.heartbeat,
      minAnswer: oracle.minAnswer.toString(),
      maxAnswer: oracle.maxAnswer.toString(),
    },
  };
}

/** Schedules `fn(args)` on the vault and executes it once the current delay has passed. */
export async function timelockedCall(
  vault: IndexVault,
  admin: HardhatEthersSigner,
  fn: string,
  args: unknown[],
): Promise<void> {
  // The typed interface only accepts literal function names; the generic one takes any.
  const data = (vault.interface as Interface).encodeFunctionData(fn, args);
  await (await vault.connect(admin).schedule(data)).wait();
  const delay = Number(await vault.timelockDelay());
  // Hardhat signers are always connected to Hardhat's provider, which speaks `send`.
  if (delay > 0) await (admin.provider as HardhatEthersProvider).send("evm_increaseTime", [delay]);
  await (await admin.sendTransaction({ to: await vault.getAddress(), data })).wait();
}

/** The vault's linked libraries, deployed once each: the `libraries` map a vault factory takes. */
export async function deployVaultLibraries(
  ethers: ArbitrumLocal["ethers"],
  deployer: ArbitrumLocal["deployer"],
): Promise<Record<(typeof VAULT_LIBRARIES)[number], string>> {
  const out: Partial<Record<(typeof VAULT_LIBRARIES)[number], string>> = {};
  for (const name of VAULT_LIBRARIES) {
    out[name] = await (await ethers.deployContract(name, [], deployer)).getAddress();
  }
  return out as Record<(typeof VAULT_LIBRARIES)[number], string>;
}

/** Libraries IndexVault links (see the vault's header). */
export const VAULT_LIBRARIES = ["ChainlinkOracleLib", "BasketLib", "RebalanceLib", "InKindLib"] as const;

export async function deployVault(local: ArbitrumLocal, options: DeployVaultOptions): Promise<DeployedVault> {
  const { ethers } = local;
  const signers = await ethers.getSigners();
  const [admin, guardian, feeRecipient] = signers.slice(2);
  if (!admin || !guardian || !feeRecipient) throw new ConfigError("deployVault needs at least five accounts");
  const factory = await ethers.getContractFactory("IndexVault", {
    libraries: await deployVaultLibraries(local.ethers, local.deployer),
  });
  const heartbeat = options.heartbeat ?? 86_400;
  const deployed = (await factory.connect(admin).deploy({
    baseAsset: local.tokens.USDC.address,
    name: "Ballast Arbitrum Index",
    symbol: "bIDX",
    admin: admin.address,
    guardian: guardian.address,
    keeperSigner: options.keeperSigner,
    feeRecipient: feeRecipient.address,
    swapRouter: await local.uniswap.router.getAddress(),
    sequencerUptimeFeed: await local.sequencerFeed.getAddress(),
    sequencerGracePeriod: 3600,
    baseOracle: oracleConfigFor(local, "USDC", heartbeat),
    timelockDelay: 0,
    depositCap: MaxUint256,
    managementFeeBps: 0,
    performanceFeeBps: 0,
    limits: options.limits ?? DEMO_LIMITS,
  })) as unknown as IndexVault & BaseContract;
  await deployed.waitForDeployment();
  const vault = connectIndexVault(await deployed.getAddress(), admin);
  for (const symbol of options.basket) {
    await timelockedCall(vault, admin, "addAsset", [
      local.tokens[symbol].address,
      oracleConfigFor(local, symbol, heartbeat),
      options.maxWeightBps ?? 10_000,
      routeToBase(local, symbol),
    ]);
  }
  if ((options.timelockDelay ?? 86_400) > 0) {
    await timelockedCall(vault, admin, "setTimelockDelay", [options.timelockDelay ?? 86_400]);
  }
  const symbols: TokenSymbol[] = ["USDC", ...options.basket];
  return {
    vault,
    address: await vault.getAddress(),
    admin,
    guardian,
    symbols,
    routes: {
      sell: symbols.map((s, i) => (i === 0 ? "" : routeToBase(local, s))),
      buy: symbols.map((s, i) => (i === 0 ? "" : routeFromBase(local, s))),
    },
  };
}

/** Mints USDC to each depositor and deposits it into the vault. */
export async function fundAndDeposit(
  local: ArbitrumLocal,
  vault: IndexVault,
  depositors: readonly HardhatEthersSigner[],
  usdcEach: bigint,
): Promise<void> {
  const usdc = (await local.ethers.getContractAt("MockERC20", local.tokens.USDC.address)) as unknown as MockERC20;
  const vaultAddress = await vault.getAddress();
  for (const user of depositors) {
    await fund(local, user.address, "USDC", usdcEach);
    await (await usdc.connect(user).approve(vaultAddress, MaxUint256)).wait();
    await (await vault.connect(user).deposit(usdcEach, user.address)).wait();
  }
}
