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
import { startHyperliquidLocal } from "../keeper/src/devchain/hyperliquidLocal.js";
import { StarknetLocal } from "../keeper/src/devchain/starknetLocal.js";

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
    const hl = await startHyperliquidLocal({
      user: account.address,
      authorized: [account.address],
      network: "testnet",
      markets: [
        { name: "BTC", szDecimals: 5, maxLeverage: 40 },
        { name: "ETH", szDecimals: 4, maxLeverage: 25 },
        { name: "SOL", szDecimals: 2, maxLeverage: 20 },
      ],
      mids: { BTC: 100_000, ETH: 4_000, SOL: 200 },
      cash: 100_000,
    });
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
    const key = "0x2dccce1da22003777062ee0870e9881b01a8fd6b9fc3ec5ab3e5ce7e17ed1e5";
    const [vault, weth, wsteth, reth, oracle, exchange, keeper] = [
      "0x1001",
      "0x2001",
      "0x2002",
      "0x2003",
      "0x3001",
      "0x3002",
      "0x4001",
    ];
    const time = Math.floor(Date.now() / 1000);
    const local = new StarknetLocal({
      vault,
      weth,
      oracle,
      router: exchange,
      owner: keeper,
      keeper,
      lsts: [
        { token: wsteth, pairId: "WSTETH/USD" },
        { token: reth, pairId: "RETH/USD" },
      ],
      targetBps: [10_000, 0, 0],
      risk: {
        weightToleranceBps: 200,
        maxSlippageBps: 100,
        maxNavLossBps: 50,
        rebalanceCooldown: 3600,
        maxPriceAge: 86_400,
      },
      prices: {
        "ETH/USD": 300_000_000_000n,
        "WSTETH/USD": 357_000_000_000n,
        "RETH/USD": 339_000_000_000n,
        "STRK/USD": 50_000_000n,
      },
      time,
    });
    local.addAccount(keeper, key);
    local.mint(weth, vault, 100n * 10n ** 18n);
    local.mint(wsteth, vault, 60n * 10n ** 18n);
    local.mint(reth, vault, 10n * 10n ** 18n);
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
