import { readFileSync } from "node:fs";
import { runInNewContext } from "node:vm";

/**
 * The dashboard's series.js (a browser script that sets `globalThis.BallastSeries`), run in a
 * sandbox so its pure row builders can be tested without a browser. `T` names the functions a
 * test uses.
 */
export function loadDashboardSeries<T>(): T {
  const code = readFileSync(new URL("../../keeper/src/service/http/dashboard/series.js", import.meta.url), "utf8");
  // URLSearchParams is the browser's (the vault selector reads the page's query with it).
  const sandbox: { globalThis?: unknown; BallastSeries?: T; URLSearchParams: typeof URLSearchParams } = {
    URLSearchParams,
  };
  sandbox.globalThis = sandbox;
  runInNewContext(code, sandbox);
  if (!sandbox.BallastSeries) throw new Error("series.js did not define BallastSeries");
  return sandbox.BallastSeries;
}
