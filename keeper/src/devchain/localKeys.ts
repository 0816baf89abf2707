/**
 * Private keys of the local chain's built-in accounts. Hardhat's simulated network funds the
 * accounts of a public test mnemonic; the demo and the e2e tests hand one of them (the vault
 * admin `deployVault` uses) to the keeper so it can carry out rotations itself. Never valid
 * anywhere but a local chain.
 */
import { HDNodeWallet, Mnemonic } from "ethers";
import { ConfigError } from "../core/errors.js";
import type { ArbitrumLocal } from "./arbitrumLocal.js";

/** Hardhat's default mnemonic for simulated networks (public; local chains only). */
const LOCAL_MNEMONIC = "test test test test test test test test test test test junk";

/** The private key of local account `index`, checked against the chain's own signer list. */
export async function localAccountKey(local: ArbitrumLocal, index: number): Promise<string> {
  const wallet = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(LOCAL_MNEMONIC), `m/44'/60'/0'/0/${index}`);
  const signer = (await local.ethers.getSigners())[index];
  if (!signer || signer.address.toLowerCase() !== wallet.address.toLowerCase()) {
    throw new ConfigError(`local account ${index} is not derived from the default mnemonic`);
  }
  return wallet.privateKey;
}
