/**
 * The dashboard's vault selector on a fleet server (`keeper run --fleet`): the page carries the
 * selector, which vault it shows follows `?vault=` (else the fleet's first), every panel's read
 * goes to that vault's routes and answers with that vault's data, and a failed vault is shown
 * with its error. A single keeper's page is not marked as a fleet's (`<body data-fleet>`), so its
 * panels read /api/... unchanged. series.js's helpers run in a sandbox as in the browser.
 */
import { readFileSync } from "node:fs";
import { expect } from "chai";
import {
  type FleetMember,
  FleetSupervisor,
  type FleetVaultSpec,
} from "../../../keeper/src/service/fleet/fleetSupervisor.js";
import { startFleetServer } from "../../../keeper/src/service/http/fleetServer.js";
import { startOperatorServer } from "../../../keeper/src/service/http/server.js";
import { createLogger } from "../../../keeper/src/service/logger.js";
import { loadDashboardSeries } from "../../helpers/dashboardSeries.js";
import { buildFakeKeeper, type FakeKeeper } from "./fakeKeeper.js";

interface FleetView {
  readonly vaults: readonly {
    name: string;
    venue: string;
    state: string;
    failures: number;
    lastError: string | null;
    retryAt: number | null;
  }[];
}

interface Selector {
  PANEL_PATHS: readonly string[];
  apiPath(path: string, vault: string | null): string;
  pickVault(fleet: FleetView | null, search: string): string | null;
  withVault(search: string, vault: string): string;
  vaultOptions(fleet: FleetView | null): { value: string; label: string; title: string }[];
  vaultProblem(fleet: FleetView | null, vault: string): string | null;
}

const { PANEL_PATHS, apiPath, pickVault, withVault, vaultOptions, vaultProblem } = loadDashboardSeries<Selector>();
const silent = createLogger({ level: "silent" });
const TOKEN = "dashboard-fleet-token-0123456789";

/** A fleet vault backed by a fake keeper that runs until stopped. */
function fakeVault(name: string, fake: FakeKeeper): FleetVaultSpec {
  return {
    name,
    venue: "arbitrum",
    open: async (): Promise<FleetMember> => {
      let stop: () => void = () => undefined;
      const stopped = new Promise<void>((resolve) => {
        stop = resolve;
      });
      return { readModel: fake.readModel, control: fake.control, run: () => stopped, stop, close: async () => {} };
    },
  };
}

function deadVault(name: string): FleetVaultSpec {
  return {
    name,
    venue: "starknet",
    open: async () => {
      throw new Error("rpc http://127.0.0.1:1: connect ECONNREFUSED");
    },
  };
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("dashboard vault selector", () => {
  it("builds each panel's path: unchanged for a single keeper, the vault's route (query kept) in a fleet", () => {
    expect(PANEL_PATHS).to.include("/api/status").and.to.include("/api/cycles?limit=50");
    for (const path of PANEL_PATHS) expect(apiPath(path, null)).to.equal(path);
    expect(apiPath("/api/cycles?limit=50", "lst")).to.equal("/api/vaults/lst/cycles?limit=50");
    expect(apiPath("/api/status", "blue_chip-2")).to.equal("/api/vaults/blue_chip-2/status");
    expect(() => apiPath("/metrics", "lst")).to.throw(/not an API path/);
  });

  it("shows the vault the URL names when the fleet has it, else the first; remembers it in the query", () => {
    const fleet: FleetView = {
      vaults: [
        { name: "bluechip", venue: "arbitrum", state: "running", failures: 0, lastError: null, retryAt: null },
        {
          name: "lst",
          venue: "arbitrum",
          state: "failed",
          failures: 3,
          lastError: "ECONNREFUSED",
          retryAt: Date.UTC(2026, 11, 4, 18, 30, 5),
        },
      ],
    };
    expect(pickVault(fleet, "?vault=lst")).to.equal("lst");
    expect(pickVault(fleet, "?vault=nope")).to.equal("bluechip");
    expect(pickVault(fleet, "")).to.equal("bluechip");
    expect(pickVault(null, "?vault=lst")).to.equal(null);
    expect(pickVault({ vaults: [] }, "")).to.equal(null);
    expect(withVault("?theme=dark&vault=bluechip", "lst")).to.equal("?theme=dark&vault=lst");
    expect(withVault("", "lst")).to.equal("?vault=lst");
    expect(vaultOptions(fleet)).to.deep.equal([
      { value: "bluechip", label: "bluechip (arbitrum, running)", title: "" },
      { value: "lst", label: "lst (arbitrum, failed ×3)", title: "ECONNREFUSED" },
    ]);
    expect(vaultProblem(fleet, "bluechip")).to.equal(null);
    expect(vaultProblem(fleet, "lst")).to.equal("Vault lst is failed: ECONNREFUSED, next try 18:30:05 UTC");
  });

  it("dashboard.js reads the API only through the panel paths and /api/fleet", () => {
    const js = readFileSync(
      new URL("../../../keeper/src/service/http/dashboard/dashboard.js", import.meta.url),
      "utf8",
    );
    // Besides /api/fleet, an API path in the script goes through apiPath (the Rotations panel's hint).
    const bare = js.replace(/apiPath\("\/api\/\w+", view\.vault\)/g, "");
    expect([...new Set(bare.match(/\/api\/\w+/g))]).to.deep.equal(["/api/fleet"]);
    expect(js).to.include("PANEL_PATHS.map((path) => getJson(apiPath(path, shown)))");
    expect(js).to.include('apiPath("/api/rotations", view.vault)');
  });

  describe("on a fleet server", () => {
    const alpha = buildFakeKeeper(3, 30);
    const beta = buildFakeKeeper(5, 60);
    let supervisor: FleetSupervisor;
    let running: Promise<void>;
    let server: { url: string; close(): Promise<void> };

    before(async () => {
      supervisor = new FleetSupervisor({
        vaults: [fakeVault("alpha", alpha), fakeVault("beta", beta), deadVault("gamma")],
        logger: silent,
        restart: { initialMs: 10_000, maxMs: 10_000 },
      });
      running = supervisor.run();
      await until("alpha and beta running, gamma failed", () => {
        const states = supervisor.status().map((s) => s.state);
        return states.join(",") === "running,running,failed";
      });
      server = await startFleetServer({ fleet: supervisor, authToken: TOKEN, port: 0, logger: silent });
    });

    after(async () => {
      await server.close();
      supervisor.stop();
      await running;
    });

    const getJson = async <T>(path: string): Promise<T> => {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).to.equal(200);
      return (await res.json()) as T;
    };

    it("serves the page with the selector, and its options from /api/fleet", async () => {
      const html = await (await fetch(`${server.url}/`)).text();
      expect(html).to.include('id="vault-select"').and.to.include('id="vault-picker"');
      // Marked as a fleet's page: the script fills the selector (a single keeper's page is not).
      expect(html).to.include('<body data-fleet data-state="loading">');
      const fleet = await getJson<FleetView>("/api/fleet");
      expect(vaultOptions(fleet).map((o) => o.label)).to.deep.equal([
        "alpha (arbitrum, running)",
        "beta (arbitrum, running)",
        "gamma (starknet, failed ×1)",
      ]);
      expect(pickVault(fleet, "?vault=beta")).to.equal("beta");
      expect(vaultProblem(fleet, "gamma")).to.match(
        /^Vault gamma is failed: rpc http:\/\/127\.0\.0\.1:1: connect ECONNREFUSED/,
      );
    });

    it("answers every panel's read for the picked vault with that vault's data", async () => {
      for (const path of PANEL_PATHS) {
        const res = await fetch(`${server.url}${apiPath(path, "beta")}`);
        expect(res.status, path).to.equal(200);
        // Without a vault the fleet server refuses the panel's read (the selector is needed).
        expect((await fetch(`${server.url}${path}`)).status, path).to.equal(400);
      }
      const navOf = (vault: string) => getJson<{ nav: { t: number }[] }>(apiPath("/api/nav", vault));
      const [a, b] = await Promise.all([navOf("alpha"), navOf("beta")]);
      expect(a.nav.length).to.equal((await alpha.readModel.navHistory()).length);
      expect(b.nav.length).to.equal((await beta.readModel.navHistory()).length);
      expect(a.nav.length).to.not.equal(b.nav.length);
      const cycles = await getJson<{ cycles: { id: number }[] }>(apiPath("/api/cycles?limit=50", "beta"));
      expect(cycles.cycles.map((c) => c.id)).to.deep.equal((await beta.readModel.cycles(50)).map((c) => c.id));
      // A failed vault's routes say why, the page shows vaultProblem instead of reading them.
      expect((await fetch(`${server.url}${apiPath("/api/status", "gamma")}`)).status).to.equal(503);
    });
  });

  it("on a single keeper: the page is not a fleet's and the panels' paths answer as before", async () => {
    const keeper = buildFakeKeeper(7, 30);
    const server = await startOperatorServer({ ...keeper, authToken: TOKEN, port: 0, logger: silent });
    try {
      for (const path of PANEL_PATHS)
        expect((await fetch(`${server.url}${apiPath(path, null)}`)).status, path).to.equal(200);
      const html = await (await fetch(`${server.url}/`)).text();
      // The selector is in the page but stays hidden: the page is not marked as a fleet's.
      expect(html).to.match(/<label class="vault-picker" id="vault-picker" hidden/);
      expect(html).to.include('<body data-state="loading">');
    } finally {
      await server.close();
    }
  });
});
