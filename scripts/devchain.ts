/**
 * `npm run devchain`: the local Arbitrum market (keeper/src/devchain/arbitrumLocal.ts) on
 * Hardhat's in-process chain, served over HTTP JSON-RPC until Ctrl-C, so the operator's commands
 * run against it as they would against Arbitrum: `npm run deploy -- --network localhost
 * --parameters ignition/parameters/blue-chip.arbitrum-local.json`, then the keeper on the config
 * the deploy writes. The market is built first on a fresh chain, so its addresses are the ones
 * the committed arbitrum-local parameters hold. Prints the local roles and their keys (Hardhat's
 * public test mnemonic: valid on this chain only) and writes a daily market history ending at
 * the local feeds' prices (`--market-csv`), the keeper's `--market` on this chain: the local
 * feeds have no past rounds for the keeper's Chainlink history to read.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { network } from "hardhat";
import { exitWith, stopOnSignals } from "../keeper/src/cli/shutdown.js";
import type { TokenSymbol } from "../keeper/src/config/addressBook.js";
import { deployArbitrumLocal } from "../keeper/src/devchain/arbitrumLocal.js";
import { localAccountKey } from "../keeper/src/devchain/localKeys.js";
import { localMarketHistoryCsv } from "../keeper/src/devchain/marketHistory.js";
import { START_PRICES_USD } from "../keeper/src/devchain/marketSpec.js";
import { startRpcServer } from "../keeper/src/devchain/rpcServer.js";

const DEFAULT_CSV = ".ballast/devchain/market_daily.csv";
/** Days of history written: the keeper's default `market.historyBars` (180) and some. */
const HISTORY_DAYS = 200;

const USAGE = `usage: npm run devchain -- [--port N] [--market-csv PATH]
serves the local Arbitrum market (chain id 42161: tokens, Uniswap V3, Chainlink-style feeds) over HTTP
JSON-RPC on 127.0.0.1 until Ctrl-C; \`npm run deploy -- --network localhost ...\` deploys to it.
  --port N            port to listen on (default 8545, the localhost network's URL)
  --market-csv PATH   where the ${HISTORY_DAYS}-day market history for the keeper's --market goes
                      (default ${DEFAULT_CSV})
  --help, -h          this text`;

/** Local accounts and the role the committed arbitrum-local parameters give them. */
const ROLES: readonly [number, string][] = [
  [0, "deployer (signs npm run deploy on localhost)"],
  [2, "vault admin"],
  [3, "guardian"],
  [4, "fee recipient"],
  [5, "keeper signer: BALLAST_KEEPER_KEY"],
  [6, "submitter: BALLAST_SUBMITTER_KEY"],
];

async function main(argv: string[]): Promise<number> {
  let port: number;
  let csvPath: string;
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        port: { type: "string", default: "8545" },
        "market-csv": { type: "string", default: DEFAULT_CSV },
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    port = Number(values.port);
    if (!/^\d+$/.test(values.port ?? "") || port > 65_535) throw new Error("--port must be an integer 0..65535");
    csvPath = resolve(values["market-csv"] ?? DEFAULT_CSV);
  } catch (error) {
    console.error(`devchain: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const connection = await network.create("arbitrumLocal");
  const local = await deployArbitrumLocal(connection.ethers);
  let server: Awaited<ReturnType<typeof startRpcServer>>;
  try {
    server = await startRpcServer(
      { request: ({ method, params }) => connection.provider.request({ method, params: params ? [...params] : [] }) },
      port,
    );
  } catch (error) {
    await connection.close();
    console.error(`devchain: cannot listen on 127.0.0.1:${port}: ${error instanceof Error ? error.message : error}`);
    return 1;
  }
  const signers = await local.ethers.getSigners();
  console.log(`local Arbitrum market (chain id ${local.chainId}) at ${server.url}`);
  for (const [index, role] of ROLES) {
    console.log(`  account ${index}  ${signers[index]?.address}  ${await localAccountKey(local, index)}  ${role}`);
  }
  const now = (await local.ethers.provider.getBlock("latest"))?.timestamp ?? Math.floor(Date.now() / 1000);
  mkdirSync(dirname(csvPath), { recursive: true });
  writeFileSync(csvPath, localMarketHistoryCsv(Object.keys(START_PRICES_USD) as TokenSymbol[], HISTORY_DAYS, now));
  console.log(`market history for the keeper's --market: ${csvPath}`);
  console.log("Ctrl-C to stop.");
  await new Promise<void>((resolve) => {
    const release = stopOnSignals(() => {
      release();
      resolve();
    });
  });
  await server.close();
  await connection.close();
  return 0;
}

exitWith(await main(process.argv.slice(2)));
