import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { ConfigError, DataError } from "../../../keeper/src/core/errors.js";
import { startOperatorServer } from "../../../keeper/src/service/http/server.js";
import { KeeperMetrics } from "../../../keeper/src/service/keeperMetrics.js";
import { createLogger } from "../../../keeper/src/service/logger.js";
import type { CycleRecord, NavPoint } from "../../../keeper/src/service/readModel.js";
import { expectAbsClose } from "../../helpers/approx.js";
import { buildFakeKeeper, type FakeKeeper } from "./fakeKeeper.js";

const TOKEN = "test-token-5b1e0c9a7d2f4e88";
const silent = createLogger({ level: "silent" });

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** Parses Prometheus text format 0.0.4 strictly enough to catch malformed output. */
function parsePrometheus(text: string): { help: Map<string, string>; types: Map<string, string>; samples: Sample[] } {
  const help = new Map<string, string>();
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  expect(text.endsWith("\n"), "exposition ends with a newline").to.equal(true);
  for (const line of text.slice(0, -1).split("\n")) {
    // The format ignores empty lines (prom-client separates families with one).
    if (line === "") continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      if (kind === "HELP") help.set(name, rest);
      else {
        expect(["counter", "gauge", "histogram", "summary", "untyped"]).to.include(rest);
        expect(types.has(name), `one TYPE line for ${name}`).to.equal(false);
        types.set(name, rest);
      }
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    expect(sample, `valid sample line: ${line}`).to.not.equal(null);
    const [, name, labelText, valueText] = sample as unknown as [string, string, string | undefined, string];
    const labels: Record<string, string> = {};
    for (const m of (labelText ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[m[1] ?? ""] = (m[2] ?? "").replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
    }
    const value = valueText === "+Inf" ? Number.POSITIVE_INFINITY : Number(valueText);
    // Prometheus parses NaN case-insensitively (Go's ParseFloat); prom-client writes "Nan".
    expect(Number.isNaN(value) && !/^nan$/i.test(valueText), `numeric value in: ${line}`).to.equal(false);
    // A histogram's samples are its name with _bucket, _sum and _count.
    const family = types.has(name) ? name : name.replace(/_(bucket|sum|count)$/, "");
    expect(types.has(family), `TYPE declared before samples of ${name}`).to.equal(true);
    samples.push({ name, labels, value });
  }
  return { help, types, samples };
}

function sampleValue(
  samples: readonly Sample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

describe("service/http operator API", () => {
  let keeper: FakeKeeper;
  let server: { url: string; close(): Promise<void> };
  let metrics: KeeperMetrics;

  beforeEach(async () => {
    keeper = buildFakeKeeper(11, 90);
    metrics = new KeeperMetrics();
    server = await startOperatorServer({
      readModel: keeper.readModel,
      control: keeper.control,
      authToken: TOKEN,
      port: 0,
      logger: silent,
      metrics,
    });
  });

  afterEach(async () => {
    await server.close();
  });

  const get = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init);

  it("binds 127.0.0.1 on a random port by default", () => {
    expect(server.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).to.not.match(/:0$/);
  });

  it("GET /health reports liveness and the last cycle's outcome", async () => {
    const ok = await get("/health");
    expect(ok.status).to.equal(200);
    const body = (await ok.json()) as { status: string; lastCycleSucceeded: boolean | null; lastCycle: { id: number } };
    expect(body.status).to.equal("ok");
    expect(body.lastCycleSucceeded).to.equal(true);
    expect(body.lastCycle.id).to.equal(keeper.readModel.cycleLog.at(-1)?.id);

    const last = keeper.readModel.cycleLog.at(-1) as CycleRecord;
    keeper.readModel.cycleLog.push({
      ...last,
      id: last.id + 1,
      status: "failed",
      outcome: "failed",
      reason: "reverted: CooldownActive(1)",
    });
    const degraded = (await (await get("/health")).json()) as { status: string; lastCycleSucceeded: boolean | null };
    expect(degraded).to.include({ status: "degraded", lastCycleSucceeded: false });

    keeper.readModel.cycleLog.push({ ...last, id: last.id + 2, status: "submitted", outcome: null, finishedAt: null });
    const running = (await (await get("/health")).json()) as { lastCycleOutcome: string; lastCycleSucceeded: null };
    expect(running).to.include({ lastCycleOutcome: "in-progress", lastCycleSucceeded: null });
  });

  it("answers HEAD like GET without a body", async () => {
    const res = await get("/health", { method: "HEAD" });
    expect(res.status).to.equal(200);
    expect(Number(res.headers.get("content-length"))).to.be.greaterThan(0);
    expect(await res.text()).to.equal("");
  });

  it("GET /api/status returns the read model's status plus drift", async () => {
    const res = await get("/api/status");
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.match(/^application\/json/);
    const body = (await res.json()) as Record<string, unknown>;
    const expected = await keeper.readModel.status();
    expect(body).to.include({
      vault: expected.vault,
      chainId: expected.chainId,
      strategy: expected.strategy,
      riskLevel: expected.riskLevel,
      killSwitch: false,
    });
    expect(body.lastCycle).to.deep.equal(expected.lastCycle);
    expect(body.drift).to.be.a("number").within(0, 1);
  });

  it("GET /api/weights returns current and target weights and their drift", async () => {
    const body = (await (await get("/api/weights")).json()) as {
      current: Record<string, number>;
      target: Record<string, number>;
      drift: number;
    };
    expect(body.current).to.deep.equal(await keeper.readModel.currentWeights());
    expect(body.target).to.deep.equal(await keeper.readModel.targetWeights());
    expect(body.drift).to.be.greaterThan(0);

    // Half the L1 distance: moving 10% of NAV from one asset to another is a drift of 0.1.
    keeper.readModel.composition.push({ t: 1, weights: { WETH: 0.6, USDC: 0.4 } });
    for (const k of Object.keys(keeper.readModel.target)) delete keeper.readModel.target[k];
    Object.assign(keeper.readModel.target, { WETH: 0.5, USDC: 0.5 });
    const moved = (await (await get("/api/weights")).json()) as { drift: number };
    expectAbsClose(moved.drift, 0.1, 1e-12);
  });

  it("GET /api/cycles returns the newest cycles first, honouring and validating limit", async () => {
    const all = keeper.readModel.cycleLog;
    const three = (await (await get("/api/cycles?limit=3")).json()) as { limit: number; cycles: CycleRecord[] };
    expect(three.limit).to.equal(3);
    expect(three.cycles.map((c) => c.id)).to.deep.equal(
      all
        .slice(-3)
        .reverse()
        .map((c) => c.id),
    );
    const byDefault = (await (await get("/api/cycles")).json()) as { cycles: CycleRecord[] };
    expect(byDefault.cycles).to.have.length(Math.min(50, all.length));
    expect(byDefault.cycles.some((c) => c.status === "failed" && (c.reason ?? "").includes("NavLossTooHigh"))).to.equal(
      true,
    );

    for (const bad of ["0", "-1", "abc", "2.5", "5000", ""]) {
      const res = await get(`/api/cycles?limit=${bad}`);
      expect(res.status, `limit=${bad}`).to.equal(400);
      const err = (await res.json()) as { error: string; message: string };
      expect(err.error).to.equal("BAD_REQUEST");
      expect(err.message).to.match(/limit must be an integer from 1 to 1000/);
    }
  });

  it("GET /api/nav returns NAV vs benchmark and baselines with their total returns", async () => {
    const body = (await (await get("/api/nav")).json()) as {
      nav: NavPoint[];
      baselines: Record<string, NavPoint[]>;
      summary: { vaultReturn: number; benchmarkReturn: number; baselineReturns: Record<string, number> };
    };
    const nav = await keeper.readModel.navHistory();
    expect(body.nav).to.deep.equal(nav);
    expect(Object.keys(body.baselines).sort()).to.deep.equal(["buy and hold", "equal weight"]);
    const first = nav[0] as NavPoint;
    const last = nav.at(-1) as NavPoint;
    expectAbsClose(body.summary.vaultReturn, last.navPerShare / first.navPerShare - 1, 1e-12);
    expectAbsClose(body.summary.benchmarkReturn, (last.benchmark ?? 0) / (first.benchmark ?? 1) - 1, 1e-12);
    const ew = keeper.readModel.baselineSeries["equal weight"] as NavPoint[];
    expectAbsClose(
      body.summary.baselineReturns["equal weight"],
      (ew.at(-1) as NavPoint).navPerShare / (ew[0] as NavPoint).navPerShare - 1,
      1e-12,
    );
  });

  it("GET /api/composition lists assets by mean weight and the weights over time", async () => {
    const body = (await (await get("/api/composition")).json()) as {
      assets: string[];
      points: { t: number; weights: Record<string, number> }[];
    };
    expect(body.points).to.have.length(keeper.readModel.composition.length);
    expect(body.assets).to.have.members(["WETH", "WBTC", "ARB", "LINK", "GMX", "USDC"]);
    const mean = (a: string) => body.points.reduce((s, p) => s + (p.weights[a] ?? 0), 0);
    for (let i = 1; i < body.assets.length; i++) {
      expect(mean(body.assets[i - 1] ?? "")).to.be.at.least(mean(body.assets[i] ?? ""));
    }
  });

  it("POST /api/rebalance refuses missing or wrong tokens with 401 and never calls the keeper", async () => {
    const attempts: (Record<string, string> | undefined)[] = [
      undefined,
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
      { authorization: `Basic ${Buffer.from(`op:${TOKEN}`).toString("base64")}` },
      { authorization: TOKEN },
      { authorization: "Bearer " },
    ];
    for (const headers of attempts) {
      const res = await get("/api/rebalance", { method: "POST", ...(headers ? { headers } : {}) });
      expect(res.status, JSON.stringify(headers)).to.equal(401);
      expect(res.headers.get("www-authenticate")).to.match(/^Bearer/);
      const err = (await res.json()) as { error: string; message: string };
      expect(err.error).to.equal("UNAUTHORIZED");
      expect(err.message).to.include("Authorization: Bearer");
    }
    expect(keeper.control.triggers).to.equal(0);
  });

  it("POST /api/rebalance with the token triggers a cycle (202), or reports the keeper's refusal (409)", async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const accepted = await get("/api/rebalance", { method: "POST", headers: auth });
    expect(accepted.status).to.equal(202);
    expect(await accepted.json()).to.deep.equal({ accepted: true });
    expect(keeper.control.triggers).to.equal(1);

    keeper.readModel.killSwitch = true;
    const refused = await get("/api/rebalance", { method: "POST", headers: { authorization: `bearer ${TOKEN}` } });
    expect(refused.status).to.equal(409);
    expect(await refused.json()).to.deep.equal({ accepted: false, reason: "kill switch is on" });
    expect(keeper.control.triggers).to.equal(2);
  });

  it("never writes the auth token to the logs, even when a client sends a wrong one", async () => {
    await server.close();
    const lines: string[] = [];
    const logger = createLogger({ level: "trace", destination: { write: (l: string) => lines.push(l) } });
    server = await startOperatorServer({ ...keeper, authToken: TOKEN, logger });
    await get("/api/rebalance", { method: "POST", headers: { authorization: `Bearer ${TOKEN}` } });
    await get("/api/rebalance", { method: "POST", headers: { authorization: `Bearer ${TOKEN}-guess` } });
    expect(lines.some((l) => l.includes("rebalance refused"))).to.equal(true);
    expect(lines.some((l) => l.includes("rebalance triggered"))).to.equal(true);
    expect(lines.join("")).to.not.include(TOKEN);
  });

  it("answers 404 for unknown routes and 405 with Allow for wrong methods, as JSON", async () => {
    const missing = await get("/api/nope");
    expect(missing.status).to.equal(404);
    expect(await missing.json()).to.deep.include({ error: "NOT_FOUND" });

    const getRebalance = await get("/api/rebalance");
    expect(getRebalance.status).to.equal(405);
    expect(getRebalance.headers.get("allow")).to.equal("POST");
    const postStatus = await get("/api/status", { method: "POST" });
    expect(postStatus.status).to.equal(405);
    expect(postStatus.headers.get("allow")).to.equal("GET, HEAD");
    const body = (await postStatus.json()) as { error: string; message: string };
    expect(body.error).to.equal("METHOD_NOT_ALLOWED");
    expect(body.message).to.include("POST is not allowed on /api/status");
  });

  it("turns a read-model failure into a JSON 500 with the error's code and message", async () => {
    keeper.readModel.failWith = new DataError("store is locked");
    const res = await get("/api/status");
    expect(res.status).to.equal(500);
    expect(await res.json()).to.deep.equal({ error: "DATA", message: "store is locked" });
  });

  it("refuses request bodies over the limit with 413", async () => {
    const res = await get("/api/rebalance", {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: "x".repeat(64 * 1024),
    });
    expect(res.status).to.equal(413);
    expect(keeper.control.triggers).to.equal(0);
  });

  it("GET /metrics serves valid Prometheus text with the keeper's figures", async () => {
    const res = await get("/metrics");
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.equal("text/plain; version=0.0.4; charset=utf-8");
    const { help, types, samples } = parsePrometheus(await res.text());
    for (const name of types.keys()) expect(help.has(name), `HELP for ${name}`).to.equal(true);
    for (const name of [
      "keeper_up",
      "keeper_last_cycle_timestamp_seconds",
      "keeper_nav_usd",
      "keeper_nav_per_share",
      "keeper_weight_drift_ratio",
      "keeper_kill_switch",
    ]) {
      expect(types.get(name), `TYPE for ${name}`).to.equal("gauge");
    }
    const log = keeper.readModel.cycleLog;
    const last = (await keeper.readModel.navHistory()).at(-1) as NavPoint;
    expect(sampleValue(samples, "keeper_up")).to.equal(1);
    expect(sampleValue(samples, "keeper_kill_switch")).to.equal(0);
    expect(sampleValue(samples, "keeper_last_cycle_timestamp_seconds")).to.equal(log.at(-1)?.startedAt);
    expect(sampleValue(samples, "keeper_last_cycle_outcome", { outcome: "traded" })).to.equal(1);
    expect(sampleValue(samples, "keeper_last_cycle_outcome", { outcome: "failed" })).to.equal(0);
    expect(sampleValue(samples, "keeper_nav_per_share")).to.equal(last.navPerShare);
    expect(sampleValue(samples, "keeper_nav_usd")).to.equal(last.navUsd);
    expect(sampleValue(samples, "keeper_risk_level")).to.equal(2);
    expect(sampleValue(samples, "keeper_weight_ratio", { asset: "WETH", kind: "target" })).to.equal(0.32);
    expect(sampleValue(samples, "keeper_info", { chain_id: "42161" })).to.equal(1);

    keeper.readModel.killSwitch = true;
    const after = parsePrometheus(await (await get("/metrics")).text());
    expect(sampleValue(after.samples, "keeper_kill_switch")).to.equal(1);
  });

  it("exposes counters, a cycle-duration histogram, gauges and process metrics by the Prometheus conventions", async () => {
    metrics.cycleFinished("traded", 3.2);
    metrics.cycleFinished("failed", 0.4);
    metrics.cycleFinished("held", 0.01);
    metrics.executed(250_000n, 12.5);
    // A rebalance that gained value must not lower the cost counter.
    metrics.executed(240_000n, -3);
    metrics.rpcErrors.inc();
    metrics.failovers.inc();
    metrics.submissions.inc({ kind: "first" });
    metrics.submitterBalance.set(0.75);
    metrics.dataAge.set(3_600);
    metrics.targetDistance.set(0.1923);
    const { types, samples } = parsePrometheus(await (await get("/metrics")).text());

    const counters = [...types].filter(([, type]) => type === "counter").map(([name]) => name);
    expect(counters).to.include.members([
      "keeper_cycles_total",
      "keeper_rpc_errors_total",
      "keeper_rpc_failovers_total",
      "keeper_submissions_total",
      "keeper_gas_used_total",
      "keeper_execution_cost_usd_total",
      "keeper_execution_gain_usd_total",
      "keeper_market_holds_total",
    ]);
    for (const name of counters) expect(name, "counter names end in _total").to.match(/_total$/);
    // prom-client's own nodejs_active_*_total are gauges; the keeper's _total names are counters.
    for (const [name, type] of types) {
      if (name.startsWith("keeper_") && name.endsWith("_total"))
        expect(type, `${name} is a counter`).to.equal("counter");
    }
    // The old gauge of cycles by status is gone: cycles are a counter by outcome.
    expect(types.has("keeper_cycles")).to.equal(false);
    expect(sampleValue(samples, "keeper_cycles_total", { outcome: "traded" })).to.equal(1);
    expect(sampleValue(samples, "keeper_cycles_total", { outcome: "failed" })).to.equal(1);
    expect(sampleValue(samples, "keeper_cycles_total", { outcome: "held" })).to.equal(1);
    expect(sampleValue(samples, "keeper_cycles_total", { outcome: "nothing-to-trade" })).to.equal(0);
    expect(sampleValue(samples, "keeper_execution_cost_usd_total")).to.equal(12.5);
    expect(sampleValue(samples, "keeper_execution_gain_usd_total")).to.equal(3);
    expect(sampleValue(samples, "keeper_gas_used_total")).to.equal(490_000);
    expect(sampleValue(samples, "keeper_rpc_errors_total")).to.equal(1);
    expect(sampleValue(samples, "keeper_rpc_failovers_total")).to.equal(1);
    expect(sampleValue(samples, "keeper_submissions_total", { kind: "first" })).to.equal(1);

    expect(types.get("keeper_cycle_duration_seconds")).to.equal("histogram");
    const buckets = samples.filter((s) => s.name === "keeper_cycle_duration_seconds_bucket");
    expect(buckets.length).to.be.greaterThan(3);
    expect(buckets.some((b) => b.labels.le === "+Inf")).to.equal(true);
    expect(sampleValue(samples, "keeper_cycle_duration_seconds_bucket", { outcome: "traded", le: "+Inf" })).to.equal(1);
    expect(sampleValue(samples, "keeper_cycle_duration_seconds_bucket", { outcome: "traded", le: "2" })).to.equal(0);
    expect(sampleValue(samples, "keeper_cycle_duration_seconds_count", { outcome: "traded" })).to.equal(1);
    expectAbsClose(sampleValue(samples, "keeper_cycle_duration_seconds_sum", { outcome: "traded" }) ?? 0, 3.2, 1e-9);

    expect(types.get("keeper_submitter_balance_eth")).to.equal("gauge");
    expect(sampleValue(samples, "keeper_submitter_balance_eth")).to.equal(0.75);
    expect(sampleValue(samples, "keeper_market_data_age_seconds")).to.equal(3_600);
    expect(sampleValue(samples, "keeper_target_distance_ratio")).to.equal(0.1923);
    expect(sampleValue(samples, "keeper_holding")).to.equal(0);

    // prom-client's default process metrics, on the keeper's own registry.
    expect(types.get("process_cpu_seconds_total")).to.equal("counter");
    expect(types.get("process_resident_memory_bytes")).to.equal("gauge");
    expect(samples.some((s) => s.name.startsWith("process_") && s.value > 0)).to.equal(true);
  });

  it("escapes label values so odd strategy names keep the exposition parseable", async () => {
    const original = keeper.readModel.status.bind(keeper.readModel);
    keeper.readModel.status = async () => ({ ...(await original()), strategy: 'ppo "v2"\\beta\nnext' });
    const { samples } = parsePrometheus(await (await get("/metrics")).text());
    expect(samples.find((s) => s.name === "keeper_info")?.labels.strategy).to.equal('ppo "v2"\\beta\nnext');
  });

  it("serves the dashboard page and Chart.js from disk with a strict content security policy", async () => {
    const page = await get("/");
    expect(page.status).to.equal(200);
    expect(page.headers.get("content-type")).to.match(/^text\/html/);
    expect(page.headers.get("content-security-policy")).to.include("default-src 'self'");
    const html = await page.text();
    expect(html).to.include('<script src="/assets/chart.umd.js"');
    expect(html).to.not.match(/https?:\/\//);

    const chart = await get("/assets/chart.umd.js");
    expect(chart.status).to.equal(200);
    expect(chart.headers.get("content-type")).to.match(/^text\/javascript/);
    expect((await chart.text()).length).to.be.greaterThan(100_000);
    for (const asset of ["/assets/dashboard.js", "/assets/dashboard.css"]) {
      expect((await get(asset)).status, asset).to.equal(200);
    }
  });
});

describe("service/http startOperatorServer config", () => {
  const { readModel, control } = buildFakeKeeper(3, 10);

  it("rejects a short or empty auth token with a ConfigError before listening", async () => {
    for (const authToken of ["", "short", "has whitespace in the token"]) {
      let caught: unknown;
      try {
        await startOperatorServer({ readModel, control, authToken, logger: silent });
      } catch (err) {
        caught = err;
      }
      expect(caught, authToken).to.be.instanceOf(ConfigError);
      expect((caught as ConfigError).message).to.match(/authToken/);
    }
  });

  it("rejects an invalid port and a port already in use with a ConfigError", async () => {
    let caught: unknown;
    try {
      await startOperatorServer({ readModel, control, authToken: TOKEN, port: 70_000, logger: silent });
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(ConfigError);
    expect((caught as ConfigError).message).to.match(/port/);

    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      await startOperatorServer({ readModel, control, authToken: TOKEN, port, logger: silent });
      expect.fail("expected EADDRINUSE");
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as ConfigError).message).to.include("EADDRINUSE");
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});
