/**
 * `npm run deploy` against the local chain served over HTTP JSON-RPC (as `npm run devchain`
 * serves it): the deployment with the committed local parameters file, the keeper config it
 * prints opened by the keeper's own `dry-run` command, the production network path with an
 * environment-variable signer, and every refusal (each with one message, exit 2 and no
 * transaction sent).
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { MaxUint256, Wallet } from "ethers";
import { network } from "hardhat";
import { dryRunCommand } from "../../keeper/src/cli/commands/dryRun.js";
import { loadKeeperConfig } from "../../keeper/src/config/keeperConfig.js";
import { type ArbitrumLocal, deployArbitrumLocal, fund } from "../../keeper/src/devchain/arbitrumLocal.js";
import { localAccountKey } from "../../keeper/src/devchain/localKeys.js";
import { localMarketHistoryCsv } from "../../keeper/src/devchain/marketHistory.js";
import { type RpcServer, startRpcServer } from "../../keeper/src/devchain/rpcServer.js";
import { connectIndexVault } from "../../keeper/src/execution/indexVault/vaultAbi.js";
import { DEPLOY_USAGE, deployMain } from "../../scripts/deploy/deploy.js";
import type { MockERC20 } from "../../types/ethers-contracts/index.js";
import { type CommandRun, runCaptured } from "../helpers/captureCommand.js";
import { spawnEntry } from "../keeper/cli/spawnCli.js";

const LOCAL_FILE = "ignition/parameters/blue-chip.arbitrum-local.json";
const ONE_FILE = "ignition/parameters/blue-chip.arbitrum-one.json";
const LST_LOCAL_FILE = "ignition/parameters/lst.arbitrum-local.json";
const LST_ONE_FILE = "ignition/parameters/lst.arbitrum-one.json";
const VARIABLES = [
  "LOCALHOST_RPC_URL",
  "ARBITRUM_RPC_URL",
  "ARBITRUM_DEPLOYER_KEY",
  "ARBITRUM_SEPOLIA_RPC_URL",
  "ARBITRUM_SEPOLIA_DEPLOYER_KEY",
  "BALLAST_KEEPER_KEY",
  "BALLAST_SUBMITTER_KEY",
] as const;

type Json = Record<string, unknown> & { IndexVault: Record<string, unknown> & { basket: Record<string, unknown>[] } };

describe("npm run deploy (scripts/deploy/deploy.ts) on the local chain", function () {
  this.timeout(300_000);
  let local: ArbitrumLocal;
  let server: RpcServer;
  let closeChain: () => Promise<void>;
  let dir: string;
  const saved = new Map<string, string | undefined>();

  before(async () => {
    for (const name of VARIABLES) saved.set(name, process.env[name]);
    for (const name of VARIABLES) delete process.env[name];
    const connection = await network.create("arbitrumLocal");
    local = await deployArbitrumLocal(connection.ethers);
    server = await startRpcServer({
      request: ({ method, params }) => connection.provider.request({ method, params: params ? [...params] : [] }),
    });
    closeChain = () => connection.close();
    // Hardhat resolves a network's URL once per process: the local chain's, from the start.
    process.env.LOCALHOST_RPC_URL = server.url;
    dir = mkdtempSync(join(tmpdir(), "ballast-deploy-"));
  });

  after(async () => {
    // Other suites read these (fork mode checks ARBITRUM_RPC_URL): put them back as they were.
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await server.close();
    await closeChain();
  });

  const readJson = (file: string): Json => JSON.parse(readFileSync(file, "utf8"));
  /** A parameters file in the temp dir: the local one, edited. */
  function variant(name: string, edit: (p: Json) => void, from = LOCAL_FILE): string {
    const parameters = readJson(from);
    edit(parameters);
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(parameters, null, 2));
    return file;
  }
  const blockNumber = () => local.ethers.provider.getBlockNumber();

  /** Runs the command and checks the refusal: exit 2, no stack trace, no block mined. */
  async function refused(argv: string[]): Promise<CommandRun> {
    const before = await blockNumber();
    const run = await runCaptured(deployMain, argv);
    expect(run.code, run.err || run.out).to.equal(2);
    expect(run.err).to.not.match(/\n\s+at /);
    expect(await blockNumber(), "a refused deployment sent a transaction").to.equal(before);
    return run;
  }
  const localArgs = (file: string) => ["--network", "localhost", "--parameters", file];

  it("--help prints the usage and exits 0; a bad flag or network exits 2 with it", async () => {
    const help = await runCaptured(deployMain, ["--help"]);
    expect([help.code, help.out]).to.deep.equal([0, DEPLOY_USAGE]);
    expect((await refused(["--netwrok", "localhost"])).err)
      .to.contain("--netwrok")
      .and.contain("usage:");
    expect((await refused(["--network", "mainnet", "--parameters", LOCAL_FILE])).err).to.contain(
      "--network must be one of arbitrum, arbitrumSepolia, localhost",
    );
  });

  it("as processes: deploy and devchain answer --help with 0, bad input with 2", async () => {
    const [deployHelp, devchainHelp, badPort, placeholder] = await Promise.all([
      spawnEntry("scripts/deploy/deploy.ts", ["--help"]).done,
      spawnEntry("scripts/devchain.ts", ["--help"]).done,
      spawnEntry("scripts/devchain.ts", ["--port", "99999"]).done,
      spawnEntry("scripts/deploy/deploy.ts", ["--network", "arbitrum", "--parameters", ONE_FILE]).done,
    ]);
    expect([deployHelp.code, deployHelp.stdout.trim()]).to.deep.equal([0, DEPLOY_USAGE]);
    expect(devchainHelp.code).to.equal(0);
    expect(devchainHelp.stdout).to.contain("usage: npm run devchain").and.contain("--market-csv");
    expect(badPort.code).to.equal(2);
    expect(badPort.stderr).to.contain("--port must be an integer 0..65535");
    expect(placeholder.code).to.equal(2);
    expect(placeholder.stderr).to.contain('IndexVault.admin: "SET_ME_TIMELOCK_OR_MULTISIG" is a placeholder');
  });

  it("refuses the Arbitrum One file as committed: every SET_ME placeholder named", async () => {
    const { err } = await refused(["--network", "arbitrum", "--parameters", ONE_FILE]);
    for (const key of ["admin", "guardian", "keeperSigner", "feeRecipient"]) {
      expect(err).to.contain(`IndexVault.${key}: "SET_ME`);
    }
    expect(err).to.contain("is a placeholder").and.contain("nothing was sent");
  });

  it("refuses the LST index's Arbitrum One file as committed, and LST bounds the adapters contradict", async () => {
    const { err } = await refused(["--network", "arbitrum", "--parameters", LST_ONE_FILE]);
    for (const key of ["admin", "guardian", "keeperSigner", "feeRecipient"]) {
      expect(err).to.contain(`LstIndex.${key}: "SET_ME`);
    }
    // wstETH at $3,510 on the local chain (1.17 stETH x $3,000), bounded here at $3,000.
    const file = variant(
      "lst-bounds",
      (p) => {
        (p.LstIndex as Record<string, unknown>).wstethMaxAnswer = 300_000_000_000;
      },
      LST_LOCAL_FILE,
    );
    expect((await refused(localArgs(file))).err).to.contain(
      "LstIndex.wstethMinAnswer/MaxAnswer: the adapter would answer 351000000000, outside [3510000000, 300000000000] (8 decimals)",
    );
  });

  const invalid: [string, (p: Json) => void, string][] = [
    [
      "an address that is not checksummed",
      (p) => {
        p.IndexVault.guardian = String(p.IndexVault.guardian).toLowerCase();
      },
      "IndexVault.guardian: is not EIP-55 checksummed (the checksummed form is 0x90F79bf6EB2c4f870365E785982E1f101E93b906)",
    ],
    [
      "the zero address",
      (p) => {
        p.IndexVault.feeRecipient = "0x0000000000000000000000000000000000000000";
      },
      "IndexVault.feeRecipient: must not be the zero address",
    ],
    [
      "a missing router",
      (p) => {
        delete p.IndexVault.swapRouter;
      },
      "IndexVault.swapRouter:",
    ],
    [
      "a missing sequencer feed",
      (p) => {
        delete p.IndexVault.sequencerUptimeFeed;
      },
      "IndexVault.sequencerUptimeFeed:",
    ],
    [
      "a basket asset without a feed",
      (p) => {
        delete (p.IndexVault.basket[1]?.oracle as Record<string, unknown> | undefined)?.feed;
      },
      "IndexVault.basket.1.oracle.feed:",
    ],
    [
      "an empty basket",
      (p) => {
        p.IndexVault.basket = [];
      },
      "IndexVault.basket: the deployment registers the whole basket",
    ],
    [
      "inverted oracle bounds",
      (p) => {
        const oracle = p.IndexVault.basket[0]?.oracle as Record<string, unknown>;
        oracle.minAnswer = oracle.maxAnswer;
      },
      "IndexVault.basket.0.oracle.maxAnswer: minAnswer must be below maxAnswer",
    ],
    [
      "a fee above the vault's cap",
      (p) => {
        p.IndexVault.managementFeeBps = 300;
      },
      "IndexVault.managementFeeBps:",
    ],
    [
      "a timelock beyond 30 days",
      (p) => {
        p.IndexVault.timelockDelay = 31 * 86_400;
      },
      "IndexVault.timelockDelay:",
    ],
    [
      "a misspelt key",
      (p) => {
        p.IndexVault.timeLockDelay = 3600;
      },
      'IndexVault: unknown key "timeLockDelay" (did you mean "timelockDelay"?)',
    ],
    [
      "a sell path that does not end at the base",
      (p) => {
        const [weth, wbtc] = p.IndexVault.basket;
        if (weth && wbtc) weth.sellPath = `${String(weth.sellPath).slice(0, 48)}${String(wbtc.token).slice(2)}`;
      },
      "IndexVault.basket.0.sellPath: must end at the base asset",
    ],
    [
      "the same asset twice",
      (p) => {
        const [weth] = p.IndexVault.basket;
        if (weth) p.IndexVault.basket.push({ ...weth, symbol: "WETH2" });
      },
      "IndexVault.basket.3.token: 0x5FbDB2315678afecb367f032d93F642f64180aa3 is listed twice",
    ],
  ];
  for (const [what, edit, message] of invalid) {
    it(`refuses ${what} before connecting`, async () => {
      const file = variant(what.replaceAll(" ", "-"), edit);
      const { err } = await refused(localArgs(file));
      expect(err).to.contain(`invalid deploy parameters ${file}; nothing was sent`).and.contain(message);
    });
  }

  it("refuses a file written for another chain", async () => {
    const file = variant("sepolia-file", (p) => {
      (p.ballast as Record<string, unknown>).chainId = 421_614;
    });
    const { err } = await refused(localArgs(file));
    expect(err).to.equal(`${file} is for chain 421614, --network localhost is chain 42161; nothing was sent`);
  });

  it("refuses without an RPC URL or a deployer key, naming the variable and the keystore", async () => {
    expect((await refused(["--network", "arbitrum", "--parameters", LOCAL_FILE])).err).to.equal(
      "no RPC URL for --network arbitrum: set ARBITRUM_RPC_URL in the environment or store it with `npx hardhat keystore set ARBITRUM_RPC_URL`",
    );
    process.env.ARBITRUM_SEPOLIA_RPC_URL = server.url;
    const sepolia = variant("sepolia", (p) => {
      (p.ballast as Record<string, unknown>).chainId = 421_614;
    });
    expect((await refused(["--network", "arbitrumSepolia", "--parameters", sepolia])).err).to.equal(
      "no deployer key for --network arbitrumSepolia: set ARBITRUM_SEPOLIA_DEPLOYER_KEY in the environment or store it with `npx hardhat keystore set ARBITRUM_SEPOLIA_DEPLOYER_KEY` (a 0x-prefixed private key)",
    );
    // With both, the RPC (the local chain) answers 42161, not Arbitrum Sepolia's 421614.
    process.env.ARBITRUM_SEPOLIA_DEPLOYER_KEY = await localAccountKey(local, 1);
    expect((await refused(["--network", "arbitrumSepolia", "--parameters", sepolia])).err).to.match(
      /^the RPC of --network arbitrumSepolia \(http:\/\/127\.0\.0\.1:\d+\) answers chain 42161, not 421614; nothing was sent$/,
    );
  });

  it("refuses parameters the chain contradicts (a feed outside its bounds, no code at the router)", async () => {
    const file = variant("off-chain", (p) => {
      const oracle = p.IndexVault.basket[0]?.oracle as Record<string, unknown>;
      oracle.maxAnswer = 200_000_000_000; // $2,000: the local WETH feed answers $3,000
      p.IndexVault.swapRouter = "0x000000000000000000000000000000000000dEaD";
    });
    const { err } = await refused(localArgs(file));
    expect(err).to.contain("the parameters do not match the chain; nothing was sent");
    expect(err).to.contain(
      "IndexVault.basket.0.oracle: the feed answers 300000000000, outside [minAnswer 3000000000, maxAnswer 200000000000]",
    );
    expect(err).to.contain("IndexVault.swapRouter: no contract at 0x000000000000000000000000000000000000dEaD");
  });

  it("deploys the committed local file to --network localhost; the keeper's dry-run accepts the printed config", async () => {
    const out = join(dir, "keeper.localhost.json");
    const run = await runCaptured(deployMain, [...localArgs(LOCAL_FILE), "--keeper-config", out]);
    expect(run.code, run.err).to.equal(0);
    const parameters = readJson(LOCAL_FILE);
    const config = loadKeeperConfig({ file: out, env: {} });
    const vault = connectIndexVault(config.vault, local.deployer);
    expect(await vault.assets()).to.deep.equal([
      parameters.IndexVault.baseAsset,
      ...parameters.IndexVault.basket.map((a) => a.token),
    ]);
    expect(await vault.keeperSigner()).to.equal(parameters.IndexVault.keeperSigner);
    expect(await vault.timelockDelay()).to.equal(86_400n);
    expect(config.tokens.map((t) => t.symbol)).to.deep.equal(["USDC", "WETH", "WBTC", "ARB"]);
    expect(config.uniswapFactory).to.equal(local.uniswap.factory.target);
    expect(statSync(out).mode & 0o777).to.equal(0o600);
    // The printout is the file (the local URL holds no credential, so nothing is redacted).
    expect(run.out).to.contain(readFileSync(out, "utf8").trim());
    const gas = [...run.out.matchAll(/IndexVault#(\w+)\s+0x[0-9a-fA-F]{40}\s+gas (\d+)/g)];
    expect(gas.map((g) => g[1]).sort()).to.deep.equal([
      "BasketLib",
      "ChainlinkOracleLib",
      "InKindLib",
      "IndexVault",
      "RebalanceLib",
    ]);
    console.log(`      deployment gas: ${gas.map((g) => `${g[1]} ${g[2]}`).join(", ")}`);

    // A depositor, so the keeper has something to rebalance; then the keeper's own command.
    const [alice] = (await local.ethers.getSigners()).slice(9);
    if (!alice) throw new Error("signer");
    await fund(local, alice.address, "USDC", 100_000n * 10n ** 6n);
    const usdc = (await local.ethers.getContractAt("MockERC20", local.tokens.USDC.address)) as unknown as MockERC20;
    await (await usdc.connect(alice).approve(config.vault, MaxUint256)).wait();
    await (await vault.connect(alice).deposit(100_000n * 10n ** 6n, alice.address)).wait();
    const csv = join(dir, "market.csv");
    const now = (await local.ethers.provider.getBlock("latest"))?.timestamp ?? 0;
    writeFileSync(csv, localMarketHistoryCsv(["USDC", "WETH", "WBTC", "ARB"], 200, now));
    // The committed roles: account 5 signs orders (the vault's keeperSigner), account 6 submits.
    process.env.BALLAST_KEEPER_KEY = await localAccountKey(local, 5);
    process.env.BALLAST_SUBMITTER_KEY = await localAccountKey(local, 6);
    const before = await vault.rebalanceNonce();
    const dry = await runCaptured(dryRunCommand, [
      "--config",
      out,
      "--data-dir",
      join(dir, "keeper-data"),
      "--market",
      csv,
    ]);
    expect(dry.code, dry.err).to.equal(0);
    const result = JSON.parse(dry.out.slice(dry.out.indexOf("{\n"))) as {
      outcome: string;
      cycle: { status: string };
    };
    // Planned, signed and simulated against the deployed vault's routes; not submitted.
    expect(result.outcome).to.equal("dry-run");
    expect(await vault.rebalanceNonce()).to.equal(before);
  });

  it("deploys the LST index from lst.arbitrum-local.json: its adapters, then the vault with both LSTs", async () => {
    const out = join(dir, "keeper.lst.json");
    const run = await runCaptured(deployMain, [...localArgs(LST_LOCAL_FILE), "--keeper-config", out]);
    expect(run.code, run.err).to.equal(0);
    const config = loadKeeperConfig({ file: out, env: {} });
    const vault = connectIndexVault(config.vault, local.deployer);
    expect(await vault.assets()).to.deep.equal(
      ["WETH", "WSTETH", "RETH"].map((s) => local.tokens[s as "WETH"].address),
    );
    const printed = new Map(
      [...run.out.matchAll(/LstIndex#(WstethUsdFeed|RethUsdFeed)\s+(0x[0-9a-fA-F]{40})/g)].map((m) => [m[1], m[2]]),
    );
    const adapters = [printed.get("WstethUsdFeed"), printed.get("RethUsdFeed")];
    expect(adapters.every((a) => a !== undefined)).to.equal(true);
    expect([
      (await vault.oracleOf(local.tokens.WSTETH.address)).feed,
      (await vault.oracleOf(local.tokens.RETH.address)).feed,
    ]).to.deep.equal(adapters);
    // The keeper config prices the LSTs with the same adapters.
    expect(config.tokens.map((t) => [t.symbol, t.oracle?.feed])).to.deep.equal([
      ["WETH", undefined],
      ["WSTETH", adapters[0]],
      ["RETH", adapters[1]],
    ]);
  });

  it("deploys to --network arbitrum with the deployer key from ARBITRUM_DEPLOYER_KEY (the local chain has its chain id)", async () => {
    process.env.ARBITRUM_RPC_URL = server.url;
    const deployerKey = await localAccountKey(local, 1);
    process.env.ARBITRUM_DEPLOYER_KEY = deployerKey;
    const deployer = new Wallet(deployerKey).address;
    const nonce = await local.ethers.provider.getTransactionCount(deployer);
    const out = join(dir, "keeper.arbitrum.json");
    const run = await runCaptured(deployMain, [
      "--network",
      "arbitrum",
      "--parameters",
      LOCAL_FILE,
      "--keeper-config",
      out,
      "--deployments-dir",
      join(dir, "deployments"),
    ]);
    expect(run.code, run.err).to.equal(0);
    expect(run.out).to.contain(`from ${deployer.toLowerCase()}`);
    // Four libraries and the vault, each sent from the key's account.
    expect(await local.ethers.provider.getTransactionCount(deployer)).to.equal(nonce + 5);
    // Ignition's journal makes a rerun resume instead of deploying again.
    expect(statSync(join(dir, "deployments", "blue-chip-arbitrum", "journal.jsonl")).isFile()).to.equal(true);
    const config = loadKeeperConfig({ file: out, env: {} });
    expect(await connectIndexVault(config.vault, local.deployer).assets()).to.have.length(4);
    const rerun = await runCaptured(deployMain, [
      "--network",
      "arbitrum",
      "--parameters",
      LOCAL_FILE,
      "--keeper-config",
      out,
      "--deployments-dir",
      join(dir, "deployments"),
    ]);
    expect(rerun.code, rerun.err).to.equal(0);
    expect(rerun.out).to.contain("(deployed earlier)").and.contain("total gas this run: 0");
    expect(await local.ethers.provider.getTransactionCount(deployer)).to.equal(nonce + 5);
    expect(loadKeeperConfig({ file: out, env: {} }).vault).to.equal(config.vault);
    // The same deployment id with other parameters: Ignition's reconciliation refuses it.
    const changed = variant("changed", (p) => {
      p.IndexVault.timelockDelay = 3_600;
    });
    const { err } = await refused([
      "--network",
      "arbitrum",
      "--parameters",
      changed,
      "--keeper-config",
      out,
      "--deployments-dir",
      join(dir, "deployments"),
    ]);
    expect(err).to.contain("IndexVault#IndexVault").and.contain("nothing was sent");
  });
});
