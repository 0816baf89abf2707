/**
 * Read-only checks of a parameters file against the chain it is about to be deployed on, made
 * before the first transaction: every address the constructor will call holds code, every feed
 * answers like the vault will require (8 decimals, fresh, inside the file's bounds), every token
 * has decimals, the router names its factory. The constructor makes the same checks and reverts
 * on them, but only after the linked libraries are deployed; here a mistake costs nothing.
 */
import { Contract, type Provider } from "ethers";
import { ConfigError } from "../../keeper/src/core/errors.js";
import type { BasketAsset, DeployParameters } from "./parameters.js";

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

/**
 * An LST's adapter does not exist yet: its legs are checked (code, freshness, the leg's bounds)
 * and their product, as the adapter will form it (`leg0 * leg1 * 10^8 / 10^(d0 + d1)`), against
 * the vault's bounds for the LST.
 */
async function checkAdapterLegs(provider: Provider, asset: BasketAsset, now: number): Promise<string[]> {
  const legs = asset.adapter?.legs;
  if (!legs) return [];
  const problems: string[] = [];
  const read: { answer: bigint; decimals: bigint }[] = [];
  for (const [k, leg] of legs.entries()) {
    const at = `${asset.labels.oracle} (adapter leg ${k}, ${leg.feed})`;
    if (!(await hasCode(provider, leg.feed))) {
      problems.push(`${at}: no contract`);
      continue;
    }
    try {
      const contract = new Contract(leg.feed, FEED_ABI, provider);
      const decimals = (await contract.getFunction("decimals")()) as bigint;
      const [, answer, , updatedAt] = (await contract.getFunction("latestRoundData")()) as bigint[];
      if ((answer as bigint) < leg.minAnswer || (answer as bigint) > leg.maxAnswer) {
        problems.push(
          `${at}: answers ${answer}, outside the leg's [${leg.minAnswer}, ${leg.maxAnswer}] (its own decimals)`,
        );
      }
      const age = now - Number(updatedAt);
      if (age > leg.heartbeat)
        problems.push(`${at}: last updated ${age} s ago, beyond its heartbeat of ${leg.heartbeat} s`);
      read.push({ answer: answer as bigint, decimals });
    } catch {
      problems.push(`${at}: does not answer decimals()/latestRoundData() like a Chainlink feed`);
    }
  }
  const [a, b] = read;
  if (problems.length === 0 && a && b) {
    const usd = (a.answer * b.answer * 10n ** FEED_DECIMALS) / 10n ** (a.decimals + b.decimals);
    if (usd < asset.oracle.minAnswer || usd > asset.oracle.maxAnswer) {
      problems.push(
        `${asset.labels.oracle}: the adapter would answer ${usd}, outside [${asset.oracle.minAnswer}, ${asset.oracle.maxAnswer}] (8 decimals)`,
      );
    }
  }
  return problems;
}

/** Every problem in one ConfigError; otherwise the facts the keeper config needs. */
export async function preflight(provider: Provider, parameters: DeployParameters): Promise<PreflightFacts> {
  const { vault, moduleId } = parameters;
  const now = (await provider.getBlock("latest"))?.timestamp ?? Math.floor(Date.now() / 1000);
  const problems: string[] = [];
  const decimals = new Map<string, number>();
  const tokens: [string, string][] = [
    [`${moduleId}.baseAsset`, vault.baseAsset],
    ...parameters.basket.map((a): [string, string] => [a.labels.token, a.token]),
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
  const base: Feed = {
    at: `${moduleId}.baseFeed`,
    feed: vault.baseFeed,
    heartbeat: vault.baseHeartbeat,
    minAnswer: vault.baseMinAnswer,
    maxAnswer: vault.baseMaxAnswer,
  };
  const baseProblem = await checkFeed(provider, base, now);
  if (baseProblem) problems.push(baseProblem.replace(`${base.at}.feed`, base.at));
  for (const asset of parameters.basket) {
    const { feed, ...bounds } = asset.oracle;
    if (feed === null) problems.push(...(await checkAdapterLegs(provider, asset, now)));
    else {
      const problem = await checkFeed(provider, { at: asset.labels.oracle, feed, ...bounds }, now);
      if (problem) problems.push(problem);
    }
  }
  if (!(await hasCode(provider, vault.sequencerUptimeFeed))) {
    problems.push(`${moduleId}.sequencerUptimeFeed: no contract at ${vault.sequencerUptimeFeed}`);
  }
  let uniswapFactory = "";
  if (!(await hasCode(provider, vault.swapRouter))) {
    problems.push(`${moduleId}.swapRouter: no contract at ${vault.swapRouter}`);
  } else {
    try {
      uniswapFactory = (await new Contract(vault.swapRouter, ROUTER_ABI, provider).getFunction("factory")()) as string;
    } catch {
      problems.push(`${moduleId}.swapRouter: ${vault.swapRouter} has no factory() (not a Uniswap V3 SwapRouter)`);
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(`the parameters do not match the chain; nothing was sent:\n  ${problems.join("\n  ")}`, {
      problems,
    });
  }
  return { decimals, uniswapFactory };
}
