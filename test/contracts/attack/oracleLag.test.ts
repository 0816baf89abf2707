/**
 * M-1 oracle-lag round trips, on the real Uniswap V3 bytecode. The market moves up inside every
 * basket feed's deviation window (so no feed publishes a round), and an attacker deposits cash,
 * exits in kind and sells the basket back to USDC through the real pools. On the reviewed vault
 * (entry priced at the last round, fee-free) the round trip was profitable: it bought the basket
 * at the stale price and took the difference from the other holders. With the entry spread the
 * vault keeps at least the basket's worst-case mispricing, so the round trip loses, and the
 * holders it would have robbed end up no worse off.
 */
import { expect } from "chai";
import { MaxUint256 } from "ethers";
import type { TokenSymbol } from "../../../keeper/src/config/addressBook.js";
import { currentPrices, movePoolToPrice } from "../../../keeper/src/devchain/arbitrumLocal.js";
import { LOCAL_FEED_DEVIATION_BPS } from "../../../keeper/src/devchain/marketSpec.js";
import { routeToBase } from "../../../keeper/src/devchain/routes.js";
import { buildOrder, submitOrder, USDC, type VaultFixture } from "../fixture.js";
import { useVaultFixture } from "../unit/harness.js";

const BASKET: readonly TokenSymbol[] = ["WETH", "WBTC", "ARB"];

/** Moves every pool to `moved` USD prices without touching any feed (the feeds lag). */
async function moveMarketOnly(f: VaultFixture, moved: Partial<Record<TokenSymbol, number>>): Promise<void> {
  const next = { ...(await currentPrices(f.local)), ...moved };
  for (const pool of f.local.pools) {
    if (moved[pool.token0] === undefined && moved[pool.token1] === undefined) continue;
    await movePoolToPrice(f.local, pool, next[pool.token0], next[pool.token1]);
  }
}

/** Value in USD (8 decimals) of the vault's accounted holdings at `pricesUsd`. */
async function holdingsValue(f: VaultFixture, pricesUsd: Record<TokenSymbol, number>): Promise<bigint> {
  let total = 0n;
  for (const symbol of f.symbols) {
    const held = await f.vault.held(f.local.tokens[symbol].address);
    total += (held * BigInt(Math.round(pricesUsd[symbol] * 1e8))) / 10n ** BigInt(f.local.tokens[symbol].decimals);
  }
  return total;
}

/** The attacker's whole round trip; returns its USDC at the end. */
async function roundTrip(f: VaultFixture, amount: bigint): Promise<bigint> {
  const { vault, actors, local, usdc } = f;
  const attacker = actors.attacker;
  await (await vault.connect(attacker).deposit(amount, attacker.address)).wait();
  const shares = await vault.balanceOf(attacker.address);
  await (await vault.connect(attacker).redeemInKind(shares, attacker.address, attacker.address)).wait();
  const router = local.uniswap.router.connect(attacker);
  for (const symbol of BASKET) {
    const token = await local.ethers.getContractAt("MockERC20", local.tokens[symbol].address);
    const balance = await token.balanceOf(attacker.address);
    if (balance === 0n) continue;
    await (await token.connect(attacker).approve(await router.getAddress(), MaxUint256)).wait();
    await (
      await router.exactInput({
        path: routeToBase(local, symbol),
        recipient: attacker.address,
        deadline: MaxUint256,
        amountIn: balance,
        amountOutMinimum: 0n,
      })
    ).wait();
  }
  return usdc.balanceOf(attacker.address);
}

describe("M-1 oracle-lag round trips (real Uniswap V3)", () => {
  const h = useVaultFixture({ basket: BASKET }, async (f) => {
    await (await f.vault.connect(f.actors.alice).deposit(USDC(100_000), f.actors.alice.address)).wait();
    await (await submitOrder(f, await buildOrder(f, [4000, 2000, 2000, 2000]))).wait();
  });

  for (const amount of [USDC(10_000), USDC(100_000), USDC(1_000_000)]) {
    it(`M-1: deposit then in-kind exit inside every feed's deviation window loses (${amount / 10n ** 6n} USDC)`, async () => {
      const f = h.f;
      const start = await f.usdc.balanceOf(f.actors.attacker.address);
      const aliceShares = await f.vault.balanceOf(f.actors.alice.address);
      // Every basket asset rises to 2 bps inside its feed's window: no feed publishes.
      const before = await currentPrices(f.local);
      const moved: Partial<Record<TokenSymbol, number>> = {};
      for (const symbol of BASKET) {
        moved[symbol] = before[symbol] * (1 + (LOCAL_FEED_DEVIATION_BPS[symbol] - 2) / 10_000);
      }
      await moveMarketOnly(f, moved);
      const market = { ...before, ...moved };
      const aliceBefore = await holdingsValue(f, market);
      const end = await roundTrip(f, amount);
      console.log(`      attacker's round trip: ${Number(end - start) / 1e6} USDC on ${Number(amount) / 1e6}`);
      expect(end < start, `attacker ended with ${end - start} USDC units more`).to.equal(true);
      // The holder the attack targeted: Alice owns the whole vault again, and its holdings at the
      // moved market are worth at least what they were before the attacker came (the spread
      // stayed in the vault).
      expect(await f.vault.totalSupply()).to.equal(aliceShares);
      const aliceAfter = await holdingsValue(f, market);
      expect(aliceAfter >= aliceBefore, `Alice's slice moved by ${aliceAfter - aliceBefore} (USD 1e-8)`).to.equal(true);
    });
  }
});
