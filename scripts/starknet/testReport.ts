/**
 * Parses what wasm-cairo's `runTests` returns. Two shapes exist: when every test passes it lists
 * each test ("test astro::tests::x ... ok (gas usage est.: 123)") before the summary; when any
 * test fails it returns the summary line alone, so failing names must be found by re-running
 * with a filter. A compile error is the bare string "Compilation failed."; anything else is the
 * runner's own error message.
 */
import { COMPILATION_FAILED } from "./wasmCairo.js";

export interface CairoTestLine {
  readonly name: string;
  readonly status: "ok" | "fail" | "ignored";
  readonly gas?: number;
}

export type CairoTestReport =
  | { readonly kind: "compile-error" }
  /** The runner failed before reporting (e.g. "Memory loading failed during state initialization"). */
  | { readonly kind: "runner-error"; readonly message: string }
  | {
      readonly kind: "ran";
      readonly passed: number;
      readonly failed: number;
      readonly ignored: number;
      readonly filteredOut: number;
      readonly tests: readonly CairoTestLine[];
    };

const SUMMARY = /test result: (?:ok|FAILED)\. (\d+) passed; (\d+) failed; (\d+) ignored(?:; (\d+) filtered out)?/;
const TEST_LINE = /^test (\S+) \.\.\. (ok|fail|FAIL|ignored)(?: \(gas usage est\.: (\d+)\))?/;

export function parseCairoTestOutput(output: string): CairoTestReport {
  const text = output.trim();
  if (text.startsWith(COMPILATION_FAILED)) return { kind: "compile-error" };
  const summary = SUMMARY.exec(text);
  if (!summary) return { kind: "runner-error", message: text.split("\n")[0]?.slice(0, 300) ?? "" };
  const tests: CairoTestLine[] = [];
  for (const line of text.split("\n")) {
    const match = TEST_LINE.exec(line.trim());
    if (!match) continue;
    const [, name = "", status = "ok", gas] = match;
    const normalised = status.toLowerCase() === "fail" ? "fail" : status === "ignored" ? "ignored" : "ok";
    tests.push(gas === undefined ? { name, status: normalised } : { name, status: normalised, gas: Number(gas) });
  }
  return {
    kind: "ran",
    passed: Number(summary[1]),
    failed: Number(summary[2]),
    ignored: Number(summary[3]),
    filteredOut: Number(summary[4] ?? 0),
    tests,
  };
}
