/**
 * `arbitrum-local`: the reusable local Arbitrum market used by tests, the demo and the keeper.
 *
 * Local mode (default) builds, on Hardhat's in-process chain (chain id 42161): WETH9, test
 * ERC-20s with Arbitrum's symbols and decimals, the real Uniswap V3 Factory, SwapRouter,
 * NonfungiblePositionManager and QuoterV2 deployed from the npm packages' compiled artifacts,
 * pools with liquidity minted through the position manager (depths in `marketSpec.ts`),
 * Chainlink-style USD feeds (8 decimals), an L2 sequencer uptime feed, and the ETH-quoted
 * legs (18 decimals) that price the LSTs through feed adapters the way Arbitrum One must, where
 * wstETH and rETH have no USD feed: wstETH's stETH-per-wstETH exchange rate and rETH/ETH.
 *
 * Fork mode (`ARBITRUM_RPC_URL` set) attaches the same shape to Arbitrum One's real contracts
 * at a pinned block instead; feed setters are unavailable there.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { MaxUint256, type Signer } from "ethers";
import type {
  IAggregatorV3T,
  INonfungiblePositionManagerMinimal,
  IQuoterV2T,
  ISwapRouterT,
  IUniswapV3FactoryT,
  IUniswapV3PoolT,
  MockAggregatorV3,
  MockERC20,
  WETH9,
} from "../../../types/ethers-contracts/index.js";
import {
  ARBITRUM_LST_PRICING,
  ARBITRUM_SEQUENCER_UPTIME_FEED,
  ARBITRUM_TOKENS,
  ARBITRUM_UNISWAP_V3,
  type LstSymbol,
  type TokenSymbol,
} from "../config/addressBook.js";
import { ConfigError, InvalidInputError } from "../core/errors.js";
import { parseUnits } from "../core/fixed.js";
import { LOCAL_POOLS, type PoolSpec, START_PRICES_USD, TICK_SPACING } from "./marketSpec.js";
import { alignTick, fullRangeTicks, sqrtPriceX96FromUsd, tickAtRawPrice } from "./uniswapMath.js";

export const TOKEN_SYMBOLS = Object.keys(ARBITRUM_TOKENS) as TokenSymbol[];
export const LST_SYMBOLS = Object.keys(ARBITRUM_LST_PRICING) as LstSymbol[];

export interface LocalToken {
  readonly symbol: TokenSymbol;
  readonly decimals: number;
  readonly address: string;
}

export interface LocalPool {
  /** "WETH/USDC/500": tokenA/tokenB/fee as listed in the market spec. */
  readonly key: string;
  readonly address: string;
  readonly token0: TokenSymbol;
  readonly token1: TokenSymbol;
  readonly fee: number;
  readonly contract: IUniswapV3PoolT;
}

export interface ArbitrumLocal {
  readonly mode: "local" | "fork";
  readonly ethers: HardhatEthers;
  readonly chainId: bigint;
  readonly deployer: HardhatEthersSigner;
  /** Deep-pocketed account that moves pool prices and funds other accounts. */
  readonly marketMaker: HardhatEthersSigner;
  readonly tokens: Readonly<Record<TokenSymbol, LocalToken>>;
  readonly uniswap: {
    readonly factory: IUniswapV3FactoryT;
    readonly router: ISwapRouterT;
    readonly positionManager: INonfungiblePositionManagerMinimal;
    readonly quoter: IQuoterV2T;
  };
  readonly pools: readonly LocalPool[];
  /** USD price feeds (8 decimals) by token; absent where no USD feed exists (fork mode). */
  readonly feeds: Readonly<Partial<Record<TokenSymbol, IAggregatorV3T>>>;
  readonly sequencerFeed: IAggregatorV3T;
  /** Settable feeds (local mode only). */
  readonly mockFeeds: Readonly<Partial<Record<TokenSymbol, MockAggregatorV3>>>;
  readonly mockSequencerFeed: MockAggregatorV3 | null;
  /**
   * Leg 0 of each LST's USD adapter (18 decimals, see `ARBITRUM_LST_PRICING`): wstETH's
   * stETH-per-wstETH exchange rate and rETH/ETH. Leg 1 is ETH/USD (`feeds.WETH`) here; on
   * Arbitrum One wstETH's is stETH/USD, which the local market takes to equal ETH/USD.
   */
  readonly lstEthFeeds: Readonly<Record<LstSymbol, IAggregatorV3T>>;
  /** Settable LST legs (local mode only). */
  readonly mockLstEthFeeds: Readonly<Partial<Record<LstSymbol, MockAggregatorV3>>>;
}

const require = createRequire(import.meta.url);

interface Artifact {
  readonly abi: unknown[];
  readonly bytecode: string;
}

/** Loads a compiled artifact shipped in an npm package (the bytecode deployed on mainnet). */
function loadArtifact(specifier: string): Artifact {
  const parsed: unknown = JSON.parse(readFileSync(require.resolve(specifier), "utf8"));
  if (
    typeof parsed !== "object" ||
    parsed === null ||
    !Array.isArray((parsed as { abi?: unknown }).abi) ||
    typeof (parsed as { bytecode?: unknown }).bytecode !== "string"
  ) {
    throw new ConfigError(`artifact ${specifier} has no abi/bytecode`);
  }
  return parsed as Artifact;
}

async function deployArtifact(ethers: HardhatEthers, signer: Signer, specifier: string, args: unknown[]) {
  const artifact = loadArtifact(specifier);
  const factory = await ethers.getContractFactory(artifact.abi, artifact.bytecode, signer);
  const contract = await factory.deploy(...args);
  await contract.waitForDeployment();
  return contract.getAddress();
}

/** Big enough to move any local pool anywhere, small enough to keep sums in range. */
const MARKET_MAKER_ETH = parseUnits("1000000000", 18);

/**
 * Builds the local Arbitrum market on the given connection. Deterministic: same accounts,
 * same nonces, so the same addresses on every run.
 */
export async function deployArbitrumLocal(ethers: HardhatEthers): Promise<ArbitrumLocal> {
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const [deployer, marketMaker] = await ethers.getSigners();
  if (!deployer || !marketMaker) throw new ConfigError("arbitrum-local needs at least two accounts");
  await ethers.provider.send("hardhat_setBalance", [marketMaker.address, `0x${(MARKET_MAKER_ETH * 2n).toString(16)}`]);

  const weth = (await ethers.deployContract("WETH9", [], deployer)) as unknown as WETH9;
  const tokenAddresses: Partial<Record<TokenSymbol, string>> = { WETH: await weth.getAddress() };
  for (const symbol of TOKEN_SYMBOLS) {
    if (symbol === "WETH") continue;
    const entry = ARBITRUM_TOKENS[symbol];
    const token = await ethers.deployContract("MockERC20", [entry.name, entry.onChainSymbol, entry.decimals], deployer);
    tokenAddresses[symbol] = await token.getAddress();
  }
  const tokens = Object.fromEntries(
    TOKEN_SYMBOLS.map((symbol) => [
      symbol,
      { symbol, decimals: ARBITRUM_TOKENS[symbol].decimals, address: tokenAddresses[symbol] as string },
    ]),
  ) as Record<TokenSymbol, LocalToken>;

  const factoryAddress = await deployArtifact(
    ethers,
    deployer,
    "@uniswap/v3-core/artifacts/contracts/UniswapV3Factory.sol/UniswapV3Factory.json",
    [],
  );
  const routerAddress = await deployArtifact(
    ethers,
    deployer,
    "@uniswap/v3-periphery/artifacts/contracts/SwapRouter.sol/SwapRouter.json",
    [factoryAddress, tokens.WETH.address],
  );
  // The token descriptor only renders NFT metadata (tokenURI); positions work without it.
  const positionManagerAddress = await deployArtifact(
    ethers,
    deployer,
    "@uniswap/v3-periphery/artifacts/contracts/NonfungiblePositionManager.sol/NonfungiblePositionManager.json",
    [factoryAddress, tokens.WETH.address, "0x0000000000000000000000000000000000000000"],
  );
  const quoterAddress = await deployArtifact(
    ethers,
    deployer,
    "@uniswap/v3-periphery/artifacts/contracts/lens/QuoterV2.sol/QuoterV2.json",
    [factoryAddress, tokens.WETH.address],
  );
  const uniswap = {
    factory: (await ethers.getContractAt("IUniswapV3FactoryT", factoryAddress)) as unknown as IUniswapV3FactoryT,
    router: (await ethers.getContractAt("ISwapRouterT", routerAddress)) as unknown as ISwapRouterT,
    positionManager: (await ethers.getContractAt(
      "INonfungiblePositionManagerMinimal",
      positionManagerAddress,
    )) as unknown as INonfungiblePositionManagerMinimal,
    quoter: (await ethers.getContractAt("IQuoterV2T", quoterAddress)) as unknown as IQuoterV2T,
  };

  // The factory's constructor enables 500/3000/10000; the 0.01% tier was enabled later by
  // Uniswap governance on every chain (enableFeeAmount(100, 1)), so do the same here.
  await (await uniswap.factory.connect(deployer).enableFeeAmount(100, 1)).wait();

  const mockFeeds: Partial<Record<TokenSymbol, MockAggregatorV3>> = {};
  for (const symbol of TOKEN_SYMBOLS) {
    const feed = await ethers.deployContract(
      "MockAggregatorV3",
      [8, `${symbol} / USD`, parseUnits(START_PRICES_USD[symbol], 8)],
      deployer,
    );
    mockFeeds[symbol] = feed as unknown as MockAggregatorV3;
  }
  // Sequencer up (answer 0) since an hour ago, so a grace period has already passed.
  const mockSequencerFeed = (await ethers.deployContract(
    "MockAggregatorV3",
    [0, "L2 Sequencer Uptime Status Feed", 0],
    deployer,
  )) as unknown as MockAggregatorV3;
  const now = BigInt((await ethers.provider.getBlock("latest"))?.timestamp ?? 0);
  await (await mockSequencerFeed.setRound(0, now - 3600n, now - 3600n)).wait();
  // Deployed after every other feed, so the addresses of the contracts above stay as they were.
  const mockLstEthFeeds = {} as Record<LstSymbol, MockAggregatorV3>;
  for (const symbol of LST_SYMBOLS) {
    const ratio = ethRatio(START_PRICES_USD[symbol], START_PRICES_USD.WETH);
    const description = ARBITRUM_LST_PRICING[symbol].ethLeg.description;
    const feed = await ethers.deployContract("MockAggregatorV3", [18, description, ratio], deployer);
    mockLstEthFeeds[symbol] = feed as unknown as MockAggregatorV3;
  }

  const local: ArbitrumLocal = {
    mode: "local",
    ethers,
    chainId,
    deployer,
    marketMaker,
    tokens,
    uniswap,
    pools: [],
    feeds: mockFeeds as Partial<Record<TokenSymbol, IAggregatorV3T>>,
    sequencerFeed: mockSequencerFeed as unknown as IAggregatorV3T,
    mockFeeds,
    mockSequencerFeed,
    lstEthFeeds: mockLstEthFeeds as unknown as Record<LstSymbol, IAggregatorV3T>,
    mockLstEthFeeds,
  };
  await fundMarketMaker(local);
  const pools: LocalPool[] = [];
  for (const spec of LOCAL_POOLS) pools.push(await createPool(local, spec));
  return { ...local, pools };
}

/** Attaches to Arbitrum One's real contracts on a forked chain (addresses from the address book). */
export async function attachArbitrumFork(ethers: HardhatEthers): Promise<ArbitrumLocal> {
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const [deployer, marketMaker] = await ethers.getSigners();
  if (!deployer || !marketMaker) throw new ConfigError("fork mode needs at least two accounts");
  const tokens = Object.fromEntries(
    TOKEN_SYMBOLS.map((symbol) => [
      symbol,
      { symbol, decimals: ARBITRUM_TOKENS[symbol].decimals, address: ARBITRUM_TOKENS[symbol].address },
    ]),
  ) as Record<TokenSymbol, LocalToken>;
  const feeds: Partial<Record<TokenSymbol, IAggregatorV3T>> = {};
  for (const symbol of TOKEN_SYMBOLS) {
    const feed = ARBITRUM_TOKENS[symbol].usdFeed;
    if (feed) feeds[symbol] = (await ethers.getContractAt("IAggregatorV3T", feed)) as unknown as IAggregatorV3T;
  }
  const lstEthFeeds = {} as Record<LstSymbol, IAggregatorV3T>;
  for (const symbol of LST_SYMBOLS) {
    const feed = ARBITRUM_LST_PRICING[symbol].ethLeg.feed;
    lstEthFeeds[symbol] = (await ethers.getContractAt("IAggregatorV3T", feed)) as unknown as IAggregatorV3T;
  }
  const factory = (await ethers.getContractAt(
    "IUniswapV3FactoryT",
    ARBITRUM_UNISWAP_V3.factory,
  )) as unknown as IUniswapV3FactoryT;
  const pools: LocalPool[] = [];
  for (const spec of LOCAL_POOLS) {
    const address = await factory.getPool(tokens[spec.tokenA].address, tokens[spec.tokenB].address, spec.fee);
    if (address === "0x0000000000000000000000000000000000000000") continue;
    pools.push(await describePool(ethers, tokens, spec, address));
  }
  return {
    mode: "fork",
    ethers,
    chainId,
    deployer,
    marketMaker,
    tokens,
    uniswap: {
      factory,
      router: (await ethers.getContractAt("ISwapRouterT", ARBITRUM_UNISWAP_V3.swapRouter)) as unknown as ISwapRouterT,
      positionManager: (await ethers.getContractAt(
        "INonfungiblePositionManagerMinimal",
        ARBITRUM_UNISWAP_V3.positionManager,
      )) as unknown as INonfungiblePositionManagerMinimal,
      quoter: (await ethers.getContractAt("IQuoterV2T", ARBITRUM_UNISWAP_V3.quoterV2)) as unknown as IQuoterV2T,
    },
    pools,
    feeds,
    sequencerFeed: (await ethers.getContractAt(
      "IAggregatorV3T",
      ARBITRUM_SEQUENCER_UPTIME_FEED,
    )) as unknown as IAggregatorV3T,
    mockFeeds: {},
    mockSequencerFeed: null,
    lstEthFeeds,
    mockLstEthFeeds: {},
  };
}

function sortTokens(tokens: Readonly<Record<TokenSymbol, LocalToken>>, a: TokenSymbol, b: TokenSymbol) {
  return BigInt(tokens[a].address) < BigInt(tokens[b].address) ? ([a, b] as const) : ([b, a] as const);
}

async function describePool(
  ethers: HardhatEthers,
  tokens: Readonly<Record<TokenSymbol, LocalToken>>,
  spec: PoolSpec,
  address: string,
): Promise<LocalPool> {
  const [token0, token1] = sortTokens(tokens, spec.tokenA, spec.tokenB);
  return {
    key: poolKey(spec.tokenA, spec.tokenB, spec.fee),
    address,
    token0,
    token1,
    fee: spec.fee,
    contract: (await ethers.getContractAt("IUniswapV3PoolT", address)) as unknown as IUniswapV3PoolT,
  };
}

export function poolKey(tokenA: TokenSymbol, tokenB: TokenSymbol, fee: number): string {
  return `${tokenA}/${tokenB}/${fee}`;
}

async function tokenContract(local: ArbitrumLocal, symbol: TokenSymbol, signer: Signer): Promise<MockERC20> {
  return (await local.ethers.getContractAt("MockERC20", local.tokens[symbol].address, signer)) as unknown as MockERC20;
}

/** Mints (or wraps) a huge inventory to the market maker and approves router and position manager. */
async function fundMarketMaker(local: ArbitrumLocal): Promise<void> {
  const mm = local.marketMaker;
  const weth = (await local.ethers.getContractAt("WETH9", local.tokens.WETH.address, mm)) as unknown as WETH9;
  await (await weth.deposit({ value: MARKET_MAKER_ETH })).wait();
  for (const symbol of TOKEN_SYMBOLS) {
    const token = await tokenContract(local, symbol, mm);
    if (symbol !== "WETH") {
      // 10^12 USD worth of each token: far more than any pool holds.
      const amount = parseUnits((1e12 / START_PRICES_USD[symbol]).toFixed(0), local.tokens[symbol].decimals);
      await (await token.mint(mm.address, amount)).wait();
    }
    await (await token.approve(await local.uniswap.router.getAddress(), MaxUint256)).wait();
    await (await token.approve(await local.uniswap.positionManager.getAddress(), MaxUint256)).wait();
  }
}

function rawAmount(usd: number, priceUsd: number, decimals: number): bigint {
  return parseUnits((usd / priceUsd).toFixed(Math.min(decimals, 12)), decimals);
}

async function createPool(local: ArbitrumLocal, spec: PoolSpec): Promise<LocalPool> {
  const { tokens, uniswap, marketMaker } = local;
  const [token0, token1] = sortTokens(tokens, spec.tokenA, spec.tokenB);
  const usd0 = START_PRICES_USD[token0];
  const usd1 = START_PRICES_USD[token1];
  const dec0 = tokens[token0].decimals;
  const dec1 = tokens[token1].decimals;
  const pm = uniswap.positionManager.connect(marketMaker);
  await (
    await pm.createAndInitializePoolIfNecessary(
      tokens[token0].address,
      tokens[token1].address,
      spec.fee,
      sqrtPriceX96FromUsd(usd0, dec0, usd1, dec1),
    )
  ).wait();
  const spacing = TICK_SPACING[spec.fee];
  const rawPrice = (usd0 / usd1) * 10 ** (dec1 - dec0);
  const full = fullRangeTicks(spacing);
  const bandLower = alignTick(tickAtRawPrice(rawPrice * (1 - spec.band)), spacing);
  const bandUpper = alignTick(tickAtRawPrice(rawPrice * (1 + spec.band)), spacing) + spacing;
  const deadline = MaxUint256;
  // Each position gets half the TVL, split evenly by value between the two tokens; the
  // position manager takes the limiting side and leaves the rest with the market maker.
  for (const [lower, upper] of [
    [full.lower, full.upper],
    [bandLower, bandUpper],
  ] as const) {
    await (
      await pm.mint({
        token0: tokens[token0].address,
        token1: tokens[token1].address,
        fee: spec.fee,
        tickLower: lower,
        tickUpper: upper,
        amount0Desired: rawAmount(spec.tvlUsd / 4, usd0, dec0),
        amount1Desired: rawAmount(spec.tvlUsd / 4, usd1, dec1),
        amount0Min: 0n,
        amount1Min: 0n,
        recipient: marketMaker.address,
        deadline,
      })
    ).wait();
  }
  const address = await uniswap.factory.getPool(tokens[token0].address, tokens[token1].address, spec.fee);
  return describePool(local.ethers, tokens, spec, address);
}

/** Sets a local feed's answer (USD, 8 decimals) at the current block time. */
export async function setFeedPrice(local: ArbitrumLocal, symbol: TokenSymbol, usd: number): Promise<void> {
  const feed = local.mockFeeds[symbol];
  if (!feed) throw new InvalidInputError(`no settable feed for ${symbol} (mode ${local.mode})`);
  await (await feed.setAnswer(parseUnits(usd.toFixed(8), 8))).wait();
}

/**
 * Sets an LST's ETH-quoted leg to the ratio of two USD prices (e.g. $3,510 / $3,000 = 1.17 stETH
 * per wstETH) at the current block time.
 */
export async function setLstEthFeed(
  local: ArbitrumLocal,
  symbol: LstSymbol,
  usd: number,
  ethUsd: number,
): Promise<void> {
  const feed = local.mockLstEthFeeds[symbol];
  if (!feed) throw new InvalidInputError(`no settable ETH leg for ${symbol} (mode ${local.mode})`);
  if (!(usd > 0 && ethUsd > 0)) throw new InvalidInputError(`prices for ${symbol} must be positive`, { usd, ethUsd });
  await (await feed.setAnswer(ethRatio(usd, ethUsd))).wait();
}

/**
 * `usd / ethUsd` as an 18-decimal answer, from the two 8-decimal feed answers (not from a float
 * quotient), so an adapter multiplying it by the ETH/USD answer lands on the LST's USD answer
 * (exactly when it divides, else at most one 8th-decimal unit below).
 */
function ethRatio(usd: number, ethUsd: number): bigint {
  return (parseUnits(usd.toFixed(8), 8) * 10n ** 18n) / parseUnits(ethUsd.toFixed(8), 8);
}

/** Sets the sequencer status: up (0) or down (1), changed at `changedAt` (default: now). */
export async function setSequencerStatus(local: ArbitrumLocal, up: boolean, changedAt?: bigint): Promise<void> {
  const feed = local.mockSequencerFeed;
  if (!feed) throw new InvalidInputError(`sequencer feed is not settable (mode ${local.mode})`);
  const now = BigInt((await local.ethers.provider.getBlock("latest"))?.timestamp ?? 0);
  const at = changedAt ?? now;
  await (await feed.setRound(up ? 0 : 1, at, at)).wait();
}

/**
 * Swaps in `pool` until its price equals the USD ratio `usd0 / usd1` (token0 vs token1).
 * Uses a price-limited exact-input swap, so the pool stops exactly at the target.
 */
export async function movePoolToPrice(
  local: ArbitrumLocal,
  pool: LocalPool,
  usd0: number,
  usd1: number,
): Promise<void> {
  const { tokens, marketMaker } = local;
  const target = sqrtPriceX96FromUsd(usd0, tokens[pool.token0].decimals, usd1, tokens[pool.token1].decimals);
  const [current] = await pool.contract.slot0();
  if (current === target) return;
  const zeroForOne = target < current; // selling token0 pushes its price down
  const tokenIn = zeroForOne ? pool.token0 : pool.token1;
  const tokenOut = zeroForOne ? pool.token1 : pool.token0;
  const balance = await (await tokenContract(local, tokenIn, marketMaker)).balanceOf(marketMaker.address);
  // No deadline: the market maker moves prices between blocks whose times tests warp freely.
  const deadline = MaxUint256;
  await (
    await local.uniswap.router.connect(marketMaker).exactInputSingle({
      tokenIn: tokens[tokenIn].address,
      tokenOut: tokens[tokenOut].address,
      fee: pool.fee,
      recipient: marketMaker.address,
      deadline,
      amountIn: balance,
      amountOutMinimum: 0n,
      sqrtPriceLimitX96: target,
    })
  ).wait();
}

/**
 * Moves the market to new USD prices: every local feed is set and every pool whose two
 * tokens have a price is swapped to the implied ratio. Symbols left out keep their price.
 * The LSTs' ETH-quoted legs follow the same ratios (the local market has no depeg: a rate
 * feed equals the pool ratio), so an adapter's USD answer equals the LST's USD feed (to one unit
 * of the 8th decimal).
 */
export async function followPrices(
  local: ArbitrumLocal,
  pricesUsd: Readonly<Partial<Record<TokenSymbol, number>>>,
): Promise<void> {
  for (const [symbol, usd] of Object.entries(pricesUsd) as [TokenSymbol, number][]) {
    if (!(usd > 0)) throw new InvalidInputError(`price for ${symbol} must be positive`, { usd });
  }
  const current = await currentPrices(local);
  const next = { ...current, ...pricesUsd };
  for (const pool of local.pools) {
    if (pricesUsd[pool.token0] === undefined && pricesUsd[pool.token1] === undefined) continue;
    await movePoolToPrice(local, pool, next[pool.token0], next[pool.token1]);
  }
  for (const [symbol, usd] of Object.entries(pricesUsd) as [TokenSymbol, number][]) {
    await setFeedPrice(local, symbol, usd);
  }
  for (const symbol of LST_SYMBOLS) {
    if (pricesUsd[symbol] === undefined && pricesUsd.WETH === undefined) continue;
    await setLstEthFeed(local, symbol, next[symbol], next.WETH);
  }
}

/** Current USD prices from the feeds (8 decimals -> number). */
export async function currentPrices(local: ArbitrumLocal): Promise<Record<TokenSymbol, number>> {
  const out = {} as Record<TokenSymbol, number>;
  for (const symbol of TOKEN_SYMBOLS) {
    const feed = local.feeds[symbol];
    if (!feed) continue;
    const [, answer] = await feed.latestRoundData();
    out[symbol] = Number(answer) / 1e8;
  }
  return out;
}

/** Advances chain time by `seconds` and mines a block. */
export async function advanceTime(local: ArbitrumLocal, seconds: number): Promise<void> {
  await local.ethers.provider.send("evm_increaseTime", [seconds]);
  await local.ethers.provider.send("evm_mine", []);
}

/** Gives `account` `amount` raw units of `symbol` (minted locally; wrapped ETH for WETH). */
export async function fund(local: ArbitrumLocal, account: string, symbol: TokenSymbol, amount: bigint): Promise<void> {
  if (symbol === "WETH" || local.mode === "fork") {
    // Real tokens cannot be minted on a fork: only ETH (wrapped) can be created from thin air.
    // Callers swap WETH for other tokens through the real pools.
    const mm = local.marketMaker;
    const weth = (await local.ethers.getContractAt("WETH9", local.tokens.WETH.address, mm)) as unknown as WETH9;
    if (symbol === "WETH") {
      await local.ethers.provider.send("hardhat_setBalance", [mm.address, `0x${(MARKET_MAKER_ETH * 4n).toString(16)}`]);
      await (await weth.deposit({ value: amount })).wait();
      await (await weth.transfer(account, amount)).wait();
      return;
    }
    throw new InvalidInputError(`fund: only WETH can be funded in fork mode (asked ${symbol})`);
  }
  const token = await tokenContract(local, symbol, local.deployer);
  await (await token.mint(account, amount)).wait();
}
