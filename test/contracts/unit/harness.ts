/**
 * Shared set-up for the vault suites: one fixture per `describe`, rolled back to a snapshot
 * after every test so tests stay independent without paying a fresh deployment each time.
 */
import { deployVaultFixture, type VaultFixture, type VaultOptions } from "../fixture.js";

export interface FixtureHandle {
  /** The fixture deployed in `before` (throws if read before it exists). */
  readonly f: VaultFixture;
}

export function useVaultFixture(options: VaultOptions = {}, setup?: (f: VaultFixture) => Promise<void>): FixtureHandle {
  let fixture: VaultFixture | undefined;
  let snapshot = "";
  before(async () => {
    fixture = await deployVaultFixture(options);
    if (setup) await setup(fixture);
  });
  beforeEach(async () => {
    snapshot = await handle.f.local.ethers.provider.send("evm_snapshot", []);
  });
  afterEach(async () => {
    await handle.f.local.ethers.provider.send("evm_revert", [snapshot]);
  });
  const handle: FixtureHandle = {
    get f(): VaultFixture {
      if (!fixture) throw new Error("fixture not deployed yet");
      return fixture;
    },
  };
  return handle;
}

/** Advances chain time and mines a block. */
export async function advance(f: VaultFixture, seconds: number): Promise<void> {
  await f.local.ethers.provider.send("evm_increaseTime", [seconds]);
  await f.local.ethers.provider.send("evm_mine", []);
}

/** Re-stamps every local feed with its current answer, as live feeds do on their heartbeat. */
export async function refreshFeeds(f: VaultFixture): Promise<void> {
  for (const feed of Object.values(f.local.mockFeeds)) {
    const [, answer] = await feed.latestRoundData();
    await (await feed.setAnswer(answer)).wait();
  }
}

/** Advances past a timelock delay with the feeds kept fresh (a day is also their heartbeat). */
export async function advanceFresh(f: VaultFixture, seconds: number): Promise<void> {
  await advance(f, seconds);
  await refreshFeeds(f);
}

export async function now(f: VaultFixture): Promise<bigint> {
  return BigInt((await f.local.ethers.provider.getBlock("latest"))?.timestamp ?? 0);
}

/** Current weights adjusted to sum to exactly 10,000 (rounding goes to the base asset). */
export async function currentWeights(f: VaultFixture): Promise<number[]> {
  const [, , , , weights] = await f.vault.portfolio();
  const w = weights.map(Number);
  w[0] = (w[0] ?? 0) + 10_000 - w.reduce((a, b) => a + b, 0);
  return w;
}

/** Moves every feed's `updatedAt` back so it is older than its heartbeat. */
export async function makeStale(f: VaultFixture, symbol: keyof VaultFixture["local"]["mockFeeds"]): Promise<bigint> {
  const feed = f.local.mockFeeds[symbol];
  if (!feed) throw new Error(`no feed ${symbol}`);
  const [, answer] = await feed.latestRoundData();
  const updatedAt = (await now(f)) - 86_401n - 10n;
  await (await feed.setRound(answer, updatedAt, updatedAt)).wait();
  return updatedAt;
}
