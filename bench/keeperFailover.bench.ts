/**
 * Standby failover over repeated kills, on a throwaway PostgreSQL (test/helpers/postgresServer.ts;
 * skipped with the reason when it cannot start). Two lease-holder processes
 * (bench/support/leaseHolder.ts: the keeper's store and LeaseLeadership, no chain) contend for
 * one vault; each round SIGKILLs the current holder and measures the time from the kill to the
 * standby's first confirmed fence (when it could sign), then starts a fresh standby. Run with
 * the e2e settings (ttl 3 s, renew 0.5 s) and the defaults (ttl 15 s, renew 3 s). The failover
 * of a whole keeper adds its journal resume (one cycle's resubmission; see the e2e test).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createDatabase, startPostgres } from "../test/helpers/postgresServer.js";

interface Holder {
  readonly name: string;
  readonly child: ChildProcess;
  readonly events: { leader?: string; at?: number; fenceMs?: number; token?: number }[];
  readonly ready: Promise<void>;
}

function startHolder(url: string, name: string, lease: readonly number[]): Holder {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "bench/support/leaseHolder.ts", url, name, ...lease.map(String)],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const events: Holder["events"] = [];
  let out = "";
  let onReady = () => {};
  const ready = new Promise<void>((r) => {
    onReady = r;
  });
  child.stdout?.on("data", (c: Buffer) => {
    out += c.toString();
    const lines = out.split("\n");
    out = lines.pop() ?? "";
    for (const line of lines) {
      const e = JSON.parse(line) as { ready?: string };
      if (e.ready) onReady();
      else events.push(e as Holder["events"][number]);
    }
  });
  return { name, child, events, ready };
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = probe();
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `min ${s[0]?.toFixed(0)} ms, median ${s[Math.floor(s.length / 2)]?.toFixed(0)} ms, max ${s.at(-1)?.toFixed(0)} ms`;
};

async function rounds(url: string, lease: readonly [number, number, number], n: number): Promise<void> {
  let seq = 0;
  const holders: Holder[] = [startHolder(url, `h${++seq}`, lease)];
  await holders[0]?.ready;
  await waitFor(() => holders[0]?.events.find((e) => e.leader), 30_000);
  holders.push(startHolder(url, `h${++seq}`, lease));
  await holders[1]?.ready;
  const failovers: number[] = [];
  const fences: number[] = [];
  for (let round = 0; round < n; round++) {
    await new Promise((r) => setTimeout(r, lease[1] * 2));
    const [leader, standby] = holders as [Holder, Holder];
    const killedAt = Date.now();
    leader.child.kill("SIGKILL");
    const took = await waitFor(() => standby.events.find((e) => e.leader && (e.at ?? 0) >= killedAt), lease[0] * 3);
    failovers.push((took.at ?? 0) - killedAt);
    fences.push(took.fenceMs ?? Number.NaN);
    const fresh = startHolder(url, `h${++seq}`, lease);
    await fresh.ready;
    holders.splice(0, 2, standby, fresh);
  }
  for (const h of holders) h.child.kill("SIGKILL");
  console.log(
    `  ttl ${lease[0]} ms, renew ${lease[1]} ms: ${n} kills, kill -> standby could sign: ${stats(failovers)}; ` +
      `first fence round trip ${stats(fences)}`,
  );
}

export async function run(): Promise<void> {
  const server = await startPostgres();
  if (typeof server === "string") {
    console.log(`skipped: ${server}`);
    return;
  }
  try {
    console.log("standby takeover after SIGKILL of the lease holder (PostgreSQL on localhost):");
    await rounds(await createDatabase(server, "failover_fast"), [3_000, 500, 1_000], 10);
    await rounds(await createDatabase(server, "failover_default"), [15_000, 3_000, 5_000], 3);
  } finally {
    await server.stop();
  }
}
