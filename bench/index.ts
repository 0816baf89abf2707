/**
 * `npm run bench`: runs every `bench/*.bench.ts` (or the ones named on the command line) and
 * prints what each measured. Benchmarks measure; they never assert.
 */
import "../keeper/src/cli/quietWarnings.js";
import { readdirSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();

console.log(`node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? "unknown cpu"}`);
for (const file of files) {
  console.log(`\n=== ${file}`);
  const mod = (await import(join(here, file))) as { run?: () => Promise<void> };
  if (typeof mod.run !== "function") throw new Error(`${file} does not export run()`);
  await mod.run();
}
