/**
 * `npm run demo` (entry: demo.ts): the whole product on a local chain, through the operator's
 * own commands.
 *
 *  1. The market: one daily panel (synthetic, or `--csv`) on the chain's calendar
 *     (devchain/demoMarket.ts). Bars before day 0 are history; the traded days come after.
 *  2. Research: `keeper research` on the bars before day 0 only (its training block), writing a
 *     release folder whose gate approves a candidate or falls back to a baseline. With
 *     `--strategy NAME` no research runs: a hand-made release of that baseline, whose verdict
 *     says so.
 *  3. The chain: the local Arbitrum market behind a real JSON-RPC server, a vault over the
 *     basket, depositors; a local CoinGecko-style provider (devchain/coinGeckoReplay.ts) serving
 *     the panel's bars up to the chain's current time, never later.
 *  4. `keeper run --config <generated file> --release <dir>` as a child process: release checks,
 *     live market backfill from the provider, operator server, metrics, its own schedule and
 *     rotations (it holds the admin's key here, so it schedules, waits out the timelock and
 *     executes `addAsset` itself; PENDLE is in the address book, not in the vault at the start).
 *  5. The driver (devchain/marketDriver.ts) moves chain time and the market one day at a time
 *     and waits for the keeper's heartbeat on /metrics before the next day.
 *
 * Prints a summary (release, NAV vs benchmark, rebalances, costs, gas, rotations) and leaves the
 * keeper and its dashboard running unless `--no-serve`.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Wallet } from "ethers";
import { network } from "hardhat";
import type { TokenSymbol } from "../config/addressBook.js";
import { parseKeeperConfig, storePath } from "../config/keeperConfig.js";
import { redactUrlsIn } from "../config/redactUrl.js";
import { parseUnits } from "../core/fixed.js";
import type { MarketPanel } from "../core/types.js";
import { COINGECKO_IDS } from "../data/coingecko.js";
import { loadMarketCsv } from "../data/csv.js";
import { marketCsv } from "../data/csvWrite.js";
import { generateSyntheticMarket } from "../data/synthetic.js";
import { barLabel } from "../data/time.js";
import { deployArbitrumLocal } from "../devchain/arbitrumLocal.js";
import { coinGeckoReplay } from "../devchain/coinGeckoReplay.js";
import { DemoMarket } from "../devchain/demoMarket.js";
import { addressBookEntry, deployVault, fundAndDeposit, vaultTokenEntries } from "../devchain/deployVault.js";
import { localAccountKey } from "../devchain/localKeys.js";
import { MarketDriver } from "../devchain/marketDriver.js";
import { startReplayServer } from "../devchain/replayServer.js";
import { startRpcServer } from "../devchain/rpcServer.js";
import { baselineRelease, HAND_BASELINES, type HandBaseline } from "../research/release/baselineRelease.js";
import { REPORT_FILE, releaseFiles, sha256 } from "../research/release/release.js";
import { researchConfigSchema } from "../research/researchConfig.js";
import type { CycleRecord, RotationRecord } from "../service/readModel.js";
import { KeeperStore } from "../service/store/keeperStore.js";
import { type CliChild, runCliChild } from "./cliChild.js";
import { printSummary } from "./demoSummary.js";
import { EXIT } from "./exitCodes.js";
import { loadRelease, writeReleaseFolder } from "./releaseFolder.js";
import { RotationLog } from "./rotationLog.js";
import { exitWith, stopOnSignals } from "./shutdown.js";
import { answerHelp, describeUsageProblem } from "./usage.js";

const BASKET: readonly TokenSymbol[] = ["WETH", "WBTC", "ARB", "LINK", "UNI", "GMX", "WSTETH", "RETH"];
/** In the address book and on the local market (pool and feed), not in the vault at the start. */
const CANDIDATES: readonly TokenSymbol[] = ["PENDLE"];
/** Synthetic bars before day 0: research's block (~20 months), which also holds the keeper's history. */
const RESEARCH_BARS = 600;
/** Bars the keeper keeps and shows the strategy; the classifier wants 180 days at a rotation. */
const HISTORY_BARS = 200;
/** Research holds the underlying where the vault holds a wrapped token (same exposure). */
const RESEARCH_NAMES: Readonly<Record<string, string>> = { WETH: "ETH", WBTC: "BTC" };
/** What the demo's research runs (reported in the summary): small enough for a demo, the real command. */
const RESEARCH_ARGS = ["--no-ppo"];
const RESEARCH_NOTE = "keeper research --no-ppo (every non-PPO family, default blocks and folds)";
const DEPOSIT_USDC_EACH = "100000";
const DAY = 86_400;
/** One day's tick must finish within this (a trade on the local chain takes seconds). */
const TICK_TIMEOUT_MS = 180_000;

const USAGE = `usage: demo [--days N] [--csv PATH] [--strategy inverse-vol|equal-weight|min-variance] [--seed N]
            [--rotation-days N] [--impact-recalibration] [--port N] [--no-serve]
the whole product on a local chain, through the operator's commands: research on the market's history
writes a release, \`keeper run --release\` serves it on a fresh vault while the market moves day by day,
then a summary; the keeper and its dashboard keep running (unless --no-serve).
  --days N            days of market to walk, 7..730 (default 90); they come after research's block
  --csv PATH          a market CSV instead of the synthetic market (research gets the bars before the
                      last N+1 days)
  --strategy NAME     skip research: serve a hand-made release of this baseline (inverse-vol |
                      equal-weight | min-variance); its gate verdict says no research ran
  --seed N            synthetic market seed (default 7)
  --rotation-days N   days between portfolio rotations; 0 turns them off (default 30)
  --impact-recalibration
                      the keeper refits the impact model per route from its own fills and sizes
                      with it (sets planning.impactRecalibration.enabled in the generated config)
  --port N            dashboard port, 0..65535 (default 0: any free port)
  --no-serve          exit after the summary
  --help, -h          this text`;

interface DemoFlags {
  readonly days: number;
  readonly csv: string | undefined;
  readonly strategy: HandBaseline | null;
  readonly seed: number;
  readonly rotationDays: number;
  readonly impactRecalibration: boolean;
  readonly port: number;
  readonly serve: boolean;
}

/** The flags, or the usage problem to print (checked before anything starts). */
function parseFlags(argv: string[]): DemoFlags | string {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        days: { type: "string", default: "90" },
        csv: { type: "string" },
        strategy: { type: "string" },
        seed: { type: "string", default: "7" },
        "rotation-days": { type: "string", default: "30" },
        "impact-recalibration": { type: "boolean", default: false },
        port: { type: "string", default: "0" },
        "no-serve": { type: "boolean", default: false },
      },
    }));
  } catch (error) {
    return describeUsageProblem(error, USAGE);
  }
  const days = Number(values.days);
  const rotationDays = Number(values["rotation-days"]);
  const port = Number(values.port);
  const strategy = values.strategy;
  if (!(rotationDays >= 0)) return "--rotation-days must be a number >= 0 (0 turns rotation off)";
  if (!Number.isInteger(days) || days < 7 || days > 730) return "--days must be an integer between 7 and 730";
  if (!/^\d+$/.test(String(values.port)) || port > 65_535) {
    return "--port must be an integer between 0 and 65535 (0 picks a free port)";
  }
  if (strategy !== undefined && !HAND_BASELINES.includes(strategy as HandBaseline)) {
    return `--strategy must be one of ${HAND_BASELINES.join(", ")} (without it, research chooses)`;
  }
  return {
    days,
    csv: typeof values.csv === "string" ? values.csv : undefined,
    strategy: (strategy as HandBaseline | undefined) ?? null,
    seed: Number(values.seed),
    rotationDays,
    impactRecalibration: values["impact-recalibration"] === true,
    port,
    serve: values["no-serve"] !== true,
  };
}

function loadPanel(flags: DemoFlags): MarketPanel {
  const wanted = ["USDC", ...BASKET, ...CANDIDATES];
  if (!flags.csv) {
    return generateSyntheticMarket({
      seed: flags.seed,
      bars: RESEARCH_BARS + flags.days + 1,
      freq: "24h",
      assets: wanted,
    });
  }
  return loadMarketCsv(flags.csv, { symbols: wanted }).panel;
}

async function main(argv: string[]): Promise<number> {
  const help = answerHelp(argv, USAGE);
  if (help !== null) return help;
  const flags = parseFlags(argv);
  if (typeof flags === "string") {
    console.error(`demo: ${flags}\n${USAGE}`);
    return EXIT.USAGE;
  }
  const started = Date.now();
  const source = loadPanel(flags);
  const inPanel = (s: TokenSymbol) => source.assets.some((a) => a.symbol === s);
  const symbols = (["USDC", ...BASKET] as TokenSymbol[]).filter(inPanel);
  const basket = symbols.filter((s) => s !== "USDC");
  const candidates = CANDIDATES.filter(inPanel);
  const marketSymbols = [...symbols, ...candidates];
  const start = source.timestamps.length - flags.days - 1;
  if (start < HISTORY_BARS || basket.length < 2) {
    console.error(
      `demo: the market needs >= ${flags.days + 1 + HISTORY_BARS} daily bars and two basket assets (got ${source.timestamps.length}, ${basket.length})`,
    );
    return EXIT.USAGE;
  }
  const dir = mkdtempSync(join(tmpdir(), "ballast-demo-"));
  const children: CliChild[] = [];
  const connection = await network.create("arbitrumLocal");
  try {
    const local = await deployArbitrumLocal(connection.ethers);
    // Day 0 is the second UTC midnight from now: the chain's set-up fits before it.
    const latest = (await local.ethers.provider.getBlock("latest"))?.timestamp ?? 0;
    const market = new DemoMarket(source, start, (Math.floor(latest / DAY) + 2) * DAY);
    const releaseDir = join(dir, "release");
    const research = writeRelease(flags, market, symbols, dir, releaseDir, children);
    // Awaited below, after the chain is set up; a failure before then must not go unhandled.
    research.catch(() => {});

    const driver = new MarketDriver(local, market, marketSymbols);
    // The keeper's requests wait while the market moves (see MarketDriver.settled).
    const rpc = await startRpcServer({
      request: async ({ method, params }) => {
        await driver.settled();
        return connection.provider.request({ method, params: params ? [...params] : [] });
      },
    });
    const signerKey = Wallet.createRandom().privateKey;
    const submitter = Wallet.createRandom();
    const deployed = await deployVault(local, { basket, keeperSigner: new Wallet(signerKey).address });
    const depositors = (await local.ethers.getSigners()).slice(5, 8);
    await fundAndDeposit(local, deployed.vault, depositors, parseUnits(DEPOSIT_USDC_EACH, 6));
    await local.ethers.provider.send("hardhat_setBalance", [submitter.address, "0x56bc75e2d63100000"]);
    const adminKey = await localAccountKey(local, 2);
    if ((await deployed.vault.admin()).toLowerCase() !== new Wallet(adminKey).address.toLowerCase()) {
      throw new Error("demo: the vault admin is not local account 2");
    }
    await driver.moveTo(0);
    const ids = { ...Object.fromEntries(Object.entries(COINGECKO_IDS).map(([s, id]) => [id, s])), pendle: "PENDLE" };
    const provider = coinGeckoReplay({
      ids,
      price: (s, t) => market.priceAt(s, t),
      volume: (s, t) => market.volumeAt(s, t),
      now: () => driver.now,
    });
    const replay = await startReplayServer(provider.handler);
    console.log(
      `chain ready in ${((Date.now() - started) / 1000).toFixed(1)} s: vault ${deployed.address}, basket ${basket.join(" ")}, RPC ${rpc.url}, market data ${replay.baseUrl}`,
    );

    const configFile = join(dir, "keeper.json");
    const rawConfig = {
      rpcUrls: [rpc.url],
      chainId: Number(local.chainId),
      vault: deployed.address,
      // Every asset with its feed, so a rotation may add back one it removed earlier.
      tokens: [
        vaultTokenEntries(local, deployed)[0],
        ...[...basket, ...candidates].map((symbol) => addressBookEntry(local, symbol)),
      ],
      uniswapFactory: local.uniswap.factory.target as string,
      dataDir: join(dir, "keeper-data"),
      // The no-trade band (20 x the route's fee tiers / 2, at least 2% of NAV; 0.5% minimum
      // turnover) was chosen on other synthetic markets by bench/costBand.bench.ts.
      strategy: {
        maxWeight: 0.4,
        rotationDays: flags.rotationDays,
        noTradeBand: { penalty: 20, minBand: 0.02, minTurnover: 0.005 },
      },
      // The release's schedule replaces everySeconds and the drift rule; the keeper looks 4 times a second.
      schedule: { pollSeconds: 0.25 },
      // The operator's own key, written into the config like any other (default off).
      ...(flags.impactRecalibration ? { planning: { impactRecalibration: { enabled: true } } } : {}),
      gas: { maxFeePerGasGwei: 50, pollMs: 20 },
      market: { source: "coingecko", coingeckoIds: { PENDLE: "pendle" }, historyBars: HISTORY_BARS },
    };
    const config = parseKeeperConfig(rawConfig);
    writeFileSync(configFile, `${JSON.stringify(rawConfig, null, 2)}\n`, { mode: 0o600 });

    const done = await research;
    const release = loadRelease(releaseDir);
    const { gate } = release.manifest;
    console.log(
      `release ${releaseDir}: serves ${release.manifest.strategy.id} (${gate.approved ? "gate APPROVED" : "gate did not approve"} ${gate.candidate.id}) -- ${gate.reasons.join("; ")}`,
    );

    const token = randomBytes(16).toString("hex");
    const keeperLog = join(dir, "keeper.log");
    console.log(`keeper run --config ${configFile} --release ${releaseDir}   (logs: ${keeperLog})`);
    const keeper = runCliChild(
      ["run", "--config", configFile, "--release", releaseDir, "--port", String(flags.port)],
      {
        ...process.env,
        BALLAST_KEEPER_KEY: signerKey,
        BALLAST_SUBMITTER_KEY: submitter.privateKey,
        BALLAST_ADMIN_KEY: adminKey,
        BALLAST_API_TOKEN: token,
        COINGECKO_BASE_URL: replay.baseUrl,
        LOG_LEVEL: "info",
      },
      keeperLog,
    );
    children.push(keeper);
    const alive = () => {
      const code = keeper.exitCode();
      if (code !== undefined) throw new Error(`keeper run exited with code ${code}:\n${tail(keeper.output())}`);
    };
    const url = await operatorUrl(keeper, alive);
    const metrics = `${url}/metrics`;
    const dayOf = (t: number) => Math.max(0, Math.min(flags.days, Math.floor((t - market.t0) / DAY)));
    const rotationLog = new RotationLog();
    let printed = 0;
    for (let d = 0; d <= flags.days; d++) {
      const moved = d === 0 ? driver.now : await driver.moveTo(d);
      await driver.waitForTick(metrics, moved, { alive, timeoutMs: TICK_TIMEOUT_MS });
      const label = `day ${String(d).padStart(3)}`;
      const rotation = (await getJson<{ rotations: RotationRecord[] }>(`${url}/api/rotations`)).rotations[0];
      for (const line of rotationLog.update(rotation, dayOf)) console.log(`${label}  ${line}`);
      const cycles = (await getJson<{ cycles: CycleRecord[] }>(`${url}/api/cycles?limit=50`)).cycles;
      const fresh = cycles.filter((c) => c.id > printed).reverse();
      for (const cycle of fresh) {
        console.log(`${label}  ${cycleLine(cycle)}`);
        printed = Math.max(printed, cycle.id);
      }
      if (fresh.length === 0) console.log(`${label}  no cycle: no rebalance due on the release's schedule`);
    }
    if (!flags.serve) await keeper.stop();
    const store = await KeeperStore.openExisting(storePath(config));
    try {
      await printSummary(store, {
        days: flags.days,
        seconds: (Date.now() - started) / 1000,
        dayOf,
        release,
        research: done,
        traded: { from: barLabel(market.dayTime(0), "24h"), to: barLabel(market.dayTime(flags.days), "24h") },
        benchmarks: benchmarks(market, basket, flags.days),
      });
    } finally {
      await store.close();
    }
    if (!flags.serve) return EXIT.OK;

    console.log(`\ndashboard: ${url}/   (POST /api/rebalance with "Authorization: Bearer ${token}")`);
    console.log("the keeper keeps running (chain time no longer moves). Ctrl-C to stop.");
    let unhook = () => {};
    await new Promise<void>((resolve) => {
      unhook = stopOnSignals(resolve);
      // A Ctrl-C in the terminal reaches the keeper too: it stops on its own.
      keeper.exited.then(() => resolve(), resolve);
    });
    unhook();
    await keeper.stop();
    await replay.close();
    await rpc.close();
    return EXIT.OK;
  } finally {
    for (const child of children) await child.stop();
    await connection.close();
  }
}

/**
 * Writes the release `keeper run` serves: research on the bars before day 0 (its blocks cut
 * inside them), or with --strategy a hand-made release of that baseline. Runs while the chain
 * is set up; resolves to what research ran on.
 */
async function writeRelease(
  flags: DemoFlags,
  market: DemoMarket,
  symbols: readonly TokenSymbol[],
  dir: string,
  releaseDir: string,
  children: CliChild[],
): Promise<string> {
  const { panel, start } = market;
  const research = { ...panel, assets: panel.assets.filter((a) => symbols.includes(a.symbol as TokenSymbol)) };
  const rows = panel.assets.flatMap((a, i) => (symbols.includes(a.symbol as TokenSymbol) ? [i] : []));
  const block: MarketPanel = {
    ...research,
    close: rows.map((i) => panel.close[i] as Float64Array),
    volume: rows.map((i) => panel.volume[i] as Float64Array),
  };
  const csv = marketCsv(block, { from: 0, to: start, rename: RESEARCH_NAMES });
  const csvPath = join(dir, "research-block.csv");
  writeFileSync(csvPath, csv);
  const from = barLabel(panel.timestamps[0] as number, "24h");
  const to = barLabel(panel.timestamps[start - 1] as number, "24h");
  const what = `${start} daily bars ${from}..${to} (the bars before day 0)`;
  if (flags.strategy) {
    const cfg = researchConfigSchema.parse({});
    const names = symbols.map((s) => RESEARCH_NAMES[s] ?? s);
    const manifest = baselineRelease({
      family: flags.strategy,
      cfg,
      universe: names.filter((s) => s !== cfg.baseSymbol),
      data: { sha256: sha256(csv), from, to, bars: start, assets: names },
      chosenBy: `demo --strategy ${flags.strategy}`,
    });
    writeReleaseFolder(releaseDir, releaseFiles(manifest, { [REPORT_FILE]: "{}" }));
    return `none (--strategy ${flags.strategy}); the release's universe comes from ${what}`;
  }
  const out = join(dir, "research");
  mkdirSync(out, { recursive: true });
  const args = ["research", "--data", csvPath, ...RESEARCH_ARGS, "--out", out, "--release", releaseDir];
  console.log(`research on ${what}: ${RESEARCH_NOTE} (logs: ${join(dir, "research.log")})`);
  const child = runCliChild(
    [...args, "--cache-dir", join(dir, "research-cache")],
    process.env,
    join(dir, "research.log"),
  );
  children.push(child);
  const code = await child.exited;
  if (code !== 0) throw new Error(`research exited with code ${code}:\n${tail(child.output())}`);
  return `${RESEARCH_NOTE} on ${what}`;
}

/** Equal-weight buy-and-hold and ETH over the traded days, from the market the driver set. */
function benchmarks(market: DemoMarket, basket: readonly TokenSymbol[], days: number) {
  const first = market.pricesAt(0, basket);
  const last = market.pricesAt(days, basket);
  const equal = basket.reduce((s, sym) => s + last[sym] / first[sym], 0) / basket.length;
  return { "equal-weight buy-and-hold": equal, ETH: last.WETH / first.WETH };
}

function cycleLine(cycle: CycleRecord): string {
  const partial = cycle.outcome === "partial" ? `  (partial: ${cycle.distanceBps} bps from target)` : "";
  const what = cycle.txHash
    ? `gas ${cycle.gasUsed} cost $${(cycle.costUsd ?? 0).toFixed(2)}${partial}`
    : (cycle.reason ?? "");
  return `cycle ${cycle.id} ${(cycle.outcome ?? cycle.status).padEnd(16)} ${what}`;
}

/** The operator server's URL, from the line `keeper run` prints once it listens. */
async function operatorUrl(keeper: CliChild, alive: () => void): Promise<string> {
  const deadline = Date.now() + TICK_TIMEOUT_MS;
  for (;;) {
    alive();
    const url = /operator server: (http:\/\/[^/\s]+)\//.exec(keeper.output())?.[1];
    if (url) return url;
    if (Date.now() > deadline)
      throw new Error(`keeper run did not start its operator server:\n${tail(keeper.output())}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

function tail(text: string): string {
  return text.split("\n").slice(-15).join("\n");
}

main(process.argv.slice(2)).then(
  (code) => exitWith(code),
  (error: unknown) => {
    console.error(redactUrlsIn(error instanceof Error ? `${error.name}: ${error.message}` : String(error)));
    // The chain and servers may still be open: exitWith ends the process regardless.
    exitWith(EXIT.FAILURE);
  },
);
