/**
 * Read-only checks of a parameters file against the chain it is about to be deployed on, made
 * before the first transaction: every address the constructor will call holds code, every feed
 * answers like the vault will require (8 decimals, fresh, inside the file's bounds), every token
 * has decimals, the router names its factory. The constructor makes the same checks and reverts
 * on them, but only after the linked libraries are deployed; here a mistake costs nothing.
 */
import { Contract, type Provider } from "ethers";
import { ConfigError } from "../../keeper/src/core/errors.js";
import type { DeployParameters } from "./parameters.js";

const FEED_ABI = [
  "function decimals() view returns (uint8)",
  "function latestRoundData() view returns (uint80, int256 answer, uint256, uint256 updatedAt, uint80)",
];
const TOKEN_ABI = ["function decimals() view returns (uint8)"];
const ROUTER_ABI = ["function factory() view returns (address)"];
/** The vault prices with 8-decimal USD feeds (ChainlinkOracleLib.FEED_DECIMALS). */
const FEED_DECIMALS = 8n;

export interface PreflightFacts {
  readonly decimals: ReadonlyMap<string, number>;
  readonly uniswapFactory: string;
}

interface Feed {
  readonly at: string;
  readonly feed: string;
  readonly heartbeat: number;
  readonly minAnswer: bigint;
  readonly maxAnswer: bigint;
}

async function hasCode(provider: Provider, address: string): Promise<boolean> {
  return (await provider.getCode(address)) !== "0x";
}

async function checkFeed(provider: Provider, feed: Feed, now: number): Promise<string | null> {
  if (!(await hasCode(provider, feed.feed))) return `${feed.at}.feed: no contract at ${feed.feed}`;
  const contract = new Contract(feed.feed, FEED_ABI, provider);
  try {
    const decimals = (await contract.getFunction("decimals")()) as bigint;
    if (decimals !== FEED_DECIMALS) return `${feed.at}.feed: ${decimals} decimals, the vault needs ${FEED_DECIMALS}`;
    const [, answer, , updatedAt] = (await contract.getFunction("latestRoundData")()) as bigint[];
    if ((answer as bigint) < feed.minAnswer || (answer as bigint) > feed.maxAnswer) {
      return `${feed.at}: the feed answers ${answer}, outside [minAnswer ${feed.minAnswer}, maxAnswer ${feed.maxAnswer}] (bounds are in the feed's 8 decimals)`;
    }
    const age = now - Number(updatedAt);
    if (age > feed.heartbeat)
      return `${feed.at}.feed: last updated ${age} s ago, beyond its heartbeat of ${feed.heartbeat} s`;
  } catch {
    return `${feed.at}.feed: ${feed.feed} does not answer decimals()/latestRoundData() like a Chainlink feed`;
  }
  return null;
}

/** Every problem in one ConfigError; otherwise the facts the keeper config needs. */
export async function preflight(provider: Provider, parameters: DeployParameters): Promise<PreflightFacts> {
  const vault = parameters.IndexVault;
  const now = (await provider.getBlock("latest"))?.timestamp ?? Math.floor(Date.now() / 1000);
  const problems: string[] = [];
  const decimals = new Map<string, number>();
  const tokens: [string, string][] = [
    ["IndexVault.baseAsset", vault.baseAsset],
    ...vault.basket.map((a, i): [string, string] => [`IndexVault.basket.${i}.token`, a.token]),
  ];
  for (const [at, token] of tokens) {
    if (!(await hasCode(provider, token))) {
      problems.push(`${at}: no contract at ${token}`);
      continue;
    }
    try {
      decimals.set(token, Number(await new Contract(token, TOKEN_ABI, provider).getFunction("decimals")()));
    } catch {
      problems.push(`${at}: ${token} has no decimals()`);
    }
  }
  const feeds: Feed[] = [
    {
      at: "IndexVault.baseFeed",
      feed: vault.baseFeed,
      heartbeat: vault.baseHeartbeat,
      minAnswer: vault.baseMinAnswer,
      maxAnswer: vault.baseMaxAnswer,
    },
    ...vault.basket.map((a, i) => ({ at: `IndexVault.basket.${i}.oracle`, ...a.oracle })),
  ];
  for (const feed of feeds) {
    const problem = await checkFeed(provider, feed, now);
    if (problem) problems.push(problem.replace("IndexVault.baseFeed.feed", "IndexVault.baseFeed"));
  }
  if (!(await hasCode(provider, vault.sequencerUptimeFeed))) {
    problems.push(`IndexVault.sequencerUptimeFeed: no contract at ${vault.sequencerUptimeFeed}`);
  }
  let uniswapFactory = "";
  if (!(await hasCode(provider, vault.swapRouter))) {
    problems.push(`IndexVault.swapRouter: no contract at ${vault.swapRouter}`);
  } else {
    try {
      uniswapFactory = (await new Contract(vault.swapRouter, ROUTER_ABI, provider).getFunction("factory")()) as string;
    } catch {
      problems.push(`IndexVault.swapRouter: ${vault.swapRouter} has no factory() (not a Uniswap V3 SwapRouter)`);
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(`the parameters do not match the chain; nothing was sent:\n  ${problems.join("\n  ")}`, {
      problems,
    });
  }
  return { decimals, uniswapFactory };
}
