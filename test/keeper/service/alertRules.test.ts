import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { registerReadModelMetrics } from "../../../keeper/src/service/http/metrics.js";
import { KeeperMetrics } from "../../../keeper/src/service/keeperMetrics.js";
import { buildFakeKeeper } from "./fakeKeeper.js";

const RULES = fileURLToPath(new URL("../../../docs/alerts.rules.yml", import.meta.url));

describe("docs/alerts.rules.yml", () => {
  const text = readFileSync(RULES, "utf8");

  it("names only metrics the keeper exposes, with their exposed types", async () => {
    const metrics = new KeeperMetrics();
    registerReadModelMetrics(metrics, buildFakeKeeper(3, 30).readModel);
    const exposition = await metrics.render();
    const types = new Map([...exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]));
    const used = new Set([...text.matchAll(/\b((?:keeper|process)_[a-z_]+)/g)].map((m) => m[1] as string));
    expect(used.size).to.be.greaterThan(8);
    for (const name of used) {
      const family = name.replace(/_bucket$/, "");
      expect(types.has(family), `${name} is exposed`).to.equal(true);
      // rate() and increase() only make sense on counters (a histogram's buckets are counters).
      if (name.endsWith("_bucket")) expect(types.get(family), name).to.equal("histogram");
      else if (new RegExp(`(rate|increase)\\(${name}\\b`).test(text))
        expect(types.get(family), name).to.equal("counter");
    }
  });

  it("gives every alert an expression, a severity and a summary", () => {
    const alerts = text.split(/\n\s+- alert: /).slice(1);
    expect(alerts.length).to.be.greaterThan(8);
    for (const alert of alerts) {
      const name = alert.split("\n")[0];
      expect(alert, `${name} expr`).to.match(/\n\s+expr: \S/);
      expect(alert, `${name} severity`).to.match(/\n\s+severity: (page|warn|info)\n/);
      expect(alert, `${name} summary`).to.match(/\n\s+summary: "/);
    }
    expect(text).to.not.match(/\t/);
  });
});
