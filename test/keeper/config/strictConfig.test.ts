import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { configFromFlags, parseKeeperFlags } from "../../../keeper/src/cli/commands/keeperSession.js";
import { parseBooleanText } from "../../../keeper/src/config/booleanText.js";
import {
  type KeeperConfigInput,
  loadKeeperConfig,
  parseKeeperConfig,
  RECKLESS_LIMITS,
} from "../../../keeper/src/config/keeperConfig.js";
import { closestName, editDistance } from "../../../keeper/src/config/suggest.js";
import { ConfigError } from "../../../keeper/src/core/errors.js";

const BASE: KeeperConfigInput = {
  rpcUrls: ["http://127.0.0.1:8545"],
  chainId: 42161,
  vault: `0x${"11".repeat(20)}`,
  tokens: [
    { symbol: "USDC", address: `0x${"22".repeat(20)}`, decimals: 6 },
    { symbol: "WETH", address: `0x${"33".repeat(20)}`, decimals: 18 },
  ],
};

/** The ConfigError's message for `input`, failing the test if it parses. */
function problemsOf(input: unknown): string {
  try {
    parseKeeperConfig(input);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return (error as Error).message;
  }
  expect.fail("the config was accepted");
}

describe("keeper config: strict keys", () => {
  it("refuses a misspelt top-level key and suggests the real one", () => {
    expect(problemsOf({ ...BASE, dryrun: true })).to.include('(root): unknown key "dryrun" (did you mean "dryRun"?)');
    expect(problemsOf({ ...BASE, killswitch: true })).to.include(
      'unknown key "killswitch" (did you mean "killSwitch"?)',
    );
  });

  it("refuses unknown keys at every level, naming their place", () => {
    expect(problemsOf({ ...BASE, gas: { maxFeePerGas: 1 } })).to.include(
      'gas: unknown key "maxFeePerGas" (did you mean "maxFeePerGasGwei"?)',
    );
    expect(problemsOf({ ...BASE, planning: { maxSlipageBps: 100 } })).to.include('did you mean "maxSlippageBps"?');
    expect(problemsOf({ ...BASE, signer: { keyenv: "K" } })).to.include('signer: unknown key "keyenv"');
    expect(problemsOf({ ...BASE, strategy: { classifier: { lookbakDays: 30 } } })).to.include(
      'strategy.classifier: unknown key "lookbakDays" (did you mean "lookbackDays"?)',
    );
    const withToken = {
      ...BASE,
      tokens: [...BASE.tokens, { symbol: "ARB", address: `0x${"44".repeat(20)}`, decimals: 18, decimal: 18 }],
    };
    expect(problemsOf(withToken)).to.include('tokens.2: unknown key "decimal" (did you mean "decimals"?)');
  });

  it("names a top-level key written inside a section", () => {
    expect(problemsOf({ ...BASE, schedule: { killSwitch: true } })).to.include(
      'schedule: unknown key "killSwitch" (did you mean the top-level "killSwitch"?)',
    );
  });

  it("impact recalibration: off by default, strict keys, minFills at most maxFills", () => {
    expect(parseKeeperConfig(BASE).planning.impactRecalibration).to.deep.equal({
      enabled: false,
      priorFills: 5,
      minFills: 3,
      maxFills: 200,
    });
    const on = parseKeeperConfig({ ...BASE, planning: { impactRecalibration: { enabled: true, maxFills: 50 } } });
    expect(on.planning.impactRecalibration).to.deep.equal({ enabled: true, priorFills: 5, minFills: 3, maxFills: 50 });
    expect(problemsOf({ ...BASE, planning: { impactRecalibration: { enable: true } } })).to.include(
      'planning.impactRecalibration: unknown key "enable" (did you mean "enabled"?)',
    );
    expect(problemsOf({ ...BASE, planning: { impactRecalibration: { minFills: 20, maxFills: 10 } } })).to.include(
      "minFills must be at most maxFills",
    );
    expect(problemsOf({ ...BASE, planning: { impactRecalibration: { priorFills: -1 } } })).to.include("priorFills");
  });

  it("accepts route learning and impact recalibration together (refits are per route)", () => {
    const both = parseKeeperConfig({
      ...BASE,
      routing: { enabled: true },
      planning: { impactRecalibration: { enabled: true } },
    });
    expect(both.routing.enabled).to.equal(true);
    expect(both.planning.impactRecalibration.enabled).to.equal(true);
  });

  it("gives no suggestion when nothing is close", () => {
    const message = problemsOf({ ...BASE, zzzzzzzzzz: 1 });
    expect(message).to.include('unknown key "zzzzzzzzzz"');
    expect(message).not.to.include("did you mean");
  });
});

describe("keeper config: booleans from the environment", () => {
  it("accepts exactly true/false, 1/0, yes/no, on/off in any case", () => {
    for (const raw of ["true", "TRUE", "1", "yes", "Yes", "on", " ON "])
      expect(parseBooleanText("X", raw), raw).to.equal(true);
    for (const raw of ["false", "False", "0", "no", "NO", "off"])
      expect(parseBooleanText("X", raw), raw).to.equal(false);
  });

  it("BALLAST_DRY_RUN=yes and BALLAST_KILL_SWITCH=yes|TRUE|on turn the flags on", () => {
    expect(loadKeeperConfig({ env: { BALLAST_DRY_RUN: "yes" }, overrides: BASE }).dryRun).to.equal(true);
    for (const raw of ["yes", "TRUE", "on"]) {
      expect(loadKeeperConfig({ env: { BALLAST_KILL_SWITCH: raw }, overrides: BASE }).killSwitch, raw).to.equal(true);
    }
    expect(loadKeeperConfig({ env: { BALLAST_DRY_RUN: "no" }, overrides: BASE }).dryRun).to.equal(false);
  });

  it("refuses any other spelling instead of reading it as false", () => {
    for (const raw of ["maybe", "y", "tru", "2", "enabled"]) {
      expect(() => loadKeeperConfig({ env: { BALLAST_DRY_RUN: raw }, overrides: BASE }), raw).to.throw(
        ConfigError,
        /BALLAST_DRY_RUN must be one of true\/false, 1\/0, yes\/no, on\/off/,
      );
      expect(() => loadKeeperConfig({ env: { BALLAST_KILL_SWITCH: raw }, overrides: BASE }), raw).to.throw(
        ConfigError,
        /BALLAST_KILL_SWITCH/,
      );
    }
  });
});

describe("keeper config: reckless limits", () => {
  const reckless: [string, Partial<KeeperConfigInput>, RegExp][] = [
    [
      "a 100,000 gwei fee cap",
      { gas: { maxFeePerGasGwei: 100_000 } },
      /gas\.maxFeePerGasGwei: 100000 gwei is above 100 gwei/,
    ],
    ["a 50 gwei priority fee", { gas: { priorityFeeGwei: 50 } }, /gas\.priorityFeeGwei/],
    ["10% slippage", { planning: { maxSlippageBps: 1_000 } }, /planning\.maxSlippageBps: 1000 bps is above 300 bps/],
    ["a 1 bp drift threshold", { schedule: { driftThresholdBps: 1 } }, /schedule\.driftThresholdBps: 1 bps .*turnover/],
    ["a rebalance every minute", { schedule: { everySeconds: 60 } }, /schedule\.everySeconds: 60 s .*turnover/],
  ];

  for (const [name, patch, message] of reckless) {
    it(`refuses ${name} without the override, accepts it with allowRecklessLimits`, () => {
      const text = problemsOf({ ...BASE, ...patch });
      expect(text).to.match(message);
      expect(text).to.include("--allow-reckless-limits");
      expect(() => parseKeeperConfig({ ...BASE, ...patch, allowRecklessLimits: true })).not.to.throw();
    });
  }

  it("accepts limits at the bounds", () => {
    const atBounds = parseKeeperConfig({
      ...BASE,
      gas: { maxFeePerGasGwei: RECKLESS_LIMITS.maxFeePerGasGwei, priorityFeeGwei: RECKLESS_LIMITS.priorityFeeGwei },
      planning: { maxSlippageBps: RECKLESS_LIMITS.maxSlippageBps },
      schedule: {
        driftThresholdBps: RECKLESS_LIMITS.minDriftThresholdBps,
        everySeconds: RECKLESS_LIMITS.minEverySeconds,
      },
    });
    expect(atBounds.allowRecklessLimits).to.equal(false);
  });

  it("--allow-reckless-limits on the command line is the same override", () => {
    const dir = process.env.TMPDIR ?? "/tmp";
    const flags = parseKeeperFlags("run", ["--allow-reckless-limits", "--data-dir", dir]);
    const overrides = { ...BASE, gas: { maxFeePerGasGwei: 100_000 } };
    expect(() => configFromFlags({ "data-dir": dir }, overrides)).to.throw(ConfigError, /reckless/);
    expect(configFromFlags(flags, overrides).gas.maxFeePerGasGwei).to.equal(100_000);
  });
});

describe("keeper config: duplicate assets", () => {
  it("refuses the same address twice, whatever its letter case", () => {
    const upper = `0x${"AB".repeat(20)}`;
    const tokens = [
      ...(BASE.tokens ?? []),
      { symbol: "ARB", address: upper, decimals: 18 },
      { symbol: "GMX", address: upper.toLowerCase(), decimals: 18 },
    ];
    expect(problemsOf({ ...BASE, tokens })).to.match(
      /tokens\.3\.address: duplicate token address .* \(also tokens\.2\)/,
    );
  });

  it("refuses the same symbol twice, whatever its letter case", () => {
    const tokens = [...(BASE.tokens ?? []), { symbol: "weth", address: `0x${"55".repeat(20)}`, decimals: 18 }];
    expect(problemsOf({ ...BASE, tokens })).to.match(
      /tokens\.2\.symbol: duplicate token symbol weth \(also tokens\.1\)/,
    );
  });
});

describe("keeper flags: strict, with a suggestion", () => {
  it("refuses an unknown flag and names the closest one", () => {
    expect(() => parseKeeperFlags("run", ["--data-dri", "x"])).to.throw(
      ConfigError,
      /unknown flag --data-dri \(did you mean --data-dir\?\)/,
    );
    expect(() => parseKeeperFlags("dry-run", ["--allow-reckless"])).to.throw(
      ConfigError,
      /did you mean --allow-reckless-limits\?/,
    );
    expect(() => parseKeeperFlags("rebalance", ["stray"])).to.throw(ConfigError, /unexpected argument stray/);
  });
});

describe("suggestions", () => {
  it("edit distance is Levenshtein's", () => {
    expect(editDistance("kitten", "sitting")).to.equal(3);
    expect(editDistance("", "abc")).to.equal(3);
    expect(editDistance("same", "same")).to.equal(0);
  });

  it("ignores case, dashes and underscores, and refuses far-off words", () => {
    expect(closestName("dry_run", ["dryRun", "killSwitch"])).to.equal("dryRun");
    expect(closestName("--kill-swich", ["--kill-switch", "--config"])).to.equal("--kill-switch");
    expect(closestName("banana", ["dryRun", "killSwitch"])).to.equal(null);
  });
});

describe("keeper config: the store", () => {
  it("defaults to SQLite, with lease settings that satisfy their own bounds", () => {
    const config = parseKeeperConfig(BASE);
    expect(config.store.url).to.equal(undefined);
    expect(config.store.lease).to.include({ ttlMs: 15_000, renewMs: 3_000, marginMs: 5_000 });
  });

  it("refuses a URL that is not PostgreSQL's without echoing it (it may hold a password)", () => {
    const message = problemsOf({ ...BASE, store: { url: "mysql://keeper:s3cret@db:3306/ballast" } });
    expect(message).to.include("store.url: must be a postgres:// or postgresql:// URL");
    expect(message).to.not.include("s3cret");
  });

  it("refuses a margin the lease cannot outlast and a renewal period over half the lease", () => {
    expect(problemsOf({ ...BASE, store: { timeoutMs: 3_000, lease: { ttlMs: 6_000, marginMs: 3_000 } } })).to.include(
      "store.lease.marginMs: lease.marginMs + timeoutMs must be below lease.ttlMs",
    );
    expect(problemsOf({ ...BASE, store: { lease: { ttlMs: 20_000, renewMs: 11_000 } } })).to.include(
      "store.lease.renewMs: must be at most half of lease.ttlMs",
    );
  });

  it("BALLAST_STORE_URL sets the URL and keeps the file's lease settings", () => {
    const file = join(mkdtempSync(join(tmpdir(), "ballast-config-")), "keeper.json");
    writeFileSync(
      file,
      JSON.stringify({ ...BASE, store: { lease: { ttlMs: 9_000, renewMs: 1_000, marginMs: 2_000 } } }),
    );
    const config = loadKeeperConfig({ file, env: { BALLAST_STORE_URL: "postgres://keeper:pw@db:5432/ballast" } });
    expect(config.store.url).to.equal("postgres://keeper:pw@db:5432/ballast");
    expect(config.store.lease).to.include({ ttlMs: 9_000, renewMs: 1_000, marginMs: 2_000 });
  });
});

describe("keeper config: route learning", () => {
  const usdc = "22".repeat(20);
  const weth = "33".repeat(20);
  const hub = "55".repeat(20);
  const path = (...parts: string[]) => `0x${parts.join("")}`;
  const withRoutes = (routes: unknown, routing: unknown = undefined) => ({
    ...BASE,
    tokens: [BASE.tokens[0], { ...BASE.tokens[1], routes }],
    ...(routing === undefined ? {} : { routing }),
  });

  it("is off by default with the documented defaults, and no candidate routes", () => {
    const config = parseKeeperConfig(BASE);
    expect(config.routing).to.deep.equal({ enabled: false, marginBps: 10, alpha: 1, maxBonusBps: 10 });
    expect(config.tokens.map((t) => t.routes)).to.deep.equal([[], []]);
  });

  it("accepts direct and one-hub candidates over the standard fee tiers", () => {
    const config = parseKeeperConfig(
      withRoutes(
        [
          { sellPath: path(weth, "000064", usdc), buyPath: path(usdc, "000bb8", hub, "002710", weth) },
          { buyPath: path(usdc, "0001f4", weth) },
        ],
        { enabled: true, marginBps: 5 },
      ),
    );
    expect(config.routing.enabled).to.equal(true);
    expect(config.tokens[1]?.routes).to.have.length(2);
  });

  it("refuses a non-standard fee tier, a long route, a wrong direction, an empty entry and unknown keys", () => {
    expect(problemsOf(withRoutes([{ sellPath: path(weth, "0001f5", usdc) }]))).to.include(
      "tokens.1.routes.0.sellPath: fee 501 is not a Uniswap V3 tier",
    );
    expect(problemsOf(withRoutes([{ sellPath: path(weth, "0001f4", hub, "0001f4", hub, "0001f4", usdc) }]))).to.include(
      "3 hops",
    );
    expect(problemsOf(withRoutes([{ sellPath: path(usdc, "0001f4", weth) }]))).to.include("must run from 0x3333");
    expect(problemsOf(withRoutes([{}]))).to.include("tokens.1.routes.0: needs sellPath, buyPath or both");
    expect(problemsOf(withRoutes([], { enabled: true, margin: 5 }))).to.include('routing: unknown key "margin"');
  });
});
