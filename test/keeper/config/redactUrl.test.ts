import { expect } from "chai";
import { redactUrl, redactUrlsIn } from "../../../keeper/src/config/redactUrl.js";

describe("redactUrl", () => {
  it("removes user info", () => {
    expect(redactUrl("https://alice:s3cret@rpc.example.com:8545/")).to.equal("https://***@rpc.example.com:8545/");
  });

  it("removes keys in the path", () => {
    expect(redactUrl("https://arb-mainnet.g.alchemy.com/v2/AbCdEf123")).to.equal(
      "https://arb-mainnet.g.alchemy.com/v2/***",
    );
    expect(redactUrl("https://arbitrum-mainnet.infura.io/v3/0123456789abcdef0123456789abcdef")).to.equal(
      "https://arbitrum-mainnet.infura.io/v3/***",
    );
    expect(redactUrl("https://x.quiknode.pro/3f9ab1c2d4e5f60718293a4b5c6d7e8f/")).to.equal(
      "https://x.quiknode.pro/***/",
    );
  });

  it("removes credential query parameters and keeps the others", () => {
    expect(redactUrl("https://api.example.com/q?apikey=K1&chain=arb&token=T2&api_key=K3")).to.equal(
      "https://api.example.com/q?apikey=***&chain=arb&token=***&api_key=***",
    );
  });

  it("leaves a URL without credentials exactly as it was", () => {
    for (const url of ["http://127.0.0.1:8545", "https://arb1.arbitrum.io/rpc", "https://a.b/prices?chain=arb"])
      expect(redactUrl(url)).to.equal(url);
  });

  it("redacts every URL inside a text, such as a JSON log line", () => {
    const line = JSON.stringify({
      msg: "rpc failover",
      from: "https://u:p@a.example/v2/KEY",
      to: "http://127.0.0.1:1/",
    });
    const out = redactUrlsIn(line);
    expect(out).not.to.include("u:p@");
    expect(out).not.to.include("KEY");
    expect(out).to.include("http://127.0.0.1:1/");
    expect(JSON.parse(out)).to.deep.equal({
      msg: "rpc failover",
      from: "https://***@a.example/v2/***",
      to: "http://127.0.0.1:1/",
    });
  });

  it("keeps the sentence around a URL in a message", () => {
    expect(redactUrlsIn("http://u:p@h.example/v2/KEY: no answer within 1000 ms.")).to.equal(
      "http://***@h.example/v2/***: no answer within 1000 ms.",
    );
  });
});
