/**
 * Release folders on disk (the format is keeper/src/research/release/release.ts): writing
 * what research produced, and loading one for the keeper, verified, with the strategy it
 * serves: a PPO policy through the PPO inference entry point, any other research candidate
 * rebuilt from the candidate registry with the release's research config.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../core/errors.js";
import type { MarketPanel, Strategy } from "../core/types.js";
import { buildCandidates } from "../research/candidates.js";
import { type ReleaseManifest, releaseSymbols, verifyRelease } from "../research/release/release.js";
import { researchConfigSchema } from "../research/researchConfig.js";
import { policyMeta, strategyFromPolicy } from "../strategy/ppo/policyStrategy.js";
import { PpoPolicy } from "../strategy/ppo/ppoPolicy.js";

export interface LoadedRelease {
  readonly dir: string;
  readonly manifest: ReleaseManifest;
  readonly policy: PpoPolicy | null;
  /** The served strategy for a panel (PPO maps its assets to the panel's rows). */
  strategy(panel: MarketPanel): Strategy;
}

/** Writes the files into `dir` through a sibling temporary folder, so a crash leaves no half release. */
export function writeReleaseFolder(dir: string, files: Readonly<Record<string, string>>): void {
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(tmp, name), text);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

export function readReleaseText(dir: string): (name: string) => string | null {
  return (name) => {
    const path = join(dir, name);
    if (!existsSync(path)) return null;
    return readFileSync(path, "utf8");
  };
}

/** Verifies the folder and builds what it serves; every refusal is one ConfigError. */
export function loadRelease(dir: string): LoadedRelease {
  if (!existsSync(dir)) throw new ConfigError(`release ${dir} refused: no such folder`);
  const read = readReleaseText(dir);
  const manifest = verifyRelease(read, `release ${dir}`);
  const { strategy } = manifest;
  if (strategy.family === "ppo") {
    let policy: PpoPolicy;
    try {
      policy = PpoPolicy.fromJSON(JSON.parse(read(strategy.policyFile as string) ?? ""), strategy.policyFile as string);
    } catch (cause) {
      throw new ConfigError(`release ${dir} refused: its policy does not load (${String(cause)})`);
    }
    const meta = policyMeta(policy);
    if ([...meta.universe].sort().join(" ") !== [...manifest.universe.assets].sort().join(" ")) {
      throw new ConfigError(`release ${dir} refused: the policy's assets differ from the release universe`);
    }
    return {
      dir,
      manifest,
      policy,
      strategy: (panel) =>
        inReleaseSymbols(manifest, strategyFromPolicy(policy, renamed(manifest, panel), strategy.id)),
    };
  }
  const parsed = researchConfigSchema.safeParse(manifest.researchConfig);
  if (!parsed.success) throw new ConfigError(`release ${dir} refused: researchConfig: ${parsed.error.message}`);
  const candidate = buildCandidates(parsed.data).find((c) => c.id === strategy.id);
  if (!candidate) throw new ConfigError(`release ${dir} refused: ${strategy.id} is not a strategy this keeper knows`);
  return {
    dir,
    manifest,
    policy: null,
    strategy: (panel) => inReleaseSymbols(manifest, candidate.make(renamed(manifest, panel))),
  };
}

/** The panel with the vault's symbols replaced by the release's (WETH -> ETH where research held ETH). */
function renamed(manifest: ReleaseManifest, panel: MarketPanel): MarketPanel {
  const alias = releaseSymbols(
    manifest,
    panel.assets.map((a) => a.symbol),
  );
  return { ...panel, assets: panel.assets.map((a) => ({ ...a, symbol: alias[a.symbol] ?? a.symbol })) };
}

/**
 * The strategy sees every view in the release's symbols; weights stay aligned with the panel's
 * rows, so nothing maps back.
 */
function inReleaseSymbols(manifest: ReleaseManifest, inner: Strategy): Strategy {
  return {
    name: inner.name,
    decide: (view) => inner.decide({ ...view, panel: renamed(manifest, view.panel) }),
  };
}
