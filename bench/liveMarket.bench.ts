/**
 * Live market snapshot per keeper cycle, without the network: a 10-symbol, 180-bar panel read
 * from the SQLite bar store and validated, Chainlink answers handed over in memory. Two cases:
 * a poll in the same day (nothing to append) and a poll after a bar closed (one bar appended
 * per symbol from an in-memory source). HTTP and RPC latency come on top of these figures.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataCache } from "../keeper/src/data/cache.js";
import { BarStore } from "../keeper/src/data/live/barStore.js";
import { type Bar, DAY } from "../keeper/src/data/live/bars.js";
import { LiveMarket } from "../keeper/src/data/live/liveMarket.js";

const SYMBOLS = ["USDC", "WETH", "WBTC", "ARB", "LINK", "UNI", "GMX", "WSTETH", "RETH", "PENDLE"];
const price = (s: string, t: number) => (s === "USDC" ? 1 : 100 + SYMBOLS.indexOf(s) + Math.sin(t / DAY));

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "ballast-bench-live-"));
  const cache = new DataCache(join(dir, "market.sqlite"));
  try {
    let now = 20_000 * DAY + 3_600;
    const market = new LiveMarket({
      symbols: SYMBOLS,
      source: {
        name: "memory",
        bars: async (symbols, from, to) => {
          const out: Record<string, Bar[]> = {};
          for (const s of symbols) {
            out[s] = [];
            for (let t = from; t <= to; t += DAY) out[s].push({ t, close: price(s, t), volume: 1e6 });
          }
          return out;
        },
      },
      store: new BarStore(cache, "memory", 180),
      chainlink: async () =>
        Object.fromEntries(
          SYMBOLS.map((s) => [
            s,
            { feed: "0x", description: s, roundId: 1n, answer: 0n, decimals: 8, updatedAt: now, price: price(s, now) },
          ]),
        ),
      historyBars: 180,
      maxBarAgeSeconds: 2 * DAY,
      maxDeviation: 0.1,
    });
    const t0 = performance.now();
    await market.backfill(now);
    const backfill = performance.now() - t0;
    const time = async (n: number, step: number) => {
      const xs: number[] = [];
      for (let k = 0; k < n; k++) {
        now += step;
        const started = performance.now();
        const r = await market.snapshot(now);
        xs.push(performance.now() - started);
        if (!r.ok) throw new Error(r.reason);
      }
      xs.sort((a, b) => a - b);
      return { median: xs[Math.floor(xs.length / 2)] as number, p95: xs[Math.floor(0.95 * (xs.length - 1))] as number };
    };
    const same = await time(50, 60);
    const next = await time(30, DAY);
    console.log("live market snapshot (10 symbols, 180 daily bars, SQLite bar store, in-memory source and feeds)");
    console.log(`  backfill of 180 bars x 10 symbols: ${backfill.toFixed(1)} ms`);
    console.log(`  poll, nothing to append: median ${same.median.toFixed(2)} ms, p95 ${same.p95.toFixed(2)} ms`);
    console.log(
      `  poll after a bar closed (append 1 bar x 10): median ${next.median.toFixed(2)} ms, p95 ${next.p95.toFixed(2)} ms`,
    );
  } finally {
    cache.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
