import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { researchCommand } from "../../../keeper/src/cli/commands/research.js";
import { trainCommand } from "../../../keeper/src/cli/commands/train.js";
import { runCaptured } from "../../helpers/captureCommand.js";
import { seeded } from "../backtest/fixtures.js";

const run = runCaptured;

/** 300 days from 2022-01-01 of USDC, BTC, WBTC (same moves), ETH, LINK; LINK lists on day 200. */
function writeDaily(path: string): void {
  const rand = seeded(21);
  const price: Record<string, number> = { USDC: 1, BTC: 30_000, WBTC: 30_000, ETH: 2_000, LINK: 10 };
  const lines = ["date,symbol,close_usd,volume_usd,source"];
  for (let d = 0; d < 300; d++) {
    const date = new Date(Date.UTC(2022, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
    const btc = Math.exp(0.04 * (rand() - 0.5));
    for (const s of Object.keys(price)) {
      if (s === "BTC" || s === "WBTC") price[s] = price[s]! * btc;
      else if (s !== "USDC") price[s] = price[s]! * Math.exp(0.05 * (rand() - 0.5));
      if (s === "LINK" && d < 200) continue;
      lines.push(`${date},${s},${price[s]},${(5e8 * (0.5 + rand())).toFixed(0)},test`);
    }
  }
  writeFileSync(path, `${lines.join("\n")}\n`);
}

describe("research and train commands: --help and date ranges", () => {
  let dir: string;
  let csv: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "ballast-research-flags-"));
    csv = join(dir, "daily.csv");
    writeDaily(csv);
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("--help prints the usage with the date flags and exits 0", async () => {
    for (const command of [researchCommand, trainCommand]) {
      const res = await run(command, ["--help"]);
      expect(res.code).to.equal(0);
      expect(res.out).to.match(/^usage: (research|train)/);
      expect(res.out).to.include("--train-end");
    }
    expect((await run(researchCommand, ["--help"])).out).to.include("--test-start");
  });

  it("rejects bad date ranges with exit code 2, a clear message and the usage", async () => {
    const base = ["--data", csv, "--no-ppo", "--out", join(dir, "bad"), "--cache-dir", join(dir, "cache-bad")];
    for (const [extra, message] of [
      [["--train-end", "2021-06-30"], /--train-end 2021-06-30 is outside the data \(2022-01-01 \.\. 2022-10-27\)/],
      [["--train-end", "2022-06-30", "--test-start", "2022-06-01"], /--test-start must come after --train-end/],
      [["--train-end", "2022-06-30", "--test-end", "2023-02-01"], /--test-end 2023-02-01 is outside the data/],
      [["--test-end", "2022-09-01"], /--test-end needs --train-end or --test-start/],
      [["--train-end", "June"], /--train-end must be YYYY-MM-DD/],
      [["--train-end", "2022-01-01"], /no train or validation bars/],
      [["--gate-margin=-1"], /--gate-margin must be a number >= 0/],
      [["--gate-min-dsr", "1.5"], /--gate-min-dsr must be a number in 0\.\.1/],
    ] as const) {
      const res = await run(researchCommand, [...base, ...extra]);
      expect(res.code, extra.join(" ")).to.equal(2);
      expect(res.err, extra.join(" ")).to.match(message);
      expect(res.err).to.include("usage: research");
    }
    const train = await run(trainCommand, ["--data", csv, "--out", join(dir, "p"), "--train-end", "2024-01-01"]);
    expect(train.code).to.equal(2);
    expect(train.err).to.match(/--train-end 2024-01-01 is outside the data/);
    const both = await run(trainCommand, [
      ...["--data", csv, "--out", join(dir, "p"), "--train-end", "2022-05-01", "--train-fraction", "0.5"],
    ]);
    expect(both.code).to.equal(2);
    expect(both.err).to.match(/--train-fraction or --train-end, not both/);
  });

  it("selects on data up to --train-end and scores --test-start .. --test-end, labelled as the file labels them", async function () {
    this.timeout(120_000);
    const out = join(dir, "research");
    const res = await run(researchCommand, [
      ...["--data", csv, "--no-ppo", "--out", out, "--cache-dir", join(dir, "cache")],
      ...["--train-end", "2022-06-30", "--test-start", "2022-08-01", "--test-end", "2022-10-15"],
    ]);
    expect(res.code, res.err).to.equal(0);
    const json = JSON.parse(readFileSync(join(out, "research.json"), "utf8")) as {
      research: { blocks: Record<string, { from: number; to: number }> };
      backtest: { dates: string[]; notes: { blocks: Record<string, string>; survivorship: string } };
    };
    // Day 0 is 2022-01-01; 2022-06-30 is day 180, 2022-08-01 day 212, 2022-10-15 day 287.
    expect(json.research.blocks.validation!.to).to.equal(180);
    expect(json.research.blocks.train!.from).to.equal(0);
    expect(json.research.blocks.test).to.deep.equal({ from: 212, to: 287 });
    expect(json.backtest.dates[0]).to.equal("2022-08-01");
    expect(json.backtest.dates[json.backtest.dates.length - 1]).to.equal("2022-10-15");
    expect(json.backtest.notes.blocks.test).to.equal("2022-08-01 .. 2022-10-15 (76 bars)");
    expect(json.backtest.notes.blocks.validation).to.match(/ \.\. 2022-06-30 /);
    expect(json.backtest.notes.survivorship).to.match(/^all 5 assets have a close on the range's last bar/);
    // One member per underlying: WBTC is not a candidate beside BTC.
    expect(res.out).to.match(/universe candidates \(3\): BTC ETH LINK/);
  });
});
