import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { loadFleet, parseFleetFile } from "../../../keeper/src/config/fleetConfig.js";
import { ConfigError } from "../../../keeper/src/core/errors.js";

const vaultConfig = (address: string, dataDir: string) => ({
  rpcUrls: ["http://127.0.0.1:8545"],
  chainId: 42161,
  vault: address,
  dataDir,
  tokens: [
    { symbol: "USDC", address: `0x${"22".repeat(20)}`, decimals: 6 },
    { symbol: "WETH", address: `0x${"33".repeat(20)}`, decimals: 18 },
  ],
});
const A = `0x${"11".repeat(20)}`;
const B = `0x${"44".repeat(20)}`;

function refusal(body: () => unknown): string {
  try {
    body();
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return (error as Error).message;
  }
  expect.fail("the fleet config was accepted");
}

/** Writes a fleet file (and any keeper config files) into a fresh folder; returns the fleet path. */
function fleetDir(fleet: unknown, files: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "ballast-fleet-"));
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), JSON.stringify(body));
  const path = join(dir, "fleet.json");
  writeFileSync(path, JSON.stringify(fleet));
  return path;
}

describe("fleet config", () => {
  it("defaults the venue, the HTTP port and the restart backoff", () => {
    const parsed = parseFleetFile({ vaults: [{ name: "blue-chip", config: "a.json" }] });
    expect(parsed.vaults[0]?.venue).to.equal("arbitrum");
    expect(parsed.http).to.deep.equal({ port: 8787, host: "127.0.0.1" });
    expect(parsed.restart).to.deep.equal({ initialMs: 1_000, maxMs: 60_000 });
  });

  it("refuses unknown keys, at the top and in a vault, naming the closest key", () => {
    expect(refusal(() => parseFleetFile({ vault: [] }))).to.include('unknown key "vault" (did you mean "vaults"?)');
    expect(refusal(() => parseFleetFile({ vaults: [{ name: "a", config: "a.json", relase: "r" }] }))).to.include(
      'vaults.0: unknown key "relase" (did you mean "release"?)',
    );
  });

  it("refuses an empty list, duplicate names and names that are not label values", () => {
    expect(refusal(() => parseFleetFile({ vaults: [] }))).to.include("list at least one vault");
    expect(
      refusal(() =>
        parseFleetFile({
          vaults: [
            { name: "lst", config: "a.json" },
            { name: "lst", config: "b.json" },
          ],
        }),
      ),
    ).to.include('vault name "lst" is used twice');
    for (const bad of ["Blue", "has space", 'quo"te', "-lead", "", "a".repeat(64)]) {
      expect(
        refusal(() => parseFleetFile({ vaults: [{ name: bad, config: "a.json" }] })),
        bad,
      ).to.include("vaults.0.name");
    }
  });

  it("refuses release or market on a venue vault, and an inline venue config", () => {
    expect(
      refusal(() =>
        parseFleetFile({ vaults: [{ name: "perps", venue: "hyperliquid", config: "h.json", release: "r" }] }),
      ),
    ).to.include("apply to venue arbitrum only");
    expect(refusal(() => parseFleetFile({ vaults: [{ name: "stark", venue: "starknet", config: {} }] }))).to.include(
      "must be a file path",
    );
  });

  it("loads file and inline keeper configs, relative paths against the fleet file, and the shared store URL", () => {
    const path = fleetDir(
      {
        store: { url: "postgres://keeper@127.0.0.1:5432/ballast" },
        vaults: [
          { name: "blue-chip", config: "blue.json", market: "market.csv" },
          { name: "lst", config: vaultConfig(B, "/tmp/ballast-fleet-lst") },
        ],
      },
      { "blue.json": vaultConfig(A, "/tmp/ballast-fleet-blue") },
    );
    const fleet = loadFleet(path, {});
    expect(fleet.vaults.map((v) => v.name)).to.deep.equal(["blue-chip", "lst"]);
    const [blue, lst] = fleet.vaults;
    if (blue?.venue !== "arbitrum" || lst?.venue !== "arbitrum") expect.fail("arbitrum vaults expected");
    expect(blue.config.vault.toLowerCase()).to.equal(A);
    expect(blue.market).to.equal(join(path, "..", "market.csv"));
    expect(blue.config.store.url).to.equal("postgres://keeper@127.0.0.1:5432/ballast");
    expect(lst.config.store.url).to.equal("postgres://keeper@127.0.0.1:5432/ballast");
  });

  it("ignores BALLAST_VAULT and BALLAST_DATA_DIR (they would point every vault at one place)", () => {
    const path = fleetDir({ vaults: [{ name: "a", config: vaultConfig(A, "/tmp/ballast-fleet-a") }] });
    const fleet = loadFleet(path, { BALLAST_VAULT: B, BALLAST_DATA_DIR: "/tmp/elsewhere" });
    expect(fleet.vaults[0]?.config.dataDir).to.equal("/tmp/ballast-fleet-a");
    expect(fleet.vaults[0]?.venue === "arbitrum" && fleet.vaults[0].config.vault.toLowerCase()).to.equal(A);
  });

  it("names the vault whose keeper config is invalid", () => {
    const path = fleetDir({ vaults: [{ name: "broken", config: { ...vaultConfig(A, "/tmp/x"), chainid: 1 } }] });
    expect(refusal(() => loadFleet(path, {}))).to.match(
      /vault "broken": invalid keeper config[\s\S]*unknown key "chainid"/,
    );
    const missing = fleetDir({ vaults: [{ name: "gone", config: "nowhere.json" }] });
    expect(refusal(() => loadFleet(missing, {}))).to.include('vault "gone": cannot read config file');
  });

  it("refuses two vaults on one data directory or on one vault address", () => {
    const shared = fleetDir({
      vaults: [
        { name: "a", config: vaultConfig(A, "/tmp/ballast-fleet-same") },
        { name: "b", config: vaultConfig(B, "/tmp/ballast-fleet-same") },
      ],
    });
    expect(refusal(() => loadFleet(shared, {}))).to.include('vaults "a" and "b" share the data directory');
    const twice = fleetDir({
      vaults: [
        { name: "a", config: vaultConfig(A, "/tmp/ballast-fleet-1") },
        { name: "b", config: vaultConfig(A, "/tmp/ballast-fleet-2") },
      ],
    });
    expect(refusal(() => loadFleet(twice, {}))).to.include('vaults "a" and "b" serve the same vault');
  });

  it("refuses a fleet file that is not JSON", () => {
    const dir = mkdtempSync(join(tmpdir(), "ballast-fleet-"));
    const path = join(dir, "fleet.json");
    writeFileSync(path, "{ not json");
    expect(refusal(() => loadFleet(path, {}))).to.include(`cannot read fleet config ${path}`);
  });
});
