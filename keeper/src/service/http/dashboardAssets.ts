/**
 * The dashboard's static files, read from disk once when the server starts: the page, its
 * script and stylesheet (plain files next to this module, no build step) and Chart.js's UMD
 * bundle from node_modules. Everything is served by the keeper itself because operators run it
 * on machines without internet access, so there is no CDN to fall back on.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../../core/errors.js";

export interface StaticAsset {
  readonly contentType: string;
  readonly body: Buffer;
}

const DASHBOARD_DIR = fileURLToPath(new URL("./dashboard/", import.meta.url));

/** URL path -> file, for the files the dashboard page loads. */
export function loadDashboardAssets(): ReadonlyMap<string, StaticAsset> {
  return new Map<string, StaticAsset>([
    ["/", read(join(DASHBOARD_DIR, "index.html"), "text/html; charset=utf-8")],
    ["/assets/series.js", read(join(DASHBOARD_DIR, "series.js"), "text/javascript; charset=utf-8")],
    ["/assets/dashboard.js", read(join(DASHBOARD_DIR, "dashboard.js"), "text/javascript; charset=utf-8")],
    ["/assets/dashboard.css", read(join(DASHBOARD_DIR, "dashboard.css"), "text/css; charset=utf-8")],
    ["/assets/chart.umd.js", read(chartJsUmdPath(), "text/javascript; charset=utf-8")],
  ]);
}

/** chart.js does not export its UMD file, so locate it next to the package's main entry. */
function chartJsUmdPath(): string {
  const require = createRequire(import.meta.url);
  let main: string;
  try {
    main = require.resolve("chart.js");
  } catch (err) {
    throw new ConfigError("chart.js is not installed; the dashboard cannot be served (run npm install)", {
      cause: String(err),
    });
  }
  return join(dirname(main), "chart.umd.js");
}

function read(path: string, contentType: string): StaticAsset {
  try {
    return { contentType, body: readFileSync(path) };
  } catch (err) {
    throw new ConfigError(`dashboard asset missing: ${path}`, { cause: String(err) });
  }
}
