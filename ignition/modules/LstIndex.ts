import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import IndexVaultModule from "./IndexVault.js";

/**
 * The LST index: the IndexVault module (its parameters under `IndexVault` in
 * `ignition/parameters/lst.<network>.json`, WETH as base) plus the USD feeds its LSTs need,
 * which Arbitrum One does not have: a rate adapter for wstETH (stETH per wstETH x the
 * underlying's USD feed) and a composite adapter for rETH (rETH/ETH x ETH/USD). Each leg is an
 * `IFeedAdapter.LegConfig` parameter (`feed`, `heartbeat`, `minAnswer`, `maxAnswer` in the leg's
 * own decimals); the adapters refuse a leg whose current answer is outside its bounds, so bounds
 * written in the wrong decimals fail the deployment. The adapters are then registered as the
 * LSTs' feeds through the vault's timelock like any other asset.
 */
export default buildModule("LstIndex", (m) => {
  const { oracleLib, vault } = m.useModule(IndexVaultModule);
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
  return { oracleLib, vault, wstethUsdFeed, rethUsdFeed };
});
