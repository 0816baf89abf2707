/**
 * Gas benchmark with a committed snapshot (gas-snapshot.json). Gas on a fresh local chain is
 * deterministic, so any change fails this test; run with UPDATE_GAS_SNAPSHOT=1 to accept it.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { expect } from "chai";
import { MaxUint256 } from "ethers";
import { artifacts } from "hardhat";
import type { TokenSymbol } from "../../../keeper/src/config/addressBook.js";
import { fund } from "../../../keeper/src/devchain/arbitrumLocal.js";
import { VAULT_LIBRARIES } from "../../../keeper/src/devchain/deployVault.js";
import type { MockERC20 } from "../../../types/ethers-contracts/index.js";
import { buildOrder, deployVaultFixture, submitOrder, USDC, type VaultFixture } from "../fixture.js";

const SNAPSHOT_FILE = "gas-snapshot.json";
const ALL_BASKET: TokenSymbol[] = ["WETH", "WBTC", "ARB", "LINK", "UNI", "GMX", "WSTETH", "RETH", "PENDLE"];
/**
 * Block times follow the wall clock, so a deadline derived from them would change the signed
 * calldata (and its gas) from run to run; a constant deadline keeps the snapshot exact.
 */
const FIXED_DEADLINE = 2n ** 40n;
const TARGETS = { deposit10: 200_000n, inKind10: 320_000n, legOverhead: 5_000n };
/** Largest deployed code any vault contract may have (EIP-170 allows 24,576): room to grow. */
const MAX_CODE_SIZE = 21_500;
/** Every contract a vault deployment puts on chain: the vault and its linked libraries. */
const DEPLOYED_CONTRACTS = ["IndexVault", ...VAULT_LIBRARIES] as const;

async function gasOf(tx: Promise<{ wait: () => Promise<{ gasUsed: bigint } | null> }>): Promise<bigint> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error("no receipt");
  return receipt.gasUsed;
}

/** Current weights adjusted to sum to exactly 10,000 (rounding goes to the base asset). */
async function currentWeights(f: VaultFixture): Promise<number[]> {
  const [, , , , weights] = await f.vault.portfolio();
  const w = weights.map(Number);
  w[0] = (w[0] ?? 0) + 10_000 - w.reduce((a, b) => a + b, 0);
  return w;
}

function equalWeights(n: number): number[] {
  const w = Array.from({ length: n }, () => Math.floor(10_000 / n));
  w[0] = (w[0] ?? 0) + 10_000 - w.reduce((a, b) => a + b, 0);
  return w;
}

async function advance(f: VaultFixture, seconds: number): Promise<void> {
  await f.local.ethers.provider.send("evm_increaseTime", [seconds]);
  await f.local.ethers.provider.send("evm_mine", []);
}

/**
 * Gas of the same legs (same paths, same amounts, same pool state) sent straight to
 * SwapRouter by an account that already holds every token: the bare swap cost, less the
 * 21,000 intrinsic gas a transaction pays once.
 */
async function bareLegGas(f: VaultFixture, legs: readonly { path: string; amountIn: bigint }[]): Promise<bigint[]> {
  const { local } = f;
  const signers = await local.ethers.getSigners();
  const trader = signers[12];
  if (!trader) throw new Error("signer");
  const router = local.uniswap.router.connect(trader);
  const out: bigint[] = [];
  for (const leg of legs) {
    const tokenIn = `0x${leg.path.slice(2, 42)}`;
    const symbol = (Object.keys(local.tokens) as TokenSymbol[]).find(
      (s) => local.tokens[s].address.toLowerCase() === tokenIn.toLowerCase(),
    );
    if (!symbol) throw new Error(`unknown token ${tokenIn}`);
    await fund(local, trader.address, symbol, leg.amountIn);
    const token = (await local.ethers.getContractAt("MockERC20", tokenIn)) as unknown as MockERC20;
    await (await token.connect(trader).approve(await router.getAddress(), MaxUint256)).wait();
    const single = leg.path.length === 2 + 43 * 2;
    const gas = single
      ? await gasOf(
          router.exactInputSingle({
            tokenIn,
            tokenOut: `0x${leg.path.slice(48, 88)}`,
            fee: Number.parseInt(leg.path.slice(42, 48), 16),
            recipient: trader.address,
            deadline: MaxUint256,
            amountIn: leg.amountIn,
            amountOutMinimum: 0n,
            sqrtPriceLimitX96: 0n,
          }),
        )
      : await gasOf(
          router.exactInput({
            path: leg.path,
            recipient: trader.address,
            deadline: MaxUint256,
            amountIn: leg.amountIn,
            amountOutMinimum: 0n,
          }),
        );
    out.push(gas - 21_000n);
  }
  return out;
}

/**
 * What a new holder's in-kind exit costs at the token level alone: one direct transfer of each
 * basket token (not the base asset) from a holder to a fresh address, less 21,000 intrinsic gas
 * each. This is the floor no vault can go below for that exit.
 */
async function bareTransferGas(f: VaultFixture, template: string): Promise<bigint> {
  const signers = await f.local.ethers.getSigners();
  const holder = signers[13];
  if (!holder) throw new Error("signer");
  const fresh = `0x${"b0".repeat(19)}01`;
  let total = 0n;
  for (const token of (await f.vault.assets()).slice(1)) {
    const erc20 = (await f.local.ethers.getContractAt("MockERC20", token)) as unknown as MockERC20;
    // Same amount the template holder received, so calldata and slots match the vault's exit.
    const amount = await erc20.balanceOf(template);
    if (amount === 0n) continue;
    const symbol = (Object.keys(f.local.tokens) as TokenSymbol[]).find(
      (s) => f.local.tokens[s].address.toLowerCase() === token.toLowerCase(),
    );
    if (!symbol) throw new Error(`unknown token ${token}`);
    // Twice the amount, so the sender keeps a balance (emptying it would earn a refund the vault never gets).
    await fund(f.local, holder.address, symbol, 2n * amount);
    total += (await gasOf(erc20.connect(holder).transfer(fresh, amount))) - 21_000n;
  }
  return total;
}

describe("IndexVault gas (snapshot)", () => {
  const measured: Record<string, number> = {};

  for (const assetCount of [2, 5, 10]) {
    it(`deposit, redeem, in-kind redeem and rebalance with ${assetCount} assets`, async () => {
      const basket = ALL_BASKET.slice(0, assetCount - 1);
      const f = await deployVaultFixture({ basket });
      const { vault, actors } = f;
      const provider = f.local.ethers.provider;
      await (await vault.connect(actors.alice).deposit(USDC(100_000), actors.alice.address)).wait();
      await advance(f, 3600);
      // Warm-up: all-cash to equal weight, so every pool and every holding is already live.
      await (
        await submitOrder(
          f,
          await buildOrder(f, equalWeights(assetCount), { maxSlippageBps: 300, deadline: FIXED_DEADLINE }),
        )
      ).wait();
      await advance(f, 3600);

      // Measured: move 20% of NAV back to cash, one sell leg per basket asset.
      const shifted = equalWeights(assetCount).map((w, i) =>
        i === 0 ? w + 2000 : w - Math.floor(2000 / (assetCount - 1)),
      );
      shifted[0] = (shifted[0] ?? 0) + 10_000 - shifted.reduce((a, b) => a + b, 0);
      const order = await buildOrder(f, shifted, { maxSlippageBps: 300, deadline: FIXED_DEADLINE });
      const legs = order.legs.length;
      const snapshot = await provider.send("evm_snapshot", []);
      const rebalanceGas = await gasOf(submitOrder(f, order));
      await provider.send("evm_revert", [snapshot]);
      const snapshot2 = await provider.send("evm_snapshot", []);
      const noopGas = await gasOf(submitOrder(f, { ...order, legs: [], targetWeightsBps: await currentWeights(f) }));
      await provider.send("evm_revert", [snapshot2]);
      const snapshot3 = await provider.send("evm_snapshot", []);
      const bare = await bareLegGas(f, order.legs);
      await provider.send("evm_revert", [snapshot3]);
      await (await submitOrder(f, order)).wait();
      const bareSum = bare.reduce((a, b) => a + b, 0n);
      const legOverhead = (rebalanceGas - noopGas - bareSum) / BigInt(legs);

      // First deposit of a new holder (its share balance slot goes from zero to non-zero, 22.1k of
      // the total), then a second deposit by the same holder.
      const depositGas = await gasOf(vault.connect(actors.bob).deposit(USDC(10_000), actors.bob.address));
      const redeemGas = await gasOf(
        vault.connect(actors.bob).redeem(USDC(1_000) * 10n ** 12n, actors.bob.address, actors.bob.address),
      );
      const depositAgainGas = await gasOf(vault.connect(actors.bob).deposit(USDC(10_000), actors.bob.address));
      // In kind to a receiver holding none of the basket (every token writes a new balance slot),
      // then again to the same receiver, who now holds every token.
      const shares = await vault.balanceOf(actors.alice.address);
      const inKindGas = await gasOf(
        vault.connect(actors.alice).redeemInKind(shares / 10n, actors.alice.address, actors.alice.address),
      );
      const inKindAgainGas = await gasOf(
        vault.connect(actors.alice).redeemInKind(shares / 10n, actors.alice.address, actors.alice.address),
      );
      const bareTransfers = await bareTransferGas(f, actors.alice.address);

      Object.assign(measured, {
        [`deposit_${assetCount}_assets`]: Number(depositGas),
        [`deposit_existing_holder_${assetCount}_assets`]: Number(depositAgainGas),
        [`redeem_from_buffer_${assetCount}_assets`]: Number(redeemGas),
        [`redeem_in_kind_${assetCount}_assets`]: Number(inKindGas),
        [`redeem_in_kind_existing_holder_${assetCount}_assets`]: Number(inKindAgainGas),
        [`bare_token_transfers_new_holder_${assetCount}_assets`]: Number(bareTransfers),
        [`rebalance_${assetCount}_assets_${legs}_legs`]: Number(rebalanceGas),
        [`rebalance_noop_${assetCount}_assets`]: Number(noopGas),
        [`bare_router_swaps_${assetCount}_assets_avg`]: Number(bareSum / BigInt(Math.max(legs, 1))),
        [`leg_overhead_vs_bare_${assetCount}_assets`]: Number(legOverhead),
      });
      if (assetCount === 10) {
        // The in-kind target is reported against rather than asserted (see the report); the
        // deposit target and the leg overhead are asserted.
        const verdict = (gas: bigint, target: bigint) =>
          `${gas} vs target ${target}: ${gas <= target ? "met" : "MISSED"}`;
        console.log(`      deposit/10 assets, new holder ${verdict(depositGas, TARGETS.deposit10)}`);
        console.log(`      deposit/10 assets, existing holder ${verdict(depositAgainGas, TARGETS.deposit10)}`);
        console.log(`      in-kind/10 assets, new receiver ${verdict(inKindGas, TARGETS.inKind10)}`);
        console.log(`      in-kind/10 assets, existing receiver ${verdict(inKindAgainGas, TARGETS.inKind10)}`);
        console.log(`      (the same token transfers sent directly to a new holder cost ${bareTransfers})`);
      }
      expect(legOverhead, "per-leg overhead over the bare router swap").to.be.lessThanOrEqual(TARGETS.legOverhead);
      if (assetCount === 10)
        expect(depositGas, "10-asset deposit, new holder").to.be.lessThanOrEqual(TARGETS.deposit10);
    });
  }

  it("deposit with 10 assets with fees on (1%/yr management, 10% performance)", async () => {
    // The table above runs with fees off. With fees on, a deposit also mints the accrued fee
    // shares to the fee recipient (its balance slot, the supply and a Transfer event).
    const f = await deployVaultFixture({ basket: ALL_BASKET, managementFeeBps: 100, performanceFeeBps: 1_000 });
    const { vault, actors } = f;
    await (await vault.connect(actors.alice).deposit(USDC(100_000), actors.alice.address)).wait();
    await advance(f, 3600);
    await (
      await submitOrder(f, await buildOrder(f, equalWeights(10), { maxSlippageBps: 300, deadline: FIXED_DEADLINE }))
    ).wait();
    await advance(f, 3600);
    const firstGas = await gasOf(vault.connect(actors.bob).deposit(USDC(10_000), actors.bob.address));
    await advance(f, 3600);
    const againGas = await gasOf(vault.connect(actors.bob).deposit(USDC(10_000), actors.bob.address));
    expect(await vault.balanceOf(actors.feeRecipient.address)).to.be.greaterThan(0n);
    Object.assign(measured, {
      deposit_10_assets_fees_on: Number(firstGas),
      deposit_existing_holder_10_assets_fees_on: Number(againGas),
    });
  });

  it("every deployed contract fits in 21,500 bytes of code", async () => {
    const f = await deployVaultFixture({ basket: ["WETH"] });
    for (const name of DEPLOYED_CONTRACTS) {
      // Linked libraries' placeholders have the length of an address, so the artifact's size is the deployed one.
      const artifact = await artifacts.readArtifact(name);
      const size = (artifact.deployedBytecode.length - 2) / 2;
      measured[`code_size_${name}`] = size;
      expect(size, `${name} code size`).to.be.lessThanOrEqual(MAX_CODE_SIZE);
    }
    const onChain = (await f.local.ethers.provider.getCode(f.vaultAddress)).length / 2 - 1;
    expect(onChain).to.equal(measured.code_size_IndexVault);
  });

  after(() => {
    if (Object.keys(measured).length === 0) return;
    console.log("\n    gas measured:");
    for (const [k, v] of Object.entries(measured)) console.log(`      ${k.padEnd(40)} ${v}`);
  });

  it("matches the committed snapshot", function () {
    if (process.argv.includes("--coverage")) {
      // Coverage instruments the bytecode, which changes gas: the comparison is meaningless there.
      console.log("    skipped: gas snapshot is not compared under --coverage");
      this.skip();
    }
    if (process.env.UPDATE_GAS_SNAPSHOT === "1" || !existsSync(SNAPSHOT_FILE)) {
      writeFileSync(SNAPSHOT_FILE, `${JSON.stringify(measured, null, 2)}\n`);
      console.log(`    wrote ${SNAPSHOT_FILE}`);
    }
    const committed = JSON.parse(readFileSync(SNAPSHOT_FILE, "utf8")) as Record<string, number>;
    expect(measured).to.deep.equal(committed);
  });
});
