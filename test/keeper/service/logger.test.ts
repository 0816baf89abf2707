import { expect } from "chai";
import { ConfigError } from "../../../keeper/src/core/errors.js";
import { createLogger, REDACTED } from "../../../keeper/src/service/logger.js";

/** A pino destination that keeps each JSON line in memory. */
function memoryStream(): { lines: string[]; write(line: string): void } {
  const lines: string[] = [];
  return { lines, write: (line: string) => lines.push(line) };
}

const PRIVATE_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const API_TOKEN = "op-token-3f9a27c1d84e4b6f";

describe("service/logger", () => {
  it("writes one JSON object per line with level, message and fields", () => {
    const out = memoryStream();
    const log = createLogger({ destination: out, level: "info", name: "test" });
    log.info({ cycle: 4, status: "reconciled" }, "cycle done");
    log.debug("below the level");
    expect(out.lines).to.have.length(1);
    const entry = JSON.parse(out.lines[0] ?? "") as Record<string, unknown>;
    expect(entry).to.include({ level: 30, name: "test", msg: "cycle done", cycle: 4, status: "reconciled" });
  });

  it("censors secret fields by name at the top level and nested two levels deep", () => {
    const out = memoryStream();
    const log = createLogger({ destination: out, level: "info" });
    log.info(
      {
        privateKey: PRIVATE_KEY,
        signer: { address: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", privateKey: PRIVATE_KEY },
        config: { rpc: { url: "https://arb1.example", apiKey: "k-123456789" }, keystore: { password: "hunter22!" } },
        req: { headers: { authorization: `Bearer ${API_TOKEN}` } },
      },
      "starting",
    );
    const line = out.lines.join("");
    for (const secret of [PRIVATE_KEY, "k-123456789", "hunter22!", API_TOKEN]) expect(line).not.to.include(secret);
    const entry = JSON.parse(line) as {
      privateKey: string;
      signer: { address: string; privateKey: string };
      config: { rpc: { url: string; apiKey: string } };
      req: { headers: { authorization: string } };
    };
    expect(entry.privateKey).to.equal(REDACTED);
    expect(entry.signer.privateKey).to.equal(REDACTED);
    expect(entry.config.rpc.apiKey).to.equal(REDACTED);
    expect(entry.req.headers.authorization).to.equal(REDACTED);
    // Non-secret fields next to them survive.
    expect(entry.signer.address).to.equal("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    expect(entry.config.rpc.url).to.equal("https://arb1.example");
  });

  it("scrubs known secret values wherever they appear: messages, errors, innocent field names, any case", () => {
    const out = memoryStream();
    const log = createLogger({ destination: out, level: "info", secrets: [PRIVATE_KEY, API_TOKEN] });
    log.info({ note: `operator pasted ${API_TOKEN}` }, `loaded key ${PRIVATE_KEY.toUpperCase().replace("0X", "0x")}`);
    log.error({ err: new Error(`cannot parse ${PRIVATE_KEY.slice(2)}`) }, "keystore failed");
    const text = out.lines.join("");
    expect(text.toLowerCase()).not.to.include(PRIVATE_KEY.slice(2));
    expect(text).not.to.include(API_TOKEN);
    expect(text.split(REDACTED).length - 1).to.be.at.least(3);
    // The lines are still valid JSON after scrubbing.
    for (const line of out.lines) expect(() => JSON.parse(line)).not.to.throw();
  });

  it("rejects an unknown LOG_LEVEL with a ConfigError", () => {
    const previous = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = "verbose";
    try {
      expect(() => createLogger({ destination: memoryStream() })).to.throw(ConfigError, /LOG_LEVEL/);
    } finally {
      if (previous === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = previous;
    }
  });
});

describe("service/logger: credentials in URLs", () => {
  it("redacts user info, path keys and key parameters of any URL in a line (fields, messages, errors)", () => {
    const out = memoryStream();
    const log = createLogger({ destination: out, level: "info" });
    const urls = [
      "https://alice:pa55word@rpc.example.com/",
      "https://arb-mainnet.g.alchemy.com/v2/alchemyKey123456",
      "https://api.example.com/prices?apikey=queryKey987654",
    ];
    log.warn({ from: urls[0], to: urls[1] }, "rpc failover");
    log.error({ err: `fetch ${urls[2]} failed` }, `giving up on ${urls[1]}`);
    const text = out.lines.join("");
    for (const secret of ["alice", "pa55word", "alchemyKey123456", "queryKey987654"])
      expect(text).not.to.include(secret);
    const first = JSON.parse(out.lines[0] ?? "") as { from: string; to: string };
    expect(first.from).to.equal("https://***@rpc.example.com/");
    expect(first.to).to.equal("https://arb-mainnet.g.alchemy.com/v2/***");
    expect(text).to.include("https://api.example.com/prices?apikey=***");
  });
});
