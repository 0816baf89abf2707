/**
 * The demo's closing summary: the release `keeper run` served (folder, strategy, gate verdict
 * and its reasons, what research ran on), then, read back from the keeper's store, NAV against
 * the benchmarks, rebalances with costs and gas, the legs' predicted against realised costs, and each
 * rotation (when, what the classifier selected, what was added and removed, what the sells of
 * the removed assets cost).
 */
import type { CycleRecord, LegRecord, RotationRecord } from "../service/readModel.js";
import type { KeeperStore } from "../service/store/keeperStore.js";
import type { LoadedRelease } from "./releaseFolder.js";

export interface SummaryContext {
  readonly days: number;
  readonly seconds: number;
  readonly dayOf: (t: number) => number;
  /** The release `keeper run` served. */
  readonly release: LoadedRelease;
  /** What research ran, on which bars. */
  readonly research: string;
  /** First and last traded day (dates). */
  readonly traded: { readonly from: string; readonly to: string };
  /** Benchmark returns over the traded days (1 = flat), by name. */
  readonly benchmarks: Readonly<Record<string, number>>;
}

export async function printSummary(s: KeeperStore, ctx: SummaryContext): Promise<void> {
  const nav = await s.navHistory();
  const first = nav[0];
  const last = nav.at(-1);
  const cycles = await s.cycles(10_000);
  const done = cycles.filter((c) => c.status === "reconciled" || c.status === "confirmed");
  const failed = cycles.filter((c) => c.outcome === "failed");
  const partial = done.filter((c) => c.outcome === "partial");
  const held = cycles.filter((c) => c.outcome === "held");
  const nothing = cycles.filter((c) => c.outcome === "nothing-to-trade");
  const costs = done.reduce((a, c) => a + (c.costUsd ?? 0), 0);
  const traded = done.reduce((a, c) => a + (c.navBefore ?? 0), 0);
  const gas = done.reduce((a, c) => a + Number(c.gasUsed ?? 0), 0);
  const pct = (x: number) => `${((x - 1) * 100).toFixed(2)}%`;
  // Read once: every cycle's legs, for the totals and for each rotation's sells.
  const legsOf = new Map<number, readonly LegRecord[]>();
  for (const c of done) legsOf.set(c.id, await s.legs(c.id));
  const legs = done.flatMap((c) => legsOf.get(c.id) ?? []);
  const { manifest } = ctx.release;
  const inForce = (await s.state()).release;
  const rows: [string, string][] = [
    ["release", ctx.release.dir],
    [
      "release serves",
      `${manifest.strategy.id}, schedule ${manifest.schedule.label}${inForce ? ` (in force in the keeper: ${inForce.serves})` : ""}`,
    ],
    [
      "gate verdict",
      `${manifest.gate.approved ? "approved" : "not approved"} (candidate ${manifest.gate.candidate.id})`,
    ],
    ...manifest.gate.reasons.map((r): [string, string] => ["  reason", r]),
    ["research", ctx.research],
    ["traded days (after research's block)", `${ctx.traded.from}..${ctx.traded.to}`],
    ["period", `${ctx.days} days (${ctx.seconds.toFixed(0)} s wall clock)`],
    [
      "vault NAV per share",
      `${first?.navPerShare.toFixed(4)} -> ${last?.navPerShare.toFixed(4)} (${pct((last?.navPerShare ?? 1) / (first?.navPerShare ?? 1))})`,
    ],
    ...Object.entries(ctx.benchmarks).map(([name, r]): [string, string] => [`benchmark: ${name}`, pct(r)]),
    ["vault NAV (USD)", `${last?.navUsd.toFixed(0)}`],
    [
      "rebalances",
      `${done.length} (partial ${partial.length}); failed ${failed.length}, held ${held.length}, nothing to trade ${nothing.length}`,
    ],
    [
      "execution cost",
      `$${costs.toFixed(2)} (${traded > 0 ? ((costs / traded) * 10_000 * done.length).toFixed(1) : "0"} bps of NAV in total)`,
    ],
    ["leg cost: predicted vs realised", legCosts(legs)],
    ["gas", `${gas} total, ${done.length ? Math.round(gas / done.length) : 0} per rebalance`],
  ];
  for (const r of [...(await s.rotations(100))].reverse()) {
    rows.push([`rotation ${r.id} (day ${ctx.dayOf(r.startedAt)})`, rotationLine(r, legsOf, ctx, done)]);
  }
  console.log("\nsummary");
  for (const [k, v] of rows) console.log(`  ${k.padEnd(38)} ${v}`);
}

/**
 * Legs with both figures: totals in USD and the mean absolute gap in bps; with impact
 * recalibration on (some prediction is not the analytic one) also the analytic model's gap.
 */
function legCosts(legs: readonly LegRecord[]): string {
  const known = legs.filter((l) => l.predictedCostBps !== null && l.realisedCostBps !== null && l.valueInUsd !== null);
  if (known.length === 0) return "no leg with a prediction";
  const usd = (bps: number | null, l: LegRecord) => ((bps ?? 0) * (l.valueInUsd ?? 0)) / 10_000;
  const predicted = known.reduce((a, l) => a + usd(l.predictedCostBps, l), 0);
  const realised = known.reduce((a, l) => a + usd(l.realisedCostBps, l), 0);
  const gap = known.reduce((a, l) => a + Math.abs((l.predictedCostBps ?? 0) - (l.realisedCostBps ?? 0)), 0);
  const refitted = known.some((l) => l.analyticCostBps !== null && l.analyticCostBps !== l.predictedCostBps);
  const analytic = known.filter((l) => l.analyticCostBps !== null);
  const analyticGap = analytic.reduce((a, l) => a + Math.abs((l.analyticCostBps ?? 0) - (l.realisedCostBps ?? 0)), 0);
  const vsAnalytic =
    refitted && analytic.length > 0
      ? `; analytic model's mean |gap| ${(analyticGap / analytic.length).toFixed(3)} bps`
      : "";
  return (
    `$${predicted.toFixed(2)} vs $${realised.toFixed(2)} over ${known.length} of ${legs.length} legs ` +
    `(mean |gap| ${(gap / known.length).toFixed(3)} bps${vsAnalytic})`
  );
}

/**
 * One rotation's line. Every remove and add step is listed, a step not yet final with its
 * status (`UNI (selling)`, `WBTC (scheduled)`), so an unfinished rotation says what it is doing.
 */
export function rotationLine(
  r: RotationRecord,
  legsOf: ReadonlyMap<number, readonly LegRecord[]>,
  ctx: Pick<SummaryContext, "dayOf">,
  done: readonly CycleRecord[],
): string {
  const steps = (kind: "remove" | "add", final: string) =>
    r.steps.filter((x) => x.kind === kind).map((x) => (x.status === final ? x.symbol : `${x.symbol} (${x.status})`));
  const removed = steps("remove", "removed");
  const added = steps("add", "executed");
  const base = `${r.status}; classifier selected [${r.selected.join(" ")}]`;
  if (r.status !== "done" && r.status !== "in-progress") return `${base}: ${r.reason ?? ""}`;
  // The sells of removed assets: legs paying those tokens in, from the rotation's start on.
  const tokens = new Set(r.steps.filter((x) => x.kind === "remove").map((x) => x.token.toLowerCase()));
  const sells = done
    .filter((c) => c.startedAt >= r.startedAt)
    .flatMap((c) => legsOf.get(c.id) ?? [])
    .filter((l) => tokens.has(l.tokenIn.toLowerCase()));
  const sold = sells.reduce((a, l) => a + (l.valueInUsd ?? 0), 0);
  const cost = sells.reduce((a, l) => a + ((l.realisedCostBps ?? 0) * (l.valueInUsd ?? 0)) / 10_000, 0);
  const when = r.finishedAt === null ? "still in progress" : `finished day ${ctx.dayOf(r.finishedAt)}`;
  const rejected = r.plan.rejected.length ? `; rejected ${r.plan.rejected.map((x) => x.symbol).join(" ")}` : "";
  return (
    `${base}; removed [${removed.join(" ")}], added [${added.join(" ")}]${rejected}; ${when}; ` +
    `sells of removed assets $${sold.toFixed(0)} costing $${cost.toFixed(2)}`
  );
}
