// Ballast keeper dashboard: the pure parts of what the charts and cards show (no DOM, no
// Chart.js), loaded before dashboard.js and tested on their own. Plain browser script.
// Wrapped in a function: classic scripts share one global scope, and dashboard.js declares the
// same names when it takes them from BallastSeries.
(() => {
  const SERIES_PALETTE = [
    "#0969da",
    "#bf3989",
    "#1a7f37",
    "#9a6700",
    "#8250df",
    "#cf222e",
    "#1b7c83",
    "#6e7781",
    "#fb8f44",
    "#4d2d00",
    "#54aeff",
    "#e85aad",
  ];

  /** HSL (degrees, percent, percent) to #rrggbb. */
  function hslToHex(h, s, l) {
    const a = (s / 100) * Math.min(l / 100, 1 - l / 100);
    const channel = (n) => {
      const k = (n + h / 30) % 12;
      const c = l / 100 - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
      return Math.round(255 * c)
        .toString(16)
        .padStart(2, "0");
    };
    return `#${channel(0)}${channel(8)}${channel(4)}`;
  }

  /**
   * The colour of series i: the palette first, then hues spaced by the golden angle, so no two
   * assets share a colour however many the vault holds (a palette index taken modulo its length
   * gave the 10th asset the 1st one's colour).
   */
  function seriesColor(i) {
    if (i < SERIES_PALETTE.length) return SERIES_PALETTE[i];
    const hue = Math.round(((i - SERIES_PALETTE.length) * 137.508 + 20) % 360);
    return hslToHex(hue, 70, 38);
  }

  /** True when two NAV series have the same value at every time they share (and share some). */
  function sameSeries(a, b) {
    const byTime = new Map(b.map((p) => [p.x, p.y]));
    let shared = 0;
    for (const p of a) {
      if (!byTime.has(p.x)) continue;
      shared++;
      const q = byTime.get(p.x);
      if (Math.abs(p.y - q) > 1e-9 * Math.max(1, Math.abs(q))) return false;
    }
    return shared > 0;
  }

  /**
   * The NAV chart's series: the vault, the benchmark, then each baseline by name. A baseline that
   * is the benchmark itself (the demo records its equal-weight benchmark as a baseline too) is
   * not drawn a second time: the benchmark's label names it instead.
   */
  function navSeries(nav) {
    const points = (series, key) => series.filter((p) => p[key] !== null).map((p) => ({ x: p.t, y: p[key] }));
    const benchmark = points(nav.nav, "benchmark");
    const same = [];
    const baselines = [];
    for (const name of Object.keys(nav.baselines).sort()) {
      const data = points(nav.baselines[name], "navPerShare");
      if (sameSeries(data, benchmark)) same.push(name);
      else baselines.push({ label: name, data });
    }
    return [
      { label: "Vault", data: points(nav.nav, "navPerShare"), role: "vault" },
      { label: same.length ? `Benchmark (${same.join(", ")})` : "Benchmark", data: benchmark, role: "benchmark" },
      ...baselines.map((b) => ({ ...b, role: "baseline" })),
    ];
  }

  /** "up" for a gain, "down" for a loss, "" for none: the sign of the return, not its rank. */
  function returnTone(value) {
    if (value === null || value === undefined || Number.isNaN(value) || value === 0) return "";
    return value > 0 ? "up" : "down";
  }

  /**
   * The Yields panel's rows from /api/yields: per asset the APY used and where it came from,
   * the realised yield (or why there is none) and the gap. Null when the strategy counts no
   * yield (the panel then says "no yield data").
   */
  function yieldCells(view) {
    if (!view?.usesYields) return null;
    const pct2 = (x) => (x === null || x === undefined || Number.isNaN(x) ? "–" : `${(x * 100).toFixed(2)}%`);
    const day = (t) => (t === null || t === undefined ? "" : new Date(t * 1000).toISOString().slice(0, 10));
    return view.assets.map((a) => {
      const source =
        a.source === "defillama"
          ? `DefiLlama ${a.pool ?? "?"}${a.rewardHaircut === null ? "" : ` (reward haircut ${pct2(a.rewardHaircut)})`}`
          : a.source === "prior"
            ? "prior (release)"
            : "none";
      const rate = a.rate ? `${a.rate.snapshots} snapshots, ${day(a.rate.from)} to ${day(a.rate.to)}` : "";
      return {
        asset: a.asset,
        used: pct2(a.apy),
        source: a.asOf ? `${source}, as of ${day(a.asOf)}` : source,
        realised: a.realised === null ? "–" : pct2(a.realised),
        gap: a.realised === null || a.apy === null ? "–" : pct2(a.apy - a.realised),
        note: a.realised === null ? (a.realisedReason ?? "") : rate,
      };
    });
  }

  /**
   * The Routes panel's rows from /api/routes: each learned route's side, its path (short token
   * addresses with each hop's fee tier), picks, fills learned from, and its error and regret in
   * bps. Null when no route has been learned (route learning off, or no fill yet).
   */
  function routeCells(view) {
    const routes = view?.routes ?? [];
    if (routes.length === 0) return null;
    const short = (a) => `${a.slice(0, 6)}…${a.slice(-4)}`;
    const bps = (x) => (x === null || x === undefined || Number.isNaN(x) ? "–" : `${x.toFixed(1)} bps`);
    return routes.map((r) => ({
      side: r.side,
      path: r.tokens
        .map((t, i) => (i === 0 ? short(t) : ` –${(r.fees[i - 1] / 10_000).toFixed(2)}%→ ${short(t)}`))
        .join(""),
      picks: String(r.picks),
      updates: String(r.updates),
      meanError: bps(r.meanErrorBps),
      meanAbsError: bps(r.meanAbsErrorBps),
      regret: bps(r.regretBps),
    }));
  }

  /**
   * The Venue panel from /api/status's `venue` (any venue: the Arbitrum vault, HyperLiquid,
   * Starknet): a summary line, the holdings (signed: a short shows a negative size, notional and
   * weight) and the last cycle's orders with how each ended. Null before the keeper read its venue.
   */
  function venueCells(venue) {
    if (!venue?.account) return null;
    const usd = (x) =>
      `${x < 0 ? "−" : ""}$${Math.abs(x).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
    const pct = (x) => `${(x * 100).toFixed(2)}%`;
    // Sizes and prices travel as exact decimal text (18 decimals for a token): 8 significant digits to read.
    const num = (x) => Number(x).toLocaleString("en-US", { maximumSignificantDigits: 8 });
    const { account } = venue;
    return {
      summary: `${venue.name}: ${venue.describes}. Net liquidity ${usd(account.navUsd)}, gross leverage ${account.grossLeverage.toFixed(2)}x, read at ${new Date(account.time * 1000).toISOString().slice(0, 19).replace("T", " ")} UTC.`,
      holdings: account.holdings.map((h) => ({
        symbol: h.symbol,
        size: num(h.size),
        notional: usd(h.notionalUsd),
        weight: pct(h.weight),
      })),
      orders: (venue.lastOrders ?? []).map(({ order, result }) => ({
        id: order.clientId,
        order: `${order.side} ${num(order.size)} ${order.symbol}${order.reduceOnly ? " (reduce only)" : ""}`,
        limit: num(order.limitPrice),
        status: result ? result.status : "pending",
        filled: result ? num(result.filledSize) : "–",
        price: result?.averagePrice === null || result?.averagePrice === undefined ? "–" : num(result.averagePrice),
        reason: result?.reason ?? "",
      })),
    };
  }

  /** The API paths one refresh of the panels reads, in the order dashboard.js renders them. */
  const PANEL_PATHS = Object.freeze([
    "/api/status",
    "/api/weights",
    "/api/nav",
    "/api/composition",
    "/api/cycles?limit=50",
    "/api/rotations",
    "/api/yields",
    "/api/routes",
  ]);

  /**
   * Where a panel's read goes: unchanged for a single keeper (vault null), else the named vault's
   * route on the fleet server (/api/vaults/<name>/<route>, its query kept).
   */
  function apiPath(path, vault) {
    if (vault === null || vault === undefined) return path;
    if (!path.startsWith("/api/")) throw new Error(`not an API path: ${path}`);
    return `/api/vaults/${encodeURIComponent(vault)}/${path.slice("/api/".length)}`;
  }

  /**
   * The vault the page shows: the one named by `?vault=` in the page's query when the fleet has
   * it, else the fleet's first. Null for a single keeper (no fleet) or an empty fleet.
   */
  function pickVault(fleet, search) {
    const names = (fleet?.vaults ?? []).map((v) => v.name);
    if (names.length === 0) return null;
    const asked = new URLSearchParams(search ?? "").get("vault");
    return asked !== null && names.includes(asked) ? asked : names[0];
  }

  /** The page's query with `vault` set (the other parameters kept), for history.replaceState. */
  function withVault(search, vault) {
    const params = new URLSearchParams(search ?? "");
    params.set("vault", vault);
    return `?${params.toString()}`;
  }

  /** The selector's options from /api/fleet: each vault by name, its venue and state (with why it failed). */
  function vaultOptions(fleet) {
    return (fleet?.vaults ?? []).map((v) => ({
      value: v.name,
      label: `${v.name} (${v.venue}, ${v.state}${v.state === "failed" && v.failures > 0 ? ` ×${v.failures}` : ""})`,
      title: v.lastError ?? "",
    }));
  }

  /** Why the selected vault shows nothing: its supervision state and last error (null while it runs). */
  function vaultProblem(fleet, vault) {
    const v = (fleet?.vaults ?? []).find((x) => x.name === vault);
    if (!v || v.state === "running") return null;
    const retry = v.retryAt ? `, next try ${new Date(v.retryAt).toISOString().slice(11, 19)} UTC` : "";
    return `Vault ${v.name} is ${v.state}${v.lastError ? `: ${v.lastError}` : ""}${retry}`;
  }

  globalThis.BallastSeries = {
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
  };
})();
