import { expect } from "chai";
import { encodePath } from "../../../keeper/src/execution/indexVault/rebalanceOrder.js";
import { type BookEntry, planRotation } from "../../../keeper/src/execution/indexVault/rotation/planRotation.js";

const addr = (n: number) => `0x${n.toString(16).padStart(40, "0")}`;
const USDC = addr(1);
const WETH = addr(2);
const ARB = addr(3);
const LINK = addr(4);
const PENDLE = addr(5);
const GMX = addr(6);
const ORACLE = { feed: addr(99), heartbeat: 86_400, minAnswer: 1n, maxAnswer: 10n ** 12n };

/** An address-book entry routed through WETH, with a feed unless told otherwise. */
function entry(symbol: string, address: string, overrides: Partial<BookEntry> = {}): BookEntry {
  return {
    symbol,
    address,
    decimals: 18,
    sellPath: encodePath([address, WETH, USDC], [3000, 500]),
    buyPath: encodePath([USDC, WETH, address], [500, 3000]),
    oracle: ORACLE,
    ...overrides,
  };
}

const HELD = [
  { symbol: "USDC", address: USDC },
  { symbol: "WETH", address: WETH },
  { symbol: "ARB", address: ARB },
  { symbol: "LINK", address: LINK },
];
const BOOK = [
  entry("WETH", WETH),
  entry("ARB", ARB),
  entry("LINK", LINK),
  entry("PENDLE", PENDLE, { maxWeightBps: 2500 }),
];
const base = { held: HELD, book: BOOK, minAssets: 2, defaultMaxWeightBps: 4000 };

describe("execution: rotation planner", () => {
  it("removes what the classifier dropped and adds what it picked, with everything addAsset needs", () => {
    const plan = planRotation({ ...base, selected: ["WETH", "LINK", "PENDLE"] });
    expect(plan.skipped).to.equal(null);
    expect(plan.keep).to.deep.equal(["WETH", "LINK"]);
    expect(plan.remove).to.deep.equal([{ symbol: "ARB", address: ARB }]);
    expect(plan.add).to.deep.equal([
      { symbol: "PENDLE", address: PENDLE, oracle: ORACLE, maxWeightBps: 2500, sellPath: BOOK[3]?.sellPath },
    ]);
    expect(plan.rejected).to.deep.equal([]);
  });

  it("changes nothing when the classifier keeps the universe (case and the base asset aside)", () => {
    const plan = planRotation({ ...base, selected: ["link", "USDC", "weth", "ARB"] });
    expect(plan).to.deep.equal({ keep: ["WETH", "ARB", "LINK"], remove: [], add: [], rejected: [], skipped: null });
  });

  it("rejects, with the reason, an asset without a feed, without a route, or not in the address book", () => {
    const book = [
      ...BOOK,
      entry("GMX", GMX, { oracle: undefined }),
      entry("UNI", addr(7), { sellPath: "0x" }),
      entry("CRV", addr(8), { buyPath: encodePath([USDC, WETH, addr(9)], [500, 3000]) }),
    ];
    const plan = planRotation({ ...base, book, selected: ["WETH", "ARB", "GMX", "UNI", "CRV", "PEPE"] });
    expect(plan.add).to.deep.equal([]);
    const reasons = Object.fromEntries(plan.rejected.map((r) => [r.symbol, r.reason]));
    expect(reasons.GMX).to.match(/no Chainlink feed/);
    expect(reasons.UNI).to.match(/no sell path/);
    expect(reasons.CRV).to.match(/buy path does not run from the base asset to the token/);
    expect(reasons.PEPE).to.match(/not in the address book/);
    expect(plan.remove.map((r) => r.symbol)).to.deep.equal(["LINK"]);
  });

  it("skips the whole rotation when it would leave fewer basket assets than the minimum", () => {
    const plan = planRotation({ ...base, selected: ["PENDLE"] });
    expect(plan.skipped).to.match(/1 basket asset\(s\), fewer than the minimum 2/);
    expect(plan.remove).to.deep.equal([]);
    expect(plan.add).to.deep.equal([]);
    expect(plan.keep).to.deep.equal(["WETH", "ARB", "LINK"]);
  });

  it("uses the default cap without an entry's own and respects the vault's basket limit", () => {
    const book = [...BOOK, entry("GMX", GMX)];
    const plan = planRotation({ ...base, book, selected: ["WETH", "ARB", "LINK", "GMX", "PENDLE"], maxAssets: 4 });
    expect(plan.add.map((a) => [a.symbol, a.maxWeightBps])).to.deep.equal([["GMX", 4000]]);
    expect(plan.rejected).to.deep.equal([{ symbol: "PENDLE", reason: "the vault holds at most 4 basket assets" }]);
  });
});
