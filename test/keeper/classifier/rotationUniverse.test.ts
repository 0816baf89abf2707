import { expect } from "chai";
import { parseKeeperConfig } from "../../../keeper/src/config/keeperConfig.js";
import { ConfigError } from "../../../keeper/src/core/errors.js";
import { generateSyntheticMarket } from "../../../keeper/src/data/synthetic.js";
import { ClassifierUniverse } from "../../../keeper/src/execution/universeSource.js";

describe("classifier at rotation time", () => {
  // The demo's market: strict rules select nothing on its days 60 and 90.
  const assets = ["USDC", "WETH", "WBTC", "ARB", "LINK", "UNI", "GMX", "WSTETH", "RETH", "PENDLE"];
  const panel = generateSyntheticMarket({ seed: 7, bars: 291, freq: "24h", assets });
  const day = (d: number) => panel.timestamps[200 + d] as number;

  it("is ranked by default and selects a full universe where strict mode selects nothing", async () => {
    const ranked = new ClassifierUniverse(panel);
    const strict = new ClassifierUniverse(panel, { mode: "strict" });
    for (const d of [60, 90]) {
      const s = await strict.select(day(d));
      expect(s.selected, `strict day ${d}`).to.deep.equal([]);
      expect(s.shortfall).to.match(
        /0 token\(s\) selected, fewer than the minimum 3 \(strict mode\): keep the current universe/,
      );
      const r = await ranked.select(day(d));
      expect(r.selected.length, `ranked day ${d}`).to.equal(8);
      expect(r.shortfall).to.equal(undefined);
    }
  });

  it("with the vault's basket as held, rank noise does not rotate it", async () => {
    const ranked = new ClassifierUniverse(panel);
    const basket = ["WETH", "WBTC", "ARB", "LINK", "UNI", "GMX", "WSTETH", "RETH"];
    let changes = 0;
    let held: readonly string[] = basket;
    for (const d of [30, 60, 90]) {
      const next = (await ranked.select(day(d), held)).selected;
      changes += next.filter((s) => !held.includes(s)).length;
      held = next;
    }
    let free = 0;
    let prev: readonly string[] = basket;
    for (const d of [30, 60, 90]) {
      const next = (await ranked.select(day(d))).selected;
      free += next.filter((s) => !prev.includes(s)).length;
      prev = next;
    }
    expect(changes).to.be.lessThan(free);
  });

  it("refuses the base policy, which a rotation cannot carry out", () => {
    expect(() => new ClassifierUniverse(panel, { belowMinimum: "base" })).to.throw(ConfigError, /use hold/);
  });

  it("keeper config: a classifier section without a mode is ranked; an explicit mode stays", () => {
    const base = {
      rpcUrls: ["http://127.0.0.1:8545"],
      chainId: 42161,
      vault: `0x${"11".repeat(20)}`,
      tokens: [
        { symbol: "USDC", address: `0x${"22".repeat(20)}`, decimals: 6 },
        { symbol: "WETH", address: `0x${"33".repeat(20)}`, decimals: 18, sellPath: "0xab", buyPath: "0xcd" },
      ],
    };
    expect(
      parseKeeperConfig({ ...base, strategy: { classifier: { lookbackDays: 20 } } }).strategy.classifier?.mode,
    ).to.equal("ranked");
    expect(
      parseKeeperConfig({ ...base, strategy: { classifier: { mode: "strict" } } }).strategy.classifier?.mode,
    ).to.equal("strict");
    expect(parseKeeperConfig(base).strategy.noTradeBand).to.equal(undefined);
    expect(
      parseKeeperConfig({ ...base, strategy: { noTradeBand: { minBand: 0.02 } } }).strategy.noTradeBand,
    ).to.deep.equal({
      penalty: 0,
      minBand: 0.02,
      minTurnover: 0,
    });
    expect(() => parseKeeperConfig({ ...base, strategy: { noTradeBand: { minBand: 2 } } })).to.throw(ConfigError);
  });
});
