/**
 * Drives the local market for the demo, from outside the keeper: each day it advances chain
 * time to that day's 00:00 UTC and moves every pool and feed to the day's prices; then it
 * waits until the keeper has finished a tick that saw the whole move, watching only the
 * keeper's public `/metrics` heartbeat (`keeper_last_tick_chain_timestamp_seconds`, the chain
 * time its last finished tick started at). A tick that began while the market was still moving
 * saw an earlier chain time, so it does not count.
 *
 * A day's move is many transactions (every pool and feed); on a real chain the market changes
 * between blocks, never half-way through a read. So the demo's RPC front waits on `settled()`
 * before it forwards a keeper request: no request of the keeper is served mid-move.
 */

import type { TokenSymbol } from "../config/addressBook.js";
import { DataError } from "../core/errors.js";
import { type ArbitrumLocal, followPrices } from "./arbitrumLocal.js";
import type { DemoMarket } from "./demoMarket.js";

const HEARTBEAT = /^keeper_last_tick_chain_timestamp_seconds (\S+)$/m;

export interface TickWait {
  /** Throws (e.g. the keeper process exited) to end the wait early. */
  readonly alive: () => void;
  readonly timeoutMs: number;
  readonly pollMs?: number;
}

export class MarketDriver {
  /** Chain time after the last move: the newest instant the market (and its provider) has reached. */
  now = 0;

  constructor(
    private readonly local: ArbitrumLocal,
    private readonly market: DemoMarket,
    /** Every symbol with a pool or feed to move (held or not). */
    private readonly symbols: readonly TokenSymbol[],
  ) {}

  private moving: Promise<void> = Promise.resolve();

  /** Resolves when no move is under way. */
  settled(): Promise<void> {
    return this.moving;
  }

  /** Moves chain time to day d's 00:00 UTC and the market to day d's prices; returns the chain time after. */
  async moveTo(d: number): Promise<number> {
    let done = () => {};
    this.moving = new Promise<void>((resolve) => {
      done = resolve;
    });
    try {
      const provider = this.local.ethers.provider;
      await provider.send("evm_setNextBlockTimestamp", [this.market.dayTime(d)]);
      await provider.send("evm_mine", []);
      await followPrices(this.local, this.market.pricesAt(d, this.symbols));
      this.now = (await provider.getBlock("latest"))?.timestamp ?? 0;
      return this.now;
    } finally {
      done();
    }
  }

  /** Resolves once the keeper's heartbeat reached `chainTime` (a tick that started after the move ended). */
  async waitForTick(metricsUrl: string, chainTime: number, wait: TickWait): Promise<void> {
    const deadline = Date.now() + wait.timeoutMs;
    for (;;) {
      wait.alive();
      const seen = await heartbeat(metricsUrl);
      if (seen !== null && seen >= chainTime) return;
      if (Date.now() > deadline) {
        throw new DataError(`the keeper finished no tick at chain time ${chainTime} within ${wait.timeoutMs} ms`, {
          details: { lastHeartbeat: seen },
        });
      }
      await new Promise((r) => setTimeout(r, wait.pollMs ?? 50));
    }
  }
}

/** The heartbeat gauge from a Prometheus text page; null when the page is not there yet. */
async function heartbeat(metricsUrl: string): Promise<number | null> {
  try {
    const res = await fetch(metricsUrl);
    if (!res.ok) return null;
    const m = HEARTBEAT.exec(await res.text());
    return m ? Number(m[1]) : null;
  } catch {
    // Not listening yet (or between restarts): the caller's deadline decides.
    return null;
  }
}
