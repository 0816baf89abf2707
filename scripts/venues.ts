/**
 * `npm run venue:local -- hyperliquid|starknet [DIR]`: starts a venue's local stand-in
 * (keeper/src/devchain/hyperliquidLocal.ts or starknetLocal.ts) on 127.0.0.1, writes a venue
 * keeper config, a signal score file and the keys of its local test account into DIR, prints
 * the `keeper run --venue ...` command that trades against it, and serves until Ctrl-C. The
 * keys are throwaway local ones, printed on purpose: nothing here touches a real network.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Wallet } from "ethers";
import { localBook, startHyperliquidLocal } from "../keeper/src/devchain/hyperliquidLocal.js";
import { LOCAL_STARKNET, proofStateStarknet } from "../keeper/src/devchain/starknetLocal.js";

const USAGE = `usage: npm run venue:local -- hyperliquid|starknet [DIR]
Starts the venue's local stand-in, writes DIR/config.json and DIR/scores.csv (DIR defaults to a
new temporary folder), prints the keeper command to run against it, and serves until Ctrl-C.`;

function day(t: number): string {
  return new Date(t * 1000).toISOString().slice(0, 10);
}

async function main(argv: string[]): Promise<number> {
  const [venue, dirArg] = argv;
  if (venue === "--help" || venue === "-h") {
    console.log(USAGE);
    return 0;
  }
  if (venue !== "hyperliquid" && venue !== "starknet") {
    console.error(USAGE);
    return 2;
  }
  const dir = resolve(dirArg ?? mkdtempSync(join(tmpdir(), `ballast-${venue}-`)));
  mkdirSync(dir, { recursive: true });
  const base = {
    venue,
    dataDir: join(dir, "data"),
    schedule: { pollSeconds: 5, everySeconds: 3600, driftThresholdBps: 300 },
  };
  let env: Record<string, string>;
  let close: () => Promise<void>;
  if (venue === "hyperliquid") {
    const account = Wallet.createRandom();
    const hl = await startHyperliquidLocal(localBook(account.address));
    const d = day(Date.now() / 1000 - 86_400);
    writeFileSync(join(dir, "scores.csv"), `date,symbol,score\n${d},BTC,0.9\n${d},ETH,0.5\n${d},SOL,0.1\n`);
    const config = {
      ...base,
      signals: { path: join(dir, "scores.csv"), mode: "long-short", gross: 1, maxWeight: 0.5 },
      hyperliquid: { network: "testnet", apiUrl: hl.url, accountAddress: account.address },
    };
    writeFileSync(join(dir, "config.json"), `${JSON.stringify(config, null, 2)}\n`);
    env = { HYPERLIQUID_SIGNER_KEY: account.privateKey };
    close = () => hl.close();
  } else {
    const { vault, exchange, keeper, keeperKey: key } = LOCAL_STARKNET;
    const time = Math.floor(Date.now() / 1000);
    // A day's price age: the stand-in's prices are set once, at start.
    const local = proofStateStarknet({ time, maxPriceAge: 86_400 });
    const rpcUrl = await local.start();
    const d = day(time - 86_400);
    writeFileSync(join(dir, "scores.csv"), `date,symbol,score\n${d},WETH,0.1\n${d},WSTETH,0.9\n${d},RETH,0.6\n`);
    const config = {
      ...base,
      signals: { path: join(dir, "scores.csv"), mode: "long-only", gross: 1, maxWeight: 1 },
      starknet: {
        rpcUrl,
        vaultAddress: vault,
        accountAddress: keeper,
        exchangeAddress: exchange,
        setTargetsOnChain: true,
        maxSlippageBps: 100,
        pollIntervalMs: 200,
      },
    };
    writeFileSync(join(dir, "config.json"), `${JSON.stringify(config, null, 2)}\n`);
    env = { STARKNET_KEEPER_KEY: key };
    close = () => local.stop();
  }
  const exports = Object.entries(env)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  console.log(`${venue} stand-in running; config and scores in ${dir}`);
  console.log(
    `in another terminal (a local throwaway key):\n  ${exports} npm run keeper -- run --venue ${venue} --config ${join(dir, "config.json")} --port 8788`,
  );
  await new Promise<void>((done) => {
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
  });
  await close();
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
