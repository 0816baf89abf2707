/**
 * Cairo toolchain of the Starknet vault, on wasm-cairo (Cairo 2.8.2 in WebAssembly), so neither
 * Scarb nor snforge is needed:
 *
 *   tsx scripts/starknet/cairo.ts build    Sierra class -> starknet/target/, ABI and build record
 *                                          -> starknet/abi/ (committed, read by the keeper)
 *        [--check]                         compare with the committed ABI and build record instead
 *                                          of writing them; exit 1 when they are stale
 *   tsx scripts/starknet/cairo.ts test     every Cairo #[test] (one fresh instance per test module);
 *                                          last line "Cairo: N passed, N failed"; exit 1 on a
 *                                          failure or a compile error
 *        [--filter <substring>]            only tests whose path contains it
 *        [--explain]                       on failure, re-run by module then by test to name the
 *                                          failing ones (wasm-cairo reports only counts)
 *        [--include-ignored]               also run the slow #[ignore] end-to-end tests, each in a
 *                                          fresh instance (one compile each)
 *   tsx scripts/starknet/cairo.ts narrow   locate a compile error (wasm-cairo prints no diagnostics)
 *
 * Every command takes [--source <file>] (default starknet/src/lst_vault.cairo).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { hash } from "starknet";
import {
  type CairoFunction,
  findFunctions,
  isIgnored,
  isTest,
  removeFunctions,
  removeSlowModules,
  withoutTestModules,
} from "./cairoSource.js";
import { narrowCompileError } from "./narrow.js";
import { type CairoTestReport, parseCairoTestOutput } from "./testReport.js";
import { COMPILATION_FAILED, runCairoJob } from "./wasmCairo.js";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const DEFAULT_SOURCE = resolve(REPO, "starknet/src/lst_vault.cairo");
const TARGET_DIR = resolve(REPO, "starknet/target");
const ABI_DIR = resolve(REPO, "starknet/abi");
export const COMPILER = "wasm-cairo 0.10.2 (Cairo 2.8.2)";
/** A filter no test name contains: runTests then only compiles. */
const NO_TEST = "__compile_only__";

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

function timing(wallMs: number, since: NodeJS.CpuUsage): string {
  return `${(wallMs / 1000).toFixed(1)} s wall, ${cpuSeconds(since).toFixed(1)} s CPU (${cpus().length} cores, load ${loadNote()})`;
}

function loadNote(): string {
  try {
    return readFileSync("/proc/loadavg", "utf8").split(" ")[0] ?? "?";
  } catch {
    return "?";
  }
}

/** How close a run came to the 4 GiB WASM32 ceiling, where wasm-cairo traps. */
function memoryNote(bytes: number | undefined): string {
  return bytes === undefined ? "" : `; WASM memory ${(bytes / 2 ** 30).toFixed(2)} of 4 GiB`;
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * Compiles the contract to its Sierra class in starknet/target/. Without `check`, also writes the
 * committed ABI and build record; with `check`, compares them instead and fails when they are stale
 * (what `npm test` runs, so a contract edit without `npm run cairo:build` cannot land).
 */
async function build(sourcePath: string, check: boolean): Promise<number> {
  const source = readFileSync(sourcePath, "utf8");
  const cpu = process.cpuUsage();
  const result = await runCairoJob({ kind: "contract", source });
  if (result.crash !== undefined || result.output.trim().startsWith(COMPILATION_FAILED)) {
    console.error(result.crash ?? result.output.trim());
    console.error("Build failed; run `npm run cairo:narrow` to locate the error.");
    return 1;
  }
  const sierra: unknown = JSON.parse(result.output);
  if (typeof sierra !== "object" || sierra === null || !("abi" in sierra) || !Array.isArray(sierra.abi)) {
    console.error("wasm-cairo returned a contract class without an ABI");
    return 1;
  }
  const classHash = hash.computeSierraContractClassHash(
    sierra as Parameters<typeof hash.computeSierraContractClassHash>[0],
  );
  mkdirSync(TARGET_DIR, { recursive: true });
  const artifact = resolve(TARGET_DIR, "lst_vault.contract_class.json");
  writeFileSync(artifact, result.output);
  const record = {
    source: relative(REPO, sourcePath),
    /** Hash of the source without its #[cfg(test)] modules: test edits do not stale the ABI. */
    contractSourceSha256: sha256(withoutTestModules(source)),
    compiler: COMPILER,
    classHash,
    abiEntries: sierra.abi.length,
  };
  const outputs = {
    "lst_vault.abi.json": `${JSON.stringify(sierra.abi, null, 2)}\n`,
    "lst_vault.build.json": `${JSON.stringify(record, null, 2)}\n`,
  };
  console.log(`Sierra class: ${relative(REPO, artifact)} (${(result.output.length / 1e6).toFixed(2)} MB)`);
  if (check) {
    const stale = Object.entries(outputs).filter(([name, text]) => {
      const path = resolve(ABI_DIR, name);
      return !existsSync(path) || readFileSync(path, "utf8") !== text;
    });
    for (const [name] of stale)
      console.error(`starknet/abi/${name} is stale: run \`npm run cairo:build\` and commit it`);
    console.log(`Compile: ${timing(result.wallMs, cpu)}`);
    if (stale.length > 0) return 1;
    console.log(`Committed ABI and build record match the source (class hash ${classHash})`);
    return 0;
  }
  mkdirSync(ABI_DIR, { recursive: true });
  for (const [name, text] of Object.entries(outputs)) writeFileSync(resolve(ABI_DIR, name), text);
  console.log(`ABI: starknet/abi/lst_vault.abi.json (${sierra.abi.length} entries), class hash ${classHash}`);
  console.log(`Compile: ${timing(result.wallMs, cpu)}`);
  return 0;
}

function printReport(report: CairoTestReport): void {
  if (report.kind !== "ran") return;
  for (const test of report.tests) {
    const gas = test.gas === undefined ? "" : `  (gas ~${test.gas.toLocaleString("en-US")})`;
    console.log(`  ${test.status === "ok" ? "ok  " : test.status.toUpperCase()}  ${test.name}${gas}`);
  }
}

/** Re-runs failing groups by module, then by test, to name what wasm-cairo only counted. */
async function explainFailures(source: string): Promise<string[]> {
  const tests = findFunctions(source).filter(isTest);
  const modules = [...new Set(tests.map((t) => t.modulePath))];
  const failing: string[] = [];
  for (const module of modules) {
    const moduleReport = parseCairoTestOutput(
      (await runCairoJob({ kind: "test", source, filter: `${module}::` })).output,
    );
    if (moduleReport.kind !== "ran" || moduleReport.failed === 0) continue;
    for (const test of tests.filter((t) => t.modulePath === module)) {
      const path = `${module}::${test.name}`;
      const report = parseCairoTestOutput((await runCairoJob({ kind: "test", source, filter: path })).output);
      if (report.kind === "ran" && report.failed > 0) {
        failing.push(path);
        console.log(`  FAIL  ${path}  (line ${test.line})`);
      }
    }
  }
  return failing;
}

interface RunCounts {
  readonly passed: number;
  readonly failed: number;
}

/** One runTests call on `source`; undefined (after printing why) when nothing could run. */
async function runSuite(source: string, filter: string, explain: boolean): Promise<RunCounts | undefined> {
  const cpu = process.cpuUsage();
  const result = await runCairoJob({ kind: "test", source, filter });
  if (result.crash !== undefined) {
    console.error(`wasm-cairo crashed: ${result.crash.split("\n")[0]}`);
    return undefined;
  }
  const report = parseCairoTestOutput(result.output);
  if (report.kind === "compile-error") {
    console.error("Compilation failed; run `npm run cairo:narrow` to locate the error.");
    return undefined;
  }
  if (report.kind === "runner-error") {
    console.error(`wasm-cairo could not run the tests: ${report.message}`);
    return undefined;
  }
  printReport(report);
  console.log(`Compile + run: ${timing(result.wallMs, cpu)}${memoryNote(result.memoryBytes)}`);
  if (report.failed > 0) {
    if (explain) await explainFailures(source);
    else console.log("wasm-cairo does not name failing tests: re-run with --explain (one compile per module).");
  }
  return { passed: report.passed, failed: report.failed };
}

interface AloneRun {
  readonly ok: boolean;
  readonly memoryBytes?: number;
}

/** Each slow test alone in a fresh instance: memory its contract calls take is never returned. */
async function runIgnoredAlone(source: string, test: CairoFunction): Promise<AloneRun> {
  const path = `${test.modulePath}::${test.name}`;
  const cpu = process.cpuUsage();
  const others = findFunctions(source).filter(
    (f) => isTest(f) && !(f.name === test.name && f.modulePath === test.modulePath),
  );
  const run = await runCairoJob({ kind: "test", source: removeFunctions(source, others), filter: path, ignored: true });
  const report = run.crash === undefined ? parseCairoTestOutput(run.output) : undefined;
  const ok = report?.kind === "ran" && report.passed === 1 && report.failed === 0;
  const why = run.crash !== undefined ? ", crashed" : report?.kind === "runner-error" ? `, ${report.message}` : "";
  console.log(`  ${ok ? "ok  " : "FAIL"}  ${path}  (${timing(run.wallMs, cpu)}${memoryNote(run.memoryBytes)}${why})`);
  return run.memoryBytes === undefined ? { ok } : { ok, memoryBytes: run.memoryBytes };
}

async function test(sourcePath: string, filter: string, explain: boolean, includeIgnored: boolean): Promise<number> {
  const source = readFileSync(sourcePath, "utf8");
  const declared = findFunctions(source).filter(isTest);
  const ignored = declared.filter(isIgnored).filter((t) => `${t.modulePath}::${t.name}`.includes(filter));
  console.log(
    `Cairo tests: ${relative(REPO, sourcePath)} (${declared.length} #[test] functions, ${declared.filter(isIgnored).length} ignored), ${COMPILER}`,
  );
  // Every contract call reloads the whole program and the WASM allocator never gives memory back,
  // so one instance can only afford so many calls ("Memory loading failed ... Vector capacity
  // exceeded" past that). Each run therefore compiles only what it runs: the default run drops
  // the slow modules and the #[ignore] tests and runs one test module per fresh instance; each
  // #[ignore] test then runs alone, with the other tests removed.
  const fast = removeSlowModules(source);
  const defaultSource = removeFunctions(
    fast,
    findFunctions(fast).filter((f) => isTest(f) && isIgnored(f)),
  );
  const defaultTests = findFunctions(defaultSource).filter(isTest);
  const selected = defaultTests.filter((t) => `${t.modulePath}::${t.name}`.includes(filter));
  let passed = 0;
  let failed = 0;
  for (const module of [...new Set(selected.map((t) => t.modulePath))]) {
    console.log(`${module}:`);
    const moduleSource = removeFunctions(
      defaultSource,
      defaultTests.filter((t) => t.modulePath !== module),
    );
    const counts = await runSuite(moduleSource, filter, explain);
    if (!counts) {
      console.log(`Cairo: ${passed} passed, ${failed} failed (${module} did not run)`);
      return 1;
    }
    passed += counts.passed;
    failed += counts.failed;
  }
  if (selected.length === 0 && (!includeIgnored || ignored.length === 0)) {
    // A filter that matches nothing must not pass silently (CI would run no test at all).
    console.error(
      `No Cairo test matches the filter "${filter}"${includeIgnored ? "" : " (without --include-ignored)"}`,
    );
    return 1;
  }
  if (includeIgnored) {
    const started = performance.now();
    let peak: { bytes: number; test: string } | undefined;
    for (const t of ignored) {
      const run = await runIgnoredAlone(source, t);
      if (run.ok) passed++;
      else failed++;
      if (run.memoryBytes !== undefined && (peak === undefined || run.memoryBytes > peak.bytes))
        peak = { bytes: run.memoryBytes, test: t.name };
    }
    const peakNote = peak === undefined ? "" : `, peak${memoryNote(peak.bytes).slice(1)} (${peak.test})`;
    console.log(
      `Ignored tests: ${ignored.length} in ${((performance.now() - started) / 1000).toFixed(0)} s wall${peakNote}`,
    );
  }
  console.log(`Cairo: ${passed} passed, ${failed} failed`);
  const expected = selected.length + (includeIgnored ? ignored.length : 0);
  return failed > 0 || passed !== expected ? 1 : 0;
}

async function narrow(sourcePath: string): Promise<number> {
  const source = readFileSync(sourcePath, "utf8");
  const cpu = process.cpuUsage();
  const started = performance.now();
  const compiles = async (candidate: string): Promise<boolean> => {
    const result = await runCairoJob({ kind: "test", source: candidate, filter: NO_TEST });
    if (result.crash !== undefined) return false;
    return !result.output.trim().startsWith(COMPILATION_FAILED);
  };
  const result = await narrowCompileError(source, compiles, (line) => console.log(line));
  const where = relative(REPO, sourcePath);
  switch (result.kind) {
    case "compiles":
      console.log(`${where} compiles.`);
      break;
    case "body":
      console.log(
        `Error in ${result.fn} (${where}:${result.fnLine}), at the statement on line ${result.statementLine}.`,
      );
      break;
    case "declarations":
      console.log(
        result.module === undefined
          ? "Error outside function bodies, not isolated to one module."
          : `Error outside function bodies, in module ${result.module} (${where}:${result.moduleLine}).`,
      );
      break;
    case "interaction":
      console.log(`Bodies fail only together: ${result.functions.join(", ")}`);
      break;
  }
  console.log(`${result.compiles} compiles, ${timing(performance.now() - started, cpu)}`);
  return result.kind === "compiles" ? 0 : 1;
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      source: { type: "string" },
      filter: { type: "string", default: "" },
      explain: { type: "boolean", default: false },
      "include-ignored": { type: "boolean", default: false },
      check: { type: "boolean", default: false },
    },
  });
  const sourcePath = resolve(values.source ?? DEFAULT_SOURCE);
  switch (positionals[0]) {
    case "build":
      return build(sourcePath, values.check);
    case "test":
      return test(sourcePath, values.filter, values.explain, values["include-ignored"]);
    case "narrow":
      return narrow(sourcePath);
    default:
      console.error(
        "usage: cairo.ts build [--check]|test|narrow [--source file] [--filter s] [--explain] [--include-ignored]",
      );
      return 2;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
