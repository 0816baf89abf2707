/**
 * The fleet server's dashboard in headless Chromium (skipped without /usr/bin/chromium): the
 * vault named by `?vault=` is shown, picking another in the selector shows that vault's data
 * and writes it into the URL, a failed vault shows its error instead of panels, and a page
 * without `?vault=` shows the fleet's first vault.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import {
  type FleetMember,
  FleetSupervisor,
  type FleetVaultSpec,
} from "../../../keeper/src/service/fleet/fleetSupervisor.js";
import { startFleetServer } from "../../../keeper/src/service/http/fleetServer.js";
import type { OperatorServer } from "../../../keeper/src/service/http/server.js";
import { createLogger } from "../../../keeper/src/service/logger.js";
import { buildFakeKeeper, type FakeKeeper } from "./fakeKeeper.js";

const CHROMIUM = "/usr/bin/chromium";
const ALPHA = "0x00000000000000000000000000000000000a1fa0";
const BETA = "0x00000000000000000000000000000000000be7a0";

/** A fake keeper whose status names `vault`, so the page shows which vault it reads. */
function fakeAt(vault: string, seed: number): FakeKeeper {
  const fake = buildFakeKeeper(seed, 30);
  const status = fake.readModel.status.bind(fake.readModel);
  fake.readModel.status = async () => ({ ...(await status()), vault });
  return fake;
}

function member(fake: FakeKeeper): FleetVaultSpec["open"] {
  return async (): Promise<FleetMember> => {
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    return { readModel: fake.readModel, control: fake.control, run: () => stopped, stop, close: async () => {} };
  };
}

describe("service/http fleet dashboard in headless Chromium", function () {
  this.timeout(60_000);
  let supervisor: FleetSupervisor;
  let running: Promise<void> = Promise.resolve();
  let server: OperatorServer;
  let context: BrowserContext;
  let page: Page;
  let profileDir = "";
  const problems: string[] = [];

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`skipped: ${CHROMIUM} absent (apt-get install -y chromium)`);
      this.skip();
    }
    supervisor = new FleetSupervisor({
      vaults: [
        { name: "alpha", venue: "arbitrum", open: member(fakeAt(ALPHA, 3)) },
        { name: "beta", venue: "arbitrum", open: member(fakeAt(BETA, 5)) },
        {
          name: "gamma",
          venue: "starknet",
          open: async () => {
            throw new Error("rpc http://127.0.0.1:1: connect ECONNREFUSED");
          },
        },
      ],
      logger: createLogger({ level: "silent" }),
      restart: { initialMs: 30_000, maxMs: 30_000 },
    });
    running = supervisor.run();
    const deadline = Date.now() + 5_000;
    while (
      supervisor
        .status()
        .map((s) => s.state)
        .join(",") !== "running,running,failed"
    ) {
      if (Date.now() > deadline) throw new Error("fleet did not settle");
      await new Promise((r) => setTimeout(r, 5));
    }
    server = await startFleetServer({
      fleet: supervisor,
      authToken: "fleet-browser-token-0123456789",
      port: 0,
      logger: createLogger({ level: "silent" }),
    });
    profileDir = mkdtempSync(join(tmpdir(), "ballast-chromium-fleet-"));
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
      viewport: { width: 1280, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on("console", (msg) => {
      if (msg.type() === "error" || msg.type() === "warning") problems.push(`console ${msg.type()}: ${msg.text()}`);
    });
    page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  });

  after(async () => {
    await context?.close();
    await server?.close();
    supervisor?.stop();
    await running;
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  const ready = () =>
    page.waitForFunction(() => document.body.dataset.state === "ready", undefined, { timeout: 20_000 });

  it("shows the vault the URL names, and another once picked, writing it into the URL", async () => {
    await page.goto(`${server.url}/?vault=beta`, { waitUntil: "load" });
    await ready();
    expect(await page.isVisible("#vault-picker")).to.equal(true);
    expect(await page.inputValue("#vault-select")).to.equal("beta");
    expect(await page.locator("#vault-select option").allTextContents()).to.deep.equal([
      "alpha (arbitrum, running)",
      "beta (arbitrum, running)",
      "gamma (starknet, failed ×1)",
    ]);
    expect(await page.textContent("#identity")).to.include(BETA);

    await page.selectOption("#vault-select", "alpha");
    await page.locator("#identity").filter({ hasText: ALPHA }).waitFor({ timeout: 10_000 });
    expect(new URL(page.url()).searchParams.get("vault")).to.equal("alpha");
    expect(problems).to.deep.equal([]);
  });

  it("shows a failed vault's error instead of its panels", async () => {
    await page.selectOption("#vault-select", "gamma");
    await page.waitForFunction(() => document.body.dataset.state === "error", undefined, { timeout: 10_000 });
    expect(await page.textContent("#alert")).to.match(
      /^Vault gamma is failed: rpc http:\/\/127\.0\.0\.1:1: connect ECONNREFUSED/,
    );
    expect(new URL(page.url()).searchParams.get("vault")).to.equal("gamma");
    expect(problems).to.deep.equal([]);
  });

  it("without ?vault= shows the fleet's first vault and names it in the URL", async () => {
    await page.goto(`${server.url}/`, { waitUntil: "load" });
    await ready();
    expect(await page.inputValue("#vault-select")).to.equal("alpha");
    expect(await page.textContent("#identity")).to.include(ALPHA);
    expect(new URL(page.url()).searchParams.get("vault")).to.equal("alpha");
    expect(problems).to.deep.equal([]);
  });
});
