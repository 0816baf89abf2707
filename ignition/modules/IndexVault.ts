import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { ArgumentType, IgnitionModuleBuilder } from "@nomicfoundation/ignition-core";

/**
 * Deploys the vault's linked libraries (oracle, basket, rebalance, in-kind exit) and an
 * IndexVault. Every address comes from module parameters, one file per index and network:
 * `ignition/parameters/<index>.<network>.json` with `<index>` `blue-chip` (USDC base) or `lst`
 * (WETH base; deployed through `LstIndex.ts`, which deploys the LSTs' feed adapters first) and
 * `<network>` `arbitrum-one` (from the address book) or `arbitrum-local` (the local chain's
 * deterministic addresses, checked by test/contracts/ignition.test.ts).
 *
 * `basket` is the whole basket after the base asset, registered by the constructor: a list of
 * `{ token, oracle: { feed, heartbeat, minAnswer, maxAnswer }, maxWeightBps, sellPath }`
 * (`IIndexVault.InitialAsset`; extra fields such as the keeper's `symbol` are ignored). The
 * LST index builds its basket from the feed adapters it deploys first (LstIndex.ts).
 * `npm run deploy` validates a parameters file before it deploys either module (scripts/deploy/).
 */
/**
 * The libraries and the vault, from the parameters of the module that calls it (`m`), with
 * `basket` as the constructor's initial basket: a module parameter here, adapter futures in
 * LstIndex.ts.
 */
export function indexVaultFutures(m: IgnitionModuleBuilder, basket: ArgumentType) {
  const oracleLib = m.library("ChainlinkOracleLib");
  const basketLib = m.library("BasketLib");
  const rebalanceLib = m.library("RebalanceLib");
  const inKindLib = m.library("InKindLib");
  const vault = m.contract(
    "IndexVault",
    [
      {
        baseAsset: m.getParameter<string>("baseAsset"),
        name: m.getParameter("name", "Ballast Arbitrum Index"),
        symbol: m.getParameter("symbol", "bIDX"),
        admin: m.getParameter<string>("admin"),
        guardian: m.getParameter<string>("guardian"),
        keeperSigner: m.getParameter<string>("keeperSigner"),
        feeRecipient: m.getParameter<string>("feeRecipient"),
        swapRouter: m.getParameter<string>("swapRouter"),
        sequencerUptimeFeed: m.getParameter<string>("sequencerUptimeFeed"),
        sequencerGracePeriod: m.getParameter("sequencerGracePeriod", 3600),
        baseOracle: {
          feed: m.getParameter<string>("baseFeed"),
          heartbeat: m.getParameter("baseHeartbeat", 86_400),
          minAnswer: m.getParameter("baseMinAnswer", 90_000_000),
          maxAnswer: m.getParameter("baseMaxAnswer", 110_000_000),
        },
        timelockDelay: m.getParameter("timelockDelay", 172_800),
        depositCap: m.getParameter("depositCap", 1_000_000_000_000n),
        managementFeeBps: m.getParameter("managementFeeBps", 100),
        performanceFeeBps: m.getParameter("performanceFeeBps", 1_000),
        limits: {
          cooldown: m.getParameter("cooldown", 86_400),
          maxTurnoverBps: m.getParameter("maxTurnoverBps", 5_000),
          toleranceBps: m.getParameter("toleranceBps", 100),
          maxSlippageBps: m.getParameter("maxSlippageBps", 100),
        },
        // The base feed's deviation threshold (bps), declared at deployment like the basket's (M-1).
        baseDeviationBps: m.getParameter<number>("baseDeviationBps"),
        basket,
      },
    ],
    {
      libraries: {
        ChainlinkOracleLib: oracleLib,
        BasketLib: basketLib,
        RebalanceLib: rebalanceLib,
        InKindLib: inKindLib,
      },
    },
  );
  return { oracleLib, basketLib, rebalanceLib, inKindLib, vault };
}

export default buildModule("IndexVault", (m) => indexVaultFutures(m, m.getParameter("basket")));
