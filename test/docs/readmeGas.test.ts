/**
 * The README's gas table quotes the committed snapshot (gas-snapshot.json, which the gas test
 * checks against the contracts): a contract change that moves gas must update both, so the
 * figures a depositor or auditor reads are the measured ones.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";

const root = join(import.meta.dirname, "..", "..");
const snapshot = JSON.parse(readFileSync(join(root, "gas-snapshot.json"), "utf8")) as Record<string, number>;
const readme = readFileSync(join(root, "README.md"), "utf8");

/** Every number in a table cell, in order ("1,234", "−9,480" and "(30,534)" included). */
function numbers(row: string): number[] {
  return [...row.matchAll(/[−-]?\d[\d,]*/g)].map((m) => Number(m[0].replace(/,/g, "").replace("−", "-")));
}

describe("README: gas table matches gas-snapshot.json", () => {
  for (const [assets, legs] of [
    [2, 1],
    [5, 4],
    [10, 9],
  ] as const) {
    it(`the ${assets}-asset row`, () => {
      const row = readme.split("\n").find((line) => line.startsWith(`| ${assets} | `));
      expect(row, `a README gas row for ${assets} assets`).to.be.a("string");
      const s = (key: string) => snapshot[key] ?? expect.fail(`${key} missing from gas-snapshot.json`);
      expect(numbers(row ?? "")).to.deep.equal([
        assets,
        s(`deposit_${assets}_assets`),
        s(`deposit_existing_holder_${assets}_assets`),
        s(`redeem_from_buffer_${assets}_assets`),
        s(`redeem_in_kind_${assets}_assets`),
        s(`redeem_in_kind_existing_holder_${assets}_assets`),
        s(`bare_token_transfers_new_holder_${assets}_assets`),
        s(`rebalance_${assets}_assets_${legs}_legs`),
        legs,
        s(`rebalance_noop_${assets}_assets`),
        s(`bare_router_swaps_${assets}_assets_avg`),
        s(`leg_overhead_vs_bare_${assets}_assets`),
      ]);
    });
  }
});
