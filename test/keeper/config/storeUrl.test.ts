/**
 * BALLAST_STORE_URL is resolved in one place (config/storeUrl.ts) for the vault keeper's
 * config, the venue keepers' and the fleet's: the same section comes out of the same file and
 * environment, whichever keeper reads it.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { loadFleet } from "../../../keeper/src/config/fleetConfig.js";
import { loadKeeperConfig } from "../../../keeper/src/config/keeperConfig.js";
import { storeOverride, storeUrlFromEnv } from "../../../keeper/src/config/storeUrl.js";
import { loadVenueKeeperConfig } from "../../../keeper/src/config/venueKeeperConfig.js";
import { ConfigError } from "../../../keeper/src/core/errors.js";

const ENV_URL = "postgres://keeper:pw@db:5432/ballast";
const FILE_URL = "postgres://file@127.0.0.1:5432/ballast";
const LEASE = { ttlMs: 9_000, renewMs: 1_000, marginMs: 2_000 };

const vaultFile = (store: unknown) => ({
  rpcUrls: ["http://127.0.0.1:8545"],
  chainId: 42161,
  vault: `0x${"11".repeat(20)}`,
  tokens: [
    { symbol: "USDC", address: `0x${"22".repeat(20)}`, decimals: 6 },
    { symbol: "WETH", address: `0x${"33".repeat(20)}`, decimals: 18 },
  ],
  ...(store === undefined ? {} : { store }),
});

const hyperliquidFile = (store: unknown, dataDir = "/tmp/ballast-store-url-hl") => ({
  venue: "hyperliquid",
  dataDir,
  signals: { path: "scores.csv", mode: "long-short" },
  hyperliquid: { network: "testnet", accountAddress: `0x${"aa".repeat(20)}` },
  ...(store === undefined ? {} : { store }),
});

const starknetFile = (store: unknown) => ({
  venue: "starknet",
  signals: { path: "scores.csv", mode: "long-only" },
  starknet: {
    rpcUrl: "http://127.0.0.1:5050/rpc",
    vaultAddress: "0x1001",
    accountAddress: "0x4001",
    exchangeAddress: "0x3002",
  },
  ...(store === undefined ? {} : { store }),
});

function write(body: unknown, name = "config.json"): string {
  const path = join(mkdtempSync(join(tmpdir(), "ballast-store-url-")), name);
  writeFileSync(path, JSON.stringify(body));
  return path;
}

function refusal(body: () => unknown): string {
  try {
    body();
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return (error as Error).message;
  }
  expect.fail("the config was accepted");
}

describe("BALLAST_STORE_URL", () => {
  it("counts an empty value as unset", () => {
    expect(storeUrlFromEnv({})).to.equal(undefined);
    expect(storeUrlFromEnv({ BALLAST_STORE_URL: "" })).to.equal(undefined);
    expect(storeUrlFromEnv({ BALLAST_STORE_URL: ENV_URL })).to.equal(ENV_URL);
    expect(storeOverride({ BALLAST_STORE_URL: "" }, { store: { url: FILE_URL } })).to.deep.equal({});
  });

  it("sets the venue keeper's URL and keeps the file's lease settings (hyperliquid and starknet)", () => {
    const env = { BALLAST_STORE_URL: ENV_URL };
    const hl = loadVenueKeeperConfig("hyperliquid", write(hyperliquidFile({ lease: LEASE })), env);
    expect(hl.store.url).to.equal(ENV_URL);
    expect(hl.store.lease).to.include(LEASE);
    const sn = loadVenueKeeperConfig("starknet", write(starknetFile(undefined)), env);
    expect(sn.store.url).to.equal(ENV_URL);
    expect(sn.store.lease).to.include({ ttlMs: 15_000, renewMs: 3_000, marginMs: 5_000 });
  });

  it("wins over the file's store.url; unset, the file's URL (or SQLite) stands", () => {
    const path = write(hyperliquidFile({ url: FILE_URL, timeoutMs: 900, lease: LEASE }));
    const over = loadVenueKeeperConfig("hyperliquid", path, { BALLAST_STORE_URL: ENV_URL });
    expect(over.store.url).to.equal(ENV_URL);
    expect(over.store.timeoutMs).to.equal(900);
    expect(loadVenueKeeperConfig("hyperliquid", path, {}).store.url).to.equal(FILE_URL);
    expect(loadVenueKeeperConfig("starknet", write(starknetFile(undefined)), {}).store.url).to.equal(undefined);
  });

  it("gives the vault keeper and a venue keeper the same store section from the same file section and env", () => {
    const section = { timeoutMs: 1_500, lease: LEASE };
    for (const env of [{}, { BALLAST_STORE_URL: ENV_URL }]) {
      const vault = loadKeeperConfig({ file: write(vaultFile(section)), env });
      const venue = loadVenueKeeperConfig("hyperliquid", write(hyperliquidFile(section)), env);
      expect(venue.store).to.deep.equal(vault.store);
    }
  });

  it("is validated by the config's schema, without echoing the URL (it may hold a password)", () => {
    const message = refusal(() =>
      loadVenueKeeperConfig("starknet", write(starknetFile(undefined)), {
        BALLAST_STORE_URL: "mysql://keeper:s3cret@db:3306/ballast",
      }),
    );
    expect(message).to.include("store.url: must be a postgres:// or postgresql:// URL");
    expect(message).not.to.include("s3cret");
  });

  it("a fleet gives it to a venue vault without a store.url, and leaves a vault's own URL alone", () => {
    const dir = mkdtempSync(join(tmpdir(), "ballast-store-url-fleet-"));
    writeFileSync(join(dir, "hl.json"), JSON.stringify(hyperliquidFile(undefined, join(dir, "hl"))));
    writeFileSync(
      join(dir, "sn.json"),
      JSON.stringify({ ...starknetFile({ url: FILE_URL }), dataDir: join(dir, "sn") }),
    );
    const fleetPath = join(dir, "fleet.json");
    writeFileSync(
      fleetPath,
      JSON.stringify({
        vaults: [
          { name: "perps", venue: "hyperliquid", config: "hl.json" },
          { name: "stark", venue: "starknet", config: "sn.json" },
        ],
      }),
    );
    const fleet = loadFleet(fleetPath, { BALLAST_STORE_URL: ENV_URL });
    const byName = Object.fromEntries(fleet.vaults.map((v) => [v.name, v.config.store.url]));
    expect(byName).to.deep.equal({ perps: ENV_URL, stark: FILE_URL });
  });
});
