/**
 * Entry of `npm run demo` (the demo itself is demoMain.ts). The warning filter must run before
 * node:sqlite is loaded, and a static import graph loads every builtin before any module runs,
 * so the demo is imported dynamically, after the filter.
 */
import "./quietWarnings.js";

await import("./demoMain.js");
