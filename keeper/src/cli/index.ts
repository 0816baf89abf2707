/**
 * `npm run keeper -- <command> [flags]`: the keeper's command line. Each command lives in
 * `commands/<name>.ts` and is loaded only when used, so a command never pays for another's
 * dependencies (TensorFlow.js, Hardhat, ...). Every command answers `--help`; exit codes are
 * in exitCodes.ts (and docs/operator.md).
 */
import "./quietWarnings.js";
import { redactUrlsIn } from "../config/redactUrl.js";
import { didYouMean } from "../config/suggest.js";
import { EXIT } from "./exitCodes.js";
import { exitWith } from "./shutdown.js";

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Readonly<Record<string, { summary: string; load: () => Promise<Command> }>> = {
  classify: {
    summary: "print the token universe at a date (synthetic, CSV or shared data)",
    load: async () => (await import("./commands/classify.js")).classifyCommand,
  },
  backtest: {
    summary: "backtest a strategy with full costs and write JSON/HTML reports",
    load: async () => (await import("./commands/backtest.js")).backtestCommand,
  },
  train: {
    summary: "train the PPO agent and save it",
    load: async () => (await import("./commands/train.js")).trainCommand,
  },
  research: {
    summary: "classify -> train -> select on validation -> score once on test; report",
    load: async () => (await import("./commands/research.js")).researchCommand,
  },
  run: {
    summary: "run the keeper on its schedule",
    load: async () => (await import("./commands/run.js")).runCommand,
  },
  "dry-run": {
    summary: "run one cycle up to simulation and signing, without submitting",
    load: async () => (await import("./commands/dryRun.js")).dryRunCommand,
  },
  status: {
    summary: "print the keeper's persisted status and last cycles",
    load: async () => (await import("./commands/status.js")).statusCommand,
  },
  rebalance: {
    summary: "run one rebalance cycle now",
    load: async () => (await import("./commands/rebalance.js")).rebalanceCommand,
  },
  yields: {
    summary: "collect DefiLlama yields (filters, adjusted APYs, history); --lst: the LST index study",
    load: async () => (await import("./commands/yields.js")).yieldsCommand,
  },
  impact: {
    summary: "refit the impact model per pool from the keeper's realised fills (reads the store)",
    load: async () => (await import("./commands/impact.js")).impactCommand,
  },
  release: {
    summary: "show or verify a research release folder",
    load: async () => (await import("./commands/release.js")).releaseCommand,
  },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: npm run keeper -- <command> [flags]\n\ncommands:\n${lines.join("\n")}`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h") {
    console.log(usage());
    return name ? EXIT.OK : EXIT.USAGE;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`unknown command: ${name}${didYouMean(name, Object.keys(COMMANDS))}\n\n${usage()}`);
    return EXIT.USAGE;
  }
  return (await command.load())(rest);
}

main(process.argv.slice(2)).then(
  (code) => exitWith(code),
  (error: unknown) => {
    // An unexpected error's text (an ethers error quotes its request URL) is redacted too.
    console.error(redactUrlsIn(error instanceof Error ? `${error.name}: ${error.message}` : String(error)));
    exitWith(EXIT.FAILURE);
  },
);
