/**
 * Runs the `wasm-cairo` compiler (Cairo 2.8.2 in WebAssembly) in a worker thread, one job per
 * worker. A fresh instance per job matters: a compiler panic traps the WASM instance
 * ("unreachable") and leaves it unusable, and a large compile grows its memory to gigabytes that
 * a long-lived instance would never give back.
 */
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

export type CairoJob =
  | {
      readonly kind: "test";
      readonly source: string;
      readonly filter: string;
      /** Run only the #[ignore]d tests (matching the filter) instead of the others. */
      readonly ignored?: boolean;
    }
  | { readonly kind: "contract"; readonly source: string }
  | { readonly kind: "program"; readonly source: string };

export interface CairoJobResult {
  /** What the compiler returned (test report, Sierra JSON or diagnostics). */
  readonly output: string;
  /** Set when the WASM instance trapped instead of returning. */
  readonly crash?: string;
  /** Size the instance's memory grew to (WASM32 caps it at 4 GiB). */
  readonly memoryBytes?: number;
  readonly wallMs: number;
}

const require = createRequire(import.meta.url);
const WASM_CAIRO_JS = pathToFileURL(require.resolve("wasm-cairo")).href;
const WASM_CAIRO_BIN = require.resolve("wasm-cairo/wasm-cairo_bg.wasm");

// Plain JavaScript on purpose: an `eval` worker does not go through the TypeScript loader.
// wasm-cairo echoes every test report through console.log; the worker silences that so the
// caller decides what to print.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { readFileSync } = require("node:fs");
console.log = () => {};
import(workerData.moduleUrl).then((cairo) => {
  const instance = cairo.initSync({ module: readFileSync(workerData.wasmPath) });
  const job = workerData.job;
  let output;
  if (job.kind === "test") {
    // allow_warnings, filter, include_ignored, ignored, starknet, profiler, gas_disabled, resources
    output = cairo.runTests(job.source, true, job.filter, false, Boolean(job.ignored), true, "", false, false);
  } else if (job.kind === "contract") {
    output = cairo.compileStarknetContract(job.source, true, false);
  } else {
    output = cairo.compileCairoProgram(job.source, false);
  }
  parentPort.postMessage({ output, memoryBytes: instance.memory.buffer.byteLength });
}).catch((error) => {
  parentPort.postMessage({ crash: String(error && error.stack ? error.stack : error) });
});
`;

/** Runs one compiler job in a fresh worker. Never rejects for compiler failures. */
export function runCairoJob(job: CairoJob): Promise<CairoJobResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { job, moduleUrl: WASM_CAIRO_JS, wasmPath: WASM_CAIRO_BIN },
    });
    let settled = false;
    worker.once("message", (message: { output?: string; crash?: string; memoryBytes?: number }) => {
      settled = true;
      const wallMs = performance.now() - started;
      resolve(
        message.crash === undefined
          ? {
              output: message.output ?? "",
              wallMs,
              ...(message.memoryBytes ? { memoryBytes: message.memoryBytes } : {}),
            }
          : { output: "", crash: message.crash, wallMs },
      );
      void worker.terminate();
    });
    worker.once("error", (error) => {
      if (settled) return;
      settled = true;
      resolve({ output: "", crash: String(error), wallMs: performance.now() - started });
    });
    worker.once("exit", (code) => {
      if (!settled) reject(new Error(`wasm-cairo worker exited with code ${code} before answering`));
    });
  });
}

/** Same compiler output string wasm-cairo returns for any compile error, without diagnostics. */
export const COMPILATION_FAILED = "Compilation failed.";
