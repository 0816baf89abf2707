import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { type OperatorServer, startOperatorServer } from "../../../keeper/src/service/http/server.js";
import { createLogger } from "../../../keeper/src/service/logger.js";
import type { CycleRecord, NavPoint } from "../../../keeper/src/service/readModel.js";
import { buildFakeKeeper, type FakeKeeper } from "./fakeKeeper.js";

const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOT = join("reports", "dashboard.png");
const DAYS = 90;
const REFRESH_MS = 10_000;

interface ChartSummary {
  readonly canvas: string;
  readonly type: string;
  readonly stacked: boolean;
  readonly datasets: readonly { label: string; points: number; drawn: number }[];
}

/** What every Chart.js instance on the page holds and has laid out (drawn elements per dataset). */
async function chartSummaries(page: Page): Promise<ChartSummary[]> {
  return page.evaluate(() => {
    const g = globalThis as unknown as {
      Chart: {
        instances: Record<
          string,
          {
            canvas: HTMLCanvasElement;
            config: { type: string };
            options: { scales?: { y?: { stacked?: boolean } } };
            data: { datasets: { label?: string; data: unknown[] }[] };
            getDatasetMeta(i: number): { data: unknown[] };
          }
        >;
      };
    };
    return Object.values(g.Chart.instances).map((c) => ({
      canvas: c.canvas.id,
      type: c.config.type,
      stacked: c.options.scales?.y?.stacked === true,
      datasets: c.data.datasets.map((d, i) => ({
        label: d.label ?? "",
        points: d.data.length,
        drawn: c.getDatasetMeta(i).data.length,
      })),
    }));
  });
}

describe("service/http dashboard in headless Chromium", () => {
  let keeper: FakeKeeper;
  let server: OperatorServer;
  let context: BrowserContext;
  let page: Page;
  let profileDir: string;
  const problems: string[] = [];

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`skipped: ${CHROMIUM} absent (apt-get install -y chromium)`);
      this.skip();
    }
    keeper = buildFakeKeeper(2024, DAYS);
    server = await startOperatorServer({
      readModel: keeper.readModel,
      control: keeper.control,
      authToken: "browser-test-token-0123456789",
      logger: createLogger({ level: "silent" }),
    });
    profileDir = mkdtempSync(join(tmpdir(), "ballast-chromium-"));
    // A persistent context is how Playwright takes a fresh --user-data-dir.
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--no-first-run",
      ],
      viewport: { width: 1280, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on("console", (msg) => {
      if (msg.type() === "error" || msg.type() === "warning") problems.push(`console ${msg.type()}: ${msg.text()}`);
    });
    page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
    page.on("requestfailed", (req) => problems.push(`request failed: ${req.url()}`));
    // A fake clock lets the test drive the 10 s polling without waiting for it.
    await page.clock.install();
    await page.goto(server.url, { waitUntil: "load" });
  });

  after(async () => {
    await context?.close();
    await server?.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  it("loads the page and renders both charts with the keeper's data", async () => {
    await page.waitForFunction(() => document.body.dataset.state === "ready", undefined, { timeout: 20_000 });
    const charts = await chartSummaries(page);
    expect(charts.map((c) => c.canvas).sort()).to.deep.equal(["composition-chart", "nav-chart"]);

    const nav = charts.find((c) => c.canvas === "nav-chart") as ChartSummary;
    expect(nav.datasets.map((d) => d.label)).to.deep.equal(["Vault", "Benchmark", "buy and hold", "equal weight"]);
    for (const d of nav.datasets) {
      expect(d.points, d.label).to.equal(DAYS);
      expect(d.drawn, d.label).to.equal(DAYS);
    }

    const composition = charts.find((c) => c.canvas === "composition-chart") as ChartSummary;
    expect(composition.stacked).to.equal(true);
    expect(composition.datasets.map((d) => d.label)).to.have.members(["WETH", "WBTC", "ARB", "LINK", "GMX", "USDC"]);
    for (const d of composition.datasets) expect(d.drawn, d.label).to.equal(DAYS);
  });

  it("shows the status, risk level, NAV and the rebalances with their costs", async () => {
    const status = await keeper.readModel.status();
    await expectText(page, "#identity", status.vault);
    await expectText(page, "#identity", status.strategy);
    await expectText(page, "#badges", "running");
    expect(await page.textContent("#risk-level")).to.equal("medium");
    expect(await page.locator("#risk-meter span.on").count()).to.equal(3);

    const last = (await keeper.readModel.navHistory()).at(-1) as NavPoint;
    expect(await page.textContent("#nav-per-share")).to.equal(last.navPerShare.toFixed(4));

    const cycles = keeper.readModel.cycleLog;
    const rows = page.locator("#cycles-body tr");
    expect(await rows.count()).to.equal(Math.min(50, cycles.length));
    const failed = cycles.find((c) => c.status === "failed") as CycleRecord;
    const failedRow = rows.filter({ hasText: "NavLossTooHigh" });
    expect(await failedRow.count()).to.equal(1);
    expect(await failedRow.locator("td").first().textContent()).to.equal(String(failed.id));
    // The newest rebalance is first, with its cost in dollars and basis points.
    const newest = cycles.at(-1) as CycleRecord;
    const firstCells = await rows.first().locator("td").allTextContents();
    expect(firstCells[0]).to.equal(String(newest.id));
    expect(firstCells[2]).to.equal("traded");
    const bps = (((newest.costUsd ?? 0) / (newest.navBefore ?? 1)) * 10_000).toFixed(1);
    expect(firstCells[5]).to.equal(bps);
    expect(await page.locator("#weights-body tr").count()).to.equal(6);
    expect(await page.isHidden("#alert")).to.equal(true);

    // The rotation waiting for the admin, with the calls it proposed.
    const rotation = (await keeper.readModel.rotations(10))[0];
    if (!rotation) throw new Error("the fake keeper has a rotation");
    const rotationCells = await page.locator("#rotations-body tr").first().locator("td").allTextContents();
    expect(rotationCells.slice(0, 5)).to.deep.equal(["1", rotationCells[1], "in-progress", "PENDLE", "–"]);
    expect(rotationCells[1]).to.equal(new Date(rotation.startedAt * 1000).toISOString().slice(0, 16).replace("T", " "));
    expect(rotationCells[5]).to.equal("PENDLE add proposed");
    expect(rotationCells[6]).to.equal("PENDLE: schedule → addAsset");

    mkdirSync("reports", { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(statSync(SCREENSHOT).size).to.be.greaterThan(10_000);
  });

  it("polls the API: a failed cycle and the kill switch appear after the next refresh", async () => {
    const last = keeper.readModel.cycleLog.at(-1) as CycleRecord;
    keeper.readModel.killSwitch = true;
    keeper.readModel.cycleLog.push({
      ...last,
      id: last.id + 1,
      status: "failed",
      outcome: "failed",
      txHash: null,
      reason: "reverted: CooldownActive(readyAt=1743465600)",
    });
    await page.clock.runFor(REFRESH_MS + 1_000);
    await expectText(page, "#badges", "kill switch on");
    await expectText(page, "#alert", `Last cycle #${last.id + 1} failed: reverted: CooldownActive`);
    expect(await page.isVisible("#alert")).to.equal(true);
    expect(problems, problems.join("\n")).to.deep.equal([]);
  });

  it("shows the venue's positions, a short as negative, and the last cycle's orders with how each ended", async () => {
    expect(await page.textContent("#venue-summary")).to.equal("The keeper has not read its venue yet.");
    expect(await page.isHidden("#venue-holdings")).to.equal(true);
    const order = (clientId: string, symbol: string, side: "buy" | "sell", size: string) => ({
      clientId,
      symbol,
      side,
      size,
      limitPrice: "100",
      reduceOnly: false,
    });
    keeper.readModel.venue = {
      name: "hyperliquid",
      describes: "hyperliquid testnet account 0xabc",
      account: {
        time: 1_767_225_600,
        navUsd: 10_000,
        holdings: [
          { symbol: "BTC", size: 0.05, notionalUsd: 5_000, weight: 0.5 },
          { symbol: "SOL", size: -20, notionalUsd: -3_000, weight: -0.3 },
        ],
        grossLeverage: 0.8,
      },
      lastOrders: [
        {
          order: order("0x01", "BTC", "buy", "0.123456789012345678"),
          result: {
            status: "filled",
            filledSize: "0.123456789012345678",
            averagePrice: 100_000,
            venueOrderId: "7",
            reason: null,
          },
        },
        {
          order: order("0x02", "SOL", "sell", "20"),
          result: {
            status: "rejected",
            filledSize: "0",
            averagePrice: null,
            venueOrderId: null,
            reason: "Insufficient margin",
          },
        },
      ],
    };
    await page.clock.runFor(REFRESH_MS + 1_000);
    await expectText(
      page,
      "#venue-summary",
      "hyperliquid: hyperliquid testnet account 0xabc. Net liquidity $10,000.00",
    );
    await expectText(page, "#venue-summary", "gross leverage 0.80x, read at 2026-01-01 00:00:00 UTC");
    const holdings = await page
      .locator("#venue-holdings-body tr")
      .evaluateAll((rows) => rows.map((r) => Array.from(r.querySelectorAll("td"), (td) => td.textContent)));
    expect(holdings).to.deep.equal([
      ["BTC", "0.05", "$5,000.00", "50.00%"],
      ["SOL", "-20", "−$3,000.00", "-30.00%"],
    ]);
    const orders = await page
      .locator("#venue-orders-body tr")
      .evaluateAll((rows) => rows.map((r) => Array.from(r.querySelectorAll("td"), (td) => td.textContent)));
    expect(orders).to.deep.equal([
      ["0x01", "buy 0.12345679 BTC", "100", "filled", "0.12345679", "100,000", ""],
      ["0x02", "sell 20 SOL", "100", "rejected", "0", "–", "Insufficient margin"],
    ]);
    expect(await page.isHidden("#venue-orders-note")).to.equal(true);
    expect(problems, problems.join("\n")).to.deep.equal([]);
  });

  it("shows a hold as a banner and each cycle's outcome, a partial one apart from a full trade", async () => {
    const last = keeper.readModel.cycleLog.at(-1) as CycleRecord;
    keeper.readModel.killSwitch = false;
    const reason = "market guard: WBTC has no positive finite price on the bar of 2025-03-31T00:00:00Z";
    keeper.readModel.cycleLog.push(
      {
        ...last,
        id: last.id + 1,
        status: "reconciled",
        outcome: "partial",
        distanceBps: 1_923,
        reason: "partial: 1923 bps from target (vault tolerance 150 bps)",
      },
      { ...last, id: last.id + 2, status: "held", outcome: "held", txHash: null, gasUsed: null, reason },
    );
    keeper.readModel.holdReason = reason;
    await page.clock.runFor(REFRESH_MS + 1_000);
    await expectText(page, "#alert", `Holding, no orders: ${reason}`);
    await expectText(page, "#badges", "holding");
    const rows = page.locator("#cycles-body tr");
    const held = await rows.nth(0).locator("td").allTextContents();
    const partial = await rows.nth(1).locator("td").allTextContents();
    expect([held[0], held[2]]).to.deep.equal([String(last.id + 2), "held"]);
    expect([partial[0], partial[2]]).to.deep.equal([String(last.id + 1), "partial"]);
    expect(await rows.nth(1).locator("td").nth(2).getAttribute("class")).to.equal("status-partial");
    await expectText(page, "#last-cycle-status", "held");
    expect(problems, problems.join("\n")).to.deep.equal([]);
  });

  it("shows the release in force with its gate verdict, and the market data's freshness", async () => {
    keeper.readModel.release = {
      dir: "/srv/releases/r1",
      serves: "min-variance(lookback=120)@48h",
      candidate: "ts-momentum(lookback=14)@168h",
      approved: false,
      reasons: ["deflated Sharpe 0.90 is below 0.95"],
    };
    keeper.readModel.market = { source: "chainlink", newestBarAt: 1_743_465_600, ok: false, reason: "stale" };
    await page.clock.runFor(REFRESH_MS + 1_000);
    await expectText(page, "#provenance", "release min-variance(lookback=120)@48h");
    await expectText(page, "#provenance", "gate did not approve ts-momentum(lookback=14)@168h");
    await expectText(page, "#provenance", "deflated Sharpe 0.90 is below 0.95");
    await expectText(page, "#provenance", "market data: chainlink, newest bar 2025-04-01 00:00 · refused: stale");
    expect(problems, problems.join("\n")).to.deep.equal([]);
  });
});

async function expectText(page: Page, selector: string, text: string): Promise<void> {
  await page.locator(selector).filter({ hasText: text }).waitFor({ timeout: 10_000 });
}
