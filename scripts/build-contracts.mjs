// `hardhat build --quiet` for the npm scripts that need compiled contracts (demo, keeper, lint),
// with a line first saying what it is doing: on a fresh clone the build compiles for minutes
// and --quiet prints nothing, which looks like a hang. Messages go to stderr so a command's
// stdout (JSON from `keeper status`, for one) stays clean. Exits with hardhat's exit code.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const fresh = !existsSync("artifacts/contracts");
console.error(
  fresh
    ? "contracts: first build, compiling the Solidity sources (this takes a few minutes once)..."
    : "contracts: checking the build (recompiles only what changed)...",
);
const started = Date.now();
const result = spawnSync("hardhat", ["build", "--quiet"], { stdio: "inherit" });
if (result.error) {
  console.error(
    `contracts: cannot run hardhat (${result.error.message}); run it through npm so node_modules/.bin is on PATH`,
  );
  process.exit(1);
}
const seconds = (Date.now() - started) / 1000;
if (result.status !== 0) {
  console.error(`contracts: build failed after ${seconds.toFixed(1)} s`);
  process.exit(result.status ?? 1);
}
if (fresh || seconds > 5) console.error(`contracts: built in ${seconds.toFixed(1)} s`);
