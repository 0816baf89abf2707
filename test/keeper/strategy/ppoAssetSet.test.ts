import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { trainCommand } from "../../../keeper/src/cli/commands/train.js";
import { listedBy } from "../../../keeper/src/strategy/ppo/assetSet.js";
import { handPanel } from "../backtest/fixtures.js";

const N = Number.NaN;

describe("PPO asset set is point in time", () => {
  const panel = handPanel({
    symbols: ["USDC", "OLD", "NEW", "GONE"],
    closes: [
      [1, 1, 1, 1, 1, 1],
      [5, 5, 5, 5, 5, 5],
      [N, N, N, N, 2, 2],
      [3, 3, N, N, N, N],
    ],
  });

  it("keeps only candidates that had traded by the end of the training data", () => {
    expect(listedBy(panel, [1, 2, 3], 3)).to.deep.equal([1, 3]);
    expect(listedBy(panel, [1, 2, 3], 4)).to.deep.equal([1, 2, 3]);
    expect(listedBy(panel, [2], 0)).to.deep.equal([]);
    expect(listedBy(panel, [1, 2], 99)).to.deep.equal([1, 2]);
  });

  it("train --train-end builds the agent on the assets listed by then, not on later listings", async function () {
    this.timeout(120_000);
    const dir = mkdtempSync(join(tmpdir(), "ballast-ppo-assets-"));
    try {
      // 200 days from 2022-01-01; LINK lists on day 170 (2022-06-20).
      const lines = ["date,symbol,close_usd,volume_usd,source"];
      for (let d = 0; d < 200; d++) {
        const date = new Date(Date.UTC(2022, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
        const wave = 1 + 0.05 * Math.sin(d / 3);
        lines.push(`${date},USDC,1,1e9,t`, `${date},BTC,${30_000 * wave},1e9,t`, `${date},ETH,${2_000 / wave},1e9,t`);
        if (d >= 170) lines.push(`${date},LINK,${10 * wave},1e9,t`);
      }
      const csv = join(dir, "d.csv");
      writeFileSync(csv, `${lines.join("\n")}\n`);
      const out = join(dir, "policy");
      const logs: string[] = [];
      const log = console.log;
      const error = console.error;
      console.log = (...a: unknown[]) => void logs.push(a.join(" "));
      console.error = () => {};
      let code: number;
      try {
        code = await trainCommand(["--data", csv, "--out", out, "--train-end", "2022-05-31", "--steps", "256"]);
      } finally {
        console.log = log;
        console.error = error;
      }
      expect(code).to.equal(0);
      expect(logs.join("\n")).to.match(/train: 2 assets traded by 2022-05-31 \(BTC ETH\), training bars 0\.\.150/);
      expect(existsSync(join(out, "policy.json"))).to.equal(true);
      const policy = JSON.parse(readFileSync(join(out, "policy.json"), "utf8")) as { meta: { universe: string[] } };
      expect(policy.meta.universe).to.deep.equal(["BTC", "ETH"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
