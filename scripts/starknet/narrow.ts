/**
 * Narrows a compile error down when the compiler only says "Compilation failed.".
 *
 * Function bodies type-check independently of each other, so the search runs on bodies:
 *  0. compile without the #[cfg(test)] modules: if that fails, search that smaller source (the
 *     error is in the contract); otherwise only test functions are suspects;
 *  1. stub every body (`panic`); if that still fails, the error is in declarations (signatures,
 *     structs, storage, `use` lines) and the search continues module by module;
 *  2. otherwise bisect the set of real bodies until a single function fails on its own
 *     (about 2 log2(n) compiles);
 *  3. then bisect that function's statements: a prefix compiles until it reaches the bad one.
 *
 * The compiler is injected, so the search itself is tested without wasm-cairo.
 */
import {
  type CairoFunction,
  findFunctions,
  lineAt,
  maskNonCode,
  matchingClose,
  statementEnds,
  stubBodies,
  truncateBody,
  withoutTestModules,
} from "./cairoSource.js";

export type CompileCheck = (source: string) => Promise<boolean>;

export type NarrowResult =
  | { readonly kind: "compiles"; readonly compiles: number }
  | {
      readonly kind: "body";
      readonly fn: string;
      readonly fnLine: number;
      /** 1-based line of the first statement whose addition breaks the build. */
      readonly statementLine: number;
      readonly compiles: number;
    }
  | {
      readonly kind: "declarations";
      /** Innermost inline module whose removal makes the stubbed file compile, if any. */
      readonly module?: string;
      readonly moduleLine?: number;
      readonly compiles: number;
    }
  | { readonly kind: "interaction"; readonly functions: readonly string[]; readonly compiles: number };

interface ModuleSpan {
  readonly path: string;
  readonly start: number;
  readonly end: number;
}

/** Inline modules with their full extent (attributes included), outermost first. */
function moduleSpans(source: string): ModuleSpan[] {
  const masked = maskNonCode(source);
  const spans: ModuleSpan[] = [];
  const stack: { name: string; close: number }[] = [];
  const token = /\bmod\s+([A-Za-z_][A-Za-z0-9_]*)\s*\{/g;
  for (let match = token.exec(masked); match; match = token.exec(masked)) {
    while (stack.length > 0 && (stack[stack.length - 1]?.close ?? 0) < match.index) stack.pop();
    const open = masked.indexOf("{", match.index);
    const close = matchingClose(masked, open);
    // Attributes such as #[cfg(test)] or #[starknet::contract] go with the module.
    let start = match.index;
    const before = masked.slice(0, start);
    const attrs = /((?:#\[[^\]]*\]\s*)*)(?:pub\s+)?$/.exec(before);
    if (attrs) start -= attrs[0].length;
    const name = match[1] ?? "";
    spans.push({ path: [...stack.map((s) => s.name), name].join("::"), start, end: close + 1 });
    stack.push({ name, close });
  }
  return spans;
}

export async function narrowCompileError(
  source: string,
  compiles: CompileCheck,
  log: (line: string) => void = () => {},
): Promise<NarrowResult> {
  let calls = 0;
  const check = async (candidate: string, what: string): Promise<boolean> => {
    calls++;
    const ok = await compiles(candidate);
    log(`  compile #${calls} ${ok ? "ok  " : "FAIL"} ${what}`);
    return ok;
  };

  if (await check(source, "whole file")) return { kind: "compiles", compiles: calls };

  // Work on the contract alone when it is at fault: smaller, faster compiles.
  const contractOnly = withoutTestModules(source);
  const contractFails = contractOnly !== source && !(await check(contractOnly, "without #[cfg(test)] modules"));
  const base = contractFails ? contractOnly : source;
  const fns = findFunctions(base);
  const inTests = (f: CairoFunction): boolean => !findFunctions(contractOnly).some((c) => sameFunction(c, f));
  const allStubbed = stubBodies(base, fns);
  if (!(await check(allStubbed, `all ${fns.length} function bodies stubbed`))) {
    // Declarations: drop modules, innermost first, until the stubbed file compiles.
    const spans = moduleSpans(allStubbed).sort((a, b) => b.path.split("::").length - a.path.split("::").length);
    for (const span of spans) {
      const without = allStubbed.slice(0, span.start) + allStubbed.slice(span.end);
      if (await check(without, `stubbed, without module ${span.path}`)) {
        // Stubbing moved lines: report where the module starts in the file as given.
        const inSource = moduleSpans(source).find((m) => m.path === span.path);
        return {
          kind: "declarations",
          module: span.path,
          moduleLine: inSource ? lineAt(source, inSource.start) : 0,
          compiles: calls,
        };
      }
    }
    return { kind: "declarations", compiles: calls };
  }

  const onlyReal = (real: readonly CairoFunction[]): string =>
    stubBodies(
      base,
      fns.filter((f) => !real.includes(f)),
    );
  // When the contract alone compiles, its bodies are not suspects.
  let suspects: readonly CairoFunction[] = contractFails || contractOnly === source ? fns : fns.filter(inTests);
  while (suspects.length > 1) {
    const half = Math.ceil(suspects.length / 2);
    const first = suspects.slice(0, half);
    const second = suspects.slice(half);
    if (!(await check(onlyReal(first), `${first.length} real bodies from line ${first[0]?.line}`))) {
      suspects = first;
    } else if (!(await check(onlyReal(second), `${second.length} real bodies from line ${second[0]?.line}`))) {
      suspects = second;
    } else {
      return { kind: "interaction", functions: suspects.map(describe), compiles: calls };
    }
  }
  const culprit = suspects[0];
  if (!culprit) return { kind: "declarations", compiles: calls };

  // Bisect statements of the culprit, with every other body stubbed. Prefix 0 compiles (that is
  // the stub); the full body does not.
  const isolated = onlyReal([culprit]);
  // Stub bodies hold no `fn` or `mod`, so functions keep their order (not their lines).
  const culpritInBase = findFunctions(isolated)[fns.indexOf(culprit)];
  // Report lines of the file as given, not of the reduced source.
  const original = findFunctions(source).find((f) => sameFunction(f, culprit)) ?? culprit;
  if (!culpritInBase)
    return {
      kind: "body",
      fn: describe(culprit),
      fnLine: original.line,
      statementLine: original.line,
      compiles: calls,
    };
  const ends = statementEnds(isolated, culpritInBase);
  let good = 0;
  let bad = ends.length + 1;
  while (bad - good > 1) {
    const mid = Math.floor((good + bad) / 2);
    if (await check(truncateBody(isolated, culpritInBase, mid), `${describe(culprit)}: first ${mid} statements`))
      good = mid;
    else bad = mid;
  }
  // Statement `bad` (1-based) is the first that breaks; it starts right after statement bad-1.
  const startOffset = bad === 1 ? culpritInBase.bodyOpen + 1 : (ends[bad - 2] ?? culpritInBase.bodyOpen + 1);
  const masked = maskNonCode(isolated);
  let first = startOffset;
  while (first < culpritInBase.bodyClose && /\s/.test(masked[first] ?? "")) first++;
  return {
    kind: "body",
    fn: describe(culprit),
    fnLine: original.line,
    statementLine: lineAt(isolated, first) - culpritInBase.line + original.line,
    compiles: calls,
  };
}

/** Same function in two versions of a file: same module path, name and signature start. */
function sameFunction(a: CairoFunction, b: CairoFunction): boolean {
  return a.modulePath === b.modulePath && a.name === b.name && a.attributes.join() === b.attributes.join();
}

function describe(fn: CairoFunction): string {
  return fn.modulePath ? `${fn.modulePath}::${fn.name}` : fn.name;
}
