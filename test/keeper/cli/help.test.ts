import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { runCaptured } from "../../helpers/captureCommand.js";
import { spawnCli, spawnEntry } from "./spawnCli.js";

const run = runCaptured;

type Command = (argv: string[]) => Promise<number>;

/** Every command of the CLI, with flags its help must list. */
const COMMANDS: readonly [string, () => Promise<Command>, readonly string[]][] = [
  [
    "classify",
    async () => (await import("../../../keeper/src/cli/commands/classify.js")).classifyCommand,
    ["--source", "--date", "--json"],
  ],
  [
    "backtest",
    async () => (await import("../../../keeper/src/cli/commands/backtest.js")).backtestCommand,
    ["--strategy", "--baselines", "--data"],
  ],
  [
    "train",
    async () => (await import("../../../keeper/src/cli/commands/train.js")).trainCommand,
    ["--out", "--steps", "--seed", "--data"],
  ],
  [
    "research",
    async () => (await import("../../../keeper/src/cli/commands/research.js")).researchCommand,
    ["--data", "--seeds", "--no-ppo", "--fresh"],
  ],
  [
    "run",
    async () => (await import("../../../keeper/src/cli/commands/run.js")).runCommand,
    ["--config", "--market", "--rpc-url", "--data-dir", "--allow-reckless-limits"],
  ],
  [
    "dry-run",
    async () => (await import("../../../keeper/src/cli/commands/dryRun.js")).dryRunCommand,
    ["--config", "--market", "--allow-reckless-limits"],
  ],
  [
    "rebalance",
    async () => (await import("../../../keeper/src/cli/commands/rebalance.js")).rebalanceCommand,
    ["--config", "--market", "--allow-reckless-limits"],
  ],
  [
    "yields",
    async () => (await import("../../../keeper/src/cli/commands/yields.js")).yieldsCommand,
    ["--config", "--lst", "--data", "--reth-rate"],
  ],
  [
    "impact",
    async () => (await import("../../../keeper/src/cli/commands/impact.js")).impactCommand,
    ["--config", "--data-dir", "--fills", "--holdout"],
  ],
  [
    "status",
    async () => (await import("../../../keeper/src/cli/commands/status.js")).statusCommand,
    ["--config", "--data-dir", "--limit"],
  ],
];

describe("cli: --help and strict flags on every command", () => {
  for (const [name, load, flags] of COMMANDS) {
    it(`${name} --help prints its usage with its flags and exits 0`, async () => {
      const command = await load();
      for (const argv of [["--help"], ["-h"]]) {
        const res = await run(command, argv);
        expect(res.code, `${name} ${argv[0]}: ${res.err}`).to.equal(0);
        expect(res.out).to.match(new RegExp(`^usage: ${name} `));
        for (const flag of flags) expect(res.out, flag).to.include(flag);
      }
    });

    it(`${name} refuses an unknown flag with exit 2 and a suggestion`, async () => {
      const command = await load();
      const typo = `${flags[0]}x`;
      const res = await run(command, [typo, "value"]).catch((error: unknown) => ({
        code: -1,
        out: "",
        err: String(error),
      }));
      expect(res.code, res.err).to.equal(2);
      expect(res.err).to.include(`unknown flag ${typo} (did you mean ${flags[0]}?)`);
    });
  }
});

describe("cli entry point", () => {
  it("status on a data directory that does not exist: exit 2, a clear error, nothing created, no warning", async () => {
    const missing = join(mkdtempSync(join(tmpdir(), "ballast-status-")), "typo");
    const res = await spawnCli(["status", "--data-dir", missing]).done;
    expect(res.code, res.stderr).to.equal(2);
    expect(res.stderr).to.include(`status: data directory ${missing} does not exist`);
    expect(res.stdout).not.to.include("killSwitch");
    expect(existsSync(missing)).to.equal(false);
    expect(res.stderr).not.to.include("ExperimentalWarning");
  });

  it("an unknown command names the closest one and exits 2", async () => {
    const res = await spawnCli(["rebalanse"]).done;
    expect(res.code).to.equal(2);
    expect(res.stderr).to.include('unknown command: rebalanse (did you mean "rebalance"?)');
  });

  it("the demo refuses an invalid --port before starting the chain, and exits", async () => {
    for (const port of ["abc", "99999", "-1", "8080.5"]) {
      const res = await spawnEntry("keeper/src/cli/demo.ts", [`--port=${port}`, "--no-serve"], {}, 30_000).done;
      expect(res.signal, `${port}: killed by the test's bound`).to.equal(null);
      expect(res.code, res.stderr).to.equal(2);
      expect(res.stderr).to.include("--port must be an integer between 0 and 65535");
      expect(res.stdout).not.to.include("chain ready");
      expect(res.stderr).not.to.include("ExperimentalWarning");
    }
  });

  it("the demo answers --help", async () => {
    const res = await spawnEntry("keeper/src/cli/demo.ts", ["--help"], {}, 30_000).done;
    expect(res.code, res.stderr).to.equal(0);
    expect(res.stdout).to.match(/^usage: demo /);
    for (const flag of ["--days", "--port", "--no-serve", "--rotation-days", "--impact-recalibration"])
      expect(res.stdout).to.include(flag);
  });
});
