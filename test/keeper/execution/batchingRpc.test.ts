import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { Transaction, Wallet } from "ethers";
import { ProviderError } from "../../../keeper/src/core/errors.js";
import { FailoverRpc } from "../../../keeper/src/execution/failoverRpc.js";

/**
 * The batching transport against a local JSON-RPC node that misbehaves the ways real providers
 * do: it refuses batches, caps their size (dropping ids or answering "batch too large"), answers
 * part of a batch with errors, fails with HTTP errors or never answers.
 */
type Mode =
  | { kind: "spec" }
  | { kind: "no-batches" }
  | { kind: "drops-beyond"; cap: number }
  | { kind: "errors-beyond"; cap: number }
  | { kind: "http-413-beyond"; cap: number }
  | { kind: "http-500" }
  | { kind: "silent" };

interface Call {
  readonly id?: unknown;
  readonly method: string;
  readonly params: unknown[];
}

/** A JSON-RPC node on 127.0.0.1: balances are 1000 + the address's last byte; calls to REVERTS revert. */
class FakeNode {
  mode: Mode = { kind: "spec" };
  /** Calls per HTTP request, in arrival order (a single call counts 1). */
  readonly posts: number[] = [];
  readonly methods: string[] = [];
  private readonly server: Server;
  private readonly open: ServerResponse[] = [];
  url = "";

  constructor() {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): void {
    for (const res of this.open) res.destroy();
    this.server.closeAllConnections();
    this.server.close();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const parsed = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Call | Call[];
      const calls = Array.isArray(parsed) ? parsed : [parsed];
      this.posts.push(calls.length);
      for (const c of calls) this.methods.push(c.method);
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      const mode = this.mode;
      if (mode.kind === "silent") {
        this.open.push(res);
        return;
      }
      if (mode.kind === "http-500") return send(500, { error: "upstream down" });
      if (!Array.isArray(parsed)) return send(200, answer(parsed));
      if (mode.kind === "no-batches") {
        return send(200, {
          jsonrpc: "2.0",
          id: null,
          error: { code: -32600, message: "batch requests not supported" },
        });
      }
      if (mode.kind === "http-413-beyond" && parsed.length > mode.cap) return send(413, { error: "too large" });
      if (mode.kind === "drops-beyond") return send(200, parsed.slice(0, mode.cap).map(answer));
      if (mode.kind === "errors-beyond" && parsed.length > mode.cap) {
        return send(
          200,
          parsed.map((c) => ({ jsonrpc: "2.0", id: c.id, error: { code: -32005, message: "batch size too large" } })),
        );
      }
      return send(200, parsed.map(answer));
    });
  }
}

const REVERTS = "0x00000000000000000000000000000000000000ee";

function answer(call: Call): unknown {
  switch (call.method) {
    case "eth_chainId":
      return { jsonrpc: "2.0", id: call.id, result: "0x7a69" };
    case "eth_getBalance": {
      const address = String(call.params[0]);
      return {
        jsonrpc: "2.0",
        id: call.id,
        result: `0x${(1000 + Number.parseInt(address.slice(-2), 16)).toString(16)}`,
      };
    }
    case "eth_call": {
      const to = String((call.params[0] as { to?: unknown }).to).toLowerCase();
      if (to === REVERTS) {
        return { jsonrpc: "2.0", id: call.id, error: { code: 3, message: "execution reverted", data: "0x" } };
      }
      return { jsonrpc: "2.0", id: call.id, result: `0x${"00".repeat(31)}2a` };
    }
    case "eth_sendRawTransaction":
      return { jsonrpc: "2.0", id: call.id, result: Transaction.from(String(call.params[0])).hash };
    case "eth_blockNumber":
      return { jsonrpc: "2.0", id: call.id, result: "0x10" };
    default:
      return { jsonrpc: "2.0", id: call.id, error: { code: -32601, message: `no method ${call.method}` } };
  }
}

const address = (n: number) => `0x${n.toString(16).padStart(40, "0")}`;
const expectedBalance = (n: number) => BigInt(1000 + (n % 256));

describe("execution/batchingProvider: JSON-RPC batches", () => {
  let node: FakeNode;
  let other: FakeNode;
  const opened: FailoverRpc[] = [];
  const open = (options: Partial<ConstructorParameters<typeof FailoverRpc>[0]> = {}) => {
    const rpc = new FailoverRpc({ urls: [node.url], chainId: 31337, retries: 1, backoffMs: 1, ...options });
    opened.push(rpc);
    return rpc;
  };
  const balances = (rpc: FailoverRpc, n: number) =>
    rpc.read("balances", (p) => Promise.all(Array.from({ length: n }, (_, i) => p.getBalance(address(i + 1)))));

  beforeEach(async () => {
    node = new FakeNode();
    other = new FakeNode();
    await Promise.all([node.start(), other.start()]);
  });
  afterEach(() => {
    for (const rpc of opened.splice(0)) rpc.destroy();
    node.close();
    other.close();
  });

  it("sends reads issued together in one HTTP request and matches every answer to its read", async () => {
    const rpc = open();
    const got = await balances(rpc, 12);
    expect(got).to.deep.equal(Array.from({ length: 12 }, (_, i) => expectedBalance(i + 1)));
    expect(node.posts).to.deep.equal([12]);
  });

  it("splits a large group into batches of the configured size", async () => {
    const rpc = open({ maxBatch: 5 });
    const got = await balances(rpc, 12);
    expect(got).to.have.length(12);
    expect([...node.posts].sort((a, b) => a - b)).to.deep.equal([2, 5, 5]);
  });

  it("fails only the reads a batch answered with an error (a revert stays a revert)", async () => {
    const rpc = open();
    const results = await Promise.allSettled([
      rpc.read("ok", (p) => p.getBalance(address(7))),
      rpc.read("reverts", (p) => p.call({ to: REVERTS, data: "0x12345678" })),
      rpc.read("ok too", (p) => p.call({ to: address(9), data: "0x12345678" })),
    ]);
    expect(node.posts).to.deep.equal([3]);
    expect(results[0]).to.deep.equal({ status: "fulfilled", value: expectedBalance(7) });
    expect(results[1].status).to.equal("rejected");
    const reason = (results[1] as PromiseRejectedResult).reason as { code?: string };
    expect(reason.code).to.equal("CALL_EXCEPTION");
    // Not a transport failure: no retry, no failover.
    expect(reason).not.to.be.instanceOf(ProviderError);
    expect(results[2]).to.deep.equal({ status: "fulfilled", value: `0x${"00".repeat(31)}2a` });
  });

  it("falls back to single calls when the node refuses batches, and says so once", async () => {
    node.mode = { kind: "no-batches" };
    const limits: [string, number, string][] = [];
    const rpc = open({ onBatchLimit: (url, size, reason) => limits.push([url, size, reason]) });
    const got = await balances(rpc, 4);
    expect(got).to.deep.equal([1, 2, 3, 4].map(expectedBalance));
    // 4 refused, then 2 + 2 refused, then four single calls.
    expect(node.posts).to.deep.equal([4, 2, 2, 1, 1, 1, 1]);
    expect(rpc.batchSizes).to.deep.equal([1]);
    expect(limits.map(([, size]) => size)).to.deep.equal([2, 1]);
    expect(limits[0]?.[2]).to.include("batch requests not supported");
    // Later groups go straight to single calls.
    node.posts.length = 0;
    await balances(rpc, 3);
    expect(node.posts).to.deep.equal([1, 1, 1]);
  });

  it("learns the size of a node that answers only the first n ids and sends the rest again", async () => {
    node.mode = { kind: "drops-beyond", cap: 3 };
    const rpc = open();
    const got = await balances(rpc, 8);
    expect(got).to.deep.equal(Array.from({ length: 8 }, (_, i) => expectedBalance(i + 1)));
    expect(rpc.batchSizes).to.deep.equal([3]);
    expect(node.posts[0]).to.equal(8);
    expect(node.posts.slice(1).every((n) => n <= 3)).to.equal(true);
  });

  it("shrinks the batch when every item says the batch is too large", async () => {
    node.mode = { kind: "errors-beyond", cap: 4 };
    const rpc = open();
    const got = await balances(rpc, 10);
    expect(got).to.deep.equal(Array.from({ length: 10 }, (_, i) => expectedBalance(i + 1)));
    expect(rpc.batchSizes[0]).to.be.at.most(4);
  });

  it("shrinks the batch on HTTP 413", async () => {
    node.mode = { kind: "http-413-beyond", cap: 2 };
    const rpc = open();
    const got = await balances(rpc, 6);
    expect(got).to.deep.equal(Array.from({ length: 6 }, (_, i) => expectedBalance(i + 1)));
    expect(rpc.batchSizes[0]).to.be.at.most(2);
  });

  it("retries a batch that failed in transport, then fails over with it to the next URL", async () => {
    node.mode = { kind: "http-500" };
    const failovers: string[] = [];
    let transportErrors = 0;
    const rpc = open({
      urls: [`${node.url}/v2/secretKey1234567890abcdef`, other.url],
      retries: 2,
      onFailover: (from, to) => failovers.push(`${from} -> ${to}`),
      onTransportError: () => transportErrors++,
    });
    const got = await balances(rpc, 5);
    expect(got).to.deep.equal([1, 2, 3, 4, 5].map(expectedBalance));
    // Two attempts of the whole batch on the first URL, one batch on the second.
    expect(node.posts).to.deep.equal([5, 5]);
    expect(other.posts).to.deep.equal([5]);
    expect(transportErrors).to.equal(2);
    expect(failovers).to.deep.equal([`${node.url}/v2/*** -> ${other.url}`]);
  });

  it("ends a batch the node never answers at the deadline, with the URL redacted", async () => {
    node.mode = { kind: "silent" };
    const rpc = open({ urls: [`${node.url}/v2/secretKey1234567890abcdef`], timeoutMs: 300 });
    const started = Date.now();
    const error = await balances(rpc, 3).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ProviderError);
    expect(Date.now() - started).to.be.below(5_000);
    const message = (error as Error).message;
    expect(message).to.include("no answer within 300 ms");
    expect(message).not.to.include("secretKey1234567890abcdef");
    expect(node.posts).to.deep.equal([3]);
  });

  it("in a session, asks an identical read once until a broadcast, and again after it", async () => {
    const rpc = open();
    const wallet = new Wallet(`0x${"11".repeat(32)}`);
    const signed = await wallet.signTransaction({
      type: 2,
      chainId: 31337,
      nonce: 0,
      to: address(3),
      gasLimit: 21_000n,
      maxFeePerGas: 1n,
      maxPriorityFeePerGas: 1n,
    });
    await rpc.session(async () => {
      const [a, b] = await Promise.all([
        rpc.read("a", (p) => p.getBalance(address(5))),
        rpc.read("b", (p) => p.getBalance(address(5))),
      ]);
      expect(a).to.equal(b);
      await rpc.read("again", (p) => p.getBalance(address(5)));
      expect(node.methods.filter((m) => m === "eth_getBalance")).to.have.length(1);
      await rpc.read("broadcast", (p) => p.broadcastTransaction(signed));
      await rpc.read("after", (p) => p.getBalance(address(5)));
      expect(node.methods.filter((m) => m === "eth_getBalance")).to.have.length(2);
      // A change seen another way (a transaction found mined) empties the memo too.
      rpc.forget();
      await rpc.read("after forget", (p) => p.getBalance(address(5)));
      expect(node.methods.filter((m) => m === "eth_getBalance")).to.have.length(3);
    });
    // Outside a session nothing is remembered.
    await rpc.read("outside", (p) => p.getBalance(address(5)));
    await rpc.read("outside again", (p) => p.getBalance(address(5)));
    expect(node.methods.filter((m) => m === "eth_getBalance")).to.have.length(5);
  });

  it("does not remember a failed read in a session: the retry asks the node", async () => {
    const rpc = open({ retries: 2 });
    await rpc.session(async () => {
      node.mode = { kind: "http-500" };
      const first = await rpc.read("fails", (p) => p.getBalance(address(6))).catch((e: unknown) => e);
      expect(first).to.be.instanceOf(ProviderError);
      node.mode = { kind: "spec" };
      expect(await rpc.read("works", (p) => p.getBalance(address(6)))).to.equal(expectedBalance(6));
    });
  });
});
