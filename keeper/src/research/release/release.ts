/**
 * The release folder: what research approved (or the baseline its gate fell back to), in a
 * form the keeper can load and check before it trades.
 *
 *   release.json    manifest: strategy and parameters, the rebalance schedule, the universe,
 *                   the research config, the data fingerprint (hash, date range, assets), the
 *                   gate verdict, and the sha256 of every other file
 *   release.sha256  sha256 of release.json
 *   report.json     the validation and test report
 *   policy.json     PPO policy weights, when the release serves a PPO policy
 *
 * The hashes catch edited, truncated or swapped files; they are not a signature (whoever can
 * write the folder can rewrite every hash), so the folder's integrity against a deliberate
 * attacker is the file system's. Pure: the CLI reads and writes the files.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { ConfigError } from "../../core/errors.js";
import { underlyingOf } from "../../data/underlying.js";
import { gateVerdictSchema } from "./gate.js";

export const RELEASE_FORMAT = "ballast-release/1";
export const MANIFEST_FILE = "release.json";
export const CHECKSUM_FILE = "release.sha256";
export const REPORT_FILE = "report.json";
export const POLICY_FILE = "policy.json";

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "must be a sha256 hex digest");
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be YYYY-MM-DD");

export const fingerprintSchema = z.object({
  /** sha256 of the data file research read. */
  sha256: sha256Hex,
  from: isoDate,
  to: isoDate,
  bars: z.number().int().positive(),
  assets: z.array(z.string().min(1)).min(1),
});
export type DataFingerprint = z.output<typeof fingerprintSchema>;

export const releaseScheduleSchema = z.object({
  label: z.string().min(1),
  /** Daily bars between rebalances. */
  decideEveryBars: z.number().int().min(1),
  /** Max |weight - target| that triggers a rebalance in between (fraction); none when absent. */
  driftThreshold: z.number().positive().optional(),
});
export type ReleaseSchedule = z.output<typeof releaseScheduleSchema>;

/**
 * The keeper's schedule settings for a release's schedule (daily bars: one bar = one day).
 * Without a drift rule the release rebalances on its interval only: 100% drift never happens.
 */
export function keeperScheduleOf(schedule: ReleaseSchedule): { everySeconds: number; driftThresholdBps: number } {
  return {
    everySeconds: schedule.decideEveryBars * 86_400,
    driftThresholdBps: schedule.driftThreshold !== undefined ? Math.round(schedule.driftThreshold * 10_000) : 10_000,
  };
}

export const manifestSchema = z.object({
  format: z.literal(RELEASE_FORMAT),
  createdAt: z.string().min(1),
  /** "operator": a baseline chosen by hand, no research (baselineRelease.ts; its verdict says so). */
  producedBy: z.enum(["research", "train", "operator"]),
  strategy: z.object({
    /** Research candidate id (keeper/src/research/candidates.ts) or ppo(seed=N)@schedule. */
    id: z.string().min(1),
    family: z.string().min(1),
    params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
    /** The PPO policy file, for family "ppo". */
    policyFile: z.string().min(1).nullable(),
  }),
  schedule: releaseScheduleSchema,
  /** The assets the strategy allocates between, and the base asset. */
  universe: z.object({ base: z.string().min(1), assets: z.array(z.string().min(1)).min(1) }),
  /** The research config the candidates are rebuilt from (validated by its own schema on load). */
  researchConfig: z.record(z.string(), z.unknown()),
  data: fingerprintSchema,
  gate: gateVerdictSchema,
  files: z.record(z.string(), sha256Hex),
});
export type ReleaseManifest = z.output<typeof manifestSchema>;
export type ReleaseManifestInput = Omit<z.input<typeof manifestSchema>, "format" | "files">;

export const sha256 = (content: string): string => createHash("sha256").update(content).digest("hex");

/** The folder's files, by name, for a manifest and its attachments (report, policy). */
export function releaseFiles(
  manifest: ReleaseManifestInput,
  attachments: Readonly<Record<string, string>>,
): Record<string, string> {
  const files = Object.fromEntries(Object.entries(attachments).map(([name, text]) => [name, sha256(text)]));
  const full = manifestSchema.parse({ ...manifest, format: RELEASE_FORMAT, files });
  const problems = consistency(full);
  if (problems.length > 0) throw new ConfigError(`release: ${problems.join("; ")}`, { problems });
  const text = `${JSON.stringify(full, null, 2)}\n`;
  return { ...attachments, [MANIFEST_FILE]: text, [CHECKSUM_FILE]: `${sha256(text)}  ${MANIFEST_FILE}\n` };
}

/**
 * Checks a release folder through `read` (file name -> text, null when absent) and returns its
 * manifest; every problem found is listed in one ConfigError.
 */
export function verifyRelease(read: (name: string) => string | null, label = "release"): ReleaseManifest {
  const refuse = (problems: string[]): never => {
    throw new ConfigError(`${label} refused: ${problems.join("; ")}`, { problems });
  };
  const text = read(MANIFEST_FILE);
  if (text === null) return refuse([`no ${MANIFEST_FILE}`]);
  const sum = read(CHECKSUM_FILE);
  if (sum === null) return refuse([`no ${CHECKSUM_FILE}`]);
  if (sum.trim().split(/\s+/)[0] !== sha256(text))
    return refuse([`${MANIFEST_FILE} does not match ${CHECKSUM_FILE} (edited?)`]);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return refuse([`${MANIFEST_FILE} is not JSON`]);
  }
  if (typeof raw === "object" && raw !== null && !("gate" in raw)) return refuse(["it has no gate verdict"]);
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    return refuse(parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`));
  }
  const manifest = parsed.data;
  const problems = consistency(manifest);
  for (const [name, digest] of Object.entries(manifest.files)) {
    const content = read(name);
    if (content === null) problems.push(`${name} is missing`);
    else if (sha256(content) !== digest)
      problems.push(`${name} does not match its hash in ${MANIFEST_FILE} (tampered?)`);
  }
  const report = read(REPORT_FILE);
  if (report !== null && manifest.files[REPORT_FILE]) {
    const dataHash = reportDataHash(report);
    if (dataHash !== null && dataHash !== manifest.data.sha256) {
      problems.push(
        `the data fingerprint ${manifest.data.sha256.slice(0, 12)} differs from the report's ${dataHash.slice(0, 12)}`,
      );
    }
  }
  if (problems.length > 0) refuse(problems);
  return manifest;
}

/**
 * The release's symbol for each vault symbol: itself, or the underlying of a wrapped token
 * (research holds ETH and BTC where a vault holds WETH and WBTC: the same exposure).
 */
export function releaseSymbols(manifest: ReleaseManifest, vaultSymbols: readonly string[]): Record<string, string> {
  const known = new Set([manifest.universe.base, ...manifest.universe.assets].map((s) => s.toUpperCase()));
  return Object.fromEntries(
    vaultSymbols.map((s) => {
      const upper = s.toUpperCase();
      const underlying = underlyingOf(upper);
      return [s, !known.has(upper) && underlying && known.has(underlying) ? underlying : upper];
    }),
  );
}

/** Refuses a release whose universe is not exactly the vault's basket (base asset included). */
export function checkReleaseUniverse(manifest: ReleaseManifest, basket: readonly string[]): void {
  const want = [manifest.universe.base, ...manifest.universe.assets].map((s) => s.toUpperCase()).sort();
  const alias = releaseSymbols(manifest, basket);
  const have = basket.map((s) => alias[s] as string).sort();
  if (want.length !== have.length || want.some((s, i) => s !== have[i])) {
    throw new ConfigError(
      `release universe (${want.join(" ")}) differs from the vault's basket (${basket
        .map((s) => s.toUpperCase())
        .sort()
        .join(" ")}): refusing to start`,
    );
  }
}

/** Rules that tie the manifest's parts together. */
function consistency(m: ReleaseManifest): string[] {
  const problems: string[] = [];
  if (m.strategy.id !== m.gate.recommended.id) {
    problems.push(`it serves ${m.strategy.id} but its gate recommends ${m.gate.recommended.id}`);
  }
  if (m.strategy.family === "ppo" && (m.strategy.policyFile === null || !m.files[m.strategy.policyFile])) {
    problems.push("a PPO release needs its policy file");
  }
  if (!m.files[REPORT_FILE]) problems.push(`no ${REPORT_FILE} (the validation and test report)`);
  if (m.data.from > m.data.to) problems.push("the data fingerprint's range is empty");
  const fingerprinted = new Set(m.data.assets.map((s) => s.toUpperCase()));
  const missing = [m.universe.base, ...m.universe.assets].filter((s) => !fingerprinted.has(s.toUpperCase()));
  if (missing.length > 0) problems.push(`the data fingerprint does not cover ${missing.join(", ")}`);
  return problems;
}

function reportDataHash(report: string): string | null {
  try {
    const parsed: unknown = JSON.parse(report);
    const hash = z.object({ research: z.object({ dataHash: z.string() }) }).safeParse(parsed);
    return hash.success ? hash.data.research.dataHash : null;
  } catch {
    return null;
  }
}
