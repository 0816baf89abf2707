/**
 * The keeper's layering, checked on every `npm run lint` so it cannot drift.
 *
 * Data flows one way: data -> classifier -> strategy -> planner -> execution, with cli as the
 * only composition root. Each layer below lists the layers it must never import, and whether it
 * may do I/O (files, sockets, databases, child processes). A venue's implementation is built by
 * cli alone: everything else holds a venue through the core `Venue` seam (core/venue.ts and, for
 * the Arbitrum vault, execution/indexVault/vaultVenue.ts), so only cli and the venue's own folder
 * may import the modules in VENUE_IMPLEMENTATIONS. A violation prints the file, the import and
 * the rule, and the script exits 1.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), "../..");
const SRC = join(ROOT, "keeper", "src");

interface LayerRule {
  /** Layers (top-level folders of keeper/src) this layer must not import. */
  readonly forbids: readonly string[] | "all-but-self";
  /** May this layer import Node's I/O modules? */
  readonly io: boolean;
}

const PURE_LOWER_LAYERS = ["cli", "service", "execution", "devchain"];

/** One rule per layer; a folder under keeper/src that is not listed here is itself an error. */
const LAYERS: Readonly<Record<string, LayerRule>> = {
  core: { forbids: "all-but-self", io: false },
  config: { forbids: ["cli", "service", "execution", "research", "backtest", "strategy", "devchain"], io: true },
  data: {
    forbids: ["cli", "service", "execution", "research", "backtest", "strategy", "classifier", "devchain"],
    io: true,
  },
  market: {
    forbids: [...PURE_LOWER_LAYERS, "research", "backtest", "strategy", "classifier", "data", "config"],
    io: false,
  },
  classifier: { forbids: [...PURE_LOWER_LAYERS, "research", "backtest", "strategy"], io: false },
  strategy: { forbids: [...PURE_LOWER_LAYERS, "research", "backtest"], io: false },
  backtest: { forbids: [...PURE_LOWER_LAYERS, "research"], io: false },
  research: { forbids: PURE_LOWER_LAYERS, io: false },
  execution: { forbids: ["cli", "service", "research", "backtest", "devchain"], io: true },
  devchain: { forbids: ["cli", "service", "research"], io: true },
  service: { forbids: ["cli", "devchain"], io: true },
  cli: { forbids: [], io: true },
};

/** Venue implementations (paths under keeper/src, no extension): constructed in cli only. */
const VENUE_IMPLEMENTATIONS = [
  "execution/indexVault/indexVaultVenue",
  "execution/starknet/starknetVenue",
  "execution/hyperliquid/hyperliquidVenue",
];

/** Node modules that reach outside the process. */
const IO_MODULES = new Set([
  "fs",
  "fs/promises",
  "net",
  "http",
  "https",
  "http2",
  "dgram",
  "child_process",
  "sqlite",
  "worker_threads",
  "cluster",
]);

const IMPORT_RE =
  /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|js)$/.test(name) && !name.endsWith(".d.ts") ? [path] : [];
  });
}

function layerOf(src: string, path: string): string {
  return relative(src, path).split(sep)[0] ?? "";
}

function isTypeOnly(statement: string): boolean {
  return /^\s*(import|export)\s+type\s/.test(statement);
}

/** Every layering violation under `src` (a keeper/src tree), one line each. */
export function checkArchitecture(src: string = SRC): string[] {
  const problems: string[] = [];
  for (const file of sourceFiles(src)) {
    const layer = layerOf(src, file);
    const rule = LAYERS[layer];
    const shown = relative(ROOT, file);
    if (!rule) {
      problems.push(`${shown}: folder keeper/src/${layer} has no layering rule in scripts/lint/architecture.ts`);
      continue;
    }
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(IMPORT_RE)) {
      const spec = match[1] ?? match[2] ?? "";
      if (spec.startsWith(".")) {
        const resolved = resolve(dirname(file), spec);
        const implementation = relative(src, resolved)
          .split(sep)
          .join("/")
          .replace(/\.(js|ts)$/, "");
        const ownFolder = relative(src, dirname(file)).split(sep).join("/") === dirname(implementation);
        if (VENUE_IMPLEMENTATIONS.includes(implementation) && layer !== "cli" && !ownFolder) {
          problems.push(
            `${shown}: imports ${spec} (a venue implementation: only cli constructs it; hold a core Venue)`,
          );
        }
        const target = layerOf(src, resolved);
        if (target === layer) continue;
        const forbidden = rule.forbids === "all-but-self" || rule.forbids.includes(target);
        if (forbidden) problems.push(`${shown}: imports ${spec} (${layer} must not import ${target})`);
      } else {
        const bare = spec.replace(/^node:/, "");
        if (!rule.io && IO_MODULES.has(bare) && !isTypeOnly(match[0])) {
          problems.push(
            `${shown}: imports ${spec} (${layer} is pure: only data, execution, service, config and cli do I/O)`,
          );
        }
      }
    }
  }
  return problems;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const problems = checkArchitecture();
  for (const p of problems) console.error(p);
  if (problems.length > 0) {
    console.error(`architecture: ${problems.length} layering violation(s)`);
    process.exit(1);
  }
  console.log("architecture: keeper/src layering holds");
}
