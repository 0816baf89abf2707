// `hardhat build --quiet` for the npm scripts that need compiled contracts (demo, keeper, lint),
// with a line first saying what it is doing and, while a long build runs, a line every 30 s:
// on a fresh clone the build compiles for minutes and --quiet prints nothing, which looks like a
// hang. Messages go to stderr so a command's stdout (JSON from `keeper status`, for one) stays
// clean. Exits with hardhat's exit code.
//
// The project's own node_modules/.bin goes first on the child's PATH, so the script also works
// when run as `node scripts/build-contracts.mjs` outside npm (Hardhat 3 needs the Node 22 the
// project installs, not whatever `node` the shell finds first).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "node_modules", ".bin");
const env = { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ""}` };
const fresh = !existsSync(join(root, "artifacts", "contracts"));
console.error(
  fresh
    ? "contracts: first build, compiling the Solidity sources (this takes a few minutes once)..."
    : "contracts: checking the build (recompiles only what changed)...",
);
const started = Date.now();
const elapsed = () => ((Date.now() - started) / 1000).toFixed(1);
const child = spawn("hardhat", ["build", "--quiet"], { stdio: "inherit", cwd: root, env });
const heartbeat = setInterval(() => console.error(`contracts: still compiling (${elapsed()} s)...`), 30_000);
child.on("error", (error) => {
  clearInterval(heartbeat);
  console.error(`contracts: cannot run hardhat (${error.message}); run \`npm install\` first`);
  process.exit(1);
});
child.on("exit", (code, signal) => {
  clearInterval(heartbeat);
  if (code !== 0) {
    console.error(`contracts: build failed after ${elapsed()} s${signal ? ` (${signal})` : ""}`);
    process.exit(code ?? 1);
  }
  if (fresh || Date.now() - started > 5000) console.error(`contracts: built in ${elapsed()} s`);
});
