/**
 * The keeper config for a vault `npm run deploy` just deployed: what `keeper run --config` reads,
 * validated with the keeper's own schema before it is written, so the printed file is accepted
 * as is. It holds no secret: the keys come from the variables named in `signer`, `submitter`
 * and `admin` (the keeper's documented defaults, see docs/operator.md), which the operator sets
 * on the keeper's machine.
 */
import { parseKeeperConfig } from "../../keeper/src/config/keeperConfig.js";
import { decodePath, encodePath } from "../../keeper/src/execution/indexVault/rebalanceOrder.js";
import type { DeployParameters } from "./parameters.js";

/** The keeper's defaults (keeperConfig.ts), kept unless the vault's limits are tighter. */
const KEEPER_MAX_WEIGHT = 0.4;
const KEEPER_MAX_SLIPPAGE_BPS = 200;

export interface DeployedVaultFacts {
  readonly rpcUrl: string;
  readonly chainId: number;
  readonly vault: string;
  /** Uniswap V3 factory behind the vault's router (`factory()` of the SwapRouter). */
  readonly uniswapFactory: string;
  /** `decimals()` of each token, by address. */
  readonly decimals: ReadonlyMap<string, number>;
  /** The feed of each basket asset, by token: the file's, or the adapter just deployed. */
  readonly feeds: ReadonlyMap<string, string>;
}

/** The buy path of an asset: its sell path reversed (base -> ... -> asset). */
export function reversePath(sellPath: string): string {
  const { tokens, fees } = decodePath(sellPath);
  return encodePath([...tokens].reverse(), [...fees].reverse());
}

function decimalsOf(facts: DeployedVaultFacts, token: string): number {
  const value = facts.decimals.get(token);
  if (value === undefined) throw new Error(`no decimals read for ${token}`);
  return value;
}

/** The config object (plain JSON), checked by `parseKeeperConfig`. */
export function keeperConfigFor(parameters: DeployParameters, facts: DeployedVaultFacts): Record<string, unknown> {
  const { vault, basket } = parameters;
  const config = {
    rpcUrls: [facts.rpcUrl],
    chainId: facts.chainId,
    vault: facts.vault,
    tokens: [
      {
        symbol: parameters.ballast.baseSymbol,
        address: vault.baseAsset,
        decimals: decimalsOf(facts, vault.baseAsset),
      },
      ...basket.map((asset) => ({
        symbol: asset.symbol,
        address: asset.token,
        decimals: decimalsOf(facts, asset.token),
        sellPath: asset.sellPath.toLowerCase(),
        buyPath: reversePath(asset.sellPath),
        oracle: {
          feed: facts.feeds.get(asset.token),
          heartbeat: asset.oracle.heartbeat,
          minAnswer: asset.oracle.minAnswer.toString(),
          maxAnswer: asset.oracle.maxAnswer.toString(),
        },
        maxWeightBps: asset.maxWeightBps,
      })),
    ],
    uniswapFactory: facts.uniswapFactory,
    // Inside the vault's own limits, which refuse anything beyond them: the strategy's cap at
    // the smallest basket cap, the keeper's slippage budget at the vault's ceiling.
    strategy: { maxWeight: Math.min(KEEPER_MAX_WEIGHT, Math.min(...basket.map((a) => a.maxWeightBps)) / 10_000) },
    planning: { maxSlippageBps: Math.min(KEEPER_MAX_SLIPPAGE_BPS, vault.maxSlippageBps) },
    // Where the keys come from (names only): the signer is the vault's keeperSigner, the
    // submitter pays gas, the admin key is for rotations and stays unset for a multisig admin.
    signer: { keyEnv: "BALLAST_KEEPER_KEY" },
    submitter: { keyEnv: "BALLAST_SUBMITTER_KEY" },
    admin: { keyEnv: "BALLAST_ADMIN_KEY" },
    dataDir: "./keeper-data",
  };
  parseKeeperConfig(config);
  return config;
}
