/**
 * Just enough Cairo lexing to cut a source file into functions and statements without a
 * compiler: comments and string literals are masked out, then braces are matched. Used by the
 * compile-error narrowing helper (which stubs function bodies) and by the test runner (which
 * lists `#[test]` functions to re-run them by name).
 */

export interface CairoFunction {
  readonly name: string;
  /** `::`-joined path of the enclosing inline modules, e.g. `tests::erc4626`. */
  readonly modulePath: string;
  readonly attributes: readonly string[];
  /** Offset where the declaration starts (its first attribute, else `pub`/`fn`). */
  readonly declStart: number;
  /** Offset of the `{` opening the body and of its matching `}`. */
  readonly bodyOpen: number;
  readonly bodyClose: number;
  /** 1-based line of the `fn` keyword. */
  readonly line: number;
}

/**
 * Same length as `source`, with comments and string/short-string literals replaced by spaces
 * (newlines kept), so braces and keywords inside them are never seen.
 */
export function maskNonCode(source: string): string {
  const out = source.split("");
  let i = 0;
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to; k++) if (out[k] !== "\n") out[k] = " ";
  };
  while (i < source.length) {
    const c = source[i];
    if (c === "/" && source[i + 1] === "/") {
      const end = source.indexOf("\n", i);
      const stop = end === -1 ? source.length : end;
      blank(i, stop);
      i = stop;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < source.length && source[j] !== c) j += source[j] === "\\" ? 2 : 1;
      blank(i + 1, Math.min(j, source.length));
      i = j + 1;
    } else {
      i++;
    }
  }
  return out.join("");
}

/** Offset of the bracket closing the one at `open` (which must be `{`, `(` or `[`). */
export function matchingClose(masked: string, open: number): number {
  let depth = 0;
  for (let i = open; i < masked.length; i++) {
    const c = masked[i];
    if (c === "{" || c === "(" || c === "[") depth++;
    else if (c === "}" || c === ")" || c === "]") {
      depth--;
      if (depth === 0) return i;
    }
  }
  throw new Error(`unbalanced bracket at offset ${open}`);
}

function lineOf(source: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (source.charCodeAt(i) === 10) line++;
  return line;
}

/** Attributes (`#[...]`) written right before offset `fnStart`, and where they start. */
function attributesBefore(masked: string, source: string, fnStart: number): { attributes: string[]; start: number } {
  const attributes: string[] = [];
  let i = fnStart;
  const done = () => ({ attributes: attributes.reverse(), start: i });
  for (;;) {
    let j = i - 1;
    while (j >= 0 && /\s/.test(masked[j] ?? "")) j--;
    // Skip a `pub` visibility keyword.
    if (masked.slice(j - 2, j + 1) === "pub" && !/\w/.test(masked[j - 3] ?? "")) {
      i = j - 2;
      continue;
    }
    if (masked[j] !== "]") return done();
    let depth = 0;
    let k = j;
    for (; k >= 0; k--) {
      if (masked[k] === "]") depth++;
      else if (masked[k] === "[") {
        depth--;
        if (depth === 0) break;
      }
    }
    if (masked[k - 1] !== "#") return done();
    attributes.push(source.slice(k - 1, j + 1));
    i = k - 1;
  }
}

/** Every function with a body, in source order (trait declarations ending in `;` are skipped). */
export function findFunctions(source: string): CairoFunction[] {
  const masked = maskNonCode(source);
  const modules: { name: string; close: number }[] = [];
  const functions: CairoFunction[] = [];
  const token = /\b(mod|fn)\s+([A-Za-z_][A-Za-z0-9_]*)/g;
  for (let match = token.exec(masked); match; match = token.exec(masked)) {
    const start = match.index;
    while (modules.length > 0 && (modules[modules.length - 1]?.close ?? 0) < start) modules.pop();
    const [, keyword, name = ""] = match;
    let k = token.lastIndex;
    // A signature never holds `{` or `;` outside its parentheses, so the first one ends it.
    let parens = 0;
    while (k < masked.length) {
      const c = masked[k];
      if (c === "(") parens++;
      else if (c === ")") parens--;
      else if (parens === 0 && (c === "{" || c === ";")) break;
      k++;
    }
    if (masked[k] !== "{") continue;
    const close = matchingClose(masked, k);
    if (keyword === "mod") {
      modules.push({ name, close });
      continue;
    }
    const { attributes, start: declStart } = attributesBefore(masked, source, start);
    functions.push({
      name,
      modulePath: modules.map((m) => m.name).join("::"),
      attributes,
      declStart,
      bodyOpen: k,
      bodyClose: close,
      line: lineOf(source, start),
    });
    // Nested functions do not exist in Cairo: continue after this body.
    token.lastIndex = close;
  }
  return functions;
}

export function isTest(fn: CairoFunction): boolean {
  return fn.attributes.some((a) => /^#\[\s*test\s*\]$/.test(a));
}

export function isIgnored(fn: CairoFunction): boolean {
  return fn.attributes.some((a) => /^#\[\s*ignore\s*\]$/.test(a));
}

/** The source without the given functions (attributes included). */
export function removeFunctions(source: string, fns: readonly CairoFunction[]): string {
  const sorted = [...fns].sort((a, b) => b.declStart - a.declStart);
  let out = source;
  for (const fn of sorted) out = out.slice(0, fn.declStart) + out.slice(fn.bodyClose + 1);
  return out;
}

/**
 * Comment that marks an inline module as too slow for the default wasm-cairo run (it is put on
 * the line(s) right before `mod`). The default run compiles the file without such modules.
 */
export const SLOW_MODULE_MARKER = "// wasm-cairo: slow";

/** The source without every module preceded by SLOW_MODULE_MARKER (marker comment included). */
export function removeSlowModules(source: string): string {
  let out = source;
  for (let at = out.indexOf(SLOW_MODULE_MARKER); at !== -1; at = out.indexOf(SLOW_MODULE_MARKER)) {
    const masked = maskNonCode(out);
    const mod = /\bmod\s+[A-Za-z_][A-Za-z0-9_]*\s*\{/g;
    mod.lastIndex = at;
    const match = mod.exec(masked);
    if (!match) throw new Error(`"${SLOW_MODULE_MARKER}" is not followed by a module`);
    const close = matchingClose(masked, masked.indexOf("{", match.index));
    out = out.slice(0, at) + out.slice(close + 1);
  }
  return out;
}

/**
 * The source without its `#[cfg(test)]` modules: what a contract build compiles. Its hash tells
 * whether the committed ABI is stale, without rebuilding for test-only edits.
 */
export function withoutTestModules(source: string): string {
  let out = source;
  for (;;) {
    const masked = maskNonCode(out);
    const match = /#\[cfg\(test\)\]\s*(?:pub\s+)?mod\s+[A-Za-z_][A-Za-z0-9_]*\s*\{/.exec(masked);
    if (!match) return out;
    const close = matchingClose(masked, masked.indexOf("{", match.index));
    out = out.slice(0, match.index) + out.slice(close + 1);
  }
}

/** The body that replaces a stubbed one: `never` coerces to any return type. */
export const STUB_BODY = "{ core::panic_with_felt252('stubbed') }";

/** Replaces the bodies of `fns` (functions of `source`) with a panic. */
export function stubBodies(source: string, fns: readonly CairoFunction[]): string {
  const sorted = [...fns].sort((a, b) => b.bodyOpen - a.bodyOpen);
  let out = source;
  for (const fn of sorted) out = out.slice(0, fn.bodyOpen) + STUB_BODY + out.slice(fn.bodyClose + 1);
  return out;
}

/**
 * Offsets just after each top-level statement of a body: after a `;`, or after a `}` that ends a
 * block statement (`if`/`loop`/`for`/`match` ...) when no `else` or method call follows.
 */
export function statementEnds(source: string, fn: CairoFunction): number[] {
  const masked = maskNonCode(source);
  const ends: number[] = [];
  let depth = 0;
  for (let i = fn.bodyOpen + 1; i < fn.bodyClose; i++) {
    const c = masked[i];
    if (c === "{" || c === "(" || c === "[") depth++;
    else if (c === "}" || c === ")" || c === "]") {
      depth--;
      if (depth === 0 && c === "}") {
        const rest = masked.slice(i + 1, fn.bodyClose).trimStart();
        if (rest.length > 0 && !/^(else\b|[.?;,)])/.test(rest)) ends.push(i + 1);
      }
    } else if (c === ";" && depth === 0) ends.push(i + 1);
  }
  return ends;
}

/** The function's body cut after its first `count` statements, then a panic. */
export function truncateBody(source: string, fn: CairoFunction, count: number): string {
  const ends = statementEnds(source, fn);
  const cut = count === 0 ? fn.bodyOpen + 1 : (ends[count - 1] ?? fn.bodyClose);
  return `${source.slice(0, cut)}\n core::panic_with_felt252('stubbed')\n${source.slice(fn.bodyClose)}`;
}

export function lineAt(source: string, offset: number): number {
  return lineOf(source, offset);
}
