import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { hash, RpcProvider, shortString } from "starknet";
import { ProviderError } from "../../../keeper/src/core/errors.js";
import { loadLstVaultAbi } from "../../../keeper/src/execution/starknet/lstVaultAbi.js";
import { LstVaultReader } from "../../../keeper/src/execution/starknet/lstVaultReader.js";

/**
 * A local Starknet JSON-RPC node: answers `starknet_call` from a table keyed by entry-point
 * selector, in the wire format of the RPC spec (felts as 0x-hex strings), and records requests.
 */
interface RecordedCall {
  readonly contractAddress: bigint;
  readonly selector: bigint;
  readonly calldata: readonly bigint[];
  readonly blockId: unknown;
}

function hex(n: bigint): string {
  return `0x${n.toString(16)}`;
}

function u256Felts(n: bigint): string[] {
  return [hex(n & ((1n << 128n) - 1n)), hex(n >> 128n)];
}

class FakeStarknetNode {
  readonly calls: RecordedCall[] = [];
  private readonly results = new Map<bigint, string[] | { code: number; message: string }>();
  private server: Server | undefined;

  answer(entrypoint: string, result: string[] | { code: number; message: string }): void {
    this.results.set(BigInt(hash.getSelectorFromName(entrypoint)), result);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => {
        body += chunk.toString("utf8");
      });
      req.on("end", () => {
        const request = JSON.parse(body) as { id: number; method: string; params: unknown };
        const reply = (payload: object): void => {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ jsonrpc: "2.0", id: request.id, ...payload }));
        };
        if (request.method !== "starknet_call") {
          reply({ error: { code: -32601, message: `method not found: ${request.method}` } });
          return;
        }
        const params = request.params as {
          request: { contract_address: string; entry_point_selector: string; calldata: string[] };
          block_id: unknown;
        };
        const selector = BigInt(params.request.entry_point_selector);
        this.calls.push({
          contractAddress: BigInt(params.request.contract_address),
          selector,
          calldata: params.request.calldata.map((f) => BigInt(f)),
          blockId: params.block_id,
        });
        const result = this.results.get(selector);
        if (result === undefined) reply({ error: { code: 21, message: "Entrypoint not found" } });
        else if (Array.isArray(result)) reply({ result });
        else reply({ error: { code: 40, message: "Contract error", data: result } });
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

const VAULT = "0x5c3a1e2b1f0d9e8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4";
const WETH = 0x49d36570d4e46f48e99674bd3fcc84644ddd6b96f7c741b1562b82f9e004dc7n;
const WSTETH = 0x57912720381af14b0e5c87aa4718ed5e527eab60b3801ebf702ab09139e38bn;

describe("Starknet LST vault adapter: views over JSON-RPC", () => {
  const node = new FakeStarknetNode();
  let reader: LstVaultReader;

  before(async () => {
    const url = await node.start();
    const provider = new RpcProvider({ nodeUrl: url, specVersion: "0.9.0" });
    reader = new LstVaultReader(provider, VAULT, loadLstVaultAbi());
  });

  after(async () => {
    await node.stop();
  });

  it("reads u256 views and sends the right selector, address and calldata", async () => {
    const nav = (3n << 128n) + 12345n;
    node.answer("total_assets", u256Felts(nav));
    expect(await reader.totalAssets()).to.equal(nav);
    node.answer("preview_deposit", u256Felts(999n));
    expect(await reader.previewDeposit((1n << 129n) + 1n)).to.equal(999n);
    const last = node.calls.at(-1);
    expect(last?.contractAddress).to.equal(BigInt(VAULT));
    expect(last?.selector).to.equal(BigInt(hash.getSelectorFromName("preview_deposit")));
    expect(last?.calldata).to.deep.equal([1n, 2n]);
    expect(last?.blockId).to.equal("latest");
  });

  it("decodes the basket, quotes and the config struct", async () => {
    node.answer("basket", [
      "0x2",
      hex(WETH),
      shortString.encodeShortString("ETH/USD"),
      "0x3e8",
      hex(WSTETH),
      shortString.encodeShortString("WSTETH/USD"),
      "0x2328",
    ]);
    expect(await reader.basket()).to.deep.equal([
      { token: hex(WETH), pairId: "ETH/USD", targetBps: 1000 },
      { token: hex(WSTETH), pairId: "WSTETH/USD", targetBps: 9000 },
    ]);
    node.answer("slot_values", ["0x2", ...u256Felts(10n ** 19n), ...u256Felts(9n * 10n ** 19n)]);
    expect(await reader.slotValues()).to.deep.equal([10n ** 19n, 9n * 10n ** 19n]);
    node.answer("quote_swap", [...u256Felts(840n), ...u256Felts(832n)]);
    expect(await reader.quoteSwap(hex(WETH), hex(WSTETH), 1000n, 100)).to.deep.equal({
      expectedOut: 840n,
      minOut: 832n,
    });
    expect(node.calls.at(-1)?.calldata).to.deep.equal([WETH, WSTETH, 1000n, 0n, 100n]);
    const owner = 0xa11cen;
    node.answer("config", [
      hex(owner),
      "0x9a4d",
      "0xbeef",
      "0x1",
      "0x2a85bd616f912537c50a49a4076db02c00b29b2cdc8a197ce92ed1837fa875b",
      shortString.encodeShortString("ETH/USD"),
      "0x4270219d365d6b017231b52e92b3fb5d7c8378b05e9abc97724537a80e93b0f",
      "0x32",
      hex(owner),
      "0xc8",
      "0x64",
      "0x32",
      "0xe10",
      "0x384",
      "0x6553f100",
      "0x2a300",
    ]);
    expect(await reader.config()).to.deep.equal({
      owner: hex(owner),
      guardian: "0x9a4d",
      keeper: "0xbeef",
      paused: true,
      oracle: "0x2a85bd616f912537c50a49a4076db02c00b29b2cdc8a197ce92ed1837fa875b",
      basePairId: "ETH/USD",
      router: "0x4270219d365d6b017231b52e92b3fb5d7c8378b05e9abc97724537a80e93b0f",
      managementFeeBps: 50,
      feeRecipient: hex(owner),
      risk: {
        weightToleranceBps: 200,
        maxSlippageBps: 100,
        maxNavLossBps: 50,
        rebalanceCooldownSeconds: 3600,
        maxPriceAgeSeconds: 900,
      },
      lastRebalanceAt: 1_700_000_000,
      timelockDelaySeconds: 172_800,
    });
    node.answer("scheduled_at", ["0x6555f300"]);
    expect(await reader.scheduledAt(0x2022fa4an)).to.equal(1_700_131_584);
    expect(node.calls.at(-1)?.calldata).to.deep.equal([0x2022fa4an]);
  });

  it("turns node errors and malformed answers into ProviderError", async () => {
    node.answer("pending_fee_shares", { code: 40, message: "Contract error" });
    const failed = await reader.pendingFeeShares().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failed).to.be.instanceOf(ProviderError);
    expect((failed as ProviderError).message).to.include("pending_fee_shares");
    node.answer("config", ["0x1", "0x2"]);
    const short = await reader.config().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(short).to.be.instanceOf(ProviderError);
  });
});
