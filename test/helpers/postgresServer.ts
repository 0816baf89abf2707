/**
 * A throwaway PostgreSQL server for tests and benchmarks: the Debian `postgresql` binaries
 * (/usr/lib/postgresql/<version>/bin), a data directory initialised in a fresh temp folder, a
 * free local TCP port and the unix socket in that folder; `stop` shuts it down and deletes
 * everything. PostgreSQL refuses to run as root, so under root the server runs as the
 * `postgres` user (or `nobody`). When the binaries are missing or the server cannot start,
 * `startPostgres` returns the reason instead, for the caller to skip with it.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

export interface PostgresServer {
  /** `postgres://ballast@127.0.0.1:<port>/postgres` (trust authentication, local only). */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

function binDir(): string | null {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "postgres")) && existsSync(join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], "bin") : null;
}

/** uid/gid to run as: none when not root, else the `postgres` account (or `nobody`). */
function runAs(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const passwd = readFileSync("/etc/passwd", "utf8").split("\n");
  for (const name of ["postgres", "nobody"]) {
    const fields = passwd.find((l) => l.startsWith(`${name}:`))?.split(":");
    if (fields?.[2] && fields[3]) return { uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  return null;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string, child: ChildProcess, log: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited (${child.exitCode}): ${log().slice(-500)}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
    try {
      await client.connect();
      await client.query("SELECT 1");
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections: ${log().slice(-500)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function startPostgres(): Promise<PostgresServer | string> {
  const bin = binDir();
  if (bin === null) return "no PostgreSQL binaries under /usr/lib/postgresql/*/bin (apt-get install postgresql)";
  const user = runAs();
  if (process.getuid?.() === 0 && user === null) return "running as root without a postgres or nobody account";
  const dir = mkdtempSync(join(tmpdir(), "ballast-pg-"));
  const data = join(dir, "data");
  const ids = user ? { uid: user.uid, gid: user.gid } : {};
  try {
    if (user) chownSync(dir, user.uid, user.gid);
    const init = spawnSync(join(bin, "initdb"), ["-D", data, "-U", "ballast", "-A", "trust", "-N", "-E", "UTF8"], {
      ...ids,
      encoding: "utf8",
      env: { ...process.env, LC_ALL: "C" },
    });
    if (init.status !== 0)
      throw new Error(`initdb failed: ${(init.stderr || init.stdout || String(init.error)).slice(-500)}`);
    const port = await freePort();
    const child = spawn(
      join(bin, "postgres"),
      ["-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"],
      { ...ids, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LC_ALL: "C" } },
    );
    let output = "";
    child.stdout?.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr?.on("data", (c: Buffer) => (output += c.toString()));
    const url = `postgres://ballast@127.0.0.1:${port}/postgres`;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const stop = async () => {
      if (child.exitCode === null) {
        child.kill("SIGINT"); // fast shutdown
        const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dir, { recursive: true, force: true });
    };
    try {
      await waitReady(url, child, () => output, 20_000);
    } catch (error) {
      await stop();
      throw error;
    }
    return { url, port, stop };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return `PostgreSQL could not start: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** A fresh database on the server (each test suite its own), as a URL. */
export async function createDatabase(server: PostgresServer, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return server.url.replace(/\/postgres$/, `/${name}`);
}
