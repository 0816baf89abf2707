import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { ArgumentType, IgnitionModuleBuilder } from "@nomicfoundation/ignition-core";
import { indexVaultFutures } from "./IndexVault.js";

/**
 * The LST index: the USD feeds its LSTs need, which Arbitrum One does not have, then the vault
 * (WETH base) with both LSTs in its initial basket, priced by those feeds: a rate adapter for
 * wstETH (stETH per wstETH x the underlying's USD feed) and a composite adapter for rETH
 * (rETH/ETH x ETH/USD). Each leg is an `IFeedAdapter.LegConfig` parameter (`feed`, `heartbeat`,
 * `minAnswer`, `maxAnswer` in the leg's own decimals); the adapters refuse a leg whose current
 * answer is outside its bounds, so bounds written in the wrong decimals fail the deployment.
 *
 * Every parameter is under `LstIndex` in `ignition/parameters/lst.<network>.json`: the vault's
 * (as in IndexVault.ts, without `basket`), the legs, and per LST (`wsteth`, `reth`) its `Token`,
 * `SellPath` (to WETH), `MinAnswer`/`MaxAnswer` (the adapter's USD answer, 8 decimals),
 * `Heartbeat` and `MaxWeightBps`.
 */
export default buildModule("LstIndex", (m) => {
  const wstethUsdFeed = m.contract(
    "RateFeedAdapter",
    [
      m.getParameter("wstethDescription", "wstETH / USD (wstETH-stETH rate x stETH/USD)"),
      m.getParameter("wstethRate"),
      m.getParameter("wstethUnderlyingUsd"),
    ],
    { id: "WstethUsdFeed" },
  );
  const rethUsdFeed = m.contract(
    "CompositeFeedAdapter",
    [
      m.getParameter("rethDescription", "rETH / USD (rETH/ETH x ETH/USD)"),
      m.getParameter("rethEth"),
      m.getParameter("ethUsd"),
    ],
    { id: "RethUsdFeed" },
  );
  const basket = [lstAsset(m, "wsteth", wstethUsdFeed), lstAsset(m, "reth", rethUsdFeed)];
  return { ...indexVaultFutures(m, basket), wstethUsdFeed, rethUsdFeed };
});

/** An `IIndexVault.InitialAsset` priced by `feed`, the adapter this module deployed. */
function lstAsset(m: IgnitionModuleBuilder, prefix: "wsteth" | "reth", feed: ArgumentType) {
  return {
    token: m.getParameter<string>(`${prefix}Token`),
    oracle: {
      feed,
      heartbeat: m.getParameter(`${prefix}Heartbeat`, 86_400),
      minAnswer: m.getParameter<bigint>(`${prefix}MinAnswer`),
      maxAnswer: m.getParameter<bigint>(`${prefix}MaxAnswer`),
    },
    maxWeightBps: m.getParameter(`${prefix}MaxWeightBps`, 10_000),
    sellPath: m.getParameter<string>(`${prefix}SellPath`),
    // The composite feed's threshold: the sum of its legs' (the rate's and the USD leg's).
    deviationBps: m.getParameter<number>(`${prefix}DeviationBps`),
  };
}
