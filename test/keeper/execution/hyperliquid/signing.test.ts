/**
 * HyperLiquid L1 action signing against the vectors published in the official Python SDK's
 * tests (hyperliquid-dex/hyperliquid-python-sdk, tests/signing_test.py, v0.23.0): the same
 * key, action, nonce and vault must give the same connection id and the same (r, s, v). The
 * SDK prints r and s as integers in hex, without leading zeros, so they are compared as
 * numbers. Independently of those vectors, every signature must recover to the signer with
 * ethers' own EIP-712 verification.
 */
import { expect } from "chai";
import { SigningKey, Wallet } from "ethers";
import { InvalidInputError } from "../../../../keeper/src/core/errors.js";
import { encodeMsgpack } from "../../../../keeper/src/execution/hyperliquid/msgpack.js";
import { actionHash, recoverL1Signer, signL1Action } from "../../../../keeper/src/execution/hyperliquid/signing.js";

const SDK_TEST_KEY = "0x0123456789012345678901234567890123456789012345678901234567890123";
const key = new SigningKey(SDK_TEST_KEY);
const signer = new Wallet(SDK_TEST_KEY).address;

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const orderAction = (c?: string) => ({
  type: "order",
  orders: [{ a: 1, b: true, p: "100", s: "100", r: false, t: { limit: { tif: "Gtc" } }, ...(c ? { c } : {}) }],
  grouping: "na",
});

function expectSig(sig: { r: string; s: string; v: number }, r: string, s: string, v: number) {
  expect(BigInt(sig.r)).to.equal(BigInt(r));
  expect(BigInt(sig.s)).to.equal(BigInt(s));
  expect(sig.v).to.equal(v);
}

describe("HyperLiquid signing", () => {
  describe("msgpack", () => {
    it("encodes each integer in its shortest form, as the reference encoder does", () => {
      expect(hex(encodeMsgpack(0))).to.equal("00");
      expect(hex(encodeMsgpack(127))).to.equal("7f");
      expect(hex(encodeMsgpack(128))).to.equal("cc80");
      expect(hex(encodeMsgpack(65_535))).to.equal("cdffff");
      expect(hex(encodeMsgpack(65_536))).to.equal("ce00010000");
      expect(hex(encodeMsgpack(100_000_000_000))).to.equal("cf000000174876e800");
      expect(hex(encodeMsgpack(-1))).to.equal("ff");
      expect(hex(encodeMsgpack(-33))).to.equal("d0df");
      expect(hex(encodeMsgpack(-40_000))).to.equal("d2ffff63c0");
    });

    it("encodes strings, maps in insertion order, arrays, booleans and null", () => {
      expect(hex(encodeMsgpack("a"))).to.equal("a161");
      expect(hex(encodeMsgpack("x".repeat(32)))).to.equal(`d920${"78".repeat(32)}`);
      expect(hex(encodeMsgpack({ b: true, a: null }))).to.equal("82a162c3a161c0");
      expect(hex(encodeMsgpack([false, 1]))).to.equal("92c201");
      expect(hex(encodeMsgpack(Array.from({ length: 16 }, () => 0)))).to.equal(`dc0010${"00".repeat(16)}`);
    });

    it("refuses floats: prices and sizes travel as strings", () => {
      expect(() => encodeMsgpack({ p: 1.5 })).to.throw(InvalidInputError, /safe integer/);
    });
  });

  it("gives the SDK's connection id for a production order (test_phantom_agent_creation_matches_production)", () => {
    const action = {
      type: "order",
      orders: [{ a: 4, b: true, p: "1670.1", s: "0.0147", r: false, t: { limit: { tif: "Ioc" } } }],
      grouping: "na",
    };
    expect(actionHash(action, 1_677_777_606_040, null)).to.equal(
      "0x0fcbeda5ae3c4950a548021552a4fea2226858c4453571bf3f24ba017eac2908",
    );
  });

  it("matches the SDK's mainnet and testnet signatures of a dummy action (test_l1_action_signing_matches)", () => {
    const action = { type: "dummy", num: 100_000_000_000 };
    expectSig(
      signL1Action(key, action, 0, null, "mainnet"),
      "0x53749d5b30552aeb2fca34b530185976545bb22d0b3ce6f62e31be961a59298",
      "0x755c40ba9bf05223521753995abb2f73ab3229be8ec921f350cb447e384d8ed8",
      27,
    );
    expectSig(
      signL1Action(key, action, 0, null, "testnet"),
      "0x542af61ef1f429707e3c76c5293c80d01f74ef853e34b76efffcb57e574f9510",
      "0x17b8b32f086e8cdede991f1e2c529f5dd5297cbe8128500e00cbaf766204a613",
      28,
    );
  });

  it("matches the SDK's order signatures, with and without a cloid", () => {
    expectSig(
      signL1Action(key, orderAction(), 0, null, "mainnet"),
      "0xd65369825a9df5d80099e513cce430311d7d26ddf477f5b3a33d2806b100d78e",
      "0x2b54116ff64054968aa237c20ca9ff68000f977c93289157748a3162b6ea940e",
      28,
    );
    expectSig(
      signL1Action(key, orderAction(), 0, null, "testnet"),
      "0x82b2ba28e76b3d761093aaded1b1cdad4960b3af30212b343fb2e6cdfa4e3d54",
      "0x6b53878fc99d26047f4d7e8c90eb98955a109f44209163f52d8dc4278cbbd9f5",
      27,
    );
    const withCloid = orderAction("0x00000000000000000000000000000001");
    expectSig(
      signL1Action(key, withCloid, 0, null, "mainnet"),
      "0x41ae18e8239a56cacbc5dad94d45d0b747e5da11ad564077fcac71277a946e3",
      "0x3c61f667e747404fe7eea8f90ab0e76cc12ce60270438b2058324681a00116da",
      27,
    );
    expectSig(
      signL1Action(key, withCloid, 0, null, "testnet"),
      "0xeba0664bed2676fc4e5a743bf89e5c7501aa6d870bdb9446e122c9466c5cd16d",
      "0x7f3e74825c9114bc59086f1eebea2928c190fdfbfde144827cb02b85bbe90988",
      28,
    );
  });

  it("matches the SDK's signatures when trading for a vault (test_l1_action_signing_matches_with_vault)", () => {
    const action = { type: "dummy", num: 100_000_000_000 };
    const vault = "0x1719884eb866cb12b2287399b15f7db5e7d775ea";
    expectSig(
      signL1Action(key, action, 0, vault, "mainnet"),
      "0x3c548db75e479f8012acf3000ca3a6b05606bc2ec0c29c50c515066a326239",
      "0x4d402be7396ce74fbba3795769cda45aec00dc3125a984f2a9f23177b190da2c",
      28,
    );
    expectSig(
      signL1Action(key, action, 0, vault, "testnet"),
      "0xe281d2fb5c6e25ca01601f878e4d69c965bb598b88fac58e475dd1f5e56c362b",
      "0x7ddad27e9a238d045c035bc606349d075d5c5cd00a6cd1da23ab5c39d4ef0f60",
      27,
    );
  });

  it("recovers the signer, and a signature for one network, nonce or vault does not recover elsewhere", () => {
    const action = orderAction("0x0000000000000000000000000000abcd");
    const nonce = 1_733_000_000_000;
    const sig = signL1Action(key, action, nonce, null, "testnet");
    expect(recoverL1Signer(action, nonce, null, "testnet", sig)).to.equal(signer);
    expect(recoverL1Signer(action, nonce, null, "mainnet", sig)).to.not.equal(signer);
    expect(recoverL1Signer(action, nonce + 1, null, "testnet", sig)).to.not.equal(signer);
    expect(recoverL1Signer(action, nonce, "0x1719884eb866cb12b2287399b15f7db5e7d775ea", "testnet", sig)).to.not.equal(
      signer,
    );
  });

  it("an agent wallet's signature recovers to the agent, not to the account", () => {
    const agent = Wallet.createRandom();
    const action = orderAction();
    const sig = signL1Action(agent.signingKey, action, 7, null, "mainnet");
    expect(recoverL1Signer(action, 7, null, "mainnet", sig)).to.equal(agent.address);
  });
});
