import { expect } from "chai";
import { WeightsRefusedError } from "../../../keeper/src/core/errors.js";
import type { VenueCapabilities } from "../../../keeper/src/core/venue.js";
import { validateSignedWeights, validateTargetWeights } from "../../../keeper/src/execution/portfolioManager.js";

const PERPS: VenueCapabilities = { shorts: true, maxGross: 2, maxNet: 0.5, fullyInvested: false };
const SPOT: VenueCapabilities = { shorts: false, maxGross: 1, maxNet: 1, fullyInvested: true };
const MARKETS = [
  { symbol: "BTC", maxWeightBps: 8_000 },
  { symbol: "ETH", maxWeightBps: 8_000 },
  { symbol: "SOL", maxWeightBps: 3_000 },
];
const SPOT_UNIVERSE = [
  { symbol: "USDC", address: "0x01", decimals: 6, maxWeightBps: 10_000 },
  { symbol: "WETH", address: "0x02", decimals: 18, maxWeightBps: 6_000 },
];

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof WeightsRefusedError) return error.refusal;
    throw error;
  }
  return "accepted";
}

describe("signed weights (portfolio manager)", () => {
  it("accepts long/short weights within the caps, zero-filling unnamed markets", () => {
    expect(validateSignedWeights({ BTC: 0.6, ETH: -0.4 }, MARKETS, PERPS)).to.deep.equal({
      BTC: 0.6,
      ETH: -0.4,
      SOL: 0,
    });
    // A market-neutral book: net 0, gross 1.6.
    expect(validateSignedWeights({ BTC: 0.8, ETH: -0.8 }, MARKETS, PERPS).ETH).to.equal(-0.8);
  });

  it("refuses gross over the cap, net over the cap, a market over its cap, an unknown or NaN weight", () => {
    expect(
      refusal(() => validateSignedWeights({ BTC: 0.8, ETH: -0.8, SOL: 0.3 }, MARKETS, { ...PERPS, maxGross: 1.8 })),
    ).to.equal("gross-above-cap");
    expect(refusal(() => validateSignedWeights({ BTC: 0.8, ETH: -0.8 }, MARKETS, PERPS, { maxGross: 1.5 }))).to.equal(
      "gross-above-cap",
    );
    expect(refusal(() => validateSignedWeights({ BTC: 0.5, ETH: 0.2 }, MARKETS, PERPS))).to.equal("net-above-cap");
    expect(refusal(() => validateSignedWeights({ BTC: -0.6, ETH: 0 }, MARKETS, PERPS))).to.equal("net-above-cap");
    expect(refusal(() => validateSignedWeights({ SOL: -0.31 }, MARKETS, PERPS))).to.equal("asset-above-cap");
    expect(refusal(() => validateSignedWeights({ BTC: 0.2 }, MARKETS, PERPS, { maxWeight: 0.1 }))).to.equal(
      "asset-above-cap",
    );
    expect(refusal(() => validateSignedWeights({ DOGE: 0.1 }, MARKETS, PERPS))).to.equal("unknown-asset");
    expect(refusal(() => validateSignedWeights({ BTC: Number.NaN }, MARKETS, PERPS))).to.equal("not-finite");
  });

  it("refuses any short on a spot vault, by either validator", () => {
    expect(refusal(() => validateSignedWeights({ BTC: 1.1, ETH: -0.1 }, MARKETS, SPOT))).to.equal("short-on-spot");
    expect(refusal(() => validateTargetWeights({ USDC: 1.2, WETH: -0.2 }, SPOT_UNIVERSE))).to.equal("short-on-spot");
    expect(() => validateTargetWeights({ USDC: 1.2, WETH: -0.2 }, SPOT_UNIVERSE)).to.throw(/cannot hold a short/);
  });

  it("a fully invested spot vault still needs weights summing to 1", () => {
    expect(refusal(() => validateSignedWeights({ BTC: 0.5 }, MARKETS, { ...SPOT, maxGross: 1 }))).to.equal(
      "sum-not-one",
    );
    expect(validateSignedWeights({ BTC: 0.5, ETH: 0.5 }, MARKETS, SPOT)).to.deep.equal({ BTC: 0.5, ETH: 0.5, SOL: 0 });
  });
});
