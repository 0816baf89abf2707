/**
 * `npm run deploy -- --network arbitrum|arbitrumSepolia|localhost --parameters FILE`: deploys an
 * IndexVault with its whole basket (the blue-chip index through ignition/modules/IndexVault.ts,
 * the LST index and its feed adapters through LstIndex.ts, by the file's `ballast.index`), then writes and
 * prints the keeper config for it. Steps, in this order, each refusing with one message and
 * exit 2 before anything is sent:
 *   1. the parameters file is validated (parameters.ts: no placeholder, checksummed non-zero
 *      addresses, bounds the vault enforces, a sane basket);
 *   2. the network's RPC URL and deployer key resolve (environment variable, else
 *      hardhat-keystore; `localhost` signs with the local chain's unlocked accounts);
 *   3. the file's chain id is the network's, and the RPC answers that chain id;
 *   4. the deployer has ETH and the parameters match the chain (preflight.ts, reads only).
 * Then Ignition deploys (a journal in `<deployments-dir>/<deployment-id>` lets a rerun resume
 * an interrupted deployment; the local chain's deployments are kept in memory, since the chain
 * itself is), the vault is read back, and the keeper config is validated with the keeper's own
 * schema before it is written.
 */
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  errorDeploymentResultToExceptionMessage,
  HardhatArtifactResolver,
} from "@nomicfoundation/hardhat-ignition/helpers";
import {
  type DeploymentParameters,
  DeploymentResultType,
  deploy,
  type ExecutionEventListener,
} from "@nomicfoundation/ignition-core";
import { Contract, type Provider } from "ethers";
import hre from "hardhat";
import IndexVaultModule from "../../ignition/modules/IndexVault.js";
import LstIndexModule from "../../ignition/modules/LstIndex.js";
import { exitWith } from "../../keeper/src/cli/shutdown.js";
import { redactUrl, redactUrlsIn } from "../../keeper/src/config/redactUrl.js";
import { BallastError, ConfigError } from "../../keeper/src/core/errors.js";
import { keeperConfigFor } from "./keeperConfigFile.js";
import { type DeployParameters, parseDeployParameters } from "./parameters.js";
import { preflight } from "./preflight.js";

/** The networks of hardhat.config.ts a deployment may target, with their key variables. */
export const DEPLOY_NETWORKS = {
  arbitrum: { rpcVariable: "ARBITRUM_RPC_URL", keyVariable: "ARBITRUM_DEPLOYER_KEY" },
  arbitrumSepolia: { rpcVariable: "ARBITRUM_SEPOLIA_RPC_URL", keyVariable: "ARBITRUM_SEPOLIA_DEPLOYER_KEY" },
  localhost: { rpcVariable: "LOCALHOST_RPC_URL", keyVariable: null },
} as const;
type DeployNetwork = keyof typeof DEPLOY_NETWORKS;

export const DEPLOY_USAGE = `usage: npm run deploy -- --network arbitrum|arbitrumSepolia|localhost --parameters FILE
                         [--keeper-config OUT] [--deployment-id ID] [--deployments-dir DIR]
deploys an IndexVault (blue-chip or LST index) with its whole basket through Hardhat Ignition, then writes the keeper
config for it. Nothing is sent until the parameters, the signer, the RPC and the chain check out.
  --network NAME          arbitrum (42161), arbitrumSepolia (421614) or localhost (npm run devchain)
  --parameters FILE       ignition/parameters/<index>.<network>.json (validated first)
  --keeper-config OUT     where the keeper config goes (default keeper.<network>.json)
  --deployment-id ID      Ignition deployment id (default <index>-<network>); rerun with the same id
                          to resume an interrupted deployment
  --deployments-dir DIR   Ignition journals (default ignition/deployments; localhost keeps none)
  --help, -h              this text
signer and RPC: ARBITRUM_RPC_URL + ARBITRUM_DEPLOYER_KEY, ARBITRUM_SEPOLIA_RPC_URL +
ARBITRUM_SEPOLIA_DEPLOYER_KEY, from the environment or hardhat-keystore
(npx hardhat keystore set ARBITRUM_DEPLOYER_KEY); localhost: LOCALHOST_RPC_URL (default
http://127.0.0.1:8545) and the local chain's unlocked accounts.
exit codes: 0 deployed, 1 the deployment failed (rerun to resume), 2 bad input (nothing sent).`;

export interface DeployOutcome {
  readonly vault: string;
  readonly keeperConfigPath: string;
  /** Gas of every transaction this run sent, by Ignition future id. */
  readonly gas: ReadonlyMap<string, bigint>;
}

function isDeployNetwork(name: string): name is DeployNetwork {
  return Object.hasOwn(DEPLOY_NETWORKS, name);
}

function readParameters(file: string): DeployParameters {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new ConfigError(`cannot read the parameters file ${file}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError(`the parameters file ${file} is not JSON`);
  }
  return parseDeployParameters(json, file);
}

/** Where the variable could come from, for messages. */
function howToSet(variable: string): string {
  return `set ${variable} in the environment or store it with \`npx hardhat keystore set ${variable}\``;
}

/** Resolves the network's RPC URL and deployer key now, so a missing one is a clear refusal. */
async function resolveEndpoint(name: DeployNetwork): Promise<{ url: string; chainId: number }> {
  const config = hre.config.networks[name];
  const names = DEPLOY_NETWORKS[name];
  if (config?.type !== "http" || config.chainId === undefined) {
    throw new ConfigError(`hardhat.config.ts has no http network "${name}" with a chainId`);
  }
  let url: string;
  try {
    url = await config.url.getUrl();
  } catch {
    throw new ConfigError(`no RPC URL for --network ${name}: ${howToSet(names.rpcVariable)}`);
  }
  if (names.keyVariable !== null && Array.isArray(config.accounts)) {
    try {
      for (const account of config.accounts) await account.getHexString();
    } catch {
      throw new ConfigError(
        `no deployer key for --network ${name}: ${howToSet(names.keyVariable)} (a 0x-prefixed private key)`,
      );
    }
  }
  return { url, chainId: config.chainId };
}

async function chainIdOf(provider: Provider, url: string, name: string): Promise<number> {
  try {
    return Number((await provider.getNetwork()).chainId);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new ConfigError(`cannot reach the RPC of --network ${name} at ${redactUrl(url)}: ${reason}`);
  }
}

/** Collects the hash of every transaction Ignition confirms (any other event is ignored). */
function hashCollector(into: Map<string, string>): ExecutionEventListener {
  return new Proxy({} as ExecutionEventListener, {
    get:
      (_target, event) =>
      (e: { futureId?: string; hash?: string }): void => {
        if (event === "transactionConfirm" && e.futureId && e.hash) into.set(e.futureId, e.hash);
      },
  });
}

export async function runDeploy(argv: string[]): Promise<DeployOutcome | null> {
  let values: ReturnType<typeof parse>["values"];
  const parse = (args: string[]) =>
    parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        network: { type: "string" },
        parameters: { type: "string" },
        "keeper-config": { type: "string" },
        "deployment-id": { type: "string" },
        "deployments-dir": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  try {
    values = parse(argv).values;
  } catch (error) {
    throw new ConfigError(`deploy: ${error instanceof Error ? error.message : String(error)}\n${DEPLOY_USAGE}`);
  }
  if (values.help) {
    console.log(DEPLOY_USAGE);
    return null;
  }
  const name = values.network ?? "";
  if (!isDeployNetwork(name)) {
    throw new ConfigError(
      `deploy: --network must be one of ${Object.keys(DEPLOY_NETWORKS).join(", ")}\n${DEPLOY_USAGE}`,
    );
  }
  if (!values.parameters) throw new ConfigError(`deploy: --parameters FILE is required\n${DEPLOY_USAGE}`);

  // 1-3: the file, the signer and the RPC, before any connection.
  const parameters = readParameters(values.parameters);
  const endpoint = await resolveEndpoint(name);
  if (parameters.ballast.chainId !== endpoint.chainId) {
    throw new ConfigError(
      `${values.parameters} is for chain ${parameters.ballast.chainId}, --network ${name} is chain ${endpoint.chainId}; nothing was sent`,
    );
  }
  const connection = await hre.network.create(name);
  try {
    const provider = connection.ethers.provider;
    const answered = await chainIdOf(provider, endpoint.url, name);
    if (answered !== endpoint.chainId) {
      throw new ConfigError(
        `the RPC of --network ${name} (${redactUrl(endpoint.url)}) answers chain ${answered}, not ${endpoint.chainId}; nothing was sent`,
      );
    }
    // 4: the deployer and the chain.
    const accounts = (await connection.provider.request({ method: "eth_accounts" })) as string[];
    const deployer = accounts[0];
    if (!deployer) throw new ConfigError(`--network ${name} has no account to deploy from`);
    if ((await provider.getBalance(deployer)) === 0n) {
      throw new ConfigError(`the deployer ${deployer} has no ETH on --network ${name}; nothing was sent`);
    }
    const facts = await preflight(provider, parameters);

    const index = parameters.ballast.index;
    const deploymentId = values["deployment-id"] ?? `${index}-${name}`;
    const deploymentDir =
      name === "localhost"
        ? undefined
        : join(resolve(values["deployments-dir"] ?? join(hre.config.paths.ignition, "deployments")), deploymentId);
    console.log(`deploying ${index} to ${name} (chain ${endpoint.chainId}) from ${deployer}...`);
    const hashes = new Map<string, string>();
    const result = await deploy({
      provider: connection.provider,
      artifactResolver: new HardhatArtifactResolver(hre.artifacts),
      ignitionModule: parameters.moduleId === "LstIndex" ? LstIndexModule : IndexVaultModule,
      // The validated values (defaults filled in) are what is deployed, not the raw file.
      deploymentParameters: { [parameters.moduleId]: { ...parameters.ignition } as DeploymentParameters[string] },
      accounts,
      defaultSender: deployer,
      deploymentDir,
      executionEventListener: hashCollector(hashes),
    });
    // Validation and reconciliation (the file no longer matches the journal of a previous run)
    // fail before Ignition sends anything.
    if (
      result.type === DeploymentResultType.VALIDATION_ERROR ||
      result.type === DeploymentResultType.RECONCILIATION_ERROR
    ) {
      throw new ConfigError(`${errorDeploymentResultToExceptionMessage(result)}\nnothing was sent`);
    }
    if (result.type !== DeploymentResultType.SUCCESSFUL_DEPLOYMENT) {
      const resume = deploymentDir ? ` Rerun the same command to resume (journal: ${deploymentDir}).` : "";
      throw new BallastError("DEPLOY", `${errorDeploymentResultToExceptionMessage(result)}${resume}`);
    }
    const vaultAddress = result.contracts[`${parameters.moduleId}#IndexVault`]?.address;
    if (!vaultAddress) throw new BallastError("DEPLOY", "Ignition reported no IndexVault address");
    const feeds = new Map<string, string>();
    for (const asset of parameters.basket) {
      const feed = asset.oracle.feed ?? result.contracts[asset.adapter?.futureId ?? ""]?.address;
      if (!feed) throw new BallastError("DEPLOY", `Ignition reported no feed adapter for ${asset.symbol}`);
      feeds.set(asset.token, feed);
    }
    await checkDeployed(provider, vaultAddress, parameters);

    const gas = new Map<string, bigint>();
    for (const [futureId, hash] of hashes) {
      const receipt = await provider.getTransactionReceipt(hash);
      if (receipt) gas.set(futureId, receipt.gasUsed);
    }
    const keeperConfig = keeperConfigFor(parameters, {
      rpcUrl: endpoint.url,
      chainId: endpoint.chainId,
      vault: vaultAddress,
      uniswapFactory: facts.uniswapFactory,
      decimals: facts.decimals,
      feeds,
    });
    const keeperConfigPath = resolve(values["keeper-config"] ?? `keeper.${name}.json`);
    const text = `${JSON.stringify(keeperConfig, null, 2)}\n`;
    // The RPC URL may carry a provider key: the file is the operator's alone, the printout redacted.
    writeFileSync(keeperConfigPath, text, { mode: 0o600 });
    chmodSync(keeperConfigPath, 0o600);
    printSummary({ vault: vaultAddress, contracts: result.contracts, gas, keeperConfigPath, text });
    return { vault: vaultAddress, keeperConfigPath, gas };
  } finally {
    await connection.close();
  }
}

/** The vault as deployed must hold exactly the basket the file lists, with the file's roles. */
async function checkDeployed(provider: Provider, address: string, parameters: DeployParameters): Promise<void> {
  const vault = new Contract(
    address,
    [
      "function assets() view returns (address[])",
      "function keeperSigner() view returns (address)",
      "function admin() view returns (address)",
    ],
    provider,
  );
  const p = parameters.vault;
  const assets = (await vault.getFunction("assets")()) as string[];
  const expected = [p.baseAsset, ...parameters.basket.map((a) => a.token)];
  if (assets.join() !== expected.join()) {
    throw new BallastError("DEPLOY", `the vault at ${address} holds ${assets.join(", ")}, not ${expected.join(", ")}`);
  }
  if (
    (await vault.getFunction("keeperSigner")()) !== p.keeperSigner ||
    (await vault.getFunction("admin")()) !== p.admin
  ) {
    throw new BallastError("DEPLOY", `the vault at ${address} does not have the file's admin and keeperSigner`);
  }
}

function printSummary(s: {
  vault: string;
  contracts: Record<string, { address: string }>;
  gas: ReadonlyMap<string, bigint>;
  keeperConfigPath: string;
  text: string;
}): void {
  console.log(`\nvault: ${s.vault}`);
  for (const [id, contract] of Object.entries(s.contracts)) {
    const gas = s.gas.get(id);
    console.log(`  ${id.padEnd(32)} ${contract.address}  ${gas === undefined ? "(deployed earlier)" : `gas ${gas}`}`);
  }
  const total = [...s.gas.values()].reduce((a, b) => a + b, 0n);
  console.log(`  total gas this run: ${total}`);
  console.log(`\nkeeper config written to ${s.keeperConfigPath} (mode 0600; RPC URLs redacted below):\n`);
  console.log(redactUrlsIn(s.text));
  console.log(
    "run the keeper with BALLAST_KEEPER_KEY (the keeperSigner's key) and BALLAST_SUBMITTER_KEY (pays gas) set:",
  );
  console.log(`  npm run keeper -- dry-run --config ${s.keeperConfigPath}`);
}

/** Exit code for the outcome: 0 done, 1 failed after something may have been sent, 2 bad input. */
export async function deployMain(argv: string[]): Promise<number> {
  try {
    await runDeploy(argv);
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(redactUrlsIn(error.message));
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    console.error(`deploy failed: ${redactUrlsIn(message)}`);
    return 1;
  }
}

// Run as a script (npm run deploy), not when a test imports it.
if (process.argv[1] && resolve(process.argv[1]) === resolve(dirname(new URL(import.meta.url).pathname), "deploy.ts")) {
  exitWith(await deployMain(process.argv.slice(2)));
}
