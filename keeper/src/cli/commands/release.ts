/**
 * `keeper release show DIR` prints what a release serves and why (strategy, schedule,
 * universe, data fingerprint, gate verdict); `keeper release verify DIR [--data CSV]` checks
 * its files, hashes and gate verdict, and with --data that the fingerprint is this data file's.
 * Exit 0 when the release checks out, 1 when it is refused, 2 on bad usage.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { ConfigError } from "../../core/errors.js";
import { loadRelease } from "../releaseFolder.js";
import { usageReporter } from "../usage.js";

const USAGE = `usage: keeper release show DIR
       keeper release verify DIR [--data CSV]

  show     print the release: strategy, schedule, universe, data fingerprint, gate verdict
  verify   check the files against their hashes, the gate verdict and the policy;
           --data CSV also checks that the fingerprint is this data file's`;

export async function releaseCommand(argv: string[]): Promise<number> {
  const bad = usageReporter("release", USAGE);
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    return bad(error);
  }
  if (parsed.help) {
    console.log(USAGE);
    return 0;
  }
  const [action, dir, ...extra] = parsed.positionals;
  if ((action !== "show" && action !== "verify") || !dir || extra.length > 0)
    return bad("need show|verify and one DIR");
  if (action === "show" && parsed.data) return bad("--data is for verify");
  try {
    const release = loadRelease(dir);
    const m = release.manifest;
    if (action === "verify" && parsed.data) {
      if (!existsSync(parsed.data)) return bad(`data file not found: ${parsed.data}`);
      const hash = createHash("sha256").update(readFileSync(parsed.data)).digest("hex");
      if (hash !== m.data.sha256) {
        console.error(
          `release ${dir} refused: it was made from other data (${m.data.sha256.slice(0, 12)}, this file ${hash.slice(0, 12)})`,
        );
        return 1;
      }
    }
    if (action === "verify") {
      console.log(`release ${dir}: ok (${m.strategy.id}, gate ${m.gate.approved ? "approved" : "fell back"})`);
      return 0;
    }
    console.log(
      [
        `release ${dir} (${m.format}, ${m.producedBy}, ${m.createdAt})`,
        `  serves     ${m.strategy.id} [${m.strategy.family}]${m.strategy.policyFile ? ` policy ${m.strategy.policyFile}` : ""}`,
        `  schedule   ${m.schedule.label}: every ${m.schedule.decideEveryBars} day(s)${m.schedule.driftThreshold ? `, or drift > ${(100 * m.schedule.driftThreshold).toFixed(1)}%` : ""}`,
        `  universe   ${m.universe.base} + ${m.universe.assets.join(" ")}`,
        `  data       sha256 ${m.data.sha256.slice(0, 16)}…, ${m.data.from} .. ${m.data.to} (${m.data.bars} bars), ${m.data.assets.length} assets`,
        `  gate       ${m.gate.approved ? "APPROVED" : "NOT APPROVED"} candidate ${m.gate.candidate.id}; recommends ${m.gate.recommended.id}`,
        `             rules: margin ${m.gate.rules.margin} net Sharpe over equal weight, deflated Sharpe >= ${m.gate.rules.minDeflatedSharpe}`,
        ...m.gate.reasons.map((r) => `             - ${r}`),
      ].join("\n"),
    );
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
}

function parse(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { data: { type: "string" }, help: { type: "boolean", short: "h", default: false } },
    allowPositionals: true,
    strict: true,
  });
  return { ...values, positionals };
}
