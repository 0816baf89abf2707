/**
 * Builds the Starknet venue from its validated config: a starknet.js `RpcProvider` on the
 * configured URL and a `Signer` with the Stark key read from the variable the config names.
 * Errors name the variable, never the key; the URL is shown redacted.
 */
import { RpcProvider, Signer } from "starknet";
import { redactUrl } from "../../config/redactUrl.js";
import type { StarknetConfig } from "../../config/starknetConfig.js";
import { ConfigError } from "../../core/errors.js";
import { type StarknetRpc, StarknetVenue } from "./starknetVenue.js";

/** Stark private keys are felts: 1 to 64 hex digits, below the curve order (checked by the signer). */
const STARK_KEY = /^0x[0-9a-fA-F]{1,64}$/;

export function openStarknetVenue(config: StarknetConfig, env: NodeJS.ProcessEnv = process.env): StarknetVenue {
  const key = env[config.keyEnv];
  if (key === undefined || key === "") {
    throw new ConfigError(`the Starknet keeper key is not set: export ${config.keyEnv}`);
  }
  if (!STARK_KEY.test(key)) throw new ConfigError(`${config.keyEnv} is not a 0x-hex Stark private key`);
  const provider = new RpcProvider({ nodeUrl: config.rpcUrl });
  return new StarknetVenue({
    config,
    rpc: provider as unknown as StarknetRpc,
    signer: new Signer(key),
  });
}

/** Where the venue talks to, safe to log. */
export function describeStarknetVenue(config: StarknetConfig): string {
  return `starknet vault ${config.vaultAddress} via ${redactUrl(config.rpcUrl)} as ${config.accountAddress}`;
}
