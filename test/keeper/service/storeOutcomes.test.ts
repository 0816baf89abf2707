import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { expect } from "chai";
import { KeeperStore } from "../../../keeper/src/service/store/keeperStore.js";
import { MIGRATIONS } from "../../../keeper/src/service/store/migrations.js";

describe("service/store cycle outcomes", () => {
  it("migration 4 gives cycles recorded before it the outcome their record implies", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "ballast-outcomes-")), "keeper.sqlite");
    // A store as a keeper before outcomes left it: schema 3 with one cycle of each kind.
    const old = new DatabaseSync(path);
    old.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER)");
    MIGRATIONS.slice(0, 3).forEach((sql, i) => {
      old.exec(sql);
      old.prepare("INSERT INTO schema_migrations VALUES (?, ?)").run(i + 1, 0);
    });
    const insert = old.prepare("INSERT INTO cycles(started_at, status, reason, sizing) VALUES (?, ?, ?, ?)");
    const rows: [string, string | null, string | null][] = [
      ["reconciled", null, "predicted cost $12.00"],
      ["reconciled", "reconciled: max weight gap 1923 bps from target", "partial: predicted cost $3.10; ARB: capped"],
      ["failed", "nothing to trade: every leg is below the minimum trade size", null],
      ["failed", "simulation reverted: CooldownActive(1)", null],
      ["skipped", "strategy holds", null],
      ["dry-run", "dry run: simulated and signed, not submitted", null],
      ["submitted", null, null],
    ];
    rows.forEach(([status, reason, sizing], i) => {
      insert.run(1_000 + i, status, reason, sizing);
    });
    old.close();

    const store = await KeeperStore.open(path);
    expect(await store.schemaVersion()).to.equal(MIGRATIONS.length);
    const outcomes = (await store.cycles(100)).map((c) => c.outcome).reverse();
    expect(outcomes).to.deep.equal(["traded", "partial", "nothing-to-trade", "failed", "held", "dry-run", null]);
    await store.close();
  });

  it("stores a cycle's outcome and distance from target and reads them back", async () => {
    const store = await KeeperStore.open(":memory:");
    const id = await store.beginCycle(1_000, { USDC: 0.1, WETH: 0.9 });
    await store.updateCycle(id, { status: "reconciled", outcome: "partial", distanceBps: 1_923 });
    expect(await store.cycle(id)).to.include({ outcome: "partial", distanceBps: 1_923, status: "reconciled" });
    await store.setState({ holdReason: "market guard: market data has no WBTC (a basket asset)" });
    expect((await store.status()).holdReason).to.match(/no WBTC/);
    await store.close();
  });
});
