import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { expect } from "chai";
import { DataCache } from "../../../keeper/src/data/cache.js";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const CACHE_MODULE = pathToFileURL(join(REPO, "keeper/src/data/cache.ts")).href;

const key = (query: string, from = 0, to = 100) => ({ provider: "test", query, from, to });

describe("data/cache", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ballast-cache-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("stores and returns values keyed by provider, query and range", () => {
    const cache = new DataCache(join(dir, "a", "cache.sqlite"));
    cache.set(key("q"), { prices: [1, 2, 3] }, 60);
    expect(cache.get(key("q"))?.value).to.deep.equal({ prices: [1, 2, 3] });
    expect(cache.get(key("q", 0, 101))).to.equal(null);
    expect(cache.get({ ...key("q"), provider: "other" })).to.equal(null);
    cache.close();
    // Persistent: a new handle on the same file sees it.
    const again = new DataCache(join(dir, "a", "cache.sqlite"));
    expect(again.get(key("q"))?.value).to.deep.equal({ prices: [1, 2, 3] });
    again.close();
  });

  it("expires entries after their TTL and prunes them", () => {
    let now = 1_000;
    const cache = new DataCache(":memory:", { now: () => now });
    cache.set(key("q"), 42, 10);
    now = 1_009;
    expect(cache.get<number>(key("q"))?.value).to.equal(42);
    now = 1_010;
    expect(cache.get(key("q"))).to.equal(null);
    expect(cache.prune()).to.equal(1);
    cache.close();
  });

  it("getOrFetch fetches once, then serves the cache; refresh forces a new fetch", async () => {
    const cache = new DataCache(":memory:");
    let calls = 0;
    const fetch = async () => ({ n: ++calls });
    expect(await cache.getOrFetch(key("q"), { ttlSeconds: 60 }, fetch)).to.deep.equal({ n: 1 });
    expect(await cache.getOrFetch(key("q"), { ttlSeconds: 60 }, fetch)).to.deep.equal({ n: 1 });
    expect(await cache.getOrFetch(key("q"), { ttlSeconds: 60, refresh: true }, fetch)).to.deep.equal({ n: 2 });
    expect(await cache.getOrFetch(key("q"), { ttlSeconds: 60 }, fetch)).to.deep.equal({ n: 2 });
    expect(calls).to.equal(2);
    cache.close();
  });

  it("does not cache failures", async () => {
    const cache = new DataCache(":memory:");
    let fail = true;
    const fetch = async () => {
      if (fail) throw new Error("provider down");
      return "ok";
    };
    let caught: unknown;
    try {
      await cache.getOrFetch(key("q"), { ttlSeconds: 60 }, fetch);
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(Error);
    fail = false;
    expect(await cache.getOrFetch(key("q"), { ttlSeconds: 60 }, fetch)).to.equal("ok");
    cache.close();
  });

  it("is safe under concurrent runs: separate processes writing the same file lose nothing", async () => {
    const db = join(dir, "shared.sqlite");
    new DataCache(db).close(); // create the schema first, as a keeper run would
    const script = join(dir, "writer.mts");
    writeFileSync(
      script,
      `import { DataCache } from ${JSON.stringify(CACHE_MODULE)};
const [db, id] = process.argv.slice(2);
const cache = new DataCache(db);
for (let i = 0; i < 300; i++) {
  cache.set({ provider: "p" + id, query: "q" + i, from: 0, to: 0 }, { id, i }, 3600);
  cache.set({ provider: "shared", query: "same", from: 0, to: 0 }, { id, i }, 3600);
  cache.get({ provider: "shared", query: "same", from: 0, to: 0 });
}
cache.close();
`,
    );
    const run = (id: string) =>
      new Promise<number>((resolve, reject) => {
        const child = spawn(process.execPath, ["--no-warnings", "--import", "tsx", script, db, id], {
          cwd: REPO,
          stdio: ["ignore", "ignore", "pipe"],
        });
        let stderr = "";
        child.stderr.on("data", (chunk: Buffer) => {
          stderr += chunk.toString();
        });
        child.on("error", reject);
        child.on("exit", (code) =>
          code === 0 ? resolve(code) : reject(new Error(`writer ${id} exited ${code}: ${stderr}`)),
        );
      });
    expect(await Promise.all([run("1"), run("2")])).to.deep.equal([0, 0]);
    const cache = new DataCache(db);
    for (const id of ["1", "2"]) {
      for (let i = 0; i < 300; i++) {
        expect(cache.get({ provider: `p${id}`, query: `q${i}`, from: 0, to: 0 })?.value).to.deep.equal({ id, i });
      }
    }
    const last = cache.get<{ id: string; i: number }>({ provider: "shared", query: "same", from: 0, to: 0 })?.value;
    expect(last?.i).to.equal(299); // whichever run wrote last, its entry is whole
    cache.close();
  });
});

describe("DataCache files", () => {
  it("creates its directory 0700 and its database 0600, and sets an existing 644 database back", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "ballast-cache-perm-")), "cache");
    const path = join(dir, "market.sqlite");
    const cache = new DataCache(path);
    cache.close();
    expect(statSync(dir).mode & 0o777).to.equal(0o700);
    expect(statSync(path).mode & 0o777).to.equal(0o600);
    chmodSync(path, 0o644);
    new DataCache(path).close();
    expect(statSync(path).mode & 0o777).to.equal(0o600);
  });
});
