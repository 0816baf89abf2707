import { expect } from "chai";
import { recordFromJson, recordToJson } from "../../../keeper/src/core/recordJson.js";

describe("core/recordJson: a pending record's JSON keeps its bigints", () => {
  it("round-trips bigints at any depth, negative and beyond 2^53, beside plain values", () => {
    const record = {
      order: { nonce: 7n, legs: [{ amountIn: 12_345_678_901_234_567_890n, minAmountOut: -1n, path: "0xab" }] },
      gasLimit: 0n,
      broadcasts: [{ hash: "0x01", nonce: 3, maxFeePerGas: 2_000_000_000n, replaces: null }],
      flag: true,
    };
    const text = recordToJson(record);
    expect(text).to.include('"nonce":{"$bigint":"7"}');
    expect(recordFromJson(text)).to.deep.equal(record);
  });

  it("leaves plain JSON as it is, and an object that only looks tagged", () => {
    const plain = { cloids: ["0x1"], size: "0.5", n: 3 };
    expect(recordFromJson(recordToJson(plain))).to.deep.equal(plain);
    // Only an object whose single key is the tag, with an integer string, is read as a bigint.
    expect(recordFromJson('{"a":{"$bigint":"12","b":1},"c":{"$bigint":"1.5"}}')).to.deep.equal({
      a: { $bigint: "12", b: 1 },
      c: { $bigint: "1.5" },
    });
  });
});
