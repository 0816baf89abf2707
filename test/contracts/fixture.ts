/**
 * Base fixture for IndexVault tests: the local Arbitrum market, a USDC vault with a basket,
 * named actors, and helpers to sign and plan rebalance orders.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { type BaseContract, MaxUint256, Wallet } from "ethers";
import { network } from "hardhat";
import type { TokenSymbol } from "../../keeper/src/config/addressBook.js";
import { parseUnits } from "../../keeper/src/core/fixed.js";
import { type ArbitrumLocal, deployArbitrumLocal, fund } from "../../keeper/src/devchain/arbitrumLocal.js";
import {
  declareDeviations,
  deployVaultLibraries,
  oracleConfigFor,
  timelockedCall,
} from "../../keeper/src/devchain/deployVault.js";

export { timelockedCall };

import { routeFromBase, routeToBase } from "../../keeper/src/devchain/routes.js";
import { planLegs } from "../../keeper/src/execution/indexVault/planLegs.js";
import {
  type RebalanceOrder,
  signRebalanceOrder,
  toTypedValue,
} from "../../keeper/src/execution/indexVault/rebalanceOrder.js";
import { connectIndexVault } from "../../keeper/src/execution/indexVault/vaultAbi.js";
import type { IndexVault, MockERC20 } from "../../types/ethers-contracts/index.js";

export interface Actors {
  readonly admin: HardhatEthersSigner;
  readonly guardian: HardhatEthersSigner;
  /** Keeper signer: a plain key (signs orders off chain, never sends transactions). */
  readonly keeper: Wallet;
  /** Submits signed orders: the fixture's orders name it as their only submitter. */
  readonly submitter: HardhatEthersSigner;
  readonly feeRecipient: HardhatEthersSigner;
  readonly alice: HardhatEthersSigner;
  readonly bob: HardhatEthersSigner;
  readonly attacker: HardhatEthersSigner;
}

export interface VaultOptions {
  readonly basket?: readonly TokenSymbol[];
  readonly timelockDelay?: number;
  readonly managementFeeBps?: number;
  readonly performanceFeeBps?: number;
  readonly depositCap?: bigint;
  readonly limits?: { cooldown: number; maxTurnoverBps: number; toleranceBps: number; maxSlippageBps: number };
  readonly maxWeightBps?: number;
}

export interface VaultFixture {
  readonly local: ArbitrumLocal;
  readonly vault: IndexVault;
  readonly vaultAddress: string;
  readonly usdc: MockERC20;
  readonly actors: Actors;
  readonly basket: readonly TokenSymbol[];
  /** Symbols in `vault.assets()` order (USDC first). */
  readonly symbols: readonly TokenSymbol[];
}

export const DEFAULT_BASKET: readonly TokenSymbol[] = ["WETH", "WBTC", "ARB"];
export const DEFAULT_LIMITS = { cooldown: 3600, maxTurnoverBps: 20_000, toleranceBps: 100, maxSlippageBps: 300 };
export const GRACE_PERIOD = 3600;
export const HEARTBEAT = 86_400;
export const USDC = (amount: number | string): bigint => parseUnits(String(amount), 6);

/** Oracle config of a local feed: the fixture's heartbeat, bounds at 1/100x..100x the start price. */
export function oracleConfig(local: ArbitrumLocal, symbol: TokenSymbol) {
  return oracleConfigFor(local, symbol, HEARTBEAT);
}

/** Deploys the oracle library and a vault, then adds the basket through the timelock. */
export async function deployVaultFixture(options: VaultOptions = {}): Promise<VaultFixture> {
  const { ethers } = await network.create("arbitrumLocal");
  const local = await deployArbitrumLocal(ethers);
  const signers = await ethers.getSigners();
  const [admin, guardian, submitter, feeRecipient, alice, bob, attacker] = signers.slice(2);
  if (!admin || !guardian || !submitter || !feeRecipient || !alice || !bob || !attacker) throw new Error("signers");
  const keeper = new Wallet("0x" + "4b".repeat(32));
  const actors: Actors = { admin, guardian, keeper, submitter, feeRecipient, alice, bob, attacker };
  const basket = options.basket ?? DEFAULT_BASKET;

  const factory = await ethers.getContractFactory("IndexVault", {
    libraries: await deployVaultLibraries(ethers, local.deployer),
  });
  const deployed = (await factory.connect(admin).deploy({
    baseAsset: local.tokens.USDC.address,
    name: "Ballast Arbitrum Index",
    symbol: "bIDX",
    admin: admin.address,
    guardian: guardian.address,
    keeperSigner: keeper.address,
    feeRecipient: feeRecipient.address,
    swapRouter: await local.uniswap.router.getAddress(),
    sequencerUptimeFeed: await local.sequencerFeed.getAddress(),
    sequencerGracePeriod: GRACE_PERIOD,
    baseOracle: oracleConfig(local, "USDC"),
    timelockDelay: 0,
    depositCap: options.depositCap ?? MaxUint256,
    managementFeeBps: options.managementFeeBps ?? 0,
    performanceFeeBps: options.performanceFeeBps ?? 0,
    limits: options.limits ?? DEFAULT_LIMITS,
    // The contract tests add the basket through the timelock, the path rotations use; the
    // constructor's initial basket (the deployment's path) has its own tests. Deviations start at
    // the most a record holds and are declared below through the timelock, as for a rotation.
    baseDeviationBps: 255,
    basket: [],
  })) as unknown as IndexVault & BaseContract;
  await deployed.waitForDeployment();
  const vaultAddress = await deployed.getAddress();
  // The vault's ABI plus its libraries' errors and events (they run with the vault's address).
  const vault = connectIndexVault(vaultAddress, admin);

  for (const symbol of basket) {
    const args = [
      local.tokens[symbol].address,
      oracleConfig(local, symbol),
      options.maxWeightBps ?? 10_000,
      routeToBase(local, symbol),
    ] as const;
    await timelockedCall(vault, admin, "addAsset", [...args]);
  }
  await declareDeviations(vault, admin, local, ["USDC", ...basket]);
  if ((options.timelockDelay ?? 86_400) > 0) {
    await timelockedCall(vault, admin, "setTimelockDelay", [options.timelockDelay ?? 86_400]);
  }
  const usdc = (await ethers.getContractAt("MockERC20", local.tokens.USDC.address)) as unknown as MockERC20;
  for (const user of [alice, bob, attacker]) {
    await fund(local, user.address, "USDC", USDC(10_000_000));
    await (await usdc.connect(user).approve(vaultAddress, MaxUint256)).wait();
  }
  return { local, vault, vaultAddress, usdc, actors, basket, symbols: ["USDC", ...basket] };
}

/** Builds an order toward `targetWeightsBps` from the vault's current portfolio. */
export async function buildOrder(
  f: VaultFixture,
  targetWeightsBps: readonly number[],
  overrides: Partial<RebalanceOrder> = {},
): Promise<RebalanceOrder> {
  const [assets, balances, pricesUsd, valuesInBase, , nav] = await f.vault.portfolio();
  const decimals = f.symbols.map((s) => f.local.tokens[s].decimals);
  const routes = {
    sell: f.symbols.map((s, i) => (i === 0 ? "" : routeToBase(f.local, s))),
    buy: f.symbols.map((s, i) => (i === 0 ? "" : routeFromBase(f.local, s))),
  };
  const legs = planLegs({ assets, decimals, balances, pricesUsd, valuesInBase, nav }, targetWeightsBps, routes);
  // Mine first so a pending evm_increaseTime is reflected in the deadline's base time.
  await f.local.ethers.provider.send("evm_mine", []);
  const block = await f.local.ethers.provider.getBlock("latest");
  return {
    assets,
    targetWeightsBps,
    legs,
    nonce: await f.vault.rebalanceNonce(),
    deadline: BigInt(block?.timestamp ?? 0) + 3600n,
    maxSlippageBps: 100,
    submitter: f.actors.submitter.address,
    ...overrides,
  };
}

export async function signOrder(f: VaultFixture, order: RebalanceOrder, signer: Wallet = f.actors.keeper) {
  return signRebalanceOrder(signer, f.local.chainId, f.vaultAddress, order);
}

/** Signs and submits an order from the submitter account. */
export async function submitOrder(f: VaultFixture, order: RebalanceOrder) {
  const signature = await signOrder(f, order);
  return f.vault.connect(f.actors.submitter).rebalance(toTypedValue(order), signature);
}
