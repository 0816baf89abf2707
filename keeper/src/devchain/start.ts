import { network } from "hardhat";
import { type ArbitrumLocal, attachArbitrumFork, deployArbitrumLocal } from "./arbitrumLocal.js";

/**
 * Opens a fresh in-process chain and builds the market on it: a fork of Arbitrum One when
 * `ARBITRUM_RPC_URL` is set, otherwise the local market. Each call is an independent chain.
 */
export async function startArbitrumLocal(): Promise<{ local: ArbitrumLocal; close: () => Promise<void> }> {
  if (process.env.ARBITRUM_RPC_URL) {
    const connection = await network.create("arbitrumFork");
    return { local: await attachArbitrumFork(connection.ethers), close: () => connection.close() };
  }
  const connection = await network.create("arbitrumLocal");
  return { local: await deployArbitrumLocal(connection.ethers), close: () => connection.close() };
}

/** True when fork mode is configured; fork-only tests print that they skip otherwise. */
export function forkConfigured(): boolean {
  return Boolean(process.env.ARBITRUM_RPC_URL);
}
