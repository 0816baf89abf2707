/**
 * The keeper must not trade on bad market data and must report what it did honestly: a
 * missing, zero or negative price, stale bars and an unconfirmed jump hold the cycle (no
 * order); a partial rebalance waits out the vault's cooldown instead of retrying into it;
 * a dry run whose simulation reverts exits non-zero. All on the local chain, through the
 * same keeper (and, for the dry run, the same command) an operator runs.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { dryRunCommand } from "../../keeper/src/cli/commands/dryRun.js";
import { strategyFor } from "../../keeper/src/cli/strategyChoice.js";
import type { MarketPanel } from "../../keeper/src/core/types.js";
import { parseMarketCsv } from "../../keeper/src/data/csv.js";
import { Rng } from "../../keeper/src/data/rng.js";
import { followPrices } from "../../keeper/src/devchain/arbitrumLocal.js";
import type { Oracle } from "../../keeper/src/execution/portfolioManager.js";
import { StrategyOracle } from "../../keeper/src/execution/strategyOracle.js";
import type { E2eWorld } from "./harness.js";
import { advanceDays, configFor, EQUAL, fixedOracle, KEYS_ENV, keeperFor, useWorld } from "./harness.js";

const DAY = 86_400;
const SYMBOLS = ["USDC", "WETH", "WBTC", "ARB"] as const;
type Sym = (typeof SYMBOLS)[number];
const START: Readonly<Record<Sym, number>> = { USDC: 1, WETH: 3_000, WBTC: 60_000, ARB: 1 };

interface MarketEdits {
  /** Symbols without any row. */
  readonly drop?: readonly Sym[];
  /** Rows from this chain time on are left out (the data stops there). */
  readonly endAt?: number;
  /** A close written on every row from `from` on (a zero, a negative, a jump). */
  readonly override?: { readonly symbol: Sym; readonly from: number; readonly close: string };
}

function date(t: number): string {
  return new Date(t * 1000).toISOString().slice(0, 10);
}

/**
 * A daily market CSV around chain time `now` (150 days before to 30 after; bars after the clock
 * are never shown), prices wandering under 1% a day around the local chain's start prices, so
 * they agree with the vault's Chainlink feeds.
 */
function marketCsv(now: number, edits: MarketEdits = {}): string {
  const rng = new Rng(5);
  const lines = ["date,symbol,close_usd"];
  const level: Record<Sym, number> = { ...START };
  for (let t = now - 150 * DAY; t <= now + 30 * DAY; t += DAY) {
    if (edits.endAt !== undefined && t > edits.endAt) break;
    for (const symbol of SYMBOLS) {
      if (symbol !== "USDC") level[symbol] = START[symbol] * (1 + 0.01 * (rng.uniform() - 0.5));
      if (edits.drop?.includes(symbol)) continue;
      const o = edits.override;
      const close = o && o.symbol === symbol && t >= o.from ? o.close : String(level[symbol]);
      lines.push(`${date(t)},${symbol},${close}`);
    }
  }
  return lines.join("\n");
}

const panelOf = (text: string): MarketPanel => parseMarketCsv(text, { symbols: [...SYMBOLS] }).panel;

/** The market view and the strategy's oracle over it, swapped together as the data changes. */
function market(initial: MarketPanel) {
  let panel = initial;
  let oracle = new StrategyOracle(strategyFor("equal-weight", 0.5), panel, SYMBOLS);
  const view = {
    panel: () => panel,
    oracle: {
      name: "equal-weight",
      targetWeights: (context) => oracle.targetWeights(context),
    } satisfies Oracle,
    set(next: MarketPanel) {
      panel = next;
      oracle = new StrategyOracle(strategyFor("equal-weight", 0.5), panel, SYMBOLS);
    },
  };
  return view;
}

async function chainTime(world: E2eWorld): Promise<number> {
  return (await world.local.ethers.provider.getBlock("latest"))?.timestamp ?? 0;
}

async function balances(world: E2eWorld): Promise<bigint[]> {
  const [, balances] = await world.deployed.vault.portfolio();
  return [...balances];
}

describe("e2e: keeper safety (market guard, honest outcomes)", () => {
  const h = useWorld();

  it("holds, without an order, on a zero, a negative or a missing basket price once the vault holds the asset", async () => {
    const now = await chainTime(h.world);
    const view = market(panelOf(marketCsv(now)));
    const { keeper, lines } = await keeperFor(h.world, view.oracle, { market: view.panel });
    const first = await keeper.tick();
    expect(first?.outcome, first?.reason ?? "").to.be.oneOf(["traded", "partial"]);
    const wbtc = h.world.deployed.symbols.indexOf("WBTC");
    expect((await balances(h.world))[wbtc]).to.be.greaterThan(0n);

    const cases: readonly [string, MarketEdits, RegExp][] = [
      ["zero", { override: { symbol: "WBTC", from: now + 6 * DAY, close: "0" } }, /WBTC has no positive finite price/],
      ["negative", { override: { symbol: "WETH", from: now + 6 * DAY, close: "-3000" } }, /WETH has no positive/],
      ["missing", { drop: ["WBTC"] }, /market data has no WBTC/],
    ];
    await advanceDays(h.world, 8);
    await followPrices(h.world.local, START);
    const before = await balances(h.world);
    for (const [label, edits, reason] of cases) {
      view.set(panelOf(marketCsv(now, edits)));
      const cycle = await keeper.tick();
      expect(cycle?.outcome, label).to.equal("held");
      expect(cycle?.status, label).to.equal("held");
      expect(cycle?.reason, label).to.match(reason);
      expect(cycle?.txHash, label).to.equal(null);
      expect((await keeper.store.status()).holdReason, label).to.match(reason);
      // The same hold on the next poll is the same record, not one more.
      expect((await keeper.tick())?.id, label).to.equal(cycle?.id);
    }
    expect(await h.world.deployed.vault.rebalanceNonce()).to.equal(1n);
    expect(await balances(h.world)).to.deep.equal(before);
    expect(lines.filter((l) => l.includes('"cycle held"'))).to.have.length(cases.length);
    const metrics = await keeper.deps.metrics.render();
    expect(metrics).to.match(/keeper_market_holds_total\{check="bad-price"\} 2/);
    expect(metrics).to.match(/keeper_market_holds_total\{check="missing-asset"\} 1/);
    expect(metrics).to.match(/keeper_holding 1/);

    // Good data again: the keeper trades and the hold clears.
    view.set(panelOf(marketCsv(now)));
    const resumed = await keeper.tick();
    expect(resumed?.outcome, resumed?.reason ?? "").to.be.oneOf(["traded", "partial", "nothing-to-trade"]);
    expect((await keeper.store.status()).holdReason).to.equal(null);
    await keeper.close();
  });

  it("holds on stale data, relative to chain time", async () => {
    const now = await chainTime(h.world);
    // The newest row is three days old.
    const view = market(panelOf(marketCsv(now, { endAt: now - 4 * DAY })));
    const { keeper } = await keeperFor(h.world, view.oracle, { market: view.panel });
    const cycle = await keeper.tick();
    expect(cycle?.outcome).to.equal("held");
    expect(cycle?.reason).to.match(/market guard: newest market bar .* is older than 36\.0 h/);
    expect(await h.world.deployed.vault.rebalanceNonce()).to.equal(0n);
    expect(await keeper.store.fillCount(cycle?.id ?? -1)).to.equal(0);
    expect(await keeper.deps.metrics.render()).to.match(/keeper_market_data_age_seconds \d{6}/);
    await keeper.close();
  });

  it("holds on a jump Chainlink does not confirm, and trades once the vault's feed agrees", async () => {
    const now = await chainTime(h.world);
    // WETH doubles on the newest bar; the vault's feed still says about $3,000.
    const jumped = { override: { symbol: "WETH" as const, from: now - DAY, close: "6000" } };
    const view = market(panelOf(marketCsv(now, jumped)));
    const { keeper } = await keeperFor(h.world, view.oracle, { market: view.panel });
    const held = await keeper.tick();
    expect(held?.outcome).to.equal("held");
    expect(held?.reason).to.match(
      /WETH moved \d+ bps in one bar to 6000 \(limit 2500 bps; Chainlink does not confirm it\)/,
    );
    expect(await h.world.deployed.vault.rebalanceNonce()).to.equal(0n);

    // The move was real: pools and feed follow it, the guard accepts the bar.
    await followPrices(h.world.local, { USDC: 1, WETH: 6_000, WBTC: 60_000, ARB: 1 });
    const traded = await keeper.tick();
    expect(traded?.outcome, traded?.reason ?? "").to.be.oneOf(["traded", "partial"]);
    expect(await h.world.deployed.vault.rebalanceNonce()).to.equal(1n);
    await keeper.close();
  });

  it("after a partial rebalance waits out the vault's cooldown instead of retrying into it", async () => {
    const vault = h.world.deployed.vault.connect(h.world.deployed.admin);
    // Tighter limits apply at once: a day of cooldown and 40% of NAV of turnover per rebalance.
    await (
      await vault.setRebalanceLimits({ cooldown: DAY, maxTurnoverBps: 4_000, toleranceBps: 150, maxSlippageBps: 300 })
    ).wait();
    const { keeper, lines } = await keeperFor(
      h.world,
      fixedOracle(() => EQUAL),
      { config: { schedule: { everySeconds: 7 * DAY, driftThresholdBps: 500, pollSeconds: 60 } } },
    );
    const first = await keeper.tick();
    // The full move (~99% of NAV) is scaled into the 40% budget: partial, not a revert.
    expect(first?.outcome, first?.reason ?? "").to.equal("partial");
    expect(first?.status).to.equal("reconciled");
    expect(first?.sizing).to.match(/turnover .* exceeds the vault's 4000 bps/);
    expect(first?.distanceBps).to.be.greaterThan(500);
    expect(first?.reason).to.match(/^partial: \d+ bps from target/);
    const readyAt = Number(await h.world.deployed.vault.lastRebalance()) + DAY;

    // A day of one-minute polls would be 1,440 attempts into the cooldown; here, 30 polls.
    for (let poll = 0; poll < 30; poll++) {
      await h.world.local.ethers.provider.send("evm_increaseTime", [60]);
      await h.world.local.ethers.provider.send("evm_mine", []);
      expect(await keeper.tick()).to.equal(null);
    }
    expect(await keeper.store.cycles(100)).to.have.length(1);
    expect((await keeper.store.status()).nextRunAt).to.equal(readyAt);
    expect((await keeper.store.status()).holdReason).to.match(/waiting for the vault's cooldown until/);
    expect(lines.filter((l) => l.includes("waiting for the vault's cooldown"))).to.have.length(1);
    // An operator's trigger inside the cooldown is refused with the reason, not sent to revert.
    const refused = await keeper.triggerRebalance();
    expect(refused).to.include({ accepted: false, outcome: "held" });
    expect(refused.reason).to.match(/cooldown/);
    expect(await h.world.deployed.vault.rebalanceNonce()).to.equal(1n);

    await advanceDays(h.world, 1);
    await followPrices(h.world.local, START);
    const second = await keeper.tick();
    expect(second?.outcome, second?.reason ?? "").to.be.oneOf(["partial", "traded"]);
    expect(await h.world.deployed.vault.rebalanceNonce()).to.equal(2n);
    const outcomes = (await keeper.store.cycles(100)).map((c) => c.outcome).reverse();
    expect(outcomes).to.deep.equal(["partial", "held", second?.outcome]);
    expect(outcomes).to.not.include("failed");
    const metrics = await keeper.deps.metrics.render();
    expect(metrics).to.match(/^keeper_cycles_total\{outcome="failed"\} 0$/m);
    expect(metrics).to.match(/^keeper_cycles_total\{outcome="held"\} 1$/m);
    expect(metrics).to.match(/^keeper_submissions_total\{kind="first"\} 2$/m);
    expect(metrics).to.match(/^keeper_cycle_duration_seconds_count\{outcome="held"\} 1$/m);
    expect(metrics).to.match(/^keeper_target_distance_ratio 0(\.\d+)?(e-\d+)?$/m);
    await keeper.close();
  });

  it("a dry run exits 0 when the order simulates and non-zero with the revert reason when it does not", async () => {
    const now = await chainTime(h.world);
    const dir = mkdtempSync(join(tmpdir(), "ballast-dry-run-"));
    const csvPath = join(dir, "market.csv");
    writeFileSync(csvPath, marketCsv(now));
    const configPath = join(dir, "keeper.json");
    writeFileSync(
      configPath,
      JSON.stringify({ ...configFor(h.world), strategy: { name: "equal-weight", maxWeight: 0.5, rotationDays: 0 } }),
    );
    const run = async () => {
      const out: string[] = [];
      const err: string[] = [];
      const { log, error } = console;
      const saved = { ...process.env };
      Object.assign(process.env, KEYS_ENV);
      console.log = (...args: unknown[]) => out.push(args.join(" "));
      console.error = (...args: unknown[]) => err.push(args.join(" "));
      try {
        const code = await dryRunCommand(["--config", configPath, "--market", csvPath]);
        return { code, out: out.join("\n"), err: err.join("\n") };
      } finally {
        console.log = log;
        console.error = error;
        for (const key of Object.keys(KEYS_ENV)) if (!(key in saved)) delete process.env[key];
      }
    };
    const ok = await run();
    expect(ok.code, ok.err).to.equal(0);
    expect(JSON.parse(ok.out)).to.deep.include({ accepted: true, outcome: "dry-run" });

    await (await h.world.deployed.vault.connect(h.world.deployed.guardian).pause()).wait();
    const reverted = await run();
    expect(reverted.code).to.equal(1);
    expect(reverted.err).to.match(/dry run failed: simulation reverted: .*EnforcedPause/);
    const printed = JSON.parse(reverted.out) as { accepted: boolean; outcome: string; cycle: { status: string } };
    expect(printed).to.deep.include({ accepted: false, outcome: "failed" });
    expect(printed.cycle.status).to.equal("failed");
    expect(await h.world.deployed.vault.rebalanceNonce()).to.equal(0n);
  });
});
