import { readFileSync } from "node:fs";
import { expect } from "chai";
import {
  findFunctions,
  isIgnored,
  isTest,
  maskNonCode,
  removeFunctions,
  removeSlowModules,
  STUB_BODY,
  statementEnds,
  stubBodies,
  truncateBody,
  withoutTestModules,
} from "../../../scripts/starknet/cairoSource.js";
import { narrowCompileError } from "../../../scripts/starknet/narrow.js";
import { parseCairoTestOutput } from "../../../scripts/starknet/testReport.js";

const SAMPLE = `// a comment with fn fake() { and a brace
use starknet::ContractAddress;

#[starknet::interface]
pub trait ICounter<T> {
    fn get(self: @T) -> u256;
}

pub mod math {
    pub fn double(x: u256) -> u256 {
        let two: u256 = 2;
        let text: ByteArray = "not } a brace";
        x * two
    }

    pub fn pick(flag: bool) -> felt252 {
        let mut out = 'a}';
        if flag {
            out = 'b';
        } else {
            out = 'c';
        }
        out
    }
}

#[cfg(test)]
mod tests {
    mod group {
        #[test]
        #[should_panic(expected: ('boom',))]
        fn explodes() {
            core::panic_with_felt252('boom');
        }

        fn helper() -> u8 {
            1
        }
    }
}
`;

/** A fake compiler: fails while any source line contains one of `broken`. */
function fakeCompiler(broken: readonly string[]): { compiles: (src: string) => Promise<boolean>; calls: () => number } {
  let calls = 0;
  return {
    compiles: async (src: string) => {
      calls++;
      return !broken.some((b) => src.includes(b));
    },
    calls: () => calls,
  };
}

describe("Cairo tooling: source scanner", () => {
  it("masks comments and literals without moving offsets", () => {
    const masked = maskNonCode(SAMPLE);
    expect(masked.length).to.equal(SAMPLE.length);
    expect(masked).not.to.include("fake()");
    expect(masked).not.to.include("not } a brace");
    expect(masked.split("\n").length).to.equal(SAMPLE.split("\n").length);
  });

  it("finds bodies, module paths and test attributes, skipping trait declarations", () => {
    const fns = findFunctions(SAMPLE);
    expect(fns.map((f) => `${f.modulePath}::${f.name}`)).to.deep.equal([
      "math::double",
      "math::pick",
      "tests::group::explodes",
      "tests::group::helper",
    ]);
    expect(fns.filter(isTest).map((f) => f.name)).to.deep.equal(["explodes"]);
    const explodes = fns.find((f) => f.name === "explodes");
    expect(explodes?.attributes).to.deep.equal(["#[test]", "#[should_panic(expected: ('boom',))]"]);
    expect(SAMPLE.split("\n")[(explodes?.line ?? 0) - 1]).to.include("fn explodes()");
  });

  it("splits statements at semicolons and at block ends not followed by else", () => {
    const pick = findFunctions(SAMPLE).find((f) => f.name === "pick");
    if (!pick) throw new Error("pick not found");
    const ends = statementEnds(SAMPLE, pick);
    // `let mut out = ...;` and the whole if/else; the tail expression `out` is not a statement end.
    expect(ends).to.have.length(2);
    expect(SAMPLE.slice(ends[0] ?? 0, ends[1]).trim()).to.match(/^if flag \{[\s\S]*'c';\s*\}$/);
    const truncated = truncateBody(SAMPLE, pick, 1);
    expect(truncated).to.include("let mut out = 'a}';\n core::panic_with_felt252('stubbed')");
    expect(truncated).not.to.include("if flag");
  });

  it("stubs bodies and keeps every other function intact", () => {
    const fns = findFunctions(SAMPLE);
    const stubbed = stubBodies(
      SAMPLE,
      fns.filter((f) => f.name === "double"),
    );
    expect(stubbed).to.include(`pub fn double(x: u256) -> u256 ${STUB_BODY}`);
    expect(stubbed).to.include("out = 'b';");
    expect(findFunctions(stubbed).map((f) => f.name)).to.deep.equal(fns.map((f) => f.name));
  });

  it("cuts test functions, slow modules and test modules out of a source", () => {
    const source = `${SAMPLE}
#[cfg(test)]
mod more {
    #[test]
    #[ignore]
    fn slow_one() {
        let x = 1;
    }

    // wasm-cairo: slow
    mod heavy {
        fn helper() {}
    }

    #[test]
    fn fast_one() {}
}
`;
    const fns = findFunctions(source);
    const ignored = fns.filter((f) => isTest(f) && isIgnored(f));
    expect(ignored.map((f) => f.name)).to.deep.equal(["slow_one"]);
    const withoutIgnored = removeFunctions(source, ignored);
    expect(withoutIgnored).not.to.include("slow_one");
    expect(withoutIgnored).not.to.include("#[ignore]");
    expect(findFunctions(withoutIgnored).map((f) => f.name)).to.include("fast_one");
    const fast = removeSlowModules(source);
    expect(fast).not.to.include("mod heavy");
    expect(fast).not.to.include("wasm-cairo: slow");
    expect(fast).to.include("fn fast_one()");
    const contractOnly = withoutTestModules(source);
    expect(contractOnly).not.to.include("mod tests");
    expect(contractOnly).not.to.include("mod more");
    expect(contractOnly).to.include("pub mod math");
  });

  it("splits the real vault source into the default run and the slow end-to-end tests", () => {
    const source = readFileSync(new URL("../../../starknet/src/lst_vault.cairo", import.meta.url), "utf8");
    const fns = findFunctions(source);
    const tests = fns.filter(isTest);
    expect(tests.every((t) => t.modulePath.startsWith("tests::"))).to.equal(true);
    expect(fns.some((f) => f.modulePath === "LstVault" && f.name === "constructor")).to.equal(true);
    // Every slow (#[ignore]) test sits in the marked module the default run leaves out.
    const slow = tests.filter(isIgnored);
    expect(slow.length).to.be.greaterThan(0);
    expect(slow.every((t) => t.modulePath === "tests::e2e")).to.equal(true);
    const fast = findFunctions(removeSlowModules(source)).filter(isTest);
    expect(fast.length).to.equal(tests.length - slow.length);
    expect(fast.some(isIgnored)).to.equal(false);
    // Stubbing every body keeps every declaration and every function.
    expect(findFunctions(stubBodies(source, fns))).to.have.length(fns.length);
  });
});

describe("Cairo tooling: compile-error narrowing", () => {
  it("reports a compiling file after one compile", async () => {
    const fake = fakeCompiler([]);
    const result = await narrowCompileError(SAMPLE, fake.compiles);
    expect(result).to.deep.equal({ kind: "compiles", compiles: 1 });
  });

  it("pins a broken statement inside one function body", async () => {
    const fake = fakeCompiler(["out = 'b';"]);
    const result = await narrowCompileError(SAMPLE, fake.compiles);
    expect(result.kind).to.equal("body");
    if (result.kind !== "body") return;
    expect(result.fn).to.equal("math::pick");
    // The if/else statement containing the broken line starts on the `if flag {` line.
    expect(SAMPLE.split("\n")[result.statementLine - 1]?.trim()).to.equal("if flag {");
    expect(result.compiles).to.equal(fake.calls());
  });

  it("reports declarations and the module to look at when no body is at fault", async () => {
    const fake = fakeCompiler(["fn get(self: @T) -> u256;"]);
    const result = await narrowCompileError(SAMPLE, fake.compiles);
    expect(result.kind).to.equal("declarations");
    if (result.kind !== "declarations") return;
    // The trait sits at the crate root: no module removal fixes it.
    expect(result.module).to.equal(undefined);
    const inModule = await narrowCompileError(SAMPLE, fakeCompiler(["fn helper() -> u8"]).compiles);
    expect(inModule).to.include({ kind: "declarations", module: "tests::group" });
  });
});

describe("Cairo tooling: test report parser", () => {
  it("reads per-test lines and the summary of a passing run", () => {
    const report = parseCairoTestOutput(
      [
        "Wasm-Cairo Test outputs: ",
        "test astro::tests::a ... ok (gas usage est.: 610222)",
        "test astro::tests::b ... ok (gas usage est.: 140450)",
        "test result: ok. 2 passed; 0 failed; 0 ignored; 3 filtered out;",
      ].join("\n"),
    );
    expect(report).to.deep.equal({
      kind: "ran",
      passed: 2,
      failed: 0,
      ignored: 0,
      filteredOut: 3,
      tests: [
        { name: "astro::tests::a", status: "ok", gas: 610222 },
        { name: "astro::tests::b", status: "ok", gas: 140450 },
      ],
    });
  });

  it("reads the bare summary of a failing run and the compile-error string", () => {
    const failed = parseCairoTestOutput("test result: FAILED. 2 passed; 1 failed; 0 ignored");
    expect(failed).to.include({ kind: "ran", passed: 2, failed: 1, filteredOut: 0 });
    expect(parseCairoTestOutput("Compilation failed.")).to.deep.equal({ kind: "compile-error" });
    expect(parseCairoTestOutput("Memory loading failed: x")).to.deep.equal({
      kind: "runner-error",
      message: "Memory loading failed: x",
    });
  });
});
