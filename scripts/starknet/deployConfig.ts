/**
 * Environment of the Starknet Sepolia deploy script, validated before any network call.
 * Secrets (the account's private key) only ever come from the environment.
 */
import { z } from "zod";
import { ConfigError } from "../../keeper/src/core/errors.js";
import type { LstVaultConstructorArgs } from "../../keeper/src/execution/starknet/lstVaultConstructor.js";

/** The ETH ERC-20 on Starknet (same address on mainnet and Sepolia): the vault's WETH. */
export const STARKNET_ETH_TOKEN = "0x049d36570d4e46f48e99674bd3fcc84644ddd6b96f7c741b1562b82f9e004dc7";

const hex = z.string().regex(/^0x[0-9a-fA-F]{1,64}$/, "0x-hex expected");
const int = (fallback: number) => z.coerce.number().int().nonnegative().default(fallback);
/** The vault's bound on its timelock delay (`LstVault::MAX_TIMELOCK_DELAY`, 30 days). */
export const MAX_TIMELOCK_DELAY_SECONDS = 2_592_000;

const envSchema = z.object({
  STARKNET_RPC_URL: z.url(),
  STARKNET_ACCOUNT_ADDRESS: hex,
  STARKNET_PRIVATE_KEY: hex,
  /** Already-declared class: skips the declare step. */
  LST_VAULT_CLASS_HASH: hex.optional(),
  /** CASM of the class (Scarb's `*.compiled_contract_class.json`): needed to declare. */
  LST_VAULT_CASM: z.string().optional(),
  LST_VAULT_SIERRA: z.string().default("starknet/target/lst_vault.contract_class.json"),
  LST_VAULT_NAME: z.string().default("Ballast LST Index"),
  LST_VAULT_SYMBOL: z.string().default("bLST"),
  LST_VAULT_ASSET: hex.default(STARKNET_ETH_TOKEN),
  LST_VAULT_ORACLE: hex,
  LST_VAULT_BASE_PAIR: z.string().default("ETH/USD"),
  LST_VAULT_ROUTER: hex,
  LST_VAULT_OWNER: hex.optional(),
  LST_VAULT_GUARDIAN: hex.optional(),
  LST_VAULT_KEEPER: hex.optional(),
  LST_VAULT_FEE_RECIPIENT: hex.optional(),
  LST_VAULT_FEE_BPS: int(50),
  LST_VAULT_TOLERANCE_BPS: int(200),
  LST_VAULT_MAX_SLIPPAGE_BPS: int(100),
  LST_VAULT_MAX_NAV_LOSS_BPS: int(50),
  LST_VAULT_COOLDOWN_SECONDS: int(3600),
  LST_VAULT_MAX_PRICE_AGE_SECONDS: int(3600),
  /** Two days, as the Arbitrum vault's deployment. */
  LST_VAULT_TIMELOCK_DELAY_SECONDS: int(172_800).refine((d) => d <= MAX_TIMELOCK_DELAY_SECONDS, {
    message: `at most ${MAX_TIMELOCK_DELAY_SECONDS} seconds (30 days)`,
  }),
  /** `0xtoken:PAIR,0xtoken:PAIR`, e.g. `0x057...:WSTETH/USD`. */
  LST_VAULT_LSTS: z.string().default(""),
  /** Target weights in bps, asset first, e.g. `1000,4000,3000,2000`. */
  LST_VAULT_WEIGHTS: z.string().default(""),
});

export interface LstListing {
  readonly token: string;
  readonly pairId: string;
}

export interface DeployConfig {
  readonly rpcUrl: string;
  readonly accountAddress: string;
  readonly privateKey: string;
  readonly classHash?: string;
  readonly casmPath?: string;
  readonly sierraPath: string;
  readonly constructor: LstVaultConstructorArgs;
  readonly lsts: readonly LstListing[];
  readonly weights: readonly number[];
}

export function parseDeployEnv(env: Readonly<Record<string, string | undefined>>): DeployConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError("invalid Starknet deploy environment", {
      issues: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`),
    });
  }
  const e = parsed.data;
  const lsts = e.LST_VAULT_LSTS.split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((item): LstListing => {
      const [token = "", pairId = ""] = item.split(":");
      if (!hex.safeParse(token).success || pairId === "") {
        throw new ConfigError(`LST_VAULT_LSTS: expected 0xtoken:PAIR, got ${item}`);
      }
      return { token, pairId };
    });
  const weights = e.LST_VAULT_WEIGHTS.split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  if (weights.length > 0) {
    if (weights.length !== lsts.length + 1) {
      throw new ConfigError("LST_VAULT_WEIGHTS needs one weight for the asset plus one per LST", { weights });
    }
    if (weights.some((w) => !Number.isInteger(w) || w < 0) || weights.reduce((a, b) => a + b, 0) !== 10_000) {
      throw new ConfigError("LST_VAULT_WEIGHTS must be whole bps summing to 10000", { weights });
    }
  }
  if (e.LST_VAULT_CLASS_HASH === undefined && e.LST_VAULT_CASM === undefined) {
    throw new ConfigError(
      "declaring needs the CASM (LST_VAULT_CASM, from `scarb build`); or set LST_VAULT_CLASS_HASH of a declared class",
    );
  }
  const account = e.STARKNET_ACCOUNT_ADDRESS;
  return {
    rpcUrl: e.STARKNET_RPC_URL,
    accountAddress: account,
    privateKey: e.STARKNET_PRIVATE_KEY,
    ...(e.LST_VAULT_CLASS_HASH === undefined ? {} : { classHash: e.LST_VAULT_CLASS_HASH }),
    ...(e.LST_VAULT_CASM === undefined ? {} : { casmPath: e.LST_VAULT_CASM }),
    sierraPath: e.LST_VAULT_SIERRA,
    constructor: {
      name: e.LST_VAULT_NAME,
      symbol: e.LST_VAULT_SYMBOL,
      asset: e.LST_VAULT_ASSET,
      oracle: e.LST_VAULT_ORACLE,
      basePairId: e.LST_VAULT_BASE_PAIR,
      router: e.LST_VAULT_ROUTER,
      owner: e.LST_VAULT_OWNER ?? account,
      guardian: e.LST_VAULT_GUARDIAN ?? account,
      keeper: e.LST_VAULT_KEEPER ?? account,
      feeRecipient: e.LST_VAULT_FEE_RECIPIENT ?? account,
      managementFeeBps: e.LST_VAULT_FEE_BPS,
      risk: {
        weightToleranceBps: e.LST_VAULT_TOLERANCE_BPS,
        maxSlippageBps: e.LST_VAULT_MAX_SLIPPAGE_BPS,
        maxNavLossBps: e.LST_VAULT_MAX_NAV_LOSS_BPS,
        rebalanceCooldownSeconds: e.LST_VAULT_COOLDOWN_SECONDS,
        maxPriceAgeSeconds: e.LST_VAULT_MAX_PRICE_AGE_SECONDS,
      },
      timelockDelaySeconds: e.LST_VAULT_TIMELOCK_DELAY_SECONDS,
    },
    lsts,
    weights,
  };
}
