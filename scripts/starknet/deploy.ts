/**
 * Deploys the LST vault to Starknet Sepolia. Not run in CI: it needs a funded account.
 *
 *   STARKNET_RPC_URL=https://...  STARKNET_ACCOUNT_ADDRESS=0x...  STARKNET_PRIVATE_KEY=0x... \
 *   LST_VAULT_ORACLE=0x<pragma>   LST_VAULT_ROUTER=0x<avnu>       LST_VAULT_CASM=<casm.json> \
 *   LST_VAULT_LSTS=0x<wsteth>:WSTETH/USD,...  LST_VAULT_WEIGHTS=1000,9000 \
 *   npx tsx scripts/starknet/deploy.ts [--dry-run]
 *
 * Steps: declare the class (unless LST_VAULT_CLASS_HASH is given), deploy it through the
 * Universal Deployer, then finish the set-up as `deployPlan` describes: when the deploying
 * account is the owner, one multicall lists the LSTs (through the timelock, at delay 0), sets the
 * target weights and raises the delay to LST_VAULT_TIMELOCK_DELAY_SECONDS; otherwise the owner's
 * calls are printed. `--dry-run` prints the plan and calldata without any network call. Declaring needs the CASM, which wasm-cairo cannot produce: build it with `scarb build`
 * (starknet/Scarb.toml enables `casm = true`).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Account, type Call, RpcProvider } from "starknet";
import { loadLstVaultAbi } from "../../keeper/src/execution/starknet/lstVaultAbi.js";
import { lstVaultConstructorCalldata } from "../../keeper/src/execution/starknet/lstVaultConstructor.js";
import { parseDeployEnv } from "./deployConfig.js";
import { deployPlan } from "./deployPlan.js";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

function printable(calls: readonly Call[]): { entrypoint: string; calldata: unknown }[] {
  return calls.map((c) => ({ entrypoint: c.entrypoint, calldata: c.calldata }));
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { "dry-run": { type: "boolean", default: false }, help: { type: "boolean", default: false } },
  });
  if (values.help) {
    console.log("usage: deploy.ts [--dry-run]   (configuration from the environment, see the file header)");
    return 0;
  }
  const config = parseDeployEnv(process.env);
  const abi = loadLstVaultAbi();
  const plan = deployPlan(config, abi);
  const constructorArgs = { ...config.constructor, timelockDelaySeconds: plan.constructorDelaySeconds };
  const constructorCalldata = lstVaultConstructorCalldata(constructorArgs, abi);
  if (values["dry-run"]) {
    const setup = plan.setup("0x1");
    console.log(
      JSON.stringify(
        {
          declare: config.classHash === undefined ? { sierra: config.sierraPath, casm: config.casmPath } : "skipped",
          classHash: config.classHash ?? "(from declare)",
          constructor: constructorArgs,
          constructorCalldata,
          setupNow: printable(setup.now),
          setupAfterDelay: printable(setup.afterDelay),
        },
        null,
        2,
      ),
    );
    return 0;
  }

  const provider = new RpcProvider({ nodeUrl: config.rpcUrl });
  const account = new Account({ provider, address: config.accountAddress, signer: config.privateKey });
  let classHash = config.classHash;
  if (classHash === undefined) {
    const sierra = JSON.parse(readFileSync(resolve(REPO, config.sierraPath), "utf8"));
    const casm = JSON.parse(readFileSync(resolve(REPO, config.casmPath ?? ""), "utf8"));
    const declared = await account.declareIfNot({ contract: sierra, casm });
    if (declared.transaction_hash) await provider.waitForTransaction(declared.transaction_hash);
    classHash = declared.class_hash;
    console.log(`declared class ${classHash}`);
  }
  const deployed = await account.deployContract({ classHash, constructorCalldata });
  await provider.waitForTransaction(deployed.transaction_hash);
  const vault = deployed.contract_address;
  console.log(`vault deployed at ${vault} (tx ${deployed.transaction_hash})`);

  const setup = plan.setup(vault);
  let setupTx: string | undefined;
  if (setup.now.length > 0) {
    if (!plan.deployerIsOwner) {
      console.log("owner is another account: send these calls from it:", JSON.stringify(setup.now, null, 2));
    } else {
      const sent = await account.execute([...setup.now]);
      await provider.waitForTransaction(sent.transaction_hash);
      setupTx = sent.transaction_hash;
      console.log(`set-up sent (tx ${setupTx})`);
    }
  }
  if (setup.afterDelay.length > 0) {
    console.log(
      `after the ${config.constructor.timelockDelaySeconds} s timelock delay, the owner sends:`,
      JSON.stringify(setup.afterDelay, null, 2),
    );
  }
  const record = resolve(REPO, "starknet/deployments/sepolia.json");
  mkdirSync(dirname(record), { recursive: true });
  writeFileSync(
    record,
    `${JSON.stringify({ vault, classHash, deployTx: deployed.transaction_hash, setupTx, constructor: constructorArgs, lsts: config.lsts, weights: config.weights }, null, 2)}\n`,
  );
  console.log(`recorded in ${record}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
