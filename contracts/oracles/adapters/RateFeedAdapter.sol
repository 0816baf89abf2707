// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TwoLegFeedAdapter} from "./TwoLegFeedAdapter.sol";

/// @title RateFeedAdapter
/// @notice Prices a wrapped or yield-bearing token from its exchange rate: rate (underlying per
/// token, e.g. Chainlink's wstETH-stETH exchange-rate feed) x the underlying's USD price, as an
/// 8-decimal USD feed.
/// @dev Arithmetic, rounding and checks are `TwoLegFeedAdapter`'s. Leg 0 is the rate source
/// (typically 18 decimals, updated about daily, so its heartbeat is long and its bounds should be
/// tight around the current rate: an exchange rate moves slowly, and tight bounds turn a
/// corrupted rate into an unusable feed instead of a mispriced asset). The product values the
/// token at what it redeems for, not at its market price: a depeg of the token against its
/// underlying is not seen, which is the stance of a rate oracle.
contract RateFeedAdapter is TwoLegFeedAdapter {
    /// @param description_ What the adapter prices, e.g. "wstETH / USD (rate x stETH/USD)".
    /// @param rate Leg 0: underlying per token, bounds in its decimals.
    /// @param underlyingInUsd Leg 1: the underlying's USD price, bounds in its decimals.
    constructor(string memory description_, LegConfig memory rate, LegConfig memory underlyingInUsd)
        TwoLegFeedAdapter(description_, rate, underlyingInUsd)
    {}
}
