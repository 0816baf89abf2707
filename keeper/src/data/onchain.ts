/**
 * On-chain reads through ethers v6 with minimal human-readable ABIs: Chainlink feed answers
 * (for prices and staleness checks) and Uniswap V3 pool state (sqrtPriceX96, tick, in-range
 * liquidity, fee tier, tokens), which the cost model needs. Amounts stay `bigint`; only the
 * convenience `price` fields are numbers.
 */
import { Contract, type ContractRunner, getAddress } from "ethers";
import { ProviderError } from "../core/errors.js";
import { toNumber } from "../core/fixed.js";

const AGGREGATOR_V3_ABI = [
  "function decimals() view returns (uint8)",
  "function description() view returns (string)",
  "function latestRoundData() view returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)",
];

const UNISWAP_V3_POOL_ABI = [
  "function slot0() view returns (uint160 sqrtPriceX96, int24 tick, uint16 observationIndex, uint16 observationCardinality, uint16 observationCardinalityNext, uint8 feeProtocol, bool unlocked)",
  "function liquidity() view returns (uint128)",
  "function fee() view returns (uint24)",
  "function token0() view returns (address)",
  "function token1() view returns (address)",
];

export interface FeedAnswer {
  readonly feed: string;
  readonly description: string;
  readonly roundId: bigint;
  readonly answer: bigint;
  readonly decimals: number;
  /** Unix seconds of the answer. */
  readonly updatedAt: number;
  /** answer / 10^decimals (lossy; for reporting). */
  readonly price: number;
}

export interface PoolState {
  readonly pool: string;
  readonly token0: string;
  readonly token1: string;
  /** Fee in hundredths of a bip (500 = 0.05%). */
  readonly fee: number;
  readonly sqrtPriceX96: bigint;
  readonly tick: number;
  /** In-range liquidity L. */
  readonly liquidity: bigint;
}

/** Latest answer of a Chainlink AggregatorV3 feed. */
export async function readChainlinkFeed(runner: ContractRunner, feed: string): Promise<FeedAnswer> {
  const address = checksum(feed);
  const c = new Contract(address, AGGREGATOR_V3_ABI, runner);
  try {
    const [decimals, description, round] = await Promise.all([
      c.getFunction("decimals").staticCall() as Promise<bigint>,
      c.getFunction("description").staticCall() as Promise<string>,
      c.getFunction("latestRoundData").staticCall() as Promise<[bigint, bigint, bigint, bigint, bigint]>,
    ]);
    const [roundId, answer, , updatedAt] = round;
    const dec = Number(decimals);
    const price = answer >= 0n ? toNumber(answer, dec) : -toNumber(-answer, dec);
    return { feed: address, description, roundId, answer, decimals: dec, updatedAt: Number(updatedAt), price };
  } catch (cause) {
    throw new ProviderError(`chainlink: reading feed ${address} failed`, { cause, details: { feed: address } });
  }
}

/**
 * What a Uniswap V3 pool fixes at construction (Solidity immutables): never different at the
 * same address, so a caller that read them once may pass them instead of reading them again.
 */
export interface PoolImmutables {
  readonly token0: string;
  readonly token1: string;
  readonly fee: number;
}

/** Current state of a Uniswap V3 pool (`known`: its immutables, from an earlier read). */
export async function readUniswapV3Pool(
  runner: ContractRunner,
  pool: string,
  known?: PoolImmutables,
): Promise<PoolState> {
  const address = checksum(pool);
  const c = new Contract(address, UNISWAP_V3_POOL_ABI, runner);
  const call = <T>(name: string) => c.getFunction(name).staticCall() as Promise<T>;
  try {
    const [slot0, liquidity, fee, token0, token1] = await Promise.all([
      call<[bigint, bigint, ...unknown[]]>("slot0"),
      call<bigint>("liquidity"),
      known ? BigInt(known.fee) : call<bigint>("fee"),
      known ? known.token0 : call<string>("token0"),
      known ? known.token1 : call<string>("token1"),
    ]);
    return {
      pool: address,
      token0: getAddress(token0),
      token1: getAddress(token1),
      fee: Number(fee),
      sqrtPriceX96: slot0[0],
      tick: Number(slot0[1]),
      liquidity,
    };
  } catch (cause) {
    throw new ProviderError(`uniswap-v3: reading pool ${address} failed`, { cause, details: { pool: address } });
  }
}

/**
 * Price of token0 in token1 whole units from sqrtPriceX96: (sqrtP / 2^96)^2 x 10^(dec0 - dec1).
 * A number, for reporting and research; execution maths stays in bigint.
 */
export function poolPrice(state: Pick<PoolState, "sqrtPriceX96">, decimals0: number, decimals1: number): number {
  const ratio = Number(state.sqrtPriceX96) / 2 ** 96;
  return ratio * ratio * 10 ** (decimals0 - decimals1);
}

function checksum(address: string): string {
  try {
    return getAddress(address);
  } catch (cause) {
    throw new ProviderError(`not an address: ${address}`, { cause });
  }
}
