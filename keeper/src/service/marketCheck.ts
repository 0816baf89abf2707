/**
 * Feeds the market guard from a running keeper: the market view the strategy will decide on,
 * the chain clock, and the vault's own Chainlink prices (from its `portfolio()`), which are
 * what may confirm a large move in the bars.
 */
import { toNumber } from "../core/fixed.js";
import type { MarketPanel } from "../core/types.js";
import { checkMarket, type MarketGuardConfig, type MarketVerdict } from "../data/marketGuard.js";
import type { VaultVenue } from "../execution/indexVault/vaultVenue.js";
import type { VenueAsset } from "../execution/portfolioManager.js";

export interface MarketCheckInput {
  readonly venue: Pick<VaultVenue, "snapshot">;
  readonly panel: MarketPanel;
  /** Chain time. */
  readonly now: number;
  readonly universe: readonly VenueAsset[];
  /** Symbols the strategy may weight, base asset first (the base is checked only if present). */
  readonly eligible: readonly string[];
  readonly config: MarketGuardConfig;
}

export async function checkMarketView(input: MarketCheckInput): Promise<MarketVerdict> {
  const snap = await input.venue.snapshot();
  // Chainlink USD prices carry 8 decimals.
  const chainlinkUsd = Object.fromEntries(
    input.universe.flatMap((a) => {
      const i = snap.assets.findIndex((x) => x.toLowerCase() === a.address.toLowerCase());
      const price = snap.pricesUsd[i];
      return i < 0 || price === undefined ? [] : [[a.symbol, toNumber(price, 8)]];
    }),
  );
  const [base, ...basket] = input.eligible;
  return checkMarket({ panel: input.panel, asOf: input.now, chainlinkUsd }, basket, input.config, base ? [base] : []);
}
