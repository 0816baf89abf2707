import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { classifyCommand } from "../../../keeper/src/cli/commands/classify.js";
import { runCaptured } from "../../helpers/captureCommand.js";

const run = (argv: string[]) => runCaptured(classifyCommand, argv);

const FIXTURE_CSV = fileURLToPath(new URL("../../fixtures/data/market_small.csv", import.meta.url));
const SHARED = fileURLToPath(new URL("../../../../shared/data/market_daily.csv", import.meta.url));

describe("cli classify", () => {
  it("prints a readable table for the synthetic market", async () => {
    const { code, out } = await run(["--source", "synthetic", "--date", "2023-06-30", "--seed", "3"]);
    expect(code).to.equal(0);
    expect(out).to.match(/^universe at 2023-06-30: /m);
    expect(out).to.match(/^out USDC .*category stablecoin is excluded/m);
    expect(out).to.match(/^out PEPE .*meme/m);
  });

  it("prints JSON that matches the table's universe, and honours --max", async () => {
    const table = await run(["--source", "synthetic", "--date", "2022-09-30", "--max", "2"]);
    const json = await run(["--source", "synthetic", "--date", "2022-09-30", "--max", "2", "--json"]);
    expect(json.code).to.equal(0);
    const parsed = JSON.parse(json.out) as { date: string; selected: string[]; decisions: { symbol: string }[] };
    expect(parsed.date).to.equal("2022-09-30");
    expect(parsed.selected.length).to.be.at.most(2);
    expect(parsed.decisions.length).to.equal(10);
    const line = table.out.split("\n").find((l) => l.startsWith("universe at"));
    expect(line).to.equal(
      `universe at 2022-09-30: ${parsed.selected.length > 0 ? parsed.selected.join(", ") : "(empty)"}`,
    );
  });

  it("reads a user CSV and shows the validation report", async () => {
    const { code, out } = await run(["--source", "csv", "--csv", FIXTURE_CSV]);
    expect(code).to.equal(0);
    expect(out).to.match(/validation: \d+ issue\(s\)/);
    expect(out).to.match(/universe at 2024-01-08/);
  });

  it("ranked mode selects a universe where strict mode reports a shortfall", async () => {
    const strict = await run(["--source", "synthetic", "--date", "2022-09-30", "--json"]);
    const ranked = await run(["--source", "synthetic", "--date", "2022-09-30", "--mode", "ranked", "--json"]);
    const s = JSON.parse(strict.out) as { mode: string; selected: string[] };
    const r = JSON.parse(ranked.out) as { mode: string; selected: string[]; shortfall: unknown };
    expect([s.mode, r.mode]).to.deep.equal(["strict", "ranked"]);
    expect(r.selected.length).to.be.at.least(Math.max(3, s.selected.length));
    expect(r.shortfall).to.equal(null);
    const table = await run(["--source", "synthetic", "--date", "2022-09-30", "--mode", "ranked"]);
    expect(table.out).to.match(/\(ranked mode\)/);
  });

  it("returns 2 with a clear message on bad input", async () => {
    for (const argv of [
      ["--source", "nowhere"],
      ["--source", "csv"],
      ["--date", "30/06/2023"],
      ["--max", "0"],
      ["--mode", "loose"],
      ["--unknown-flag"],
      ["--source", "csv", "--csv", "/nonexistent.csv"],
      ["--source", "synthetic", "--date", "1999-01-01"],
    ]) {
      const { code, err } = await run(argv);
      expect(code, argv.join(" ")).to.equal(2);
      expect(err, argv.join(" ")).to.match(/^classify: /);
    }
  });

  it("reads ../shared/data when present", async function () {
    if (!existsSync(SHARED)) {
      console.log("skipped: ../shared/data absent");
      this.skip();
    }
    const { code, out } = await run(["--source", "shared", "--date", "2023-06-30", "--json"]);
    expect(code).to.equal(0);
    expect((JSON.parse(out) as { selected: string[] }).selected.length).to.be.greaterThan(0);
  });
});
