/**
 * Loads the keeper's keys: a raw private key from the environment, or an encrypted JSON
 * keystore whose password comes from the environment. Error messages name the variable or
 * file, never the value, so a key cannot leak through a log line or an exception.
 */
import { readFileSync } from "node:fs";
import { Wallet } from "ethers";
import { ConfigError } from "../core/errors.js";

export interface KeySource {
  /** Environment variable holding a 0x-prefixed 32-byte hex key. */
  readonly keyEnv: string;
  /** Encrypted JSON keystore (used when the key variable is unset). */
  readonly keystorePath?: string | undefined;
  /** Environment variable holding the keystore password. */
  readonly passwordEnv: string;
}

const KEY_PATTERN = /^0x[0-9a-fA-F]{64}$/;

export async function loadWallet(source: KeySource, env: NodeJS.ProcessEnv = process.env): Promise<Wallet> {
  const raw = env[source.keyEnv];
  if (raw !== undefined && raw !== "") {
    if (!KEY_PATTERN.test(raw.trim())) throw new ConfigError(`${source.keyEnv} is not a 0x-prefixed 32-byte hex key`);
    return new Wallet(raw.trim());
  }
  if (!source.keystorePath) throw new ConfigError(`no key: set ${source.keyEnv} or configure a keystore`);
  const password = env[source.passwordEnv];
  if (!password) throw new ConfigError(`keystore ${source.keystorePath} needs its password in ${source.passwordEnv}`);
  let json: string;
  try {
    json = readFileSync(source.keystorePath, "utf8");
  } catch {
    throw new ConfigError(`cannot read keystore ${source.keystorePath}`);
  }
  try {
    const wallet = await Wallet.fromEncryptedJson(json, password);
    return new Wallet(wallet.privateKey);
  } catch {
    throw new ConfigError(`cannot decrypt keystore ${source.keystorePath} (wrong password or not a keystore)`);
  }
}
