/**
 * Builds the HyperLiquid venue from its validated config: loads the signing key (the
 * account's or an agent wallet's) from the variable or keystore the config names, and refuses
 * a vault address equal to the signer (a vault cannot sign for itself). Errors name the
 * variable or file, never the key.
 */
import type { HyperliquidConfig } from "../../config/hyperliquidConfig.js";
import { ConfigError } from "../../core/errors.js";
import { loadWallet } from "../signerKeys.js";
import { HyperliquidVenue } from "./hyperliquidVenue.js";

export async function openHyperliquidVenue(
  config: HyperliquidConfig & { readonly apiUrl: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ readonly venue: HyperliquidVenue; readonly signerAddress: string; readonly agent: boolean }> {
  const wallet = await loadWallet(config.key, env);
  if (config.vaultAddress && config.vaultAddress.toLowerCase() === wallet.address.toLowerCase()) {
    throw new ConfigError("hyperliquid.vaultAddress is the signer itself: a vault is traded by its leader or an agent");
  }
  const agent = wallet.address.toLowerCase() !== config.accountAddress.toLowerCase();
  return { venue: new HyperliquidVenue({ config, signer: wallet.signingKey }), signerAddress: wallet.address, agent };
}
