import { createRequire } from "node:module";
import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { configVariable, defineConfig } from "hardhat/config";

// The compiler comes from the `solc` npm package (WASM), so builds work offline. Its version
// must equal `SOLC_VERSION`; both are pinned in package.json.
const require = createRequire(import.meta.url);
const SOLC_VERSION = "0.8.28";

/** Arbitrum One's chain id: the local chain uses it so EIP-712 domains match production. */
export const ARBITRUM_CHAIN_ID = 42161;
/** Arbitrum Sepolia, the test network `npm run deploy -- --network arbitrumSepolia` targets. */
export const ARBITRUM_SEPOLIA_CHAIN_ID = 421614;

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers],
  solidity: {
    profiles: {
      default: {
        compilers: [
          {
            version: SOLC_VERSION,
            path: require.resolve("solc/soljson.js"),
            // No CBOR metadata trailer (53 bytes per contract; verification then needs an exact
            // source match, which the pinned compiler and committed sources give).
            settings: {
              optimizer: { enabled: true, runs: 200 },
              evmVersion: "cancun",
              viaIR: true,
              metadata: { appendCBOR: false },
            },
          },
        ],
        // One setting for every file, and no per-file override: a file compiled with other
        // settings is compiled again with these inside every job that imports it (a test
        // importing the vault would then run a different bytecode from the one deployed).
      },
    },
  },
  paths: {
    tests: { mocha: "test", solidity: "test/contracts" },
  },
  test: {
    solidity: {
      fuzz: { runs: 256 },
      // 256 runs of 100 calls each, in every `npm test` (about 45 s for VaultInvariants here).
      invariant: { runs: 256, depth: 100 },
    },
    mocha: { timeout: 120_000 },
  },
  networks: {
    // In-process chain that stands in for Arbitrum One (same chain id). Tests, the demo and
    // the keeper build the local market on it through keeper/src/chain/arbitrumLocal.ts.
    default: { type: "edr-simulated", chainType: "generic", chainId: ARBITRUM_CHAIN_ID },
    arbitrumLocal: { type: "edr-simulated", chainType: "generic", chainId: ARBITRUM_CHAIN_ID },
    // Fork of Arbitrum One at a pinned block (only used when ARBITRUM_RPC_URL is set).
    arbitrumFork: {
      type: "edr-simulated",
      chainType: "generic",
      chainId: ARBITRUM_CHAIN_ID,
      forking: { url: configVariable("ARBITRUM_RPC_URL"), blockNumber: 280_000_000 },
    },
    // Deployment targets (`npm run deploy`, scripts/deploy/). The deployer key comes from the
    // environment variable or, when unset, from hardhat-keystore (`npx hardhat keystore set
    // ARBITRUM_DEPLOYER_KEY`); `chainId` is what the RPC must answer, checked before anything is sent.
    arbitrum: {
      type: "http",
      chainType: "generic",
      chainId: ARBITRUM_CHAIN_ID,
      url: configVariable("ARBITRUM_RPC_URL"),
      accounts: [configVariable("ARBITRUM_DEPLOYER_KEY")],
    },
    arbitrumSepolia: {
      type: "http",
      chainType: "generic",
      chainId: ARBITRUM_SEPOLIA_CHAIN_ID,
      url: configVariable("ARBITRUM_SEPOLIA_RPC_URL"),
      accounts: [configVariable("ARBITRUM_SEPOLIA_DEPLOYER_KEY")],
    },
    // The local chain served over HTTP (`npm run devchain`): its unlocked development accounts
    // sign, so no key is needed.
    localhost: {
      type: "http",
      chainType: "generic",
      chainId: ARBITRUM_CHAIN_ID,
      url: configVariable("LOCALHOST_RPC_URL", { default: "http://127.0.0.1:8545" }),
      accounts: "remote",
    },
  },
});
