import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { Wallet } from "ethers";
import { spawnCli } from "./spawnCli.js";

const MARKET = fileURLToPath(new URL("../../fixtures/data/market_small.csv", import.meta.url));
/** The bound the test holds the CLI to: start-up, two 1 s attempts, and the exit. */
const EXIT_BOUND_MS = 20_000;

/** A TCP server that accepts connections and never answers. */
async function blackHole(): Promise<{ server: Server; sockets: Socket[]; port: number }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return { server, sockets, port: address.port };
}

describe("cli: a broken keeper dies loudly", function () {
  this.timeout(EXIT_BOUND_MS + 30_000);
  let hole: Awaited<ReturnType<typeof blackHole>>;
  before(async () => {
    hole = await blackHole();
  });
  after(() => {
    for (const socket of hole.sockets) socket.destroy();
    hole.server.close();
  });

  it("an RPC that accepts and never answers: `run` exits non-zero within the bound, naming no secret", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ballast-hang-"));
    const secretUrl = `http://operator:topSecretPw@127.0.0.1:${hole.port}/v2/pathApiKey0123456789`;
    const config = join(dir, "keeper.json");
    writeFileSync(
      config,
      JSON.stringify({
        rpcUrls: [secretUrl],
        chainId: 42161,
        vault: `0x${"11".repeat(20)}`,
        tokens: [
          { symbol: "USDC", address: `0x${"22".repeat(20)}`, decimals: 6 },
          { symbol: "AAA", address: `0x${"33".repeat(20)}`, decimals: 18 },
        ],
        dataDir: join(dir, "data"),
        rpc: { timeoutMs: 1_000, retries: 2, backoffMs: 50 },
      }),
    );
    const env = {
      BALLAST_KEEPER_KEY: Wallet.createRandom().privateKey,
      BALLAST_SUBMITTER_KEY: Wallet.createRandom().privateKey,
    };
    const res = await spawnCli(["run", "--config", config, "--market", MARKET], env, EXIT_BOUND_MS).done;
    expect(res.signal, `killed by the test's bound; stderr:\n${res.stderr}`).to.equal(null);
    expect(res.code, res.stderr).to.equal(1);
    expect(res.ms).to.be.below(EXIT_BOUND_MS);
    expect(hole.sockets.length, "the keeper connected").to.be.at.least(1);
    expect(res.stderr).to.include("every RPC URL failed");
    expect(res.stderr).to.include("no answer within 1000 ms");
    for (const secret of ["topSecretPw", "operator:", "pathApiKey0123456789"]) {
      expect(res.stderr + res.stdout).not.to.include(secret);
    }
  });
});
