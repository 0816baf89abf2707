/**
 * `npm run demo` (entry: demo.ts): the whole product on a local chain. Starts the local Arbitrum market behind a
 * real HTTP JSON-RPC server, deploys a vault over the basket, funds depositors, then walks the
 * market's daily path: every day the pools and feeds move to that day's prices and chain time
 * advances a day, and the keeper ticks on its schedule with real signed rebalances. Prints a
 * summary (NAV vs benchmark, rebalances, costs, gas) and leaves the operator dashboard running
 * unless `--no-serve`.
 *
 * Every `--rotation-days` the keeper re-runs the classifier on the market history up to that
 * day and moves the vault to the new universe (the local chain's PENDLE, with its pool and
 * feed, is in the address book but not in the vault at the start). The keeper holds the
 * admin's key here, so it schedules, waits out the timelock and executes `addAsset` itself.
 *
 * Flags: --days N (90), --csv PATH (a market CSV instead of the synthetic market), --strategy
 * NAME (inverse-vol | equal-weight | min-variance), --seed N, --rotation-days N (30; 0 off),
 * --port N, --no-serve.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Wallet } from "ethers";
import { network } from "hardhat";
import { destination } from "pino";
import type { TokenSymbol } from "../config/addressBook.js";
import { parseKeeperConfig } from "../config/keeperConfig.js";
import { redactUrlsIn } from "../config/redactUrl.js";
import { parseUnits } from "../core/fixed.js";
import type { MarketPanel } from "../core/types.js";
import { loadMarketCsv } from "../data/csv.js";
import { generateSyntheticMarket } from "../data/synthetic.js";
import { advanceTime, deployArbitrumLocal, followPrices } from "../devchain/arbitrumLocal.js";
import { addressBookEntry, deployVault, fundAndDeposit } from "../devchain/deployVault.js";
import { localAccountKey } from "../devchain/localKeys.js";
import { START_PRICES_USD } from "../devchain/marketSpec.js";
import { startRpcServer } from "../devchain/rpcServer.js";
import { StrategyOracle } from "../execution/strategyOracle.js";
import { ClassifierUniverse } from "../execution/universeSource.js";
import { startOperatorServer } from "../service/http/server.js";
import { openKeeper } from "../service/keeper.js";
import { createLogger } from "../service/logger.js";
import { printSummary } from "./demoSummary.js";
import { EXIT } from "./exitCodes.js";
import { RotationLog } from "./rotationLog.js";
import { exitWith, stopOnSignals } from "./shutdown.js";
import { isStrategyName, STRATEGY_NAMES, strategyFor } from "./strategyChoice.js";
import { answerHelp, describeUsageProblem } from "./usage.js";

const BASKET: readonly TokenSymbol[] = ["WETH", "WBTC", "ARB", "LINK", "UNI", "GMX", "WSTETH", "RETH"];
/** In the address book and on the local market (pool and feed), not in the vault at the start. */
const CANDIDATES: readonly TokenSymbol[] = ["PENDLE"];
/** The classifier wants 180 days of history at its decision bar; rotations start after day 0. */
const WARMUP_DAYS = 200;
const DEPOSIT_USDC_EACH = "100000";

/** Daily prices of USDC + basket rescaled so day 0 equals the local chain's start prices. */
function chainPath(panel: MarketPanel, symbols: readonly TokenSymbol[], start: number, days: number) {
  const rows = symbols.map((s) => {
    const i = panel.assets.findIndex((a) => a.symbol === s);
    const close = panel.close[i] as Float64Array;
    const scale = START_PRICES_USD[s] / (close[start] as number);
    return Float64Array.from({ length: days + 1 }, (_, d) => (close[start + d] as number) * scale);
  });
  return (d: number) =>
    Object.fromEntries(symbols.map((s, k) => [s, rows[k]?.[d] as number])) as Record<TokenSymbol, number>;
}

function loadPanel(csv: string | undefined, seed: number, days: number): MarketPanel {
  const wanted = ["USDC", ...BASKET, ...CANDIDATES];
  if (!csv) return generateSyntheticMarket({ seed, bars: WARMUP_DAYS + days + 1, freq: "24h", assets: wanted });
  return loadMarketCsv(csv, { symbols: wanted }).panel;
}

const USAGE = `usage: demo [--days N] [--csv PATH] [--strategy inverse-vol|equal-weight|min-variance] [--seed N]
            [--rotation-days N] [--port N] [--no-serve]
the whole product on a local chain: deploys a vault, walks the market day by day with real signed rebalances,
prints a summary, then serves the operator dashboard (unless --no-serve).
  --days N            days of market to walk, 7..730 (default 90)
  --csv PATH          a market CSV instead of the synthetic market
  --strategy NAME     inverse-vol | equal-weight | min-variance (default inverse-vol)
  --seed N            synthetic market seed (default 7)
  --rotation-days N   days between portfolio rotations; 0 turns them off (default 30)
  --port N            dashboard port, 0..65535 (default 0: any free port)
  --no-serve          exit after the summary
  --help, -h          this text`;

async function main(argv: string[]): Promise<number> {
  const help = answerHelp(argv, USAGE);
  if (help !== null) return help;
  let flags: ReturnType<typeof parse>;
  const parse = (args: string[]) =>
    parseArgs({
      args,
      options: {
        days: { type: "string", default: "90" },
        csv: { type: "string" },
        strategy: { type: "string", default: "inverse-vol" },
        seed: { type: "string", default: "7" },
        "rotation-days": { type: "string", default: "30" },
        port: { type: "string", default: "0" },
        "no-serve": { type: "boolean", default: false },
      },
    });
  try {
    flags = parse(argv);
  } catch (error) {
    console.error(`demo: ${describeUsageProblem(error, USAGE)}\n${USAGE}`);
    return EXIT.USAGE;
  }
  const days = Number(flags.values.days);
  const seed = Number(flags.values.seed);
  const strategyName = flags.values.strategy ?? "inverse-vol";
  const rotationDays = Number(flags.values["rotation-days"]);
  if (!(rotationDays >= 0)) {
    console.error("demo: --rotation-days must be a number >= 0 (0 turns rotation off)");
    return 2;
  }
  if (!Number.isInteger(days) || days < 7 || days > 730) {
    console.error("demo: --days must be an integer between 7 and 730");
    return 2;
  }
  // Checked before the chain starts: a bad port found after it would leave it running.
  const port = Number(flags.values.port);
  if (!/^\d+$/.test(flags.values.port ?? "") || port > 65_535) {
    console.error("demo: --port must be an integer between 0 and 65535 (0 picks a free port)");
    return EXIT.USAGE;
  }
  if (!isStrategyName(strategyName)) {
    console.error(`demo: --strategy must be one of ${STRATEGY_NAMES.join(", ")} (PPO is not wired into the demo yet)`);
    return 2;
  }
  const started = Date.now();
  const fullPanel = loadPanel(flags.values.csv, seed, days);
  const inPanel = (s: TokenSymbol) => fullPanel.assets.some((a) => a.symbol === s);
  const symbols = (["USDC", ...BASKET] as TokenSymbol[]).filter(inPanel);
  const basket = symbols.filter((s) => s !== "USDC");
  const candidates = CANDIDATES.filter(inPanel);
  // Every token with a price moves the local market (pools and feeds), held or not.
  const marketSymbols = [...symbols, ...candidates];
  const bars = fullPanel.timestamps.length;
  const start = bars - days - 1;
  if (start < 30 || basket.length < 2) {
    console.error(
      `demo: the market needs >= ${days + 31} daily bars and two basket assets (got ${bars}, ${basket.length})`,
    );
    return 2;
  }
  const pathAt = chainPath(fullPanel, marketSymbols, start, days);

  const connection = await network.create("arbitrumLocal");
  const local = await deployArbitrumLocal(connection.ethers);
  const server = await startRpcServer({
    request: ({ method, params }) => connection.provider.request({ method, params: params ? [...params] : [] }),
  });
  const signerKey = Wallet.createRandom().privateKey;
  const submitter = Wallet.createRandom();
  const deployed = await deployVault(local, { basket, keeperSigner: new Wallet(signerKey).address });
  const depositors = (await local.ethers.getSigners()).slice(5, 8);
  await fundAndDeposit(local, deployed.vault, depositors, parseUnits(DEPOSIT_USDC_EACH, 6));
  await local.ethers.provider.send("hardhat_setBalance", [submitter.address, "0x56bc75e2d63100000"]);
  await followPrices(local, pathAt(0));
  console.log(
    `chain ready in ${((Date.now() - started) / 1000).toFixed(1)} s: vault ${deployed.address}, basket ${basket.join(" ")}, RPC ${server.url}`,
  );

  // The oracle sees the market with timestamps moved onto chain time (day 0 = now).
  const chainStart = (await local.ethers.provider.getBlock("latest"))?.timestamp ?? 0;
  const offset = chainStart - (fullPanel.timestamps[start] as number);
  const panel: MarketPanel = { ...fullPanel, timestamps: fullPanel.timestamps.map((t) => t + offset) };
  const oracle = new StrategyOracle(strategyFor(strategyName, 0.4), panel, symbols);
  // The market guard compares bars with the vault's Chainlink prices, which follow the path
  // rescaled to the local chain's start prices: it checks the rescaled bars.
  const scale = (symbol: string, close: Float64Array): Float64Array => {
    const s = symbol as TokenSymbol;
    if (!(s in START_PRICES_USD)) return close;
    return close.map((v) => (v * START_PRICES_USD[s]) / (close[start] as number));
  };
  const guarded: MarketPanel = { ...panel, close: panel.close.map((c, i) => scale(panel.assets[i]?.symbol ?? "", c)) };
  const adminKey = await localAccountKey(local, 2);
  if ((await deployed.vault.admin()).toLowerCase() !== new Wallet(adminKey).address.toLowerCase()) {
    throw new Error("demo: the vault admin is not local account 2");
  }
  const dayOf = (t: number) => Math.max(0, Math.min(days, Math.floor((t - chainStart) / 86_400)));
  const equalBench = (t: number) =>
    basket.reduce((s, sym) => s + pathAt(dayOf(t))[sym] / pathAt(0)[sym], 0) / basket.length;

  const config = parseKeeperConfig({
    rpcUrls: [server.url],
    chainId: Number(local.chainId),
    vault: deployed.address,
    tokens: [
      ...symbols.map((symbol, i) => ({
        symbol,
        address: local.tokens[symbol].address,
        decimals: local.tokens[symbol].decimals,
        sellPath: deployed.routes.sell[i] || "0x",
        buyPath: deployed.routes.buy[i] || "0x",
      })),
      ...candidates.map((symbol) => addressBookEntry(local, symbol)),
    ],
    uniswapFactory: local.uniswap.factory.target as string,
    dataDir: mkdtempSync(join(tmpdir(), "ballast-demo-")),
    // The keeper looks every day and trades only weights that left their no-trade band (20 x
    // the route's fee tiers / 2, at least 2% of NAV; 0.5% minimum turnover): chosen on other
    // synthetic markets by bench/costBand.bench.ts, where it cut cost drag without raising the
    // tracking error to the targets.
    strategy: {
      name: strategyName,
      maxWeight: 0.4,
      rotationDays,
      noTradeBand: { penalty: 20, minBand: 0.02, minTurnover: 0.005 },
    },
    schedule: { everySeconds: 86_400, driftThresholdBps: 500 },
    gas: { maxFeePerGasGwei: 50, pollMs: 20 },
  });
  const logFile = join(config.dataDir, "keeper.log");
  const logger = createLogger({
    secrets: [signerKey, submitter.privateKey, adminKey],
    destination: destination(logFile),
  });
  console.log(`keeper logs: ${logFile}`);
  const keeper = await openKeeper(config, {
    oracle,
    logger,
    env: { BALLAST_KEEPER_KEY: signerKey, BALLAST_SUBMITTER_KEY: submitter.privateKey, BALLAST_ADMIN_KEY: adminKey },
    universe: new ClassifierUniverse(panel),
    benchmark: equalBench,
    riskLevel: (t, holdings) => oracle.riskLevel(t, holdings),
    market: () => guarded,
  });
  const store = keeper.store;
  const rotationLog = new RotationLog();
  for (let d = 0; d <= days; d++) {
    if (d > 0) {
      await advanceTime(local, 86_400);
      await followPrices(local, pathAt(d));
    }
    const t = (await local.ethers.provider.getBlock("latest"))?.timestamp ?? 0;
    await store.recordBaseline("equal-weight buy-and-hold", t, equalBench(t));
    await store.recordBaseline("ETH", t, pathAt(d).WETH / pathAt(0).WETH);
    const cycle = await keeper.tick();
    const day = `day ${String(d).padStart(3)}`;
    for (const line of rotationLog.update((await store.rotations(1))[0], dayOf)) console.log(`${day}  ${line}`);
    if (cycle) {
      const partial = cycle.outcome === "partial" ? `  (partial: ${cycle.distanceBps} bps from target)` : "";
      console.log(
        `${day}  cycle ${cycle.id} ${(cycle.outcome ?? cycle.status).padEnd(16)} ` +
          `${cycle.txHash ? `gas ${cycle.gasUsed} cost $${(cycle.costUsd ?? 0).toFixed(2)}${partial}` : (cycle.reason ?? "")}`,
      );
    }
  }
  await printSummary(store, { days, seconds: (Date.now() - started) / 1000, dayOf });

  if (flags.values["no-serve"]) {
    await keeper.close();
    await server.close();
    await connection.close();
    return 0;
  }
  // Operator surfaces (HTTP API + dashboard) over the keeper's store and control.
  const authToken = randomBytes(16).toString("hex");
  const operator = await startOperatorServer({
    readModel: store,
    control: keeper,
    authToken,
    port,
    logger,
    metrics: keeper.deps.metrics,
  });
  console.log(`\ndashboard: ${operator.url}/   (POST /api/rebalance with "Authorization: Bearer ${authToken}")`);
  console.log("Ctrl-C to stop.");
  let release = () => {};
  await new Promise<void>((resolve) => {
    release = stopOnSignals(resolve);
  });
  await operator.close();
  await keeper.close();
  await server.close();
  await connection.close();
  release();
  return EXIT.OK;
}

main(process.argv.slice(2)).then(
  (code) => exitWith(code),
  (error: unknown) => {
    console.error(redactUrlsIn(error instanceof Error ? `${error.name}: ${error.message}` : String(error)));
    // The chain and RPC server may still be open: exitWith ends the process regardless.
    exitWith(EXIT.FAILURE);
  },
);
