/**
 * One process that keeps or waits for a vault's lease exactly as `keeper run` does (the
 * keeper's store on PostgreSQL, its LeaseLeadership), without a chain: for the failover
 * benchmark, which kills the holder and times the standby's takeover. Prints one JSON line per
 * acquisition. Usage: leaseHolder.ts <postgres-url> <holder> <ttlMs> <renewMs> <marginMs>
 */
import "../../keeper/src/cli/quietWarnings.js";
import { KeeperMetrics } from "../../keeper/src/service/keeperMetrics.js";
import { LeaseLeadership } from "../../keeper/src/service/leadership/leaseLeadership.js";
import { createLogger } from "../../keeper/src/service/logger.js";
import { KeeperStore } from "../../keeper/src/service/store/keeperStore.js";
import { LeaseStore } from "../../keeper/src/service/store/leaseStore.js";

const [url, holder, ttl, renew, margin] = process.argv.slice(2);
if (!url || !holder || !ttl || !renew || !margin) {
  console.error("usage: leaseHolder.ts <postgres-url> <holder> <ttlMs> <renewMs> <marginMs>");
  process.exit(2);
}
const store = await KeeperStore.openPostgres({ url, schema: "vault_bench", timeoutMs: 1_000 });
const leadership = new LeaseLeadership({
  leases: new LeaseStore(store.db),
  vault: "bench",
  self: holder,
  settings: { ttlMs: Number(ttl), renewMs: Number(renew), marginMs: Number(margin) },
  logger: createLogger({ level: "silent" }),
  metrics: new KeeperMetrics(),
});
await leadership.start(() => {
  const sent = performance.now();
  // The first fence after taking over: what signing would wait for.
  leadership.fence("sign").then(
    () =>
      console.log(
        JSON.stringify({ leader: holder, at: Date.now(), fenceMs: performance.now() - sent, ...leadership.view() }),
      ),
    (error: unknown) => console.log(JSON.stringify({ leader: holder, at: Date.now(), fenceError: String(error) })),
  );
});
console.log(JSON.stringify({ ready: holder }));
