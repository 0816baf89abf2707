/**
 * Address book: the real Arbitrum One (chain id 42161) addresses the product uses, kept
 * beside the local chain's token list so fork mode and deployments resolve the same symbols.
 * Sources: the tokens' and protocols' official deployment pages (Circle for native USDC,
 * Arbitrum Foundation for ARB, Uniswap's v3 deployment list, Chainlink's data-feed directory).
 * Verify against those pages before a mainnet deployment.
 */
export type TokenSymbol = "USDC" | "WETH" | "WBTC" | "ARB" | "LINK" | "UNI" | "GMX" | "WSTETH" | "RETH" | "PENDLE";

export interface TokenEntry {
  readonly symbol: TokenSymbol;
  /** The token's own `symbol()` on Arbitrum (case as deployed). */
  readonly onChainSymbol: string;
  readonly name: string;
  readonly decimals: number;
  readonly address: `0x${string}`;
  /** Chainlink USD feed on Arbitrum One (8 decimals), or null where only a non-USD feed exists. */
  readonly usdFeed: `0x${string}` | null;
}

export const ARBITRUM_ONE_CHAIN_ID = 42161;

export const ARBITRUM_TOKENS: Readonly<Record<TokenSymbol, TokenEntry>> = {
  USDC: {
    symbol: "USDC",
    onChainSymbol: "USDC",
    name: "USD Coin",
    decimals: 6,
    address: "0xaf88d065e77c8cC2239327C5EDb3A432268e5831",
    usdFeed: "0x50834F3163758fcC1Df9973b6e91f0F0F0434aD3",
  },
  WETH: {
    symbol: "WETH",
    onChainSymbol: "WETH",
    name: "Wrapped Ether",
    decimals: 18,
    address: "0x82aF49447D8a07e3bd95BD0d56f35241523fBab1",
    usdFeed: "0x639Fe6ab55C921f74e7fac1ee960C0B6293ba612",
  },
  WBTC: {
    symbol: "WBTC",
    onChainSymbol: "WBTC",
    name: "Wrapped BTC",
    decimals: 8,
    address: "0x2f2a2543B76A4166549F7aaB2e75Bef0aefC5B0f",
    usdFeed: "0x6ce185860a4963106506C203335A2910413708e9",
  },
  ARB: {
    symbol: "ARB",
    onChainSymbol: "ARB",
    name: "Arbitrum",
    decimals: 18,
    address: "0x912CE59144191C1204E64559FE8253a0e49E6548",
    usdFeed: "0xb2A824043730FE05F3DA2efaFa1CBbe83fa548D6",
  },
  LINK: {
    symbol: "LINK",
    onChainSymbol: "LINK",
    name: "ChainLink Token",
    decimals: 18,
    address: "0xf97f4df75117a78c1A5a0DBb814Af92458539FB4",
    usdFeed: "0x86E53CF1B870786351Da77A57575e79CB55812CB",
  },
  UNI: {
    symbol: "UNI",
    onChainSymbol: "UNI",
    name: "Uniswap",
    decimals: 18,
    address: "0xFa7F8980b0f1E64A2062791cc3b0871572f1F7f0",
    usdFeed: "0x9C917083fDb403ab5ADbEC26Ee294f6EcAda2720",
  },
  GMX: {
    symbol: "GMX",
    onChainSymbol: "GMX",
    name: "GMX",
    decimals: 18,
    address: "0xfc5A1A6EB076a2C7aD06eD22C90d7E710E35ad0a",
    usdFeed: "0xDB98056FecFff59D032aB628337A4887110df3dB",
  },
  WSTETH: {
    symbol: "WSTETH",
    onChainSymbol: "wstETH",
    name: "Wrapped liquid staked Ether 2.0",
    decimals: 18,
    address: "0x5979D7b546E38E414F7E9822514be443A4800529",
    usdFeed: null,
  },
  RETH: {
    symbol: "RETH",
    onChainSymbol: "rETH",
    name: "Rocket Pool ETH",
    decimals: 18,
    address: "0xEC70Dcb4A1EFa46b8F2D97C310C9c4790ba5ffA8",
    usdFeed: null,
  },
  PENDLE: {
    symbol: "PENDLE",
    onChainSymbol: "PENDLE",
    name: "Pendle",
    decimals: 18,
    address: "0x0c880f6761F1af8d9Aa9C466984b80DAb9a8c9e8",
    usdFeed: null, // not in this address book: look it up in Chainlink's directory before use
  },
};

/** Uniswap V3 on Arbitrum One (same addresses as Ethereum mainnet for these four). */
export const ARBITRUM_UNISWAP_V3 = {
  factory: "0x1F98431c8aD98523631AE4a59f267346ea31F984",
  swapRouter: "0xE592427A0AEce92De3Edee1F18E0157C05861564",
  positionManager: "0xC36442b4a4522E871399CD717aBDD847Ab11FE88",
  quoterV2: "0x61fFE014bA17989E743c5F6cB21bF9697530B21e",
} as const satisfies Record<string, `0x${string}`>;

/** Chainlink L2 sequencer uptime feed on Arbitrum One (answer 0 = up, 1 = down). */
export const ARBITRUM_SEQUENCER_UPTIME_FEED = "0xFdB631F5EE196F0ed6FAa767959853A9F217697D" as const;

/** Block the fork mode pins (so fork tests are reproducible). */
export const ARBITRUM_FORK_BLOCK = 280_000_000;

/** LSTs with no Chainlink USD feed on Arbitrum One, priced in USD through a feed adapter. */
export type LstSymbol = "WSTETH" | "RETH";

/** One Chainlink leg of an adapter: the feed, its decimals and its heartbeat (seconds). */
export interface FeedLegEntry {
  readonly feed: `0x${string}`;
  readonly description: string;
  readonly decimals: number;
  readonly heartbeat: number;
}

/**
 * How an LST is priced in USD on Arbitrum One: `kind: "rate"` multiplies an exchange-rate feed
 * (underlying per token) by the underlying's USD feed (contracts/oracles/adapters/RateFeedAdapter);
 * `kind: "composite"` multiplies a token/ETH price feed by ETH/USD (CompositeFeedAdapter).
 */
export interface LstPricingEntry {
  readonly symbol: LstSymbol;
  readonly kind: "rate" | "composite";
  /** Leg 0: the token in ETH-like units (18 decimals). */
  readonly ethLeg: FeedLegEntry;
  /** Leg 1: that unit's USD feed (8 decimals). */
  readonly usdLeg: FeedLegEntry;
}

/**
 * Not verified against Chainlink's directory from here (no network): the addresses below are
 * the ones several public Arbitrum integrations use for these feeds, and the heartbeats are
 * Chainlink's published 24 h for each. Check every one (address, description(), decimals(),
 * heartbeat) on data.chain.link before a mainnet deployment.
 * Other Arbitrum LSTs with Chainlink ETH-quoted feeds (weETH/ETH, cbETH/ETH, rsETH/ETH, ezETH/ETH)
 * are not in the token registry yet, so the LST index leaves them out.
 */
export const ARBITRUM_LST_PRICING: Readonly<Record<LstSymbol, LstPricingEntry>> = {
  WSTETH: {
    symbol: "WSTETH",
    kind: "rate",
    ethLeg: {
      feed: "0xB1552C5e96B312d0Bf8b554186F846C40614a540",
      description: "wstETH-stETH Exchange Rate",
      decimals: 18,
      heartbeat: 86_400,
    },
    usdLeg: {
      feed: "0x07C5b924399cc23c24a95c8743DE4006a32b7f2a",
      description: "STETH / USD",
      decimals: 8,
      heartbeat: 86_400,
    },
  },
  RETH: {
    symbol: "RETH",
    kind: "composite",
    ethLeg: {
      feed: "0xD6aB2298946840262FcC278fF31516D39fF611eF",
      description: "rETH / ETH",
      decimals: 18,
      heartbeat: 86_400,
    },
    usdLeg: {
      feed: "0x639Fe6ab55C921f74e7fac1ee960C0B6293ba612",
      description: "ETH / USD",
      decimals: 8,
      heartbeat: 86_400,
    },
  },
};
