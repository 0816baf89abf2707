/**
 * Deploys and configures an IndexVault on the local Arbitrum market the way the contract tests
 * do (see test/contracts/fixture.ts), for the demo and the keeper's end-to-end tests: the
 * linked libraries, then the vault over its base asset with its whole basket and its timelock
 * delay set by the constructor, as `npm run deploy` does. Production code must not import from
 * test/, hence this copy.
 *
 * The local chain offers the two indexes Ballast deploys on Arbitrum One (the same Ignition
 * module with ignition/parameters/<index>.<network>.json): the blue-chip index over USDC, and the
 * LST index over WETH, whose wstETH and rETH are priced through feed adapters (see lstFeeds.ts).
 */
import type { HardhatEthersProvider, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { type BaseContract, type Interface, MaxUint256 } from "ethers";
import type { IndexVault, MockERC20 } from "../../../types/ethers-contracts/index.js";
import type { LstSymbol, TokenSymbol } from "../config/addressBook.js";
import { ConfigError } from "../core/errors.js";
import { parseUnits } from "../core/fixed.js";
import { connectIndexVault } from "../execution/indexVault/vaultAbi.js";
import { type ArbitrumLocal, fund } from "./arbitrumLocal.js";
import { deployLstFeedAdapters } from "./lstFeeds.js";
import { LOCAL_FEED_DEVIATION_BPS, START_PRICES_USD } from "./marketSpec.js";
import { routeFromBase, routeToBase } from "./routes.js";

export interface VaultLimits {
  readonly cooldown: number;
  readonly maxTurnoverBps: number;
  readonly toleranceBps: number;
  readonly maxSlippageBps: number;
}

/** The indexes the local chain offers (the `<index>` of ignition/parameters/<index>.<network>.json). */
export type IndexKind = "blue-chip" | "lst";

export interface IndexSpec {
  readonly base: TokenSymbol;
  readonly name: string;
  readonly symbol: string;
}

export const INDEX_SPECS: Readonly<Record<IndexKind, IndexSpec>> = {
  "blue-chip": { base: "USDC", name: "Ballast Arbitrum Index", symbol: "bIDX" },
  lst: { base: "WETH", name: "Ballast Arbitrum LST Index", symbol: "bLST" },
};

/** The LST index's basket besides its WETH base. */
export const LST_BASKET: readonly LstSymbol[] = ["WSTETH", "RETH"];

export interface DeployVaultOptions {
  /** Which index (default "blue-chip"); the LST index takes only `LST_BASKET` symbols. */
  readonly index?: IndexKind;
  /** Assets besides the base, in the order they are added. */
  readonly basket: readonly TokenSymbol[];
  /** Address whose EIP-712 signature authorises orders (the keeper's signer key). */
  readonly keeperSigner: string;
  readonly limits?: VaultLimits;
  readonly maxWeightBps?: number;
  /** Timelock delay the vault starts with (seconds; default one day). */
  readonly timelockDelay?: number;
  readonly heartbeat?: number;
}

export interface DeployedVault {
  readonly vault: IndexVault;
  readonly address: string;
  readonly admin: HardhatEthersSigner;
  readonly guardian: HardhatEthersSigner;
  readonly index: IndexKind;
  /** Symbols in `vault.assets()` order (the base first). */
  readonly symbols: readonly TokenSymbol[];
  /** The feed each symbol is priced with, in `symbols` order (an adapter for the LSTs). */
  readonly feeds: readonly string[];
  /** Uniswap paths per asset in `symbols` order (index 0, the base, is empty). */
  readonly routes: { readonly sell: readonly string[]; readonly buy: readonly string[] };
}

export const DEMO_LIMITS: VaultLimits = {
  cooldown: 3600,
  maxTurnoverBps: 20_000,
  toleranceBps: 150,
  maxSlippageBps: 300,
};

/**
 * Oracle config of `symbol` on the local market: its local USD feed (or `feed`, e.g. an adapter),
 * with bounds at 1/100x..100x its start price.
 */
export function oracleConfigFor(local: ArbitrumLocal, symbol: TokenSymbol, heartbeat = 86_400, feed?: string) {
  const address = feed ?? (local.mockFeeds[symbol]?.target as string | undefined);
  if (!address) throw new ConfigError(`no local feed for ${symbol}`);
  const price = parseUnits(START_PRICES_USD[symbol], 8);
  return { feed: address, heartbeat, minAnswer: price / 100n, maxAnswer: price * 100n };
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
      deviationBps: LOCAL_FEED_DEVIATION_BPS[symbol],
    },
  };
}

/** The keeper-config `tokens` entries of a deployed vault: base asset first, then its basket, with its routes. */
export function vaultTokenEntries(local: ArbitrumLocal, deployed: DeployedVault) {
  return deployed.symbols.map((symbol, i) => ({
    symbol,
    address: local.tokens[symbol].address,
    decimals: local.tokens[symbol].decimals,
    sellPath: deployed.routes.sell[i] || "0x",
    buyPath: deployed.routes.buy[i] || "0x",
  }));
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

/**
 * Declares each asset's feed deviation threshold (the local feeds' `LOCAL_FEED_DEVIATION_BPS`),
 * which sizes the vault's entry spread (M-1). A new asset starts at the vault's most conservative
 * 255 bps; declaring a lower one is timelocked, so this runs while the delay is still zero.
 */
export async function declareDeviations(
  vault: IndexVault,
  admin: HardhatEthersSigner,
  local: ArbitrumLocal,
  symbols: readonly TokenSymbol[],
): Promise<void> {
  for (const symbol of symbols) {
    await timelockedCall(vault, admin, "setDeviation", [
      local.tokens[symbol].address,
      LOCAL_FEED_DEVIATION_BPS[symbol],
    ]);
  }
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
  const index = options.index ?? "blue-chip";
  const spec = INDEX_SPECS[index];
  const heartbeat = options.heartbeat ?? 86_400;
  const feedOf = await basketFeeds(local, index, options.basket);
  const factory = await ethers.getContractFactory("IndexVault", {
    libraries: await deployVaultLibraries(local.ethers, local.deployer),
  });
  const deployed = (await factory.connect(admin).deploy({
    baseAsset: local.tokens[spec.base].address,
    name: spec.name,
    symbol: spec.symbol,
    admin: admin.address,
    guardian: guardian.address,
    keeperSigner: options.keeperSigner,
    feeRecipient: feeRecipient.address,
    swapRouter: await local.uniswap.router.getAddress(),
    sequencerUptimeFeed: await local.sequencerFeed.getAddress(),
    sequencerGracePeriod: 3600,
    baseOracle: oracleConfigFor(local, spec.base, heartbeat),
    timelockDelay: options.timelockDelay ?? 86_400,
    depositCap: MaxUint256,
    managementFeeBps: 0,
    performanceFeeBps: 0,
    limits: options.limits ?? DEMO_LIMITS,
    // The whole basket in the constructor, as `npm run deploy` registers it, each feed's
    // deviation threshold declared with it (the entry spread is right from the first deposit).
    baseDeviationBps: LOCAL_FEED_DEVIATION_BPS[spec.base],
    basket: options.basket.map((symbol) => ({
      token: local.tokens[symbol].address,
      oracle: oracleConfigFor(local, symbol, heartbeat, feedOf[symbol]),
      maxWeightBps: options.maxWeightBps ?? 10_000,
      sellPath: routeToBase(local, symbol, spec.base),
      deviationBps: LOCAL_FEED_DEVIATION_BPS[symbol],
    })),
  })) as unknown as IndexVault & BaseContract;
  await deployed.waitForDeployment();
  const vault = connectIndexVault(await deployed.getAddress(), admin);
  const symbols: TokenSymbol[] = [spec.base, ...options.basket];
  return {
    vault,
    address: await vault.getAddress(),
    admin,
    guardian,
    index,
    symbols,
    feeds: symbols.map((s) => oracleConfigFor(local, s, heartbeat, feedOf[s]).feed),
    routes: {
      sell: symbols.map((s, i) => (i === 0 ? "" : routeToBase(local, s, spec.base))),
      buy: symbols.map((s, i) => (i === 0 ? "" : routeFromBase(local, s, spec.base))),
    },
  };
}

/**
 * Feeds that replace a symbol's local USD feed: none for the blue-chip index; for the LST index,
 * freshly deployed adapters for its LSTs (Arbitrum One has no USD feed for them).
 */
async function basketFeeds(
  local: ArbitrumLocal,
  index: IndexKind,
  basket: readonly TokenSymbol[],
): Promise<Partial<Record<TokenSymbol, string>>> {
  if (index === "blue-chip") return {};
  const outside = basket.filter((s) => !(LST_BASKET as readonly TokenSymbol[]).includes(s));
  if (outside.length > 0) throw new ConfigError(`the LST index takes only ${LST_BASKET.join(", ")}`, { outside });
  const adapters = await deployLstFeedAdapters(local, local.deployer);
  return Object.fromEntries(LST_BASKET.map((s) => [s, adapters[s].target as string]));
}

/**
 * Both indexes the local chain offers, each with its default basket (the blue-chip one as the
 * e2e tests use it), for demos and tests that need the two side by side.
 */
export async function deployIndexVaults(
  local: ArbitrumLocal,
  keeperSigner: string,
): Promise<{ readonly blueChip: DeployedVault; readonly lst: DeployedVault }> {
  const blueChip = await deployVault(local, { basket: ["WETH", "WBTC", "ARB"], keeperSigner });
  const lst = await deployVault(local, { index: "lst", basket: LST_BASKET, keeperSigner });
  return { blueChip, lst };
}

/** Funds each depositor with `amountEach` of the vault's base asset (USDC, WETH) and deposits it. */
export async function fundAndDeposit(
  local: ArbitrumLocal,
  vault: IndexVault,
  depositors: readonly HardhatEthersSigner[],
  amountEach: bigint,
): Promise<void> {
  const baseAddress = (await vault.asset()).toLowerCase();
  const base = (Object.keys(local.tokens) as TokenSymbol[]).find(
    (s) => local.tokens[s].address.toLowerCase() === baseAddress,
  );
  if (!base) throw new ConfigError(`vault base ${baseAddress} is not a local token`);
  const token = (await local.ethers.getContractAt("MockERC20", local.tokens[base].address)) as unknown as MockERC20;
  const vaultAddress = await vault.getAddress();
  for (const user of depositors) {
    await fund(local, user.address, base, amountEach);
    await (await token.connect(user).approve(vaultAddress, MaxUint256)).wait();
    await (await vault.connect(user).deposit(amountEach, user.address)).wait();
  }
}
