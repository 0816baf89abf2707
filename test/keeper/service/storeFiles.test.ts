import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { expect } from "chai";
import { DataError } from "../../../keeper/src/core/errors.js";
import { KeeperStore } from "../../../keeper/src/service/store/keeperStore.js";

const mode = (path: string) => statSync(path).mode & 0o777;

describe("keeper store on disk", () => {
  let root: string;
  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), "ballast-store-"));
  });

  it("creates the data directory 0700 and the database, WAL and SHM files 0600", async () => {
    const dir = join(root, "nested", "keeper-data");
    const path = join(dir, "keeper.sqlite");
    const store = await KeeperStore.open(path);
    try {
      await store.setState({ running: true });
      expect(mode(dir)).to.equal(0o700);
      expect(mode(join(root, "nested"))).to.equal(0o700);
      for (const file of [path, `${path}-wal`, `${path}-shm`]) {
        expect(existsSync(file), file).to.equal(true);
        expect(mode(file), file).to.equal(0o600);
      }
    } finally {
      await store.close();
    }
  });

  it("sets an existing world-readable database back to 0600", async () => {
    const path = join(root, "keeper.sqlite");
    await (await KeeperStore.open(path)).close();
    // What an older keeper left: mode 644.
    chmodSync(path, 0o644);
    expect(mode(path)).to.equal(0o644);
    await (await KeeperStore.open(path)).close();
    expect(mode(path)).to.equal(0o600);
  });

  it("stores and shows the active RPC URL redacted, and redacts URLs in cycle reasons", async () => {
    const path = join(root, "keeper.sqlite");
    const store = await KeeperStore.open(path);
    await store.setState({ activeRpcUrl: "https://bob:hunter2secret@arb.example/v2/pathKey0123456789" });
    const id = await store.beginCycle(1, {});
    await store.updateCycle(id, {
      status: "failed",
      reason: "read: every RPC URL failed: https://arb.example/rpc?apikey=paramSecret42",
    });
    expect((await store.state()).activeRpcUrl).to.equal("https://***@arb.example/v2/***");
    expect((await store.cycle(id))?.reason).to.equal("read: every RPC URL failed: https://arb.example/rpc?apikey=***");
    await store.close();
    // Nowhere in the bytes on disk (database and journal).
    const bytes = [path, `${path}-wal`]
      .filter(existsSync)
      .map((f) => readFileSync(f).toString("latin1"))
      .join("");
    for (const secret of ["hunter2secret", "pathKey0123456789", "paramSecret42", "bob:"])
      expect(bytes).not.to.include(secret);
  });

  it("redacts a clear URL an older store holds when reading it", async () => {
    const path = join(root, "keeper.sqlite");
    await (await KeeperStore.open(path)).close();
    const db = new DatabaseSync(path);
    db.prepare("INSERT OR REPLACE INTO keeper_state(key, value) VALUES (?, ?)").run(
      "activeRpcUrl",
      JSON.stringify("https://u:oldSecret@arb.example/"),
    );
    db.close();
    const store = await KeeperStore.open(path);
    expect((await store.state()).activeRpcUrl).to.equal("https://***@arb.example/");
    await store.close();
  });

  it("openExisting refuses a missing directory or store and creates nothing", async () => {
    const missingDir = join(root, "typo");
    await expectRejection(KeeperStore.openExisting(join(missingDir, "keeper.sqlite")), /does not exist/);
    expect(existsSync(missingDir)).to.equal(false);
    mkdirSync(join(root, "empty"));
    await expectRejection(KeeperStore.openExisting(join(root, "empty", "keeper.sqlite")), /no keeper store/);
    expect(existsSync(join(root, "empty", "keeper.sqlite"))).to.equal(false);
  });
});

async function expectRejection(promise: Promise<unknown>, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).to.be.instanceOf(DataError);
  expect((error as DataError).message).to.match(message);
}
