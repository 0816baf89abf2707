import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { REPO } from "./spawnCli.js";

const SHUTDOWN = join(REPO, "keeper/src/cli/shutdown.ts");

/**
 * A process whose graceful stop never completes (its stop callback does nothing and a timer
 * keeps it alive), so only a second signal or the deadline can end it.
 */
function stuckProcess(deadlineMs: number) {
  const dir = mkdtempSync(join(tmpdir(), "ballast-signals-"));
  const script = join(dir, "stuck.mts");
  writeFileSync(
    script,
    `import { stopOnSignals } from ${JSON.stringify(SHUTDOWN)};
stopOnSignals(() => console.error("stop requested"), ${deadlineMs});
setInterval(() => undefined, 1_000);
console.log("ready");
`,
  );
  const child = spawn(process.execPath, ["--import", "tsx", script], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const ready = new Promise<void>((resolve) => child.stdout.on("data", () => resolve()));
  const exited = new Promise<{ code: number | null; ms: number }>((resolve) => {
    const started = Date.now();
    child.on("exit", (code) => resolve({ code, ms: Date.now() - started }));
  });
  const safety = setTimeout(() => child.kill("SIGKILL"), 30_000);
  void exited.then(() => clearTimeout(safety));
  return { child, ready, exited, stderr: () => stderr };
}

describe("cli: signals", function () {
  this.timeout(40_000);

  it("the first SIGTERM asks for a stop; a second one exits at once with 143", async () => {
    const p = stuckProcess(20_000);
    await p.ready;
    p.child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(p.child.exitCode, "still stopping after one signal").to.equal(null);
    expect(p.stderr()).to.include("SIGTERM: stopping after the current step");
    expect(p.stderr()).to.include("stop requested");
    p.child.kill("SIGTERM");
    const { code } = await p.exited;
    expect(code).to.equal(143);
    expect(p.stderr()).to.include("SIGTERM again: exiting now");
  });

  it("a stop that outlives its deadline is forced with exit code 124", async () => {
    const p = stuckProcess(300);
    await p.ready;
    const sentAt = Date.now();
    p.child.kill("SIGINT");
    const { code } = await p.exited;
    expect(code).to.equal(124);
    expect(Date.now() - sentAt).to.be.below(10_000);
    expect(p.stderr()).to.include("graceful stop took longer than 300 ms");
  });
});
