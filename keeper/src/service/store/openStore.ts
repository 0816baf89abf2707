/**
 * Opens the keeper's store the config asks for, with the leadership that goes with it: SQLite
 * at `<dataDir>/keeper.sqlite` and local leadership, or, with `store.url`, the vault's schema
 * in the shared PostgreSQL and a lease on the vault (leadership/leaseLeadership.ts). The URL
 * is only ever logged redacted.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { type KeeperConfig, storePath } from "../../config/keeperConfig.js";
import { redactUrl } from "../../config/redactUrl.js";
import type { KeeperMetrics } from "../keeperMetrics.js";
import { type Leadership, LocalLeadership } from "../leadership/leadership.js";
import { LeaseLeadership } from "../leadership/leaseLeadership.js";
import type { Logger } from "../logger.js";
import { KeeperStore } from "./keeperStore.js";
import { LeaseStore } from "./leaseStore.js";

/** The PostgreSQL schema of one vault's tables (lower case: unquoted identifiers fold to it). */
export function vaultSchema(config: Pick<KeeperConfig, "chainId" | "vault">): string {
  return `vault_${config.chainId}_${config.vault.slice(2).toLowerCase()}`;
}

/** The vault's key in the lease table. */
export function leaseKey(config: Pick<KeeperConfig, "chainId" | "vault">): string {
  return `${config.chainId}:${config.vault.toLowerCase()}`;
}

/** A name for this process in the lease: unique per start, so a restart is a new holder. */
export function defaultHolder(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
}

export async function openStore(
  config: KeeperConfig,
  deps: { readonly logger: Logger; readonly metrics: KeeperMetrics },
): Promise<{ readonly store: KeeperStore; readonly leadership: Leadership }> {
  const { url } = config.store;
  const count = statementCounter(deps.metrics);
  if (url === undefined) {
    deps.metrics.leader.set(1);
    return { store: await KeeperStore.open(storePath(config), count), leadership: new LocalLeadership() };
  }
  const schema = vaultSchema(config);
  const store = await KeeperStore.openPostgres({ url, schema, timeoutMs: config.store.timeoutMs }, count);
  const self = config.store.lease.holder ?? defaultHolder();
  deps.logger.info({ store: redactUrl(url), schema, holder: self }, "store: PostgreSQL");
  deps.metrics.leader.set(0);
  const leadership = new LeaseLeadership({
    leases: new LeaseStore(store.db),
    vault: leaseKey(config),
    self,
    settings: config.store.lease,
    logger: deps.logger,
    metrics: deps.metrics,
  });
  return { store, leadership };
}

/** Every statement of the store, on the vault's `keeper_store_queries_total`. */
export function statementCounter(metrics: KeeperMetrics): (statements: number) => void {
  return (statements) => metrics.storeQueriesTotal.inc(statements);
}
