import { expect } from "chai";
import { type RpcServer, startRpcServer } from "../../../keeper/src/devchain/rpcServer.js";

/** The devchain's JSON-RPC server answers batches as JSON-RPC 2.0 (and real nodes) do. */
describe("devchain/rpcServer: JSON-RPC 2.0 batches", () => {
  let server: RpcServer;
  const seen: string[] = [];
  before(async () => {
    server = await startRpcServer({
      request: async ({ method, params }) => {
        seen.push(method);
        if (method === "fails") throw Object.assign(new Error("execution reverted"), { code: 3, data: "0xdead" });
        if (method === "slow") await new Promise((r) => setTimeout(r, 30));
        return { method, params };
      },
    });
  });
  after(() => server.close());
  beforeEach(() => {
    seen.length = 0;
  });

  const post = async (body: string): Promise<{ status: number; json: unknown }> => {
    const res = await fetch(server.url, { method: "POST", headers: { "content-type": "application/json" }, body });
    const text = await res.text();
    return { status: res.status, json: text === "" ? null : (JSON.parse(text) as unknown) };
  };

  it("answers a batch with an array, in order, each item with its own id, result or error", async () => {
    const { status, json } = await post(
      JSON.stringify([
        { jsonrpc: "2.0", id: 1, method: "slow", params: [1] },
        { jsonrpc: "2.0", id: "b", method: "fails", params: [] },
        { jsonrpc: "2.0", id: 3, method: "fast", params: [] },
      ]),
    );
    expect(status).to.equal(200);
    expect(json).to.deep.equal([
      { jsonrpc: "2.0", id: 1, result: { method: "slow", params: [1] } },
      { jsonrpc: "2.0", id: "b", error: { code: 3, message: "execution reverted", data: "0xdead" } },
      { jsonrpc: "2.0", id: 3, result: { method: "fast", params: [] } },
    ]);
    // One after another: the slow first item finished before the next started.
    expect(seen).to.deep.equal(["slow", "fails", "fast"]);
  });

  it("gives an invalid item its own error and still answers the others", async () => {
    const { json } = await post(
      JSON.stringify([
        { jsonrpc: "2.0", id: 1 },
        { jsonrpc: "2.0", id: 2, method: "ok" },
      ]),
    );
    expect(json).to.deep.equal([
      { jsonrpc: "2.0", id: null, error: { code: -32600, message: "invalid request" } },
      { jsonrpc: "2.0", id: 2, result: { method: "ok", params: [] } },
    ]);
  });

  it("runs notifications (no id) without answering them", async () => {
    const { json } = await post(
      JSON.stringify([
        { jsonrpc: "2.0", method: "notify", params: [] },
        { jsonrpc: "2.0", id: 7, method: "ok", params: [] },
      ]),
    );
    expect(json).to.deep.equal([{ jsonrpc: "2.0", id: 7, result: { method: "ok", params: [] } }]);
    expect(seen).to.deep.equal(["notify", "ok"]);
    const only = await post(JSON.stringify([{ jsonrpc: "2.0", method: "notify" }]));
    expect(only.status).to.equal(204);
    expect(only.json).to.equal(null);
  });

  it("answers an empty batch with one invalid-request error, and bad JSON with a parse error", async () => {
    expect((await post("[]")).json).to.deep.equal({
      jsonrpc: "2.0",
      id: null,
      error: { code: -32600, message: "empty batch" },
    });
    expect((await post("[{")).json).to.deep.equal({
      jsonrpc: "2.0",
      id: null,
      error: { code: -32700, message: "parse error" },
    });
  });
});
