/**
 * A CoinGecko-style `/coins/{id}/market_chart/range` endpoint (for startReplayServer) in the
 * documented wire format: `{ prices, market_caps, total_volumes }` as `[ms, value]` pairs,
 * hourly points for ranges up to 90 days and daily 00:00 UTC points beyond, answering from a
 * price function instead of the internet. Faults can be switched on (500, timeout, truncated
 * JSON, one 429 with Retry-After). With `now` it is point in time: no point after `now()` is
 * ever served, as a real provider cannot serve the future.
 */
import type { ReplayHandler, ReplayResponse } from "./replayServer.js";

const DAY = 86_400;
/** CoinGecko's auto-granularity: ranges up to 90 days come hourly. */
const HOURLY_UP_TO = 90 * DAY;

export type Fault = "none" | "500" | "timeout" | "truncated" | "429";

export interface CoinGeckoReplayOptions {
  /** USD price of a symbol at unix time t; NaN when the provider has no point there. */
  readonly price: (symbol: string, t: number) => number;
  /** Symbol by CoinGecko coin id. */
  readonly ids: Readonly<Record<string, string>>;
  /** USD 24 h volume reported beside each price (default 1e6). */
  readonly volume?: (symbol: string, t: number) => number;
  /** Latest time the provider knows (unix seconds); default: no limit. */
  readonly now?: () => number;
}

export interface CoinGeckoReplay {
  readonly handler: ReplayHandler;
  fault: Fault;
  /** Multiplies every price (to make the provider disagree with Chainlink). */
  scale: number;
  /** Answers served (successful ones). */
  served: number;
  /** 429 answers sent. */
  limited: number;
}

export function coinGeckoReplay(options: CoinGeckoReplayOptions): CoinGeckoReplay {
  const volume = options.volume ?? (() => 1e6);
  const state: CoinGeckoReplay = {
    fault: "none",
    scale: 1,
    served: 0,
    limited: 0,
    handler: (req): ReplayResponse => {
      const m = /^\/coins\/([^/]+)\/market_chart\/range\?(.*)$/.exec(req.url);
      if (!m) return { status: 404, body: { error: "not found" } };
      const fault = state.fault;
      if (fault === "500") return { status: 500, body: { error: "internal" } };
      if (fault === "429") {
        // One 429 with Retry-After, then answers (the client must wait and retry).
        state.fault = "none";
        state.limited++;
        return {
          status: 429,
          body: { status: { error_code: 429, error_message: "rate limited" } },
          headers: { "retry-after": "0" },
        };
      }
      const symbol = options.ids[decodeURIComponent(m[1] as string)];
      if (!symbol) return { status: 404, body: { error: "coin not found" } };
      const params = new URLSearchParams(m[2]);
      const from = Number(params.get("from"));
      const to = Math.min(Number(params.get("to")), options.now?.() ?? Number.POSITIVE_INFINITY);
      const step = Number(params.get("to")) - from > HOURLY_UP_TO ? DAY : 3_600;
      const prices: [number, number][] = [];
      const volumes: [number, number][] = [];
      for (let t = Math.ceil(from / step) * step; t <= to; t += step) {
        const p = options.price(symbol, t);
        if (!Number.isFinite(p)) continue;
        prices.push([t * 1000, p * state.scale]);
        volumes.push([t * 1000, volume(symbol, t)]);
      }
      const body = JSON.stringify({ prices, market_caps: prices, total_volumes: volumes });
      if (fault === "truncated") return { body: body.slice(0, Math.floor(body.length / 2)) };
      if (fault === "timeout") return { body, delayMs: 400 };
      state.served++;
      return { body };
    },
  };
  return state;
}
