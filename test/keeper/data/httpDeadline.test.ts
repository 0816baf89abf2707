import { createServer, type Server, type ServerResponse } from "node:http";
import { expect } from "chai";
import { ProviderError } from "../../../keeper/src/core/errors.js";
import { getJson } from "../../../keeper/src/data/http.js";

describe("data/http: deadlines and redaction", () => {
  let server: Server;
  let base: string;
  const stalled: ServerResponse[] = [];
  before(async () => {
    server = createServer((req, res) => {
      if (req.url?.startsWith("/stall-body")) {
        // Headers and half a body, then nothing: the deadline must cover the body too.
        res.writeHead(200, { "content-type": "application/json" });
        res.write('{"partial":');
        stalled.push(res);
        return;
      }
      res.writeHead(404).end("{}");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    base = `http://127.0.0.1:${address.port}`;
  });
  after(() => {
    for (const res of stalled) res.destroy();
    server.close();
  });

  it("fails a response whose body stalls, within the timeout", async () => {
    const started = Date.now();
    const error = await getJson(`${base}/stall-body`, { provider: "t", timeoutMs: 200, retries: 0 }).catch(
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(ProviderError);
    expect(Date.now() - started).to.be.below(5_000);
  });

  it("names the URL redacted in errors", async () => {
    const error = await getJson(`${base}/missing?apikey=queryKey123&x=1`, { provider: "t", retries: 0 }).catch(
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(ProviderError);
    const details = (error as ProviderError).details;
    expect(details.url).to.equal(`${base}/missing?apikey=***&x=1`);
    expect(JSON.stringify(details)).not.to.include("queryKey123");
  });
});
