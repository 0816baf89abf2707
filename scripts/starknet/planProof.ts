/**
 * The offline proof of issue #17: the keeper's plan for a given vault state, executed against
 * the compiled Cairo vault (wasm-cairo), reaches its targets.
 *
 *   tsx scripts/starknet/planProof.ts [--write-only]
 *
 * It plans with the keeper's `planSwaps` for a fixed vault state (100 WETH deposited, 30
 * wstETH and 10 rETH already held; the oracle asks for 20% WETH, 25% wstETH, 55% rETH), writes
 * that plan as one Cairo test (planProofSource.ts) to starknet/target/keeper_plan_proof.cairo,
 * compiles and runs it in a fresh wasm-cairo instance, and exits 1 unless it passed. One compile
 * and one test: .ci/cairo-e2e.sh runs it after the end-to-end tests.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { findFunctions, isTest, removeFunctions } from "./cairoSource.js";
import { PROOF_MODULE, PROOF_STATE, PROOF_TEST, planForProof, proofModule, proofSource } from "./planProofSource.js";
import { parseCairoTestOutput } from "./testReport.js";
import { runCairoJob } from "./wasmCairo.js";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { "write-only": { type: "boolean", default: false }, help: { type: "boolean" } },
  });
  if (values.help) {
    console.log(
      "usage: tsx scripts/starknet/planProof.ts [--write-only]\n  Runs the keeper's Starknet plan against the compiled Cairo vault (wasm-cairo).",
    );
    return 0;
  }
  const plan = planForProof(PROOF_STATE);
  const vault = readFileSync(resolve(REPO, "starknet/src/lst_vault.cairo"), "utf8");
  const source = proofSource(vault, proofModule(PROOF_STATE, plan), (s) =>
    removeFunctions(s, findFunctions(s).filter(isTest)),
  );
  const out = resolve(REPO, "starknet/target/keeper_plan_proof.cairo");
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, source);
  console.log(
    `Plan: ${plan.swaps.length} swaps, NAV ${plan.navBefore} wei, predicted bps ${plan.predictedBps.join("/")}`,
  );
  for (const s of plan.swaps) console.log(`  ${s.side} slot ${s.slot}: ${s.amountIn} in, min out ${s.minOut}`);
  console.log(`Generated test: starknet/target/keeper_plan_proof.cairo`);
  if (values["write-only"]) return 0;
  const cpu = process.cpuUsage();
  const run = await runCairoJob({ kind: "test", source, filter: `tests::${PROOF_MODULE}::${PROOF_TEST}` });
  const used = process.cpuUsage(cpu);
  const memory = run.memoryBytes === undefined ? "" : `, WASM memory ${(run.memoryBytes / 2 ** 30).toFixed(2)} GiB`;
  console.log(
    `Compile + run: ${(run.wallMs / 1000).toFixed(1)} s wall, ${((used.user + used.system) / 1e6).toFixed(1)} s CPU (${cpus().length} cores)${memory}`,
  );
  if (run.crash !== undefined) {
    console.error(`wasm-cairo crashed: ${run.crash.split("\n")[0]}`);
    return 1;
  }
  const report = parseCairoTestOutput(run.output);
  if (report.kind !== "ran") {
    console.error(`Cairo proof did not run (${report.kind}): ${run.output.trim().slice(0, 400)}`);
    return 1;
  }
  const ok = report.passed === 1 && report.failed === 0;
  console.log(`${ok ? "ok  " : "FAIL"}  tests::${PROOF_MODULE}::${PROOF_TEST}`);
  return ok ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
