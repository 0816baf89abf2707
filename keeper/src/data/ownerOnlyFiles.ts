/**
 * SQLite files that may hold operator data (the keeper's store, the market-data cache) are the
 * operator's alone: this creates the directory 0700 when missing and the database file 0600
 * before SQLite opens it, and sets an existing database and its WAL/SHM files back to 0600. An
 * existing directory is left as the operator made it.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";

export function prepareOwnerOnlyFiles(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (!existsSync(path)) closeSync(openSync(path, "wx", 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(file)) chmodSync(file, 0o600);
  }
}
