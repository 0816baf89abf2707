/**
 * A local stand-in for HyperLiquid's API that speaks its documented request and response
 * formats (POST /info: meta, allMids, clearinghouseState, orderStatus; POST /exchange: a
 * signed `order` action answered with one status per order). It keeps an account (cash and
 * signed positions), verifies every signature recovers to the account or its approved agent,
 * refuses a reused nonce, and fills IOC orders at the mid within their limit, unless a test
 * scripts a rejection, a partial fill, a 429 or a lost answer for a coin.
 */
import { verifyTypedData } from "ethers";
import { actionHash } from "../../../../keeper/src/execution/hyperliquid/signing.js";
import { type ReplayServer, startReplayServer } from "../../data/replayServer.js";

export interface ReplayMarket {
  readonly name: string;
  readonly szDecimals: number;
  readonly maxLeverage: number;
  readonly isDelisted?: boolean;
}

export type CoinScript =
  | { readonly kind: "error"; readonly message: string }
  | { readonly kind: "partial"; readonly fraction: number };

interface PlacedOrder {
  readonly coin: string;
  readonly side: "A" | "B";
  readonly limitPx: string;
  readonly origSz: string;
  sz: string;
  readonly oid: number;
  readonly cloid: string | null;
  status: string;
}

export interface HyperliquidReplay {
  readonly server: ReplayServer;
  readonly baseUrl: string;
  readonly markets: ReplayMarket[];
  readonly mids: Record<string, number>;
  readonly positions: Record<string, number>;
  cash: number;
  readonly scripts: Record<string, CoinScript>;
  /** Answer the next N /exchange requests with 429 (not processed). */
  rateLimitNext: number;
  /** Process the next /exchange action, then answer so late the client gives up. */
  loseNextAnswer: boolean;
  /** Every order the exchange accepted, by cloid (duplicates would show as a count > 1). */
  readonly placedByCloid: Map<string, number>;
  readonly orders: PlacedOrder[];
  exchangeCalls: number;
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
const AGENT = {
  Agent: [
    { name: "source", type: "string" },
    { name: "connectionId", type: "bytes32" },
  ],
};

export async function startHyperliquidReplay(opts: {
  readonly user: string;
  readonly authorized: readonly string[];
  readonly network: "mainnet" | "testnet";
  readonly markets: ReplayMarket[];
  readonly mids: Record<string, number>;
  readonly cash: number;
  readonly positions?: Record<string, number>;
  readonly takerFee?: number;
  readonly loseAnswerDelayMs?: number;
}): Promise<HyperliquidReplay> {
  const seenNonces = new Set<number>();
  let nextOid = 1000;
  const fee = opts.takerFee ?? 0.00045;
  const state = {
    markets: opts.markets,
    mids: opts.mids,
    positions: { ...(opts.positions ?? {}) } as Record<string, number>,
    cash: opts.cash,
    scripts: {} as Record<string, CoinScript>,
    rateLimitNext: 0,
    loseNextAnswer: false,
    placedByCloid: new Map<string, number>(),
    orders: [] as PlacedOrder[],
    signers: [] as string[],
    exchangeCalls: 0,
  };
  const accountValue = () =>
    state.cash + Object.entries(state.positions).reduce((s, [c, sz]) => s + sz * (state.mids[c] ?? 0), 0);
  const fmt = (x: number) => String(Number(x.toFixed(8)));

  const server = await startReplayServer((req) => {
    const body = JSON.parse(req.body) as Record<string, unknown>;
    if (req.url === "/info") {
      switch (body.type) {
        case "meta":
          return { body: { universe: state.markets } };
        case "allMids":
          return { body: Object.fromEntries(Object.entries(state.mids).map(([k, v]) => [k, fmt(v)])) };
        case "clearinghouseState": {
          if (String(body.user).toLowerCase() !== opts.user.toLowerCase()) {
            return { body: emptyState() };
          }
          const assetPositions = Object.entries(state.positions)
            .filter(([, sz]) => sz !== 0)
            .map(([coin, sz]) => {
              const value = Math.abs(sz) * (state.mids[coin] ?? 0);
              return {
                type: "oneWay",
                position: {
                  coin,
                  szi: fmt(sz),
                  entryPx: fmt(state.mids[coin] ?? 0),
                  leverage: { type: "cross", value: 10 },
                  positionValue: fmt(value),
                  unrealizedPnl: "0.0",
                  marginUsed: fmt(value / 10),
                  liquidationPx: null,
                },
              };
            });
          const ntl = assetPositions.reduce((s, p) => s + Number(p.position.positionValue), 0);
          const summary = {
            accountValue: fmt(accountValue()),
            totalNtlPos: fmt(ntl),
            totalRawUsd: fmt(state.cash),
            totalMarginUsed: fmt(ntl / 10),
          };
          return {
            body: {
              assetPositions,
              marginSummary: summary,
              crossMarginSummary: summary,
              withdrawable: fmt(accountValue() - ntl / 10),
              time: Date.now(),
            },
          };
        }
        case "orderStatus": {
          const order = state.orders.find((o) => o.cloid === body.oid || o.oid === body.oid);
          if (!order) return { body: { status: "unknownOid" } };
          const { status, ...rest } = order;
          return {
            body: {
              status: "order",
              order: {
                order: { ...rest, timestamp: Date.now(), reduceOnly: false, orderType: "Limit", tif: "Ioc" },
                status,
                statusTimestamp: Date.now(),
              },
            },
          };
        }
        default:
          return { status: 422, body: "Failed to deserialize the JSON body" };
      }
    }
    if (req.url !== "/exchange") return { status: 404, body: "not found" };
    state.exchangeCalls++;
    if (state.rateLimitNext > 0) {
      state.rateLimitNext--;
      return { status: 429, body: { error: "rate limited" }, headers: { "retry-after": "0" } };
    }
    const action = body.action as { type: string; orders: Array<Record<string, unknown>>; grouping: string };
    const nonce = body.nonce as number;
    const signature = body.signature as { r: string; s: string; v: number };
    const vault = (body.vaultAddress as string | null) ?? null;
    const signer = verifyTypedData(
      DOMAIN,
      AGENT,
      { source: opts.network === "mainnet" ? "a" : "b", connectionId: actionHash(action as never, nonce, vault) },
      signature,
    ).toLowerCase();
    state.signers.push(signer);
    if (!opts.authorized.map((a) => a.toLowerCase()).includes(signer)) {
      return { body: { status: "err", response: `User or API Wallet ${signer} does not exist.` } };
    }
    if (seenNonces.has(nonce)) return { body: { status: "err", response: "Invalid nonce: duplicate nonce" } };
    seenNonces.add(nonce);
    const statuses = action.orders.map((wire) => {
      const market = state.markets[wire.a as number];
      if (!market || market.isDelisted) return { error: `Invalid asset ${wire.a}` };
      const coin = market.name;
      const isBuy = wire.b as boolean;
      const limit = Number(wire.p);
      const size = Number(wire.s);
      const cloid = (wire.c as string | undefined) ?? null;
      if (cloid) state.placedByCloid.set(cloid, (state.placedByCloid.get(cloid) ?? 0) + 1);
      const oid = nextOid++;
      const record: PlacedOrder = {
        coin,
        side: isBuy ? "B" : "A",
        limitPx: wire.p as string,
        origSz: wire.s as string,
        sz: wire.s as string,
        oid,
        cloid,
        status: "open",
      };
      state.orders.push(record);
      const script = state.scripts[coin];
      if (script?.kind === "error") {
        record.status = "rejected";
        return { error: script.message };
      }
      const mid = state.mids[coin] ?? 0;
      if ((isBuy && limit < mid) || (!isBuy && limit > mid)) {
        record.status = "iocCancelRejected";
        return { error: `Order could not immediately match against any resting orders. asset=${wire.a}` };
      }
      const current = state.positions[coin] ?? 0;
      let fill = script?.kind === "partial" ? Number((size * script.fraction).toFixed(market.szDecimals)) : size;
      if (wire.r === true) {
        // Reduce-only: never beyond the position, never in its direction.
        const reducible = isBuy ? Math.max(0, -current) : Math.max(0, current);
        fill = Math.min(fill, reducible);
        if (fill === 0) {
          record.status = "reduceOnlyRejected";
          return { error: "Reduce only order would increase position." };
        }
      }
      const signed = isBuy ? fill : -fill;
      state.positions[coin] = Number((current + signed).toFixed(market.szDecimals));
      state.cash -= signed * mid + Math.abs(fill) * mid * fee;
      record.sz = fmt(size - fill);
      record.status = fill === size ? "filled" : "canceled";
      return { filled: { totalSz: fmt(fill), avgPx: fmt(mid), oid } };
    });
    const reply = { body: { status: "ok", response: { type: "order", data: { statuses } } } };
    if (state.loseNextAnswer) {
      state.loseNextAnswer = false;
      return { ...reply, delayMs: opts.loseAnswerDelayMs ?? 1_500 };
    }
    return reply;
  });

  return Object.assign(state, {
    server,
    baseUrl: server.baseUrl,
    accountValue,
    close: () => server.close(),
  });
}

function emptyState() {
  const zero = { accountValue: "0.0", totalNtlPos: "0.0", totalRawUsd: "0.0", totalMarginUsed: "0.0" };
  return { assetPositions: [], marginSummary: zero, crossMarginSummary: zero, withdrawable: "0.0", time: Date.now() };
}
