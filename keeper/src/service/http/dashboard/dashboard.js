// Ballast keeper dashboard: polls the operator JSON API and draws it with Chart.js.
// Plain browser script, no build step; every server string goes through textContent, never
// innerHTML, because cycle reasons carry decoded revert data.

const REFRESH_MS = 10_000;
const {
  seriesColor,
  navSeries,
  returnTone,
  yieldCells,
  routeCells,
  venueCells,
  PANEL_PATHS,
  apiPath,
  pickVault,
  withVault,
  vaultOptions,
  vaultProblem,
} = globalThis.BallastSeries;
const BENCHMARK_COLOR = "#1f2328";
const IN_PROGRESS = new Set(["planned", "simulated", "signed", "submitted", "confirmed"]);

const pct = new Intl.NumberFormat("en-US", { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });
const signedPct = new Intl.NumberFormat("en-US", {
  style: "percent",
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
  signDisplay: "exceptZero",
});
const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 2 });
const int = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const dec = new Intl.NumberFormat("en-US", { minimumFractionDigits: 4, maximumFractionDigits: 4 });
const bps = new Intl.NumberFormat("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });

const charts = { nav: null, composition: null };

function $(id) {
  return document.getElementById(id);
}

function day(unixSeconds) {
  return new Date(unixSeconds * 1000).toISOString().slice(0, 10);
}

function dateTime(unixSeconds) {
  return new Date(unixSeconds * 1000).toISOString().slice(0, 16).replace("T", " ");
}

function orDash(value, format) {
  return value === null || value === undefined || Number.isNaN(value) ? "–" : format(value);
}

async function getJson(path) {
  const res = await fetch(path, { cache: "no-store" });
  if (!res.ok) throw new Error(`${path} answered HTTP ${res.status}`);
  return res.json();
}

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function renderHeader(status) {
  $("identity").textContent = `Vault ${status.vault} · chain ${status.chainId} · strategy ${status.strategy}`;
  const badges = $("badges");
  badges.replaceChildren();
  badges.append(el("span", status.running ? "running" : "stopped", `badge ${status.running ? "ok" : "bad"}`));
  if (status.killSwitch) badges.append(el("span", "kill switch on", "badge bad"));
  if (status.dryRun) badges.append(el("span", "dry run", "badge warn"));
  if (status.holdReason) badges.append(el("span", "holding", "badge warn"));
  // Several keepers on one PostgreSQL: only the lease holder signs; the others stand by.
  const lead = status.leadership;
  if (lead && lead.mode === "lease") {
    const badge = el(
      "span",
      lead.role === "leader" ? "leader" : "standby",
      `badge ${lead.role === "leader" ? "ok" : "warn"}`,
    );
    badge.id = "leadership";
    badge.title =
      `lease of ${lead.holder ?? "nobody"} (token ${lead.token ?? "-"})` +
      (lead.expiresAt ? `, expires ${new Date(lead.expiresAt).toISOString()}` : "") +
      (lead.self ? `; this keeper is ${lead.self}` : "");
    badges.append(badge);
  }

  const last = status.lastCycle;
  const alert = $("alert");
  if (last && (last.outcome ?? last.status) === "failed") {
    alert.textContent = `Last cycle #${last.id} failed: ${last.reason ?? "no reason recorded"}`;
    alert.hidden = false;
  } else if (status.holdReason) {
    // The keeper holds on purpose (market guard, vault cooldown): no order until this clears.
    alert.textContent = `Holding, no orders: ${status.holdReason}`;
    alert.hidden = false;
  } else {
    alert.hidden = true;
  }
  renderProvenance(status);
}

/** Where the weights come from: the release in force and its gate verdict, and data freshness. */
function renderProvenance(status) {
  const parts = [];
  const release = status.release;
  if (release) {
    const verdict = release.approved
      ? `gate approved ${release.candidate}`
      : `gate did not approve ${release.candidate}: serving the fallback (${release.reasons[0] ?? "no reason"})`;
    parts.push(`release ${release.serves} · ${verdict}`);
  }
  // The last rotation retrain: running, switched to its release, or kept the one in force and why.
  const retrain = status.retrain;
  if (retrain) {
    const what =
      retrain.status === "running"
        ? "running"
        : retrain.status === "switched"
          ? "switched to its release"
          : `kept the release in force (${retrain.reason ?? "no reason"})`;
    parts.push(`rotation ${retrain.rotationId} retrain: ${what}`);
  }
  const market = status.market;
  if (market) {
    const newest = market.newestBarAt === null ? "no bar yet" : `newest bar ${dateTime(market.newestBarAt)}`;
    parts.push(`market data: ${market.source}, ${newest}${market.ok ? "" : ` · refused: ${market.reason ?? ""}`}`);
  }
  const line = $("provenance");
  line.textContent = parts.join(" · ");
  line.hidden = parts.length === 0;
}

function renderCards(status, nav) {
  const last = nav.nav.at(-1);
  $("nav-per-share").textContent = orDash(last?.navPerShare, (v) => dec.format(v));
  $("nav-usd").textContent = orDash(last?.navUsd, (v) => `NAV ${usd.format(v)}`);

  const vr = nav.summary.vaultReturn;
  const br = nav.summary.benchmarkReturn;
  const vaultReturn = $("vault-return");
  vaultReturn.textContent = orDash(vr, (v) => signedPct.format(v));
  // Green only for a gain: beating a falling benchmark is still a loss.
  vaultReturn.className = `value ${returnTone(vr)}`.trim();
  $("benchmark-return").textContent = orDash(br, (v) => `benchmark ${signedPct.format(v)}`);

  $("drift").textContent = pct.format(status.drift);

  $("risk-level").textContent = status.riskLevel ?? "n/a";
  const levels = ["very low", "low", "medium", "high", "very high"];
  const level = levels.indexOf(status.riskLevel);
  $("risk-meter")
    .querySelectorAll("span")
    .forEach((seg, i) => {
      seg.className = i <= level ? "on" : "";
    });
  // What the level does to the schedule and trade size (volatility steering), when it is on.
  const st = status.steering;
  $("risk-steering").textContent = st?.enabled
    ? `every ${(st.intervalSeconds / 3600).toFixed(st.intervalSeconds < 36_000 ? 1 : 0)} h · trades ${Math.round(100 * st.tradeFraction)}% of the move`
    : "";
  $("risk-steering").title = st ? st.reason : "";

  const lc = status.lastCycle;
  $("last-cycle").textContent = lc ? `#${lc.id}` : "none yet";
  $("last-cycle-status").textContent = lc ? `${lc.outcome ?? lc.status} · ${dateTime(lc.startedAt)}` : "";
  $("next-run").textContent = orDash(status.nextRunAt, (t) => `next run ${dateTime(t)}`);
}

function color(i) {
  return seriesColor(i);
}

function navDatasets(nav) {
  const datasets = navSeries(nav).map((series, i) => {
    if (series.role === "vault")
      return { label: series.label, data: series.data, borderColor: color(0), borderWidth: 2.5 };
    if (series.role === "benchmark") {
      return {
        label: series.label,
        data: series.data,
        borderColor: BENCHMARK_COLOR,
        borderDash: [6, 4],
        borderWidth: 1.5,
      };
    }
    // Baselines follow the vault and benchmark: colours from 1 on, never the vault's.
    return { label: series.label, data: series.data, borderColor: color(i - 1), borderWidth: 1.5 };
  });
  // pointStyle "line" draws each legend entry as its line (dashed for the benchmark).
  return datasets.map((d) => ({
    ...d,
    pointRadius: 0,
    pointStyle: "line",
    tension: 0,
    backgroundColor: d.borderColor,
  }));
}

function compositionDatasets(composition) {
  return composition.assets.map((asset, i) => ({
    label: asset,
    data: composition.points.map((p) => ({ x: p.t, y: p.weights[asset] ?? 0 })),
    borderColor: color(i),
    backgroundColor: `${color(i)}99`,
    fill: i === 0 ? "origin" : "-1",
    pointRadius: 0,
    borderWidth: 1,
    stepped: true,
  }));
}

/** Linear time axis in unix seconds, clamped to the data so the plot does not float in padding. */
function timeAxis(datasets) {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const d of datasets) {
    for (const p of d.data) {
      if (p.x < min) min = p.x;
      if (p.x > max) max = p.x;
    }
  }
  return {
    type: "linear",
    min: min <= max ? min : undefined,
    max: min <= max ? max : undefined,
    ticks: { callback: (v) => day(v), maxTicksLimit: 8 },
  };
}

function tooltipTitle(items) {
  return items.length ? `${day(items[0].parsed.x)}` : "";
}

function drawCharts(nav, composition) {
  const navData = { datasets: navDatasets(nav) };
  const compData = { datasets: compositionDatasets(composition) };
  if (charts.nav) {
    charts.nav.data = navData;
    charts.nav.options.scales.x = timeAxis(navData.datasets);
    charts.nav.update("none");
    charts.composition.data = compData;
    charts.composition.options.scales.x = timeAxis(compData.datasets);
    charts.composition.update("none");
    return;
  }
  const common = {
    animation: false,
    maintainAspectRatio: false,
    interaction: { mode: "nearest", axis: "x", intersect: false },
  };
  charts.nav = new Chart($("nav-chart"), {
    type: "line",
    data: navData,
    options: {
      ...common,
      scales: { x: timeAxis(navData.datasets), y: { title: { display: true, text: "NAV per share" } } },
      plugins: {
        legend: { labels: { usePointStyle: true, pointStyleWidth: 28 } },
        tooltip: { callbacks: { title: tooltipTitle } },
      },
    },
  });
  charts.composition = new Chart($("composition-chart"), {
    type: "line",
    data: compData,
    options: {
      ...common,
      scales: {
        x: timeAxis(compData.datasets),
        y: { stacked: true, min: 0, max: 1, ticks: { callback: (v) => pct.format(v) } },
      },
      plugins: {
        tooltip: {
          callbacks: { title: tooltipTitle, label: (item) => `${item.dataset.label}: ${pct.format(item.parsed.y)}` },
        },
      },
    },
  });
}

function renderWeights(weights) {
  const assets = [...new Set([...Object.keys(weights.current), ...Object.keys(weights.target)])];
  assets.sort((a, b) => (weights.target[b] ?? 0) - (weights.target[a] ?? 0) || a.localeCompare(b));
  const rows = assets.map((asset) => {
    const cur = weights.current[asset] ?? 0;
    const tgt = weights.target[asset] ?? 0;
    const tr = el("tr");
    tr.append(el("td", asset), el("td", pct.format(cur), "num"), el("td", pct.format(tgt), "num"));
    tr.append(el("td", signedPct.format(cur - tgt), "num"));
    return tr;
  });
  $("weights-body").replaceChildren(...rows);
}

function renderCycles(cycles) {
  let cost = 0;
  let gas = 0n;
  const rows = cycles.map((c) => {
    if (c.costUsd !== null) cost += c.costUsd;
    if (c.gasUsed !== null) gas += BigInt(c.gasUsed);
    const costBps = c.costUsd !== null && c.navBefore ? (c.costUsd / c.navBefore) * 10_000 : null;
    const tr = el("tr");
    // Finished cycles show their outcome (traded, partial, nothing-to-trade, held, ...).
    const status = IN_PROGRESS.has(c.status) ? `${c.status}…` : (c.outcome ?? c.status);
    const tx = el("td");
    if (c.txHash) {
      const code = el("code", `${c.txHash.slice(0, 10)}…${c.txHash.slice(-6)}`);
      code.title = c.txHash;
      tx.append(code);
    } else {
      tx.textContent = "–";
    }
    tr.append(
      el("td", String(c.id)),
      el("td", dateTime(c.startedAt)),
      el("td", status, `status-${IN_PROGRESS.has(c.status) ? c.status : (c.outcome ?? c.status)}`),
      el(
        "td",
        orDash(c.navBefore, (v) => usd.format(v)),
        "num",
      ),
      el(
        "td",
        orDash(c.costUsd, (v) => usd.format(v)),
        "num",
      ),
      el(
        "td",
        orDash(costBps, (v) => bps.format(v)),
        "num",
      ),
      el("td", c.gasUsed === null ? "–" : int.format(Number(c.gasUsed)), "num"),
      tx,
      el("td", c.reason ?? "", "reason"),
    );
    return tr;
  });
  $("cycles-body").replaceChildren(...rows);
  $("cycles-totals").textContent =
    `${cycles.length} most recent cycles · total cost ${usd.format(cost)} · total gas ${int.format(Number(gas))}`;
}

/** Steps still waiting for the admin (a multisig in production): their proposed calls. */
function adminActions(rotation) {
  return rotation.steps
    .filter((step) => step.proposal && step.proposal.length > 0 && step.status === "proposed")
    .map((step) => `${step.symbol}: ${step.proposal.map((p) => p.action).join(" → ")}`);
}

function renderRotations(rotations) {
  const rows = rotations.map((r) => {
    const tr = el("tr");
    const steps = r.steps.map((s) => `${s.symbol} ${s.kind} ${s.status}`).join(", ");
    const actions = adminActions(r);
    tr.append(
      el("td", String(r.id)),
      el("td", dateTime(r.startedAt)),
      el("td", r.status, `status-${r.status}`),
      el("td", r.plan.add.join(", ") || "–"),
      el("td", r.plan.remove.join(", ") || "–"),
      el("td", steps || (r.reason ?? "–"), "reason"),
      el("td", actions.join("; ") || "–", actions.length > 0 ? "attention" : undefined),
    );
    return tr;
  });
  $("rotations-body").replaceChildren(...rows);
  $("rotations-note").textContent =
    rotations.length === 0
      ? "No rotation yet."
      : `Exact calldata of each proposal: ${apiPath("/api/rotations", view.vault)}`;
}

/** APY the strategy used against the yield the vault's exchange rates realised, per asset. */
function renderYields(view) {
  const cells = yieldCells(view);
  $("yields-table").hidden = cells === null;
  $("yields-note").textContent =
    cells === null
      ? "No yield data: the strategy in force counts no yield."
      : "Realised: annualised growth of each token's exchange rate (the vault's rate feed) between the keeper's first and last snapshot.";
  const rows = (cells ?? []).map((c) => {
    const tr = el("tr");
    tr.append(
      el("td", c.asset),
      el("td", c.used, "num"),
      el("td", c.source),
      el("td", c.realised, "num"),
      el("td", c.gap, "num"),
      el("td", c.note, "reason"),
    );
    return tr;
  });
  $("yields-body").replaceChildren(...rows);
}

/** Route learning: each learned route's picks and the error of the cost model on it. */
function renderRoutes(view) {
  const cells = routeCells(view);
  $("routes-table").hidden = cells === null;
  $("routes-note").textContent =
    cells === null
      ? "No route learned yet: route learning is off, or no fill has been reconciled."
      : "Error: realised minus predicted cost per fill. Regret is estimated: routes not taken never traded.";
  const rows = (cells ?? []).map((c) => {
    const tr = el("tr");
    tr.append(
      el("td", c.side),
      el("td", c.path),
      el("td", c.picks, "num"),
      el("td", c.updates, "num"),
      el("td", c.meanError, "num"),
      el("td", c.meanAbsError, "num"),
      el("td", c.regret, "num"),
    );
    return tr;
  });
  $("routes-body").replaceChildren(...rows);
}

function renderVenue(status) {
  const cells = venueCells(status.venue);
  $("venue-summary").textContent = cells?.summary ?? "The keeper has not read its venue yet.";
  $("venue-holdings").hidden = cells === null;
  $("venue-holdings-body").replaceChildren(
    ...(cells?.holdings ?? []).map((h) => {
      const tr = el("tr");
      tr.append(el("td", h.symbol), el("td", h.size, "num"), el("td", h.notional, "num"), el("td", h.weight, "num"));
      return tr;
    }),
  );
  const orders = cells?.orders ?? [];
  $("venue-orders").hidden = orders.length === 0;
  $("venue-orders-note").hidden = orders.length > 0;
  $("venue-orders-body").replaceChildren(
    ...orders.map((o) => {
      const tr = el("tr");
      tr.append(
        el("td", o.id),
        el("td", o.order),
        el("td", o.limit, "num"),
        el("td", o.status),
        el("td", o.filled, "num"),
        el("td", o.price, "num"),
        el("td", o.reason),
      );
      return tr;
    }),
  );
}

/**
 * A fleet server (`keeper run --fleet`) serves many vaults and marks its page `<body data-fleet>`:
 * `fleet` is then its /api/fleet and `vault` the one the page shows. A single keeper's page is
 * unmarked: `single`, and the panels read /api/... as they always did (no /api/fleet request).
 */
const view = { single: !("fleet" in document.body.dataset), fleet: null, vault: null };

async function refreshFleet() {
  if (view.single) return;
  view.fleet = await getJson("/api/fleet");
  view.vault = pickVault(view.fleet, location.search);
  // The URL names the vault shown, so a reload or a shared link shows the same one.
  if (view.vault !== null && new URLSearchParams(location.search).get("vault") !== view.vault)
    history.replaceState(null, "", withVault(location.search, view.vault));
  renderVaultPicker();
}

function renderVaultPicker() {
  const select = $("vault-select");
  const options = vaultOptions(view.fleet).map((o) => {
    const option = el("option", o.label);
    option.value = o.value;
    option.title = o.title;
    return option;
  });
  select.replaceChildren(...options);
  select.value = view.vault ?? "";
  $("vault-picker").hidden = false;
}

function onVaultPicked() {
  history.replaceState(null, "", withVault(location.search, $("vault-select").value));
  void refresh();
}

async function refresh() {
  try {
    await refreshFleet();
    // A fleet vault that is starting or failed has no API to read: say why instead.
    const problem = view.vault === null ? null : vaultProblem(view.fleet, view.vault);
    if (problem !== null) {
      const alert = $("alert");
      alert.textContent = problem;
      alert.hidden = false;
      document.body.dataset.state = "error";
      return;
    }
    const shown = view.vault;
    const [status, weights, nav, composition, cycles, rotations, yields, routes] = await Promise.all(
      PANEL_PATHS.map((path) => getJson(apiPath(path, shown))),
    );
    // Another vault was picked while these reads were out: its own refresh draws the page.
    if (shown !== view.vault) return;
    renderHeader(status);
    renderCards(status, nav);
    drawCharts(nav, composition);
    renderWeights(weights);
    renderVenue(status);
    renderCycles(cycles.cycles);
    renderRotations(rotations.rotations);
    renderYields(yields);
    renderRoutes(routes);
    $("updated-at").textContent = new Date().toLocaleTimeString();
    document.body.dataset.state = "ready";
  } catch (err) {
    const alert = $("alert");
    alert.textContent = `Cannot reach the keeper API: ${err instanceof Error ? err.message : String(err)}`;
    alert.hidden = false;
    document.body.dataset.state = "error";
  }
}

// refresh() reports its own errors on the page, so the loop never rejects.
async function loop() {
  await refresh();
  setTimeout(() => void loop(), REFRESH_MS);
}

$("vault-select").addEventListener("change", onVaultPicked);
void loop();
