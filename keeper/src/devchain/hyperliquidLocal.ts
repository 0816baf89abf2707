/**
 * A local stand-in for HyperLiquid's API on 127.0.0.1, speaking its documented request and
 * response formats: POST /info (`meta`, `allMids`, `clearinghouseState`, `orderStatus`) and
 * POST /exchange (a signed `order` action answered with one status per order). It keeps one
 * account (cash and signed positions, marked at the mids), checks that every signature
 * recovers to the account or an approved agent for the configured network, refuses a reused
 * nonce, and fills immediate-or-cancel orders at the mid when their limit allows, honouring
 * reduce-only. Tests script the rest per coin (a rejection, a partial fill) or per request (a
 * 429, an answer that arrives too late). What it cannot be is the real matching engine: fills
 * are at the mid, with the taker fee, and nothing rests on a book.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { verifyTypedData } from "ethers";
import { actionHash } from "../execution/hyperliquid/signing.js";

export interface LocalPerpMarket {
  readonly name: string;
  readonly szDecimals: number;
  readonly maxLeverage: number;
  readonly isDelisted?: boolean;
}

export type CoinScript =
  | { readonly kind: "error"; readonly message: string }
  | { readonly kind: "partial"; readonly fraction: number };

export interface LocalOrder {
  readonly coin: string;
  readonly side: "A" | "B";
  readonly limitPx: string;
  readonly origSz: string;
  sz: string;
  readonly oid: number;
  readonly cloid: string | null;
  status: string;
}

export interface HyperliquidLocalOptions {
  /** The account (or vault) whose state /info reports. */
  readonly user: string;
  /** Addresses whose signatures the exchange accepts for it (the account, its agents). */
  readonly authorized: readonly string[];
  readonly network: "mainnet" | "testnet";
  readonly markets: readonly LocalPerpMarket[];
  readonly mids: Readonly<Record<string, number>>;
  readonly cash: number;
  readonly positions?: Readonly<Record<string, number>>;
  /** Taker fee as a fraction of notional (HyperLiquid's base tier: 0.045%). */
  readonly takerFee?: number;
  /** How late a "lost" answer arrives (longer than the client's timeout). */
  readonly lateAnswerMs?: number;
}

export interface HyperliquidLocal {
  readonly url: string;
  readonly markets: LocalPerpMarket[];
  readonly mids: Record<string, number>;
  readonly positions: Record<string, number>;
  cash: number;
  readonly scripts: Record<string, CoinScript>;
  /** Answer the next N /exchange requests with 429 (rate limited, not processed). */
  rateLimitNext: number;
  /** Process the next /exchange action, then answer after `lateAnswerMs`. */
  loseNextAnswer: boolean;
  /** Orders accepted per cloid: a count above 1 is a duplicate. */
  readonly placedByCloid: Map<string, number>;
  readonly orders: LocalOrder[];
  /** Fills as `userFills` reports them, newest last. */
  readonly fills: { coin: string; px: string; sz: string; side: "A" | "B"; time: number; oid: number; fee: string }[];
  exchangeCalls: number;
  /** Recovered signer of every /exchange request, lower case. */
  readonly signers: string[];
  accountValue(): number;
  close(): Promise<void>;
}

const DOMAIN = {
  name: "Exchange",
  version: "1",
  chainId: 1337,
  verifyingContract: "0x0000000000000000000000000000000000000000",
};
const AGENT_TYPES = {
  Agent: [
    { name: "source", type: "string" },
    { name: "connectionId", type: "bytes32" },
  ],
};

interface Reply {
  readonly status?: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
  readonly delayMs?: number;
}

/**
 * The book the venue demo, its e2e tests and benchmarks trade: BTC, ETH and SOL perpetuals at
 * round prices and $100,000 of cash on testnet, for `user` signing for itself. Fresh objects
 * on every call (the server changes its markets in place).
 */
export function localBook(user: string): HyperliquidLocalOptions {
  return {
    user,
    authorized: [user],
    network: "testnet",
    markets: [
      { name: "BTC", szDecimals: 5, maxLeverage: 40 },
      { name: "ETH", szDecimals: 4, maxLeverage: 25 },
      { name: "SOL", szDecimals: 2, maxLeverage: 20 },
    ],
    mids: { BTC: 100_000, ETH: 4_000, SOL: 200 },
    cash: 100_000,
  };
}

export async function startHyperliquidLocal(opts: HyperliquidLocalOptions): Promise<HyperliquidLocal> {
  const seenNonces = new Set<number>();
  const fee = opts.takerFee ?? 0.00045;
  let nextOid = 1000;
  const local = {
    url: "",
    markets: opts.markets.map((m) => ({ ...m })),
    mids: { ...opts.mids },
    positions: { ...(opts.positions ?? {}) },
    cash: opts.cash,
    scripts: {} as Record<string, CoinScript>,
    rateLimitNext: 0,
    loseNextAnswer: false,
    placedByCloid: new Map<string, number>(),
    orders: [] as LocalOrder[],
    fills: [] as { coin: string; px: string; sz: string; side: "A" | "B"; time: number; oid: number; fee: string }[],
    exchangeCalls: 0,
    signers: [] as string[],
    accountValue: () =>
      local.cash + Object.entries(local.positions).reduce((s, [c, sz]) => s + sz * (local.mids[c] ?? 0), 0),
    close: async (): Promise<void> => undefined,
  };
  const fmt = (x: number) => String(Number(x.toFixed(8)));

  const info = (body: Record<string, unknown>): Reply => {
    switch (body.type) {
      case "meta":
        return { body: { universe: local.markets } };
      case "allMids":
        return { body: Object.fromEntries(Object.entries(local.mids).map(([k, v]) => [k, fmt(v)])) };
      case "clearinghouseState":
        return { body: clearinghouse(String(body.user).toLowerCase() === opts.user.toLowerCase()) };
      case "userFills":
        return { body: String(body.user).toLowerCase() === opts.user.toLowerCase() ? [...local.fills].reverse() : [] };
      case "orderStatus": {
        const order = local.orders.find((o) => o.cloid === body.oid || o.oid === body.oid);
        if (!order) return { body: { status: "unknownOid" } };
        const { status, ...rest } = order;
        const now = Date.now();
        return {
          body: {
            status: "order",
            order: { order: { ...rest, timestamp: now, orderType: "Limit", tif: "Ioc" }, status, statusTimestamp: now },
          },
        };
      }
      default:
        return { status: 422, body: "Failed to deserialize the JSON body into the target type" };
    }
  };

  const clearinghouse = (mine: boolean) => {
    const positions = mine ? Object.entries(local.positions).filter(([, sz]) => sz !== 0) : [];
    const assetPositions = positions.map(([coin, sz]) => {
      const value = Math.abs(sz) * (local.mids[coin] ?? 0);
      return {
        type: "oneWay",
        position: {
          coin,
          szi: fmt(sz),
          entryPx: fmt(local.mids[coin] ?? 0),
          leverage: { type: "cross", value: 10 },
          positionValue: fmt(value),
          unrealizedPnl: "0.0",
          marginUsed: fmt(value / 10),
          liquidationPx: null,
        },
      };
    });
    const ntl = assetPositions.reduce((s, p) => s + Number(p.position.positionValue), 0);
    const value = mine ? local.accountValue() : 0;
    const summary = {
      accountValue: fmt(value),
      totalNtlPos: fmt(ntl),
      totalRawUsd: fmt(mine ? local.cash : 0),
      totalMarginUsed: fmt(ntl / 10),
    };
    return {
      assetPositions,
      marginSummary: summary,
      crossMarginSummary: summary,
      withdrawable: fmt(Math.max(0, value - ntl / 10)),
      time: Date.now(),
    };
  };

  const exchange = (body: Record<string, unknown>): Reply => {
    local.exchangeCalls++;
    if (local.rateLimitNext > 0) {
      local.rateLimitNext--;
      return { status: 429, body: { error: "rate limited" }, headers: { "retry-after": "0" } };
    }
    const action = body.action as { type: string; orders: Array<Record<string, unknown>> };
    const nonce = body.nonce as number;
    const vault = (body.vaultAddress as string | null | undefined) ?? null;
    const phantom = {
      source: opts.network === "mainnet" ? "a" : "b",
      connectionId: actionHash(action as never, nonce, vault),
    };
    const signer = verifyTypedData(DOMAIN, AGENT_TYPES, phantom, body.signature as never).toLowerCase();
    local.signers.push(signer);
    if (!opts.authorized.some((a) => a.toLowerCase() === signer)) {
      return { body: { status: "err", response: `User or API Wallet ${signer} does not exist.` } };
    }
    if (seenNonces.has(nonce)) return { body: { status: "err", response: "Invalid nonce: duplicate nonce" } };
    seenNonces.add(nonce);
    const statuses = action.orders.map((wire) => place(wire));
    const reply = { body: { status: "ok", response: { type: "order", data: { statuses } } } };
    if (!local.loseNextAnswer) return reply;
    local.loseNextAnswer = false;
    return { ...reply, delayMs: opts.lateAnswerMs ?? 1_500 };
  };

  const place = (wire: Record<string, unknown>) => {
    const market = local.markets[wire.a as number];
    if (!market || market.isDelisted) return { error: `Invalid asset ${String(wire.a)}` };
    const coin = market.name;
    const isBuy = wire.b === true;
    const size = Number(wire.s);
    const cloid = typeof wire.c === "string" ? wire.c : null;
    if (cloid) local.placedByCloid.set(cloid, (local.placedByCloid.get(cloid) ?? 0) + 1);
    const oid = nextOid++;
    const record: LocalOrder = {
      coin,
      side: isBuy ? "B" : "A",
      limitPx: String(wire.p),
      origSz: String(wire.s),
      sz: String(wire.s),
      oid,
      cloid,
      status: "open",
    };
    local.orders.push(record);
    const script = local.scripts[coin];
    if (script?.kind === "error") {
      record.status = "rejected";
      return { error: script.message };
    }
    const mid = local.mids[coin] ?? 0;
    const limit = Number(wire.p);
    if ((isBuy && limit < mid) || (!isBuy && limit > mid)) {
      record.status = "iocCancelRejected";
      return { error: `Order could not immediately match against any resting orders. asset=${String(wire.a)}` };
    }
    const current = local.positions[coin] ?? 0;
    let fill = script?.kind === "partial" ? Number((size * script.fraction).toFixed(market.szDecimals)) : size;
    if (wire.r === true) {
      // Reduce-only: never beyond the position, never in its direction.
      fill = Math.min(fill, isBuy ? Math.max(0, -current) : Math.max(0, current));
      if (fill === 0) {
        record.status = "reduceOnlyRejected";
        return { error: "Reduce only order would increase position." };
      }
    }
    const signed = isBuy ? fill : -fill;
    local.positions[coin] = Number((current + signed).toFixed(market.szDecimals));
    local.cash -= signed * mid + fill * mid * fee;
    record.sz = fmt(size - fill);
    local.fills.push({
      coin,
      px: fmt(mid),
      sz: fmt(fill),
      side: record.side,
      time: Date.now(),
      oid,
      fee: fmt(fill * mid * fee),
    });
    record.status = fill === size ? "filled" : "canceled";
    return { filled: { totalSz: fmt(fill), avgPx: fmt(mid), oid } };
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let reply: Reply;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
        if (req.method !== "POST") reply = { status: 405, body: "POST only" };
        else if (req.url === "/info") reply = info(body);
        else if (req.url === "/exchange") reply = exchange(body);
        else reply = { status: 404, body: "not found" };
      } catch (error) {
        reply = { status: 422, body: `Failed to deserialize the JSON body: ${String(error)}` };
      }
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(reply.status ?? 200, { "content-type": "application/json", ...reply.headers });
        res.end(typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body));
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  local.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  local.close = () =>
    new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((err) => (err ? reject(err) : resolve()));
    });
  return local;
}
