/**
 * `npm run demo` end to end, as a user runs it (a child process): research on the market's
 * history writes a release, `keeper run` serves it while the market driver walks the days, and
 * the summary names the release. Checked from what the demo leaves behind: its output, the
 * release folder, the keeper's config, logs and store.
 */
import { readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { expect } from "chai";
import { loadRelease } from "../../keeper/src/cli/releaseFolder.js";
import { storePath } from "../../keeper/src/config/keeperConfig.js";
import { dailyBarClose } from "../../keeper/src/data/time.js";
import { sha256 } from "../../keeper/src/research/release/release.js";
import { KeeperStore } from "../../keeper/src/service/store/keeperStore.js";
import { spawnEntry } from "../keeper/cli/spawnCli.js";

const DAY = 86_400;

interface DemoRun {
  readonly stdout: string;
  readonly dir: string;
  readonly releaseDir: string;
  readonly dataDir: string;
}

/** Runs the demo to its summary (--no-serve) and returns where it left its files. */
async function runDemo(args: readonly string[]): Promise<DemoRun> {
  const res = await spawnEntry("keeper/src/cli/demo.ts", [...args, "--no-serve"], {}, 280_000).done;
  expect(res.signal, `killed by the test's bound:\n${res.stdout}\n${res.stderr}`).to.equal(null);
  expect(res.code, `${res.stdout}\n${res.stderr}`).to.equal(0);
  const m = /keeper run --config (\S+) --release (\S+)/.exec(res.stdout);
  expect(m, res.stdout).to.not.equal(null);
  const configFile = m?.[1] as string;
  const config = JSON.parse(readFileSync(configFile, "utf8")) as { dataDir: string };
  return { stdout: res.stdout, dir: dirname(configFile), releaseDir: m?.[2] as string, dataDir: config.dataDir };
}

/** Distinct chain days (00:00 UTC based) with at least one NAV point: one per finished tick's day. */
const daysTicked = async (store: KeeperStore) =>
  new Set((await store.navHistory()).map((p) => Math.floor(p.t / DAY))).size;

describe("e2e: npm run demo goes through keeper run on a release", function () {
  this.timeout(300_000);
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("researches the history before day 0, serves that release with keeper run, and trades only later days", async () => {
    const run = await runDemo(["--days", "8", "--rotation-days", "0"]);
    dirs.push(run.dir);
    const release = loadRelease(run.releaseDir);
    const { manifest } = release;
    expect(manifest.producedBy).to.equal("research");
    // Research read exactly the block the demo wrote: the bars before day 0, nothing after.
    const block = readFileSync(join(run.dir, "research-block.csv"), "utf8");
    expect(manifest.data.sha256).to.equal(sha256(block));
    const lastDate = block.trim().split("\n").at(-1)?.split(",")[0];
    expect(manifest.data.to).to.equal(lastDate);
    expect(manifest.data.bars).to.equal(600);

    // The summary names the release, what it serves and the gate's verdict with its reasons.
    expect(run.stdout).to.include(`  release                                ${run.releaseDir}`);
    expect(run.stdout).to.include(`release serves                         ${manifest.strategy.id}`);
    const verdict = manifest.gate.approved ? "approved" : "not approved";
    expect(run.stdout).to.include(
      `gate verdict                           ${verdict} (candidate ${manifest.gate.candidate.id})`,
    );
    for (const reason of manifest.gate.reasons) expect(run.stdout).to.include(reason);
    expect(run.stdout).to.match(/research +keeper research --no-ppo .* on 600 daily bars/);

    // keeper run's own start-up: release checks, live backfill from the replay provider.
    const keeperLog = readFileSync(join(run.dir, "keeper.log"), "utf8");
    expect(keeperLog).to.include('"market backfilled"');
    expect(keeperLog).to.include('"release loaded"');
    expect(keeperLog).to.include('"source":"coingecko"');
    expect(readFileSync(join(run.dir, "research.log"), "utf8")).to.match(/research: gate (APPROVED|did not approve)/);

    const store = await KeeperStore.openExisting(storePath({ dataDir: run.dataDir }));
    try {
      // The release was in force in the keeper that traded.
      expect((await store.state()).release).to.deep.include({ dir: run.releaseDir, serves: manifest.strategy.id });
      expect((await store.state()).strategy).to.equal(manifest.strategy.id);
      const cycles = await store.cycles(1_000);
      expect(cycles.length).to.be.greaterThan(0);
      expect(cycles.filter((c) => c.outcome === "failed")).to.deep.equal([]);
      expect(cycles.some((c) => c.status === "reconciled")).to.equal(true);
      // Every traded moment is after research's block: day 0 begins a day after its last bar
      // closed, when the first bar research never saw closes.
      const researchEnd = dailyBarClose(manifest.data.to);
      for (const c of cycles) expect(c.startedAt).to.be.at.least(researchEnd + DAY);
      for (const p of await store.navHistory()) expect(p.t).to.be.at.least(researchEnd + DAY);
      // The driver waited for the keeper every day: a finished tick on each of the 9 days.
      expect(await daysTicked(store)).to.equal(9);
      expect((await store.state()).market?.ok).to.equal(true);
    } finally {
      await store.close();
    }
  });

  it("--strategy serves a hand-made baseline release whose verdict says no research ran", async () => {
    const run = await runDemo(["--days", "7", "--strategy", "equal-weight", "--rotation-days", "0"]);
    dirs.push(run.dir);
    const { manifest } = loadRelease(run.releaseDir);
    expect(manifest.producedBy).to.equal("operator");
    expect(manifest.gate.approved).to.equal(false);
    expect(manifest.strategy.id).to.equal("equal-weight()@24h");
    expect(manifest.gate.reasons).to.deep.equal([
      "no research ran: demo --strategy equal-weight chose this baseline by hand; nothing was judged",
    ]);
    expect(run.stdout).to.include("gate verdict                           not approved (candidate equal-weight()@24h)");
    expect(run.stdout).not.to.include("keeper research --no-ppo");
    const store = await KeeperStore.openExisting(storePath({ dataDir: run.dataDir }));
    try {
      expect((await store.state()).release?.serves).to.equal("equal-weight()@24h");
      expect((await store.cycles(1_000)).some((c) => c.status === "reconciled")).to.equal(true);
      expect(await daysTicked(store)).to.equal(8);
    } finally {
      await store.close();
    }
  });
});
