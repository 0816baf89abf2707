/**
 * PPO inference per keeper cycle, served the way `keeper run --release DIR` serves it: a PPO
 * release folder is written (a policy with the default hidden sizes [64, 64], trained for a
 * few hundred steps: inference cost does not depend on how long it trained), loaded and
 * verified by the keeper's `loadRelease`, and its strategy asked for weights every cycle through
 * `LiveOracle.targetWeights` for a 10-asset vault (9 assets + USDC) over a 180-bar live panel:
 * point-in-time view, features, normalised forward pass, mapping back to the vault's symbols.
 * The market snapshot is handed over in memory, so HTTP and RPC time are not in the figure
 * (the keeperCycle bench has those). The gate verdict in the release is a fixture: this
 * measures serving a release, not judging one.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadRelease, writeReleaseFolder } from "../keeper/src/cli/releaseFolder.js";
import type { MarketPanel } from "../keeper/src/core/types.js";
import { generateSyntheticMarket } from "../keeper/src/data/synthetic.js";
import { LiveOracle } from "../keeper/src/execution/liveOracle.js";
import { trainPpoAgent } from "../keeper/src/research/ppoAgent.js";
import { type GateCandidate, runGate } from "../keeper/src/research/release/gate.js";
import { POLICY_FILE, REPORT_FILE, releaseFiles, sha256 } from "../keeper/src/research/release/release.js";
import { researchConfigSchema } from "../keeper/src/research/researchConfig.js";
import { candidateAssets, researchEligibility } from "../keeper/src/research/universe.js";
import { initTf } from "../keeper/src/strategy/ppo/tfBackend.js";

const PPO_ID = "ppo(seed=5)@24h";
const BARS = 180;
const CYCLES = 200;

async function writeRelease(dir: string, panel: MarketPanel): Promise<void> {
  const { tf } = await initTf();
  const universe = candidateAssets(panel);
  const { policy } = await trainPpoAgent({
    tf,
    panel,
    universe,
    eligibility: researchEligibility(panel),
    assumptions: researchConfigSchema.parse({}).assumptions,
    from: 0,
    to: BARS,
    ppo: { seed: 5, totalSteps: 256, numEnvs: 2, rolloutSteps: 64, minibatchSize: 64, epochs: 1 },
  });
  const ew: GateCandidate = {
    id: "equal-weight()@24h",
    family: "equal-weight",
    selection: [{ block: "validation", netSharpe: 0.8, netReturn: 0 }],
    outOfSelection: [{ block: "test", netSharpe: 0.9, netReturn: 0 }],
  };
  const gate = runGate({
    candidate: {
      id: PPO_ID,
      family: "ppo",
      selection: [{ block: "validation", netSharpe: 1, netReturn: 0 }],
      outOfSelection: [{ block: "test", netSharpe: 1.4, netReturn: 0 }],
      deflatedSharpe: 0.99,
    },
    equalWeight: ew,
    baselines: [],
  });
  const symbols = panel.assets.map((a) => a.symbol);
  const files = releaseFiles(
    {
      createdAt: new Date(0).toISOString(),
      producedBy: "train",
      schedule: { label: "24h", decideEveryBars: 1 },
      universe: { base: "USDC", assets: symbols.filter((s) => s !== "USDC") },
      researchConfig: { baseSymbol: "USDC" },
      data: {
        sha256: sha256("synthetic seed 3, 400 bars"),
        from: new Date((panel.timestamps[0] as number) * 1000).toISOString().slice(0, 10),
        to: new Date((panel.timestamps.at(-1) as number) * 1000).toISOString().slice(0, 10),
        bars: panel.timestamps.length,
        assets: symbols,
      },
      strategy: { id: PPO_ID, family: "ppo", params: { seed: 5 }, policyFile: POLICY_FILE },
      gate,
    },
    { [POLICY_FILE]: JSON.stringify(policy.toJSON()), [REPORT_FILE]: "{}" },
  );
  writeReleaseFolder(dir, files);
}

export async function run(): Promise<void> {
  const full: MarketPanel = generateSyntheticMarket({ seed: 3, bars: 400, freq: "24h" });
  const symbols = full.assets.map((a) => a.symbol);
  const root = mkdtempSync(join(tmpdir(), "ballast-bench-ppo-"));
  const dir = join(root, "release");
  try {
    await writeRelease(dir, full);
    const loadStarted = performance.now();
    const release = loadRelease(dir);
    const loadMs = performance.now() - loadStarted;
    const policy = release.policy;
    if (!policy) throw new Error("the release serves no PPO policy");
    let t = BARS - 1;
    const slice = (end: number): MarketPanel => ({
      ...full,
      timestamps: full.timestamps.slice(end - BARS + 1, end + 1),
      close: full.close.map((r) => r.slice(end - BARS + 1, end + 1)),
      volume: full.volume.map((r) => r.slice(end - BARS + 1, end + 1)),
    });
    const oracle = new LiveOracle({
      name: release.manifest.strategy.id,
      market: {
        snapshot: async () => {
          const panel = slice(t);
          const newest = panel.timestamps[BARS - 1] as number;
          return { ok: true, panel, bars: {}, newestBarAt: newest, chainlinkUsd: {}, warning: null };
        },
      },
      strategy: (panel) => release.strategy(panel),
      venueSymbols: symbols,
    });
    const weights = Object.fromEntries(symbols.map((s) => [s, 1 / symbols.length]));
    const times: number[] = [];
    let served = 0;
    // Different bars give different observations: distinct targets show the policy really ran.
    const distinct = new Set<string>();
    for (let k = 0; k < CYCLES; k++) {
      t = BARS - 1 + (k % (full.timestamps.length - BARS));
      const now = full.timestamps[t] as number;
      const started = performance.now();
      const target = await oracle.targetWeights({ now, currentWeights: weights, universe: symbols });
      times.push(performance.now() - started);
      if (target !== null && !("reason" in target)) {
        served++;
        distinct.add(JSON.stringify(target));
      }
    }
    const first = times[0] as number;
    const rest = times.slice(1).sort((a, b) => a - b);
    const q = (p: number) => rest[Math.min(rest.length - 1, Math.floor(p * rest.length))] as number;
    console.log("ppo inference per keeper cycle (release folder -> loadRelease -> LiveOracle.targetWeights)");
    console.log(
      `  vault: ${symbols.length - 1} assets + USDC; panel ${BARS} bars; obs ${policy.observationSize}, actions ${policy.actionSize}, hidden [64, 64]`,
    );
    console.log(`  loadRelease (verify files, parse policy): ${loadMs.toFixed(1)} ms`);
    console.log(`  first cycle (builds the strategy): ${first.toFixed(2)} ms`);
    console.log(
      `  next ${rest.length} cycles: median ${q(0.5).toFixed(3)} ms, p95 ${q(0.95).toFixed(3)} ms, max ${q(1).toFixed(3)} ms (target < 50 ms)`,
    );
    console.log(`  ${served}/${CYCLES} cycles returned weights, ${distinct.size} distinct targets`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
