/**
 * Where BALLAST_STORE_URL is read, for the vault keeper's config (keeperConfig.ts), the venue
 * keepers' (venueKeeperConfig.ts) and the fleet's (fleetConfig.ts): one rule for all of them.
 * The variable is the better home for the URL (it may hold a password, and the config file
 * then need not); it replaces the file's `store.url` and keeps the rest of its `store` section
 * (timeouts, lease). An empty value counts as unset, as for the other BALLAST_* variables.
 * The URL itself is validated by the config's own schema (`storeSchema`), never echoed.
 */

/** The URL BALLAST_STORE_URL gives, or undefined when it is unset or empty. */
export function storeUrlFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  return env.BALLAST_STORE_URL || undefined;
}

/**
 * The `store` key to lay over a parsed config file: `{ store }` with the variable's URL in the
 * file's section, or nothing when the variable is unset (the file's section stands as it is).
 */
export function storeOverride(env: NodeJS.ProcessEnv, file: Readonly<Record<string, unknown>>): { store?: unknown } {
  const url = storeUrlFromEnv(env);
  if (url === undefined) return {};
  const section = typeof file.store === "object" && file.store !== null && !Array.isArray(file.store) ? file.store : {};
  return { store: { ...section, url } };
}
