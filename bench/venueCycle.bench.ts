/**
 * The venue keeper's cycle (service/venueKeeper.ts) on each venue's local stand-in, in process,
 * over SQLite: round trips to the venue per cycle (HyperLiquid: HTTP requests by `/info` type and
 * `/exchange`; Starknet: JSON-RPC calls by method), statements sent to the store, and wall time,
 * for the first rebalance, a forced cycle with nothing to trade, and an idle tick (not due).
 * The stand-ins answer on 127.0.0.1 at once, so the times are the keeper's own work plus
 * loopback HTTP; a real exchange or node adds its latency per round trip.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet } from "ethers";
import { parseHyperliquidConfig } from "../keeper/src/config/hyperliquidConfig.js";
import { parseStarknetConfig } from "../keeper/src/config/starknetConfig.js";
import type { Venue, VenuePlan } from "../keeper/src/core/venue.js";
import { loadScoreFile } from "../keeper/src/data/signals/scoreFile.js";
import { localBook, startHyperliquidLocal } from "../keeper/src/devchain/hyperliquidLocal.js";
import { LOCAL_STARKNET, proofStateStarknet } from "../keeper/src/devchain/starknetLocal.js";
import { HyperliquidVenue } from "../keeper/src/execution/hyperliquid/hyperliquidVenue.js";
import { SignalOracle } from "../keeper/src/execution/signalOracle.js";
import { openStarknetVenue } from "../keeper/src/execution/starknet/openStarknetVenue.js";
import { KeeperMetrics } from "../keeper/src/service/keeperMetrics.js";
import { createLogger } from "../keeper/src/service/logger.js";
import { KeeperStore } from "../keeper/src/service/store/keeperStore.js";
import { VenueStore } from "../keeper/src/service/store/venueStore.js";
import { VenueKeeper } from "../keeper/src/service/venueKeeper.js";

type AnyVenue = Venue<unknown, VenuePlan, unknown>;

function day(t: number): string {
  return new Date(t * 1000).toISOString().slice(0, 10);
}

async function measure(
  label: string,
  venue: AnyVenue,
  scores: string,
  mode: "long-short" | "long-only",
  roundTrips: () => Map<string, number>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "ballast-bench-venue-"));
  writeFileSync(join(dir, "scores.csv"), scores);
  const store = await KeeperStore.open(join(dir, "keeper.sqlite"));
  const keeper = new VenueKeeper({
    venue,
    oracle: new SignalOracle({
      name: "bench",
      read: async () => loadScoreFile(join(dir, "scores.csv")),
      policy: {
        mode,
        gross: 1,
        maxWeight: mode === "long-only" ? 1 : 0.5,
        maxAgeSeconds: 3 * 86_400,
        minCoverage: 0.5,
      },
    }),
    store: new VenueStore(store.db, venue.name),
    logger: createLogger({ level: "warn" }),
    metrics: new KeeperMetrics(),
    options: {
      pollSeconds: 60,
      everySeconds: 86_400,
      driftThresholdBps: 500,
      dryRun: false,
      killSwitch: () => false,
      describes: label,
    },
  });
  const step = async (what: string, run: () => Promise<unknown>) => {
    const before = new Map(roundTrips());
    const queries = store.queries;
    const t0 = performance.now();
    const cycle = (await run()) as { outcome?: string | null } | null;
    const ms = performance.now() - t0;
    const diff = [...roundTrips()].map(([k, n]) => [k, n - (before.get(k) ?? 0)] as const).filter(([, n]) => n > 0);
    const total = diff.reduce((s, [, n]) => s + n, 0);
    console.log(
      `${label.padEnd(12)} ${what.padEnd(22)} ${(cycle?.outcome ?? "no cycle").padEnd(17)} ${String(total).padStart(3)} round trips  ${String(store.queries - queries).padStart(3)} statements  ${ms.toFixed(1).padStart(7)} ms   ${diff.map(([k, n]) => `${k} ${n}`).join(", ")}`,
    );
  };
  await step("first rebalance", () => keeper.tick());
  await step("forced, at target", () => keeper.tick(true));
  await step("idle tick (not due)", () => keeper.tick());
  await store.close();
}

export async function run(): Promise<void> {
  // HyperLiquid: count requests by body type at the client's fetch.
  const account = Wallet.createRandom();
  const hl = await startHyperliquidLocal(localBook(account.address));
  const counts = new Map<string, number>();
  const realFetch = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (url.startsWith(hl.url)) {
      const body = typeof init?.body === "string" ? (JSON.parse(init.body) as { type?: string }) : {};
      const key = url.endsWith("/exchange") ? "exchange" : `info:${body.type ?? "?"}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return realFetch(input, init);
  };
  try {
    const d = day(Date.now() / 1000 - 86_400);
    await measure(
      "hyperliquid",
      new HyperliquidVenue({
        config: parseHyperliquidConfig({ network: "testnet", apiUrl: hl.url, accountAddress: account.address }),
        signer: account.signingKey,
      }) as unknown as AnyVenue,
      `date,symbol,score\n${d},BTC,0.9\n${d},ETH,0.5\n${d},SOL,0.1\n`,
      "long-short",
      () => counts,
    );
  } finally {
    globalThis.fetch = realFetch;
    await hl.close();
  }

  const T0 = 1_700_000_000;
  const local = proofStateStarknet({ time: T0 });
  const rpcUrl = await local.start();
  try {
    const d = day(T0 - 86_400);
    const venue = openStarknetVenue(
      parseStarknetConfig({
        rpcUrl,
        vaultAddress: "0x1001",
        accountAddress: "0x4001",
        exchangeAddress: "0x3002",
        setTargetsOnChain: true,
        maxSlippageBps: 100,
        pollIntervalMs: 1,
      }),
      { STARKNET_KEEPER_KEY: LOCAL_STARKNET.keeperKey },
    );
    await measure(
      "starknet",
      venue as unknown as AnyVenue,
      `date,symbol,score\n${d},WETH,0.1\n${d},WSTETH,0.9\n${d},RETH,0.6\n`,
      "long-only",
      () => local.requests,
    );
  } finally {
    await local.stop();
  }
}
