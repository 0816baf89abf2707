// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TwoLegFeedAdapter} from "./TwoLegFeedAdapter.sol";

/// @title CompositeFeedAdapter
/// @notice Prices an asset that has a market feed in another unit only: asset/ETH x ETH/USD
/// (e.g. Chainlink's rETH/ETH times ETH/USD on Arbitrum), as an 8-decimal USD feed.
/// @dev Arithmetic, rounding and checks are `TwoLegFeedAdapter`'s. Leg 0 is the market price of
/// the asset in the unit (typically 18 decimals), leg 1 the unit's USD price (8 decimals).
contract CompositeFeedAdapter is TwoLegFeedAdapter {
    /// @param description_ What the adapter prices, e.g. "rETH / USD (rETH/ETH x ETH/USD)".
    /// @param assetInUnit Leg 0: the asset's price in the unit (e.g. rETH/ETH), bounds in its decimals.
    /// @param unitInUsd Leg 1: the unit's USD price (e.g. ETH/USD), bounds in its decimals.
    constructor(string memory description_, LegConfig memory assetInUnit, LegConfig memory unitInUsd)
        TwoLegFeedAdapter(description_, assetInUnit, unitInUsd)
    {}
}
